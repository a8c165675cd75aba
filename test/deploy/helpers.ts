/** Shared set-up for the deploy tests: settings, the real SDK port against the stand-ins, prebuilt fixtures. */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../src/lib/clock.js';
import { readRunContext } from '../../src/lib/context.js';
import { createGitHubApi } from '../../src/lib/github.js';
import { nodeFetch } from '../../src/lib/http.js';
import { RecordingLogger } from '../../src/lib/logger.js';
import { Summary } from '../../src/lib/summary.js';
import type { DeployDeps } from '../../src/deploy/deploy.js';
import type { DeploySettings } from '../../src/deploy/inputs.js';
import { createSdkDeployApi } from '../../src/deploy/vercel.js';
import { githubContext } from '../support/bundle.js';
import type { GithubStandin } from '../support/github-standin.js';
import type { VercelStandin } from '../support/vercel-standin.js';

export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const PROJECT = 'prj_shipgate';

export function settingsFor(vercel: VercelStandin, github: GithubStandin | undefined, over: Partial<DeploySettings> = {}): DeploySettings {
  return {
    token: vercel.token,
    projectId: PROJECT,
    mode: 'git',
    target: 'preview',
    gitSha: SHA,
    gitRef: 'main',
    prebuiltDir: '',
    staged: false,
    aliases: [],
    env: {},
    timeoutMs: 30 * 60_000,
    githubToken: github?.token,
    githubDeployment: github !== undefined,
    apiUrl: vercel.url,
    ...over,
  };
}

export function depsFor(
  s: DeploySettings,
  clock: Clock,
  github: GithubStandin | undefined,
  over: Partial<DeployDeps> = {},
): DeployDeps & { logger: RecordingLogger; summary: Summary } {
  const context = readRunContext(githubContext(github ? { GITHUB_API_URL: github.url } : {}));
  return {
    vercel: createSdkDeployApi({ token: s.token, serverURL: s.apiUrl, projectId: s.projectId, now: () => clock.now() }),
    github: github ? createGitHubApi({ token: github.token, apiUrl: github.url, http: nodeFetch, clock }) : undefined,
    clock,
    logger: new RecordingLogger(),
    summary: new Summary(),
    context,
    ...over,
  } as DeployDeps & { logger: RecordingLogger; summary: Summary };
}

/**
 * A Build Output API directory of `count` entries: config.json, other files with distinct content (static pages and a
 * function `api/a.func`), and `functions/api/b.func` as a symlink to the `a.func` folder.
 */
export function makePrebuilt(count: number): string {
  const root = mkdtempSync(join(tmpdir(), 'shipgate-prebuilt-'));
  const out = join(root, '.vercel', 'output');
  mkdirSync(join(out, 'static', 'pages'), { recursive: true });
  mkdirSync(join(out, 'functions', 'api', 'a.func'), { recursive: true });
  writeFileSync(join(out, 'config.json'), JSON.stringify({ version: 3, routes: [] }));
  writeFileSync(join(out, 'functions', 'api', 'a.func', '.vc-config.json'), JSON.stringify({ runtime: 'nodejs22.x', handler: 'index.js', launcherType: 'Nodejs' }));
  writeFileSync(join(out, 'functions', 'api', 'a.func', 'index.js'), 'export default () => new Response("ok");\n');
  symlinkSync('a.func', join(out, 'functions', 'api', 'b.func'));
  for (let i = 0; i < count - 4; i++) writeFileSync(join(out, 'static', 'pages', `page-${String(i).padStart(5, '0')}.html`), `<h1>page ${i}</h1>\n`);
  return out;
}
