/** Input and output names of the deploy stage; a test keeps them equal to actions/deploy/action.yml. */
export const INPUT = {
  vercelToken: 'vercel-token',
  vercelTeamId: 'vercel-team-id',
  vercelProjectId: 'vercel-project-id',
  mode: 'mode',
  target: 'target',
  gitSha: 'git-sha',
  gitRef: 'git-ref',
  prebuiltDir: 'prebuilt-dir',
  staged: 'staged',
  alias: 'alias',
  env: 'env',
  deploymentId: 'deployment-id',
  timeout: 'timeout',
  githubToken: 'github-token',
  githubDeployment: 'github-deployment',
  vercelApiUrl: 'vercel-api-url',
} as const;

export const OUTPUT = {
  deploymentId: 'deployment-id',
  url: 'url',
  inspectorUrl: 'inspector-url',
  previousDeploymentId: 'previous-deployment-id',
  readyState: 'ready-state',
  githubDeploymentId: 'github-deployment-id',
} as const;
