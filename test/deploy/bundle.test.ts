/** The key deploy paths through the built bundle (dist/deploy/index.js), run as the runner runs it. */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
// @ts-expect-error plain ESM JavaScript shared with the CLI
import { ROOT, inputEnv, loadActionSpec, parseCommandFile } from '../../bin/local-runner.js';
import { errorLines, githubContext, leakedForms, runStageBundle, visibleLines } from '../support/bundle.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { startVercelStandin, type VercelStandin } from '../support/vercel-standin.js';
import { PROJECT, SHA, makePrebuilt } from './helpers.js';

let vercel: VercelStandin;
let github: GithubStandin;
const dirs: string[] = [];

beforeEach(async () => {
  vercel = await startVercelStandin({ token: 'vrcl_s3cr3t-token-value' });
  github = await startGithubStandin({ token: 'ghs_bundle-test-token' });
});
afterEach(async () => {
  await vercel.close();
  await github.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(dirname(dirname(d)), { recursive: true, force: true });
});

const base = () => ({
  'vercel-token': vercel.token,
  'vercel-project-id': PROJECT,
  'vercel-api-url': vercel.url,
  'github-token': github.token,
});
const context = () => githubContext({ GITHUB_API_URL: github.url });

test('git deploy reaches READY with all outputs; GIT_SHA and BUILD_TIMESTAMP are sent; GitHub record; no secret in the output', async () => {
  const old = vercel.seedDeployment({ target: 'production' });
  const before = Date.now();
  const r = await runStageBundle('deploy', { ...base(), target: 'production', env: 'FEATURE_X=on\nAPI_URL=https://api.example.com/?a=b' }, { context: context() });
  expect({ code: r.code, errors: errorLines(r) }).toEqual({ code: 0, errors: [] });
  const created = [...vercel.state.deployments.values()].find((d) => d.id !== old.id)!;
  expect(r.outputs).toEqual({
    'deployment-id': created.id,
    url: `https://${created.url}`,
    'inspector-url': String(vercel.render(created.id)['inspectorUrl']),
    'previous-deployment-id': old.id,
    'ready-state': 'READY',
    'github-deployment-id': String([...github.state.deployments.keys()][0]),
  });
  expect(created.env).toMatchObject({ FEATURE_X: 'on', API_URL: 'https://api.example.com/?a=b', GIT_SHA: SHA });
  const ts = Date.parse(created.env['BUILD_TIMESTAMP']!);
  expect(ts).toBeGreaterThanOrEqual(before - 1000);
  expect(ts).toBeLessThanOrEqual(Date.now());
  expect(created.requestBody['gitSource']).toEqual({ type: 'github', org: 'acme', repo: 'shop', ref: 'main', sha: SHA });
  const [record] = github.state.deployments.values();
  expect(github.state.deploymentStatuses.get(record!.id)!.map((s) => s.state)).toEqual(['in_progress', 'success']);
  expect(r.summary).toContain(`https://${created.url}`);
  expect(r.summary).toContain('State timeline');
  expect(leakedForms(r, { plain: [vercel.token, github.token] })).toEqual([]);
});

test('ERROR: exit 1, the build log tail in a folded group, ready-state output kept', async () => {
  vercel.setScenario('error');
  const r = await runStageBundle('deploy', base(), { context: context() });
  expect(r.code).toBe(1);
  const lines = visibleLines(r);
  const group = lines.findIndex((l) => l.startsWith('::group::Build log of dpl_'));
  expect(group).toBeGreaterThan(-1);
  const end = lines.findIndex((l, i) => i > group && l === '::endgroup::');
  expect(lines.slice(group, end)).toEqual(expect.arrayContaining(['Running "vercel build"', 'Error: Command "npm run build" exited with 1']));
  expect(errorLines(r)).toEqual([expect.stringMatching(/^deploy: deployment dpl_\w+ build failed \(BUILD_FAILED: Command "npm run build" exited with 1\) — https:\/\/vercel\.com\//)]);
  expect(r.outputs['ready-state']).toBe('ERROR');
  expect(r.outputs['deployment-id']).toMatch(/^dpl_/);
});

test('prebuilt: 2,000 files deploy, then a redeploy with 5 changed files uploads exactly those 5', async () => {
  const out = makePrebuilt(2000);
  dirs.push(out);
  vercel.setScenario(['READY']); // no polling: this test is about files
  const inputs = { ...base(), mode: 'prebuilt', 'prebuilt-dir': out, 'github-deployment': 'false' };
  const first = await runStageBundle('deploy', inputs, { context: context() });
  expect({ code: first.code, errors: errorLines(first) }).toEqual({ code: 0, errors: [] });
  expect(vercel.stub.requestsTo('POST', '/v2/files')).toHaveLength(2000);
  const body = vercel.stub.requestsTo('POST', '/v13/deployments').at(-1)!.body as any;
  expect(body.files.find((f: any) => f.file === '.vercel/output/functions/api/b.func').mode & 0o170000).toBe(0o120000);

  const changed = [3, 33, 333, 1333, 1996].map((i) => join(out, 'static', 'pages', `page-${String(i).padStart(5, '0')}.html`));
  const shas = changed.map((f, i) => {
    writeFileSync(f, `changed ${i}\n`);
    return createHash('sha1').update(`changed ${i}\n`).digest('hex');
  });
  const before = vercel.stub.requestsTo('POST', '/v2/files').length;
  const second = await runStageBundle('deploy', inputs, { context: context() });
  expect({ code: second.code, errors: errorLines(second) }).toEqual({ code: 0, errors: [] });
  const uploads = vercel.stub.requestsTo('POST', '/v2/files').slice(before);
  expect(uploads.map((u) => u.headers['x-vercel-digest']).sort()).toEqual([...shas].sort());
  expect(visibleLines(second).join('\n')).toContain('Files uploaded: 5 (');
  expect(github.state.deployments.size).toBe(0);
});

test('rollback through the bundle picks the previous production deployment', async () => {
  const t = Date.now();
  const previous = vercel.seedDeployment({ target: 'production', createdAt: t - 7_200_000 });
  const current = vercel.seedDeployment({ target: 'production', createdAt: t - 3_600_000 });
  const r = await runStageBundle('deploy', { ...base(), mode: 'rollback' }, { context: context() });
  expect({ code: r.code, errors: errorLines(r) }).toEqual({ code: 0, errors: [] });
  expect(r.outputs).toMatchObject({ 'deployment-id': previous.id, 'previous-deployment-id': current.id });
  expect(vercel.state.production.get(PROJECT)).toBe(previous.id);
  expect(visibleLines(r).join('\n')).toMatch(/pinned to .*mode: promote/);
});

test('bad input: one line naming the input, nothing sent to Vercel', async () => {
  const r = await runStageBundle('deploy', { ...base(), mode: 'ftp' }, { context: context() });
  expect(r.code).toBe(1);
  expect(errorLines(r)).toEqual(['Input \'mode\' got "ftp"; expected one of git|prebuilt|promote|rollback.']);
  expect(vercel.stub.requests).toHaveLength(0);
});

test('an unknown readyState in a response does not crash the bundle', async () => {
  vercel.setScenario(['QUEUED', 'FROZEN', 'READY']);
  const r = await runStageBundle('deploy', { ...base(), 'github-deployment': 'false' }, { context: context() });
  expect({ code: r.code, errors: errorLines(r) }).toEqual({ code: 0, errors: [] });
  expect(r.outputs['ready-state']).toBe('READY');
  expect(visibleLines(r).filter((l) => l.startsWith('::warning::') && l.includes('"FROZEN"'))).toHaveLength(1);
  expect(r.summary).toMatch(/FROZEN[\s\S]*READY/);
});

test('a cancelled run (SIGINT from the runner) cancels the Vercel deployment and marks the GitHub record inactive', async () => {
  vercel.setScenario(['QUEUED', 'BUILDING']);
  const temp = mkdtempSync(join(tmpdir(), 'shipgate-deploy-sigint-'));
  const files = { GITHUB_OUTPUT: join(temp, 'output'), GITHUB_STEP_SUMMARY: join(temp, 'summary.md') };
  for (const f of Object.values(files)) writeFileSync(f, '');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !/^(INPUT|GITHUB|RUNNER)_/.test(k)) env[k] = v;
  const child = spawn(process.execPath, [join(ROOT, 'dist', 'deploy', 'index.js')], {
    env: { ...env, ...context(), ...files, RUNNER_TEMP: temp, ...inputEnv(loadActionSpec('deploy'), base()) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (c) => (stdout += c));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await vercel.stub.waitForRequest('GET', /^\/v13\/deployments\/dpl_/, 20_000);
  child.kill('SIGINT');
  const code = await exited;
  const outputs = parseCommandFile(readFileSync(files.GITHUB_OUTPUT, 'utf8'));
  rmSync(temp, { recursive: true, force: true });
  expect(code).toBe(1);
  expect(vercel.state.cancellations.map((c) => c.deploymentId)).toEqual([outputs['deployment-id']]);
  expect(outputs['ready-state']).toBe('CANCELED');
  const [record] = github.state.deployments.values();
  expect(github.state.deploymentStatuses.get(record!.id)!.map((s) => s.state)).toEqual(['in_progress', 'inactive']);
  expect(stdout).toMatch(/::error::deploy: deployment dpl_\w+ the run was cancelled; Vercel deployment dpl_\w+ was cancelled too/);
});
