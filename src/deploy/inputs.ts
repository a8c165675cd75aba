/** Reads and validates the deploy stage's inputs into one typed settings object. */
import { isAbsolute, resolve } from 'node:path';
import type { RunContext } from '../lib/context.js';
import { inputError, type Inputs } from '../lib/inputs.js';
import { INPUT } from './names.js';

/** Same as VERCEL_API_URL in src/lib/vercel.ts; not imported so reading inputs does not load the SDK. */
const DEFAULT_API_URL = 'https://api.vercel.com';

export const MODES = ['git', 'prebuilt', 'promote', 'rollback'] as const;
export type DeployMode = (typeof MODES)[number];

/** Env keys the stage always sets itself. */
export const RESERVED_ENV = ['GIT_SHA', 'BUILD_TIMESTAMP'] as const;

export interface DeploySettings {
  token: string;
  teamId?: string;
  projectId: string;
  mode: DeployMode;
  /** 'production', 'preview' or a custom environment slug/id. */
  target: string;
  gitSha: string;
  gitRef: string;
  /** Absolute path of the prebuilt output. */
  prebuiltDir: string;
  staged: boolean;
  /** Alias templates as written ({branch}, {pr}, {sha7} not yet replaced). */
  aliases: string[];
  /** User env (GIT_SHA and BUILD_TIMESTAMP are added at run time). */
  env: Record<string, string>;
  deploymentId?: string;
  timeoutMs: number;
  githubToken?: string;
  githubDeployment: boolean;
  apiUrl: string;
}

const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const TARGET = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const DEPLOYMENT_ID = /^dpl_[A-Za-z0-9]+$/;
const SHA = /^[0-9a-f]{40}$/i;
const ALIAS = /^[a-z0-9{}._-]+$/i;

export function readDeploySettings(inputs: Inputs, context: Pick<RunContext, 'sha' | 'refName' | 'workspace'>, env: NodeJS.ProcessEnv = {}): DeploySettings {
  const token = inputs.secret(INPUT.vercelToken, { required: true, expected: 'a Vercel access token' })!;
  const projectId = inputs.string(INPUT.vercelProjectId, { required: true, expected: 'a Vercel project id (prj_…) or name' });
  const mode = inputs.enum(INPUT.mode, MODES, 'git');
  const target = inputs.string(INPUT.target, { default: 'preview' });
  if (!TARGET.test(target)) throw inputError(INPUT.target, target, 'production, preview or the slug of a custom environment');

  const gitSha = inputs.string(INPUT.gitSha, { default: context.sha });
  if ((mode === 'git' || mode === 'prebuilt') && !SHA.test(gitSha)) {
    throw inputError(INPUT.gitSha, gitSha, 'a full 40-character commit sha (default: the workflow\'s sha)');
  }
  // A pull request's branch is GITHUB_HEAD_REF; GITHUB_REF_NAME is then `<n>/merge`.
  const gitRef = inputs.string(INPUT.gitRef, { default: env.GITHUB_HEAD_REF || context.refName });
  if (mode === 'git' && !gitRef) throw inputError(INPUT.gitRef, '', 'the branch to deploy (default: the workflow\'s ref name)');

  const dirInput = inputs.string(INPUT.prebuiltDir, { default: '.vercel/output' });
  const prebuiltDir = isAbsolute(dirInput) ? dirInput : resolve(context.workspace, dirInput);

  const staged = inputs.bool(INPUT.staged, false);
  if (staged && target !== 'production' && (mode === 'git' || mode === 'prebuilt')) {
    throw inputError(INPUT.staged, 'true', `false unless ${INPUT.target} is production (only production deployments are staged and promoted)`);
  }

  const aliases = inputs.lines(INPUT.alias);
  for (const a of aliases) if (!ALIAS.test(a)) throw inputError(INPUT.alias, a, 'one domain per line (letters, digits, dots, dashes; {branch}, {pr}, {sha7} templates)');
  if (aliases.length && staged) {
    throw inputError(INPUT.alias, aliases[0]!, `no aliases when ${INPUT.staged} is true (a staged deployment gets its domains when it is promoted)`);
  }

  const userEnv: Record<string, string> = {};
  for (const line of inputs.lines(INPUT.env)) {
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    if (!ENV_KEY.test(key)) throw inputError(INPUT.env, key || line.slice(0, 40), 'KEY=VALUE lines with keys of letters, digits and underscores');
    if ((RESERVED_ENV as readonly string[]).includes(key)) throw inputError(INPUT.env, key, `KEY=VALUE lines without ${RESERVED_ENV.join(' or ')} (the stage sets them)`);
    userEnv[key] = line.slice(eq + 1);
  }

  const deploymentId = inputs.optional(INPUT.deploymentId);
  if (deploymentId !== undefined && !DEPLOYMENT_ID.test(deploymentId)) throw inputError(INPUT.deploymentId, deploymentId, 'a Vercel deployment id (dpl_…)');
  if (mode === 'promote' && !deploymentId) throw inputError(INPUT.deploymentId, '', `the deployment to promote (dpl_…) when ${INPUT.mode} is promote`);

  const timeoutMs = inputs.duration(INPUT.timeout, '30m', { min: 1000 });
  const githubToken = inputs.secret(INPUT.githubToken);
  const githubDeployment = inputs.bool(INPUT.githubDeployment, true);
  const apiUrl = (inputs.url(INPUT.vercelApiUrl, { protocols: ['https:', 'http:'] }) ?? DEFAULT_API_URL).replace(/\/+$/, '');

  return {
    token,
    teamId: inputs.optional(INPUT.vercelTeamId),
    projectId,
    mode,
    target,
    gitSha: gitSha.toLowerCase(),
    gitRef,
    prebuiltDir,
    staged,
    aliases,
    env: userEnv,
    deploymentId,
    timeoutMs,
    githubToken,
    githubDeployment,
    apiUrl,
  };
}

/** A DNS label from any text: lower case, [a-z0-9-], no leading/trailing dash, at most 63 characters. */
export function dnsLabel(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 63)
    .replace(/-$/, '');
}

/** Replaces {branch}, {pr} and {sha7}; a template whose value is unknown (no pull request) is an error. */
export function expandAlias(template: string, values: { branch: string; pr?: number; sha: string }): string {
  return template.replace(/\{(branch|pr|sha7)\}/g, (_m, key: string) => {
    if (key === 'branch') return dnsLabel(values.branch);
    if (key === 'sha7') return values.sha.slice(0, 7).toLowerCase();
    if (values.pr === undefined) throw inputError(INPUT.alias, template, '{pr} only in runs triggered by a pull request');
    return String(values.pr);
  });
}
