/**
 * The deploy logic through the real @vercel/sdk port against the Vercel stand-in and the GitHub stand-in,
 * with a ManualClock so every wait is observed rather than slept.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ManualClock } from '../../src/lib/clock.js';
import { StageError } from '../../src/lib/errors.js';
import { runDeploy } from '../../src/deploy/deploy.js';
import { pollDelay } from '../../src/deploy/wait.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { startVercelStandin, type VercelStandin } from '../support/vercel-standin.js';
import { PROJECT, SHA, depsFor, makePrebuilt, settingsFor } from './helpers.js';

let vercel: VercelStandin;
let github: GithubStandin;
const dirs: string[] = [];

beforeEach(async () => {
  vercel = await startVercelStandin();
  github = await startGithubStandin();
});
afterEach(async () => {
  await vercel.close();
  await github.close();
});
afterAll(() => {
  for (const d of dirs) rmSync(dirname(dirname(d)), { recursive: true, force: true });
});

const createBodies = () => vercel.stub.requestsTo('POST', '/v13/deployments').map((r) => r.body as Record<string, any>);
const statesOf = (id: number) => (github.state.deploymentStatuses.get(id) ?? []).map((s) => s.state);

/** Top-level keys the Vercel CLI sends in a create body (plus the SDK schema's own gitSource/gitMetadata/customEnvironmentSlugOrId). */
const CLI_KEYS = ['name', 'project', 'target', 'meta', 'gitMetadata', 'gitSource', 'files', 'env', 'build', 'autoAssignCustomDomains', 'customEnvironmentSlugOrId', 'projectSettings'];

describe('git mode', () => {
  test('reaches READY with every output set; the request carries GIT_SHA and BUILD_TIMESTAMP, gitSource and commit metadata', async () => {
    const old = vercel.seedDeployment({ target: 'production' });
    const clock = new ManualClock();
    const s = settingsFor(vercel, github, { target: 'production', env: { API_BASE: 'https://api.example.com/v1?a=b' } });
    const deps = depsFor(s, clock, github);
    const outcome = await runDeploy(s, deps);

    expect(outcome.error).toBeUndefined();
    const [body] = createBodies();
    const created = [...vercel.state.deployments.values()].find((d) => d.id !== old.id)!;
    expect(outcome.outputs).toEqual({
      deploymentId: created.id,
      url: `https://${created.url}`,
      inspectorUrl: vercel.render(created.id)['inspectorUrl'],
      previousDeploymentId: old.id,
      readyState: 'READY',
      githubDeploymentId: expect.any(Number),
    });
    const iso = new Date(1_700_000_000_000).toISOString();
    expect(body!.env).toEqual({ API_BASE: 'https://api.example.com/v1?a=b', GIT_SHA: SHA, BUILD_TIMESTAMP: iso });
    expect(body!.build).toEqual({ env: body!.env });
    expect(body!.gitSource).toEqual({ type: 'github', org: 'acme', repo: 'shop', ref: 'main', sha: SHA });
    expect(body!.gitMetadata).toMatchObject({ commitSha: SHA, commitRef: 'main', ci: true, ciType: 'github-actions', remoteUrl: 'https://github.com/acme/shop' });
    expect(body!.target).toBe('production');
    expect(body!.files).toBeUndefined();
    expect('autoAssignCustomDomains' in body!).toBe(false);
    for (const k of Object.keys(body!)) expect(CLI_KEYS).toContain(k);
    const query = vercel.stub.requestsTo('POST', '/v13/deployments')[0]!.query;
    expect(query).toEqual({ skipAutoDetectionConfirmation: '1' });

    // Waited with the CLI's backoff (1 s at first), through the clock.
    expect(clock.sleeps.length).toBeGreaterThanOrEqual(2);
    expect(clock.sleeps.every((ms) => ms === 1000)).toBe(true);
    // The new deployment now serves production.
    expect(vercel.state.production.get(PROJECT)).toBe(created.id);

    // One GitHub record: in_progress → success, environment_url = the deployment, log_url = the run.
    const records = [...github.state.deployments.values()];
    expect(records).toHaveLength(1);
    expect(records[0]!.id).toBe(outcome.outputs.githubDeploymentId);
    expect(records[0]!).toMatchObject({ sha: SHA, environment: 'production', production_environment: true });
    const statuses = github.state.deploymentStatuses.get(records[0]!.id)!;
    expect(statuses.map((x) => x.state)).toEqual(['in_progress', 'success']);
    expect(statuses[1]!.environment_url).toBe(`https://${created.url}`);
    expect(statuses[1]!.log_url).toBe('https://github.com/acme/shop/actions/runs/4242');

    // Summary: URL, inspector link, state timeline.
    const summary = deps.summary.toString();
    expect(summary).toContain(`https://${created.url}`);
    expect(summary).toContain(`[${vercel.render(created.id)['inspectorUrl']}]`);
    expect(summary).toMatch(/State timeline[\s\S]*QUEUED[\s\S]*BUILDING[\s\S]*READY/);
  });

  test('preview with alias templates: {branch} {sha7} are expanded and assigned after READY', async () => {
    const clock = new ManualClock();
    const s = settingsFor(vercel, github, { gitRef: 'feature/Login_Page', aliases: ['{branch}-{sha7}.preview.example.com'] });
    const outcome = await runDeploy(s, depsFor(s, clock, github));
    expect(outcome.error).toBeUndefined();
    const alias = `feature-login-page-${SHA.slice(0, 7)}.preview.example.com`;
    expect(vercel.state.aliases.get(alias)?.deploymentId).toBe(outcome.outputs.deploymentId);
    expect(createBodies()[0]!.target).toBeUndefined();
    const status = github.state.deploymentStatuses.get(outcome.outputs.githubDeploymentId as number)!.at(-1)!;
    expect(status.environment_url).toBe(`https://${alias}`);
  });
});

describe('prebuilt mode', () => {
  test('2,000 files deploy; a redeploy with 5 changed files uploads exactly those 5; the symlinked function folder is sent with its mode', async () => {
    const out = makePrebuilt(2000);
    dirs.push(out);
    const clock = new ManualClock();
    const s = settingsFor(vercel, undefined, { mode: 'prebuilt', prebuiltDir: out });
    const first = await runDeploy(s, depsFor(s, clock, undefined));
    expect(first.error).toBeUndefined();
    expect(first.outputs.readyState).toBe('READY');

    const [create1, create2] = vercel.stub.requestsTo('POST', '/v13/deployments');
    expect(create1!.status).toBe(400); // missing_files
    expect(create2!.status).toBe(200);
    expect(create2!.query).toEqual({ skipAutoDetectionConfirmation: '1', prebuilt: '1' });
    const files = (create2!.body as any).files as Array<{ file: string; sha: string; size: number; mode: number }>;
    expect(files).toHaveLength(2000);
    const uniqueShas = new Set(files.map((f) => f.sha));
    expect(vercel.stub.requestsTo('POST', '/v2/files')).toHaveLength(uniqueShas.size);
    expect(vercel.state.uploads.size).toBe(uniqueShas.size);

    const link = files.find((f) => f.file === '.vercel/output/functions/api/b.func')!;
    const st = lstatSync(join(out, 'functions', 'api', 'b.func'));
    expect(link.mode).toBe(st.mode);
    expect(link.mode & 0o170000).toBe(0o120000); // S_IFLNK
    expect(link.sha).toBe(createHash('sha1').update(readlinkSync(join(out, 'functions', 'api', 'b.func'))).digest('hex'));
    expect(link.size).toBe(Buffer.byteLength('a.func'));
    const regular = files.find((f) => f.file === '.vercel/output/config.json')!;
    expect(regular.mode).toBe(lstatSync(join(out, 'config.json')).mode);
    // Nothing under the symlinked folder is listed twice.
    expect(files.filter((f) => f.file.startsWith('.vercel/output/functions/api/b.func/'))).toHaveLength(0);

    // Second deploy with 5 changed files.
    const changed = [0, 10, 100, 1000, 1500].map((i) => join(out, 'static', 'pages', `page-${String(i).padStart(5, '0')}.html`));
    for (const f of changed) writeFileSync(f, `<h1>changed ${f}</h1>\n`);
    const newShas = changed.map((f) => createHash('sha1').update(`<h1>changed ${f}</h1>\n`).digest('hex'));
    const before = vercel.stub.requestsTo('POST', '/v2/files').length;
    const second = await runDeploy(s, depsFor(s, clock, undefined));
    expect(second.error).toBeUndefined();
    const uploads = vercel.stub.requestsTo('POST', '/v2/files').slice(before);
    expect(uploads).toHaveLength(5);
    expect(uploads.map((r) => r.headers['x-vercel-digest']).sort()).toEqual([...newShas].sort());
  });

  test('upload retries a 5xx and a dropped connection; a 4xx aborts without creating a deployment', async () => {
    const out = makePrebuilt(20);
    dirs.push(out);
    const clock = new ManualClock();
    const s = settingsFor(vercel, undefined, { mode: 'prebuilt', prebuiltDir: out });
    vercel.stub.fail('POST /v2/files', { status: 503, times: 2 });
    vercel.stub.fail('POST /v2/files', { drop: true, times: 1 });
    const ok = await runDeploy(s, depsFor(s, clock, undefined));
    expect(ok.error).toBeUndefined();
    expect(vercel.state.uploads.size).toBe(20);

    const out2 = makePrebuilt(10);
    dirs.push(out2);
    writeFileSync(join(out2, 'config.json'), JSON.stringify({ version: 3, changed: true }));
    vercel.stub.fail('POST /v2/files', { status: 403, times: 1, body: { error: { code: 'forbidden', message: 'Not authorized' } } });
    const before = vercel.state.deployments.size;
    const bad = await runDeploy({ ...s, prebuiltDir: out2 }, depsFor(s, clock, undefined));
    expect(bad.error).toBeInstanceOf(StageError);
    expect(bad.error!.message).toMatch(/upload failed .*403 forbidden.*nothing was deployed/);
    expect(vercel.state.deployments.size).toBe(before);
  });
});

test('prebuilt: a build for another target, or a failed build, is refused before anything is sent', async () => {
  const out = makePrebuilt(8);
  dirs.push(out);
  const s = settingsFor(vercel, undefined, { mode: 'prebuilt', prebuiltDir: out, target: 'production' });
  writeFileSync(join(out, 'builds.json'), JSON.stringify({ target: 'preview', builds: [] }));
  await expect(runDeploy(s, depsFor(s, new ManualClock(), undefined))).rejects.toThrow('built for target preview but target is production: run `vercel build --prod`');
  writeFileSync(join(out, 'builds.json'), JSON.stringify({ target: 'production', builds: [{ error: { message: 'Command "next build" exited with 1' } }] }));
  await expect(runDeploy(s, depsFor(s, new ManualClock(), undefined))).rejects.toThrow('records a failed `vercel build`: Command "next build" exited with 1');
  expect(vercel.stub.requestsTo('POST', /.*/)).toHaveLength(0);
});

describe('waiting', () => {
  test('ERROR: fails with the build log tail in a folded group, outputs kept, GitHub record failure', async () => {
    vercel.setScenario('error');
    const clock = new ManualClock();
    const s = settingsFor(vercel, github);
    const deps = depsFor(s, clock, github);
    const outcome = await runDeploy(s, deps);
    expect(outcome.error).toBeInstanceOf(StageError);
    expect(outcome.error!.message).toContain('build failed (BUILD_FAILED: Command "npm run build" exited with 1)');
    expect(outcome.outputs.readyState).toBe('ERROR');
    expect(outcome.outputs.deploymentId).toMatch(/^dpl_/);
    const groupAt = deps.logger.records.findIndex((r) => r.level === 'group' && /Build log of dpl_/.test(r.message));
    expect(groupAt).toBeGreaterThan(-1);
    const after = deps.logger.records.slice(groupAt + 1).map((r) => r.message);
    expect(after).toEqual(expect.arrayContaining(['Running "vercel build"', 'Error: Command "npm run build" exited with 1']));
    expect(deps.summary.toString()).toContain('Error: Command "npm run build" exited with 1');
    expect(statesOf(outcome.outputs.githubDeploymentId as number)).toEqual(['in_progress', 'failure']);
  });

  test('429 with Retry-After while polling: the wait is exactly the server\'s, through the injected clock', async () => {
    vercel.stub.fail('GET /v13/deployments/:id', { status: 429, retryAfter: 7, times: 1, body: { error: { code: 'rate_limited', message: 'Rate limit exceeded' } } });
    const clock = new ManualClock();
    const s = settingsFor(vercel, undefined);
    const outcome = await runDeploy(s, depsFor(s, clock, undefined));
    expect(outcome.error).toBeUndefined();
    expect(clock.sleeps[0]).toBe(1000);
    expect(clock.sleeps[1]).toBe(7000);
    expect(vercel.stub.requestsTo('GET', /^\/v13\/deployments\//).filter((r) => r.status === 429)).toHaveLength(1);
  });

  test('the backoff rises from 1 s to 30 s like the CLI\'s', () => {
    expect([0, 14_999, 15_000, 59_999, 60_000, 299_999, 300_000, 3_600_000].map(pollDelay)).toEqual([1000, 1000, 5000, 5000, 15000, 15000, 30000, 30000]);
  });

  test('an unknown readyState (FROZEN) does not crash: it is reported once and waited on', async () => {
    vercel.setScenario(['QUEUED', 'FROZEN', 'FROZEN', 'READY']);
    const clock = new ManualClock();
    const s = settingsFor(vercel, undefined);
    const deps = depsFor(s, clock, undefined);
    const outcome = await runDeploy(s, deps);
    expect(outcome.error).toBeUndefined();
    expect(outcome.outputs.readyState).toBe('READY');
    const warnings = deps.logger.of('warning').map((w) => w.message);
    expect(warnings.filter((w) => w.includes('"FROZEN"'))).toHaveLength(1);
  });

  test('timeout fails with the inspector URL and leaves the deployment running', async () => {
    vercel.setScenario(['QUEUED', 'BUILDING']);
    const clock = new ManualClock();
    const s = settingsFor(vercel, github, { timeoutMs: 120_000 });
    const outcome = await runDeploy(s, depsFor(s, clock, github));
    const inspector = vercel.render(outcome.outputs.deploymentId as string)['inspectorUrl'] as string;
    expect(outcome.error!.message).toContain('not ready after 2m (last state BUILDING)');
    expect(outcome.error!.message).toContain(inspector);
    expect(outcome.outputs.readyState).toBe('BUILDING');
    expect(clock.sleeps.reduce((a, b) => a + b, 0)).toBe(120_000);
    expect(vercel.state.cancellations).toHaveLength(0);
  });

  test('a cancelled run cancels the Vercel deployment and marks the GitHub record inactive', async () => {
    vercel.setScenario(['QUEUED', 'BUILDING', 'BUILDING', 'BUILDING', 'READY']);
    const ctrl = new AbortController();
    const base = new ManualClock();
    const clock = {
      now: () => base.now(),
      sleep: async (ms: number) => {
        await base.sleep(ms);
        if (base.sleeps.length === 2) ctrl.abort();
      },
    };
    const s = settingsFor(vercel, github);
    const outcome = await runDeploy(s, depsFor(s, clock, github, { signal: ctrl.signal }));
    expect(outcome.error!.message).toMatch(/cancelled; Vercel deployment dpl_\w+ was cancelled too/);
    expect(vercel.state.cancellations.map((c) => c.deploymentId)).toEqual([outcome.outputs.deploymentId]);
    expect(outcome.outputs.readyState).toBe('CANCELED');
    expect(statesOf(outcome.outputs.githubDeploymentId as number)).toEqual(['in_progress', 'inactive']);
  });
});

describe('createDeployment is never retried blindly', () => {
  test('a 500 is not repeated (it may have created a deployment)', async () => {
    vercel.stub.fail('POST /v13/deployments', { status: 500, times: 1 });
    const clock = new ManualClock();
    const s = settingsFor(vercel, github);
    const outcome = await runDeploy(s, depsFor(s, clock, github));
    expect(outcome.error!.message).toMatch(/500 .*may have created a deployment, so it was not repeated/);
    expect(vercel.stub.requestsTo('POST', '/v13/deployments')).toHaveLength(1);
    expect(statesOf(outcome.outputs.githubDeploymentId as number)).toEqual(['in_progress', 'failure']);
  });

  test('a 429 is repeated after its Retry-After (Vercel created nothing)', async () => {
    vercel.stub.fail('POST /v13/deployments', { status: 429, retryAfter: 12, times: 1, body: { error: { code: 'rate_limited', message: 'slow down' } } });
    const clock = new ManualClock();
    const s = settingsFor(vercel, undefined);
    const outcome = await runDeploy(s, depsFor(s, clock, undefined));
    expect(outcome.error).toBeUndefined();
    expect(clock.sleeps[0]).toBe(12_000);
    expect(vercel.stub.requestsTo('POST', '/v13/deployments').map((r) => r.status)).toEqual([429, 200]);
  });
});

describe('staged, promote and rollback', () => {
  test('staged production keeps the domains on the old deployment; promote then moves production', async () => {
    const old = vercel.seedDeployment({ target: 'production' });
    const clock = new ManualClock();
    const s = settingsFor(vercel, github, { target: 'production', staged: true });
    const staged = await runDeploy(s, depsFor(s, clock, github));
    expect(staged.error).toBeUndefined();
    expect(staged.outputs.readyState).toBe('READY');
    expect(staged.outputs.previousDeploymentId).toBe(old.id);
    expect(createBodies()[0]!.autoAssignCustomDomains).toBe(false);
    expect(vercel.state.production.get(PROJECT)).toBe(old.id);

    const p = settingsFor(vercel, github, { mode: 'promote', deploymentId: staged.outputs.deploymentId as string });
    const deps = depsFor(p, clock, github);
    const promoted = await runDeploy(p, deps);
    expect(promoted.error).toBeUndefined();
    expect(vercel.state.production.get(PROJECT)).toBe(staged.outputs.deploymentId);
    expect(vercel.state.promotions.map((x) => [x.deploymentId, x.previous])).toEqual([[staged.outputs.deploymentId, old.id]]);
    expect(promoted.outputs).toMatchObject({ deploymentId: staged.outputs.deploymentId, previousDeploymentId: old.id, readyState: 'READY' });
    expect(statesOf(promoted.outputs.githubDeploymentId as number)).toEqual(['in_progress', 'success']);
    expect(deps.summary.toString()).toContain('Promoted to production');
  });

  test('promote answered 202 is reported as queued behind a rolling release', async () => {
    const target = vercel.seedDeployment({ target: 'production', makeProduction: false });
    vercel.seedDeployment({ target: 'production', makeProduction: true });
    vercel.stub.route('POST', '/v10/projects/:projectId/promote/:deploymentId', () => ({ status: 202 }));
    const clock = new ManualClock();
    const s = settingsFor(vercel, github, { mode: 'promote', deploymentId: target.id });
    const deps = depsFor(s, clock, github);
    const outcome = await runDeploy(s, deps);
    expect(outcome.error).toBeUndefined();
    expect(deps.logger.of('notice').map((n) => n.message).join('\n')).toMatch(/queued behind a rolling release \(HTTP 202\)/);
    expect(statesOf(outcome.outputs.githubDeploymentId as number)).toEqual(['in_progress', 'queued']);
  });

  test('promote refuses a preview deployment (it would rebuild)', async () => {
    const preview = vercel.seedDeployment({ target: null, makeProduction: false });
    const s = settingsFor(vercel, undefined, { mode: 'promote', deploymentId: preview.id });
    await expect(runDeploy(s, depsFor(s, new ManualClock(), undefined))).rejects.toThrow(/preview deployment; promoting it would rebuild/);
    expect(vercel.state.promotions).toHaveLength(0);
  });

  test('rollback without deployment-id picks the previous production deployment and reports the pin', async () => {
    const t = Date.now();
    const oldest = vercel.seedDeployment({ target: 'production', createdAt: t - 3 * 3_600_000 });
    const previous = vercel.seedDeployment({ target: 'production', createdAt: t - 2 * 3_600_000 });
    vercel.seedDeployment({ target: null, createdAt: t - 1_800_000, makeProduction: false });
    const clock = new ManualClock();
    const s0 = settingsFor(vercel, undefined, { target: 'production' });
    const shipped = await runDeploy(s0, depsFor(s0, clock, undefined));
    expect(vercel.state.production.get(PROJECT)).toBe(shipped.outputs.deploymentId);

    const s = settingsFor(vercel, github, { mode: 'rollback' });
    const deps = depsFor(s, clock, github);
    const outcome = await runDeploy(s, deps);
    expect(outcome.error).toBeUndefined();
    expect(vercel.state.rollbacks.map((r) => r.deploymentId)).toEqual([previous.id]);
    expect(vercel.state.production.get(PROJECT)).toBe(previous.id);
    expect(outcome.outputs).toMatchObject({ deploymentId: previous.id, previousDeploymentId: shipped.outputs.deploymentId });
    expect(oldest.id).not.toBe(outcome.outputs.deploymentId);
    const notice = deps.logger.of('notice').map((n) => n.message).join('\n');
    expect(notice).toContain(`pinned to ${previous.id}`);
    expect(notice).toContain(`mode: promote and deployment-id: ${shipped.outputs.deploymentId}`);
    expect(deps.summary.toString()).toContain('automatic domain assignment is off');
  });

  test('rollback to an explicit deployment-id', async () => {
    const target = vercel.seedDeployment({ target: 'production', createdAt: Date.now() - 7_200_000, makeProduction: false });
    const current = vercel.seedDeployment({ target: 'production', makeProduction: true });
    const s = settingsFor(vercel, undefined, { mode: 'rollback', deploymentId: target.id });
    const outcome = await runDeploy(s, depsFor(s, new ManualClock(), undefined));
    expect(outcome.error).toBeUndefined();
    expect(vercel.state.rollbacks.map((r) => [r.deploymentId, r.previous])).toEqual([[target.id, current.id]]);
  });
});

describe('connection failures', () => {
  test('createDeployment is repeated when the connection was never established, and the error says so', async () => {
    const closed = await startVercelStandin();
    const url = closed.url;
    await closed.close();
    const clock = new ManualClock();
    const s = settingsFor(vercel, undefined);
    // getProject goes to the live stand-in; createDeployment to a port nobody listens on.
    const deps = depsFor(s, clock, undefined);
    const live = deps.vercel;
    const refused = depsFor({ ...s, apiUrl: url }, clock, undefined).vercel;
    const outcome = await runDeploy(s, { ...deps, vercel: { ...live, createDeployment: (r, e) => refused.createDeployment(r, e) } });
    expect(outcome.error!.message).toMatch(/createDeployment/);
    expect(clock.sleeps).toEqual([2000, 4000]); // three attempts, nothing could have been created
    expect(vercel.state.deployments.size).toBe(0);
  });
});

test('a wrong token fails on the first call with Vercel\'s answer, before anything is created or recorded', async () => {
  const s = settingsFor(vercel, github, { token: 'wrong-token-123' });
  await expect(runDeploy(s, depsFor(s, new ManualClock(), github))).rejects.toThrow(/^Vercel API getProject: 403 forbidden: Not authorized$/);
  expect(vercel.state.deployments.size).toBe(0);
  expect(github.state.deployments.size).toBe(0);
});

describe('aliases', () => {
  test('Vercel\'s aliasError on a READY deployment fails the deploy (no silent alias failure)', async () => {
    vercel.stub.route('GET', '/v13/deployments/:idOrUrl', (req) => ({
      status: 200,
      body: { ...vercel.render(req.params['idOrUrl']!), readyState: 'READY', aliasAssigned: false, aliasError: { code: 'cert_missing', message: 'No certificate for www.example.com' } },
    }));
    const s = settingsFor(vercel, github);
    const outcome = await runDeploy(s, depsFor(s, new ManualClock(), github));
    expect(outcome.error!.message).toContain('alias assignment failed: cert_missing No certificate for www.example.com');
    expect(statesOf(outcome.outputs.githubDeploymentId as number)).toEqual(['in_progress', 'failure']);
  });

  test('a custom alias Vercel refuses fails the deploy and says the deployment itself is READY', async () => {
    vercel.stub.fail('POST /v2/deployments/:id/aliases', { status: 409, times: 1, body: { error: { code: 'alias_in_use', message: 'The alias is used by another team' } } });
    const s = settingsFor(vercel, github, { aliases: ['www.example.com'] });
    const outcome = await runDeploy(s, depsFor(s, new ManualClock(), github));
    expect(outcome.error!.message).toMatch(/^alias www\.example\.com was not assigned to dpl_\w+: Vercel API assignAlias: 409 alias_in_use: The alias is used by another team \(the deployment is READY at https:\/\//);
    expect(outcome.outputs.readyState).toBe('READY');
    expect(vercel.state.aliases.has('www.example.com')).toBe(false);
  });
});

test('after a rollback production is pinned: a production deploy warns, stays staged, and a promote undoes the pin', async () => {
  const t = Date.now();
  const good = vercel.seedDeployment({ target: 'production', createdAt: t - 7_200_000 });
  const bad = vercel.seedDeployment({ target: 'production', createdAt: t - 3_600_000 });
  const clock = new ManualClock();
  const r = settingsFor(vercel, undefined, { mode: 'rollback' });
  expect((await runDeploy(r, depsFor(r, clock, undefined))).outputs.deploymentId).toBe(good.id);

  const s = settingsFor(vercel, undefined, { target: 'production' });
  const deps = depsFor(s, clock, undefined);
  const shipped = await runDeploy(s, deps);
  expect(shipped.error).toBeUndefined();
  expect(deps.logger.of('warning').map((w) => w.message).join('\n')).toContain('Production is pinned after an instant rollback');
  expect(vercel.state.production.get(PROJECT)).toBe(good.id);
  expect(bad.id).not.toBe(shipped.outputs.deploymentId);

  const p = settingsFor(vercel, undefined, { mode: 'promote', deploymentId: shipped.outputs.deploymentId as string });
  expect((await runDeploy(p, depsFor(p, clock, undefined))).error).toBeUndefined();
  expect(vercel.state.production.get(PROJECT)).toBe(shipped.outputs.deploymentId);
  expect((await depsFor(s, clock, undefined).vercel.getProject()).autoAssignCustomDomains).toBe(true);
});
