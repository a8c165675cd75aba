/**
 * Proves that the Vercel stand-in's answers pass @vercel/sdk 1.28.35's own response validation:
 * every call goes through the SDK's standalone functions (VercelCore + funcs/*), and each Result
 * must be `ok: true` with the expected values. Also documents what the SDK does with answers it
 * cannot validate (an unknown readyState) or cannot parse (multi-line runtime logs).
 */
import { createHash } from 'node:crypto';
import { VercelCore } from '@vercel/sdk/core.js';
import { deploymentsCreateDeployment } from '@vercel/sdk/funcs/deploymentsCreateDeployment.js';
import { deploymentsGetDeployment } from '@vercel/sdk/funcs/deploymentsGetDeployment.js';
import { deploymentsGetDeploymentEvents } from '@vercel/sdk/funcs/deploymentsGetDeploymentEvents.js';
import { deploymentsUploadFile } from '@vercel/sdk/funcs/deploymentsUploadFile.js';
import { deploymentsGetDeployments } from '@vercel/sdk/funcs/deploymentsGetDeployments.js';
import { deploymentsCancelDeployment } from '@vercel/sdk/funcs/deploymentsCancelDeployment.js';
import { projectsGetProject } from '@vercel/sdk/funcs/projectsGetProject.js';
import { projectsFilterProjectEnvs } from '@vercel/sdk/funcs/projectsFilterProjectEnvs.js';
import { projectsRequestPromote } from '@vercel/sdk/funcs/projectsRequestPromote.js';
import { projectsRequestRollback } from '@vercel/sdk/funcs/projectsRequestRollback.js';
import { aliasesAssignAlias } from '@vercel/sdk/funcs/aliasesAssignAlias.js';
import { aliasesListDeploymentAliases } from '@vercel/sdk/funcs/aliasesListDeploymentAliases.js';
import { logsGetRuntimeLogs } from '@vercel/sdk/funcs/logsGetRuntimeLogs.js';
import { ResponseValidationError } from '@vercel/sdk/models/responsevalidationerror.js';
import { SDKError } from '@vercel/sdk/models/sdkerror.js';
import { startVercelStandin, type VercelStandin } from './support/vercel-standin.js';

/** Unwraps an SDK Result, failing the test with the SDK's own error message when it is not ok. */
function okValue<T>(result: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!result.ok) {
    const err = result.error as Error & { cause?: unknown };
    throw new Error(`SDK call failed: ${err.name}: ${err.message} ${err.cause ? String(err.cause).slice(0, 2000) : ''}`);
  }
  return result.value;
}

const sha1 = (b: Uint8Array) => createHash('sha1').update(b).digest('hex');

describe('Vercel stand-in against @vercel/sdk validation', () => {
  let v: VercelStandin;
  let sdk: VercelCore;

  beforeEach(async () => {
    v = await startVercelStandin({
      teamId: 'team_shipgate',
      envs: [
        { key: 'DATABASE_URL', value: 'postgres://db/app', target: ['production'] },
        { key: 'PUBLIC_FLAG', value: 'on', type: 'plain' },
      ],
    });
    sdk = new VercelCore({ serverURL: v.url, bearerToken: v.token });
  });
  afterEach(async () => {
    await v.close();
  });

  /** Uploads one file and creates a production deployment of it. */
  async function uploadAndCreate(extraMeta: Record<string, string> = {}) {
    const content = new TextEncoder().encode('<h1>hello</h1>');
    const digest = sha1(content);
    okValue(await deploymentsUploadFile(sdk, { requestBody: content, contentLength: content.length, xVercelDigest: digest, teamId: 'team_shipgate' }));
    const created = okValue(
      await deploymentsCreateDeployment(sdk, {
        teamId: 'team_shipgate',
        forceNew: '1',
        skipAutoDetectionConfirmation: '1',
        requestBody: {
          name: 'shipgate-app',
          project: 'prj_shipgate',
          target: 'production',
          meta: { GIT_SHA: 'abc123', ...extraMeta },
          files: [{ file: 'index.html', sha: digest, size: content.length }],
        },
      }),
    );
    // the SDK must pick the full deployment shape (not the lean one) so url and meta survive
    if (!('url' in created)) throw new Error('SDK picked the lean CreateDeploymentResponseBody variant');
    return { created, digest };
  }

  test('auth: wrong token and wrong team answer 403 (SDKError with the raw body)', async () => {
    const bad = new VercelCore({ serverURL: v.url, bearerToken: 'nope' });
    const r = await projectsGetProject(bad, { idOrName: 'prj_shipgate' });
    expect(r.ok).toBe(false);
    const err = (r as { ok: false; error: SDKError }).error;
    expect(err).toBeInstanceOf(SDKError);
    expect(err.statusCode).toBe(403);
    expect(JSON.parse(err.body)).toMatchObject({ error: { code: 'forbidden', invalidToken: true } });

    const wrongTeam = await projectsGetProject(sdk, { idOrName: 'prj_shipgate', teamId: 'team_other' });
    expect(wrongTeam.ok).toBe(false);
    expect(v.stub.requests.map((q) => q.status)).toEqual([403, 403]);
  });

  test('uploadFile, then createDeployment → QUEUED → BUILDING → READY; meta and production pointer', async () => {
    const { created, digest } = await uploadAndCreate();
    expect(v.state.uploads.has(digest)).toBe(true);
    expect(created.readyState).toBe('QUEUED');
    expect(created.id).toMatch(/^dpl_/);
    expect(created.url).toMatch(/\.vercel\.app$/);
    expect(created.meta).toEqual({ GIT_SHA: 'abc123' });

    const upload = v.stub.requestsTo('POST', '/v2/files')[0]!;
    expect(upload.headers['x-vercel-digest']).toBe(digest);
    expect(upload.headers['content-length']).toBe('14');
    const create = v.stub.requestsTo('POST', '/v13/deployments')[0]!;
    expect(create.query).toMatchObject({ teamId: 'team_shipgate', forceNew: '1', skipAutoDetectionConfirmation: '1' });
    expect(create.headers.authorization).toBe(`Bearer ${v.token}`);

    const states: string[] = [];
    for (let i = 0; i < 3; i++) {
      const d = okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id, teamId: 'team_shipgate' }));
      states.push(d.readyState);
      // the SDK must pick the full deployment shape (not the lean one) so url and meta survive
      expect('url' in d && d.url).toBe(created.url);
      expect('meta' in d && d.meta).toEqual({ GIT_SHA: 'abc123' });
    }
    expect(states).toEqual(['BUILDING', 'READY', 'READY']);
    expect(v.state.production.get('prj_shipgate')).toBe(created.id);

    // getDeployment by URL works too
    const byUrl = okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.url }));
    expect(byUrl.id).toBe(created.id);
  });

  test('createDeployment with files not uploaded answers 400 missing_files (listing the shas)', async () => {
    const content = new TextEncoder().encode('body{}');
    const r = await deploymentsCreateDeployment(sdk, {
      requestBody: { name: 'shipgate-app', target: 'production', files: [{ file: 'style.css', sha: sha1(content), size: content.length }] },
    });
    expect(r.ok).toBe(false);
    const err = (r as { ok: false; error: SDKError }).error;
    expect(err).toBeInstanceOf(SDKError);
    expect(err.statusCode).toBe(400);
    expect(JSON.parse(err.body)).toEqual({ error: { code: 'missing_files', message: 'Missing files', missing: [sha1(content)] } });

    // upload the missing file, retry: accepted
    okValue(await deploymentsUploadFile(sdk, { requestBody: content, contentLength: content.length, xVercelDigest: sha1(content) }));
    const again = okValue(
      await deploymentsCreateDeployment(sdk, { requestBody: { name: 'shipgate-app', target: 'production', files: [{ file: 'style.css', sha: sha1(content), size: content.length }] } }),
    );
    expect(again.readyState).toBe('QUEUED');
  });

  test('uploadFile rejects a digest that does not match the body', async () => {
    const r = await deploymentsUploadFile(sdk, { requestBody: new TextEncoder().encode('x'), contentLength: 1, xVercelDigest: 'f'.repeat(40) });
    expect(r.ok).toBe(false);
    expect(JSON.parse((r as { ok: false; error: SDKError }).error.body).error.code).toBe('incorrect_file_sha');
  });

  test('error scenario: ends in ERROR with errorMessage; events carry the build log incl. the error line', async () => {
    v.setScenario('error');
    const { created } = await uploadAndCreate();
    okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id }));
    const d = okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id }));
    expect(d.readyState).toBe('ERROR');
    expect('errorMessage' in d && d.errorMessage).toMatch(/exited with 1/);
    expect(v.state.production.has('prj_shipgate')).toBe(false);

    const events = okValue(await deploymentsGetDeploymentEvents(sdk, { idOrUrl: created.id }));
    expect(Array.isArray(events)).toBe(true);
    const texts = (events as Array<{ text?: string; type: string } | null>).map((e) => e?.text);
    expect(texts).toContain('Running "vercel build"');
    expect(texts[texts.length - 1]).toMatch(/^Error: /);
  });

  test('canceled scenario and cancelDeployment', async () => {
    v.setScenario('canceled');
    const { created } = await uploadAndCreate();
    okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id }));
    expect(okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id })).readyState).toBe('CANCELED');

    v.setScenario('ready');
    const second = await uploadAndCreate();
    const canceled = okValue(await deploymentsCancelDeployment(sdk, { id: second.created.id }));
    expect(canceled.readyState).toBe('CANCELED');
    expect(v.state.cancellations.map((c) => c.deploymentId)).toEqual([second.created.id]);
    // a terminal deployment cannot be canceled again
    expect((await deploymentsCancelDeployment(sdk, { id: second.created.id })).ok).toBe(false);
  });

  test('unknown readyState (FROZEN): the SDK rejects it with ResponseValidationError; the raw body is still available', async () => {
    v.setScenario(['QUEUED', 'FROZEN']);
    const { created } = await uploadAndCreate();
    const r = await deploymentsGetDeployment(sdk, { idOrUrl: created.id });
    // readyState is a closed enum in the SDK's schema, so an unknown value fails validation.
    expect(r.ok).toBe(false);
    const err = (r as { ok: false; error: ResponseValidationError }).error;
    expect(err).toBeInstanceOf(ResponseValidationError);
    expect(err.message).toMatch(/Response validation failed/);
    // The deploy stage must fall back to the raw body: it is on the error.
    expect((err.rawValue as { readyState: string }).readyState).toBe('FROZEN');
    expect(JSON.parse(err.body).readyState).toBe('FROZEN');
    expect(err.statusCode).toBe(200);
  });

  test('getProject, getDeployments (filters, pagination), promote and rollback', async () => {
    const old = v.seedDeployment({ id: 'dpl_previousProd', meta: { GIT_SHA: 'old111' }, makeProduction: true });
    const { created } = await uploadAndCreate();
    okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id }));
    okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id })); // READY → production
    expect(v.state.production.get('prj_shipgate')).toBe(created.id);

    const project = okValue(await projectsGetProject(sdk, { idOrName: 'shipgate-app' }));
    expect(project.id).toBe('prj_shipgate');
    expect(project.targets?.['production']?.id).toBe(created.id);
    expect(project.targets?.['production']?.meta).toEqual({ GIT_SHA: 'abc123' });

    const list = okValue(await deploymentsGetDeployments(sdk, { projectId: 'prj_shipgate', target: 'production', state: 'READY', limit: 1 }));
    expect(list.deployments.map((d) => d.uid)).toEqual([created.id]);
    expect(list.pagination.next).toEqual(expect.any(Number));
    const page2 = okValue(await deploymentsGetDeployments(sdk, { projectId: 'prj_shipgate', target: 'production', limit: 1, until: list.pagination.next! }));
    expect(page2.deployments.map((d) => [d.uid, d.meta?.['GIT_SHA'], d.isRollbackCandidate])).toEqual([[old.id, 'old111', true]]);
    expect(page2.pagination.next).toBeNull();

    okValue(await projectsRequestRollback(sdk, { projectId: 'prj_shipgate', deploymentId: old.id, description: 'verify failed' }));
    expect(v.state.production.get('prj_shipgate')).toBe(old.id);
    expect(v.state.rollbacks).toEqual([expect.objectContaining({ deploymentId: old.id, previous: created.id, description: 'verify failed' })]);
    expect(v.stub.requestsTo('POST', /^\/v1\/projects\/prj_shipgate\/rollback\//)).toHaveLength(1);

    okValue(await projectsRequestPromote(sdk, { projectId: 'prj_shipgate', deploymentId: created.id }));
    expect(v.state.production.get('prj_shipgate')).toBe(created.id);
    expect(v.state.promotions).toEqual([expect.objectContaining({ deploymentId: created.id, previous: old.id })]);
    // promoting the current production deployment again is a conflict
    const again = await projectsRequestPromote(sdk, { projectId: 'prj_shipgate', deploymentId: created.id });
    expect(again.ok).toBe(false);
    expect((again as { ok: false; error: SDKError }).error.statusCode).toBe(409);
  });

  test('autoPromote: false keeps READY production deployments staged until promoted', async () => {
    await v.close();
    v = await startVercelStandin({ autoPromote: false });
    sdk = new VercelCore({ serverURL: v.url, bearerToken: v.token });
    const { created } = await uploadAndCreate();
    okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id }));
    okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id }));
    expect(v.state.production.has('prj_shipgate')).toBe(false);
    okValue(await projectsRequestPromote(sdk, { projectId: 'prj_shipgate', deploymentId: created.id }));
    expect(v.state.production.get('prj_shipgate')).toBe(created.id);
  });

  test('aliases, project env and runtime logs', async () => {
    const { created } = await uploadAndCreate();
    okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id }));
    okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id }));

    const assigned = okValue(await aliasesAssignAlias(sdk, { id: created.id, requestBody: { alias: 'app.example.com' } }));
    expect(assigned.alias).toBe('app.example.com');
    expect(assigned.created).toBeInstanceOf(Date);
    const aliases = okValue(await aliasesListDeploymentAliases(sdk, { id: created.id }));
    expect(aliases.aliases.map((a) => a.alias)).toEqual(expect.arrayContaining(['shipgate-app.vercel.app', 'app.example.com']));

    const envs = okValue(await projectsFilterProjectEnvs(sdk, { idOrName: 'prj_shipgate', decrypt: 'true' }));
    expect('envs' in envs && envs.envs.map((e) => [e.key, e.value])).toEqual([
      ['DATABASE_URL', 'postgres://db/app'],
      ['PUBLIC_FLAG', 'on'],
    ]);

    // One log row: the SDK parses application/stream+json as a single JSON document.
    const log = okValue(await logsGetRuntimeLogs(sdk, { projectId: 'prj_shipgate', deploymentId: created.id }));
    expect(log).toMatchObject({ level: 'info', requestPath: '/api/health', responseStatusCode: 200 });
  });

  test('runtime logs: the SDK cannot parse a multi-line application/stream+json answer', async () => {
    const { created } = await uploadAndCreate();
    const row = (i: number) =>
      JSON.stringify({ rowId: `r${i}`, timestampInMs: Date.now(), domain: 'a.vercel.app', level: 'info', message: `line ${i}`, messageTruncated: false, requestMethod: 'GET', requestPath: '/', responseStatusCode: 200, source: 'serverless' });
    // override the stand-in's route (later routes win) with two rows, as the real endpoint streams them
    v.stub.route('GET', '/v1/projects/:projectId/deployments/:deploymentId/runtime-logs', () => ({
      status: 200,
      headers: { 'content-type': 'application/stream+json' },
      body: `${row(1)}\n${row(2)}\n`,
    }));
    let outcome: string;
    try {
      const r = await logsGetRuntimeLogs(sdk, { projectId: 'prj_shipgate', deploymentId: created.id });
      outcome = r.ok ? 'ok' : `error:${(r.error as Error).name}`;
    } catch (err) {
      outcome = `threw:${(err as Error).name}`;
    }
    // The SDK JSON.parses the whole body, so the promise REJECTS with a SyntaxError (not an error Result):
    // callers that want runtime logs must fetch the NDJSON themselves (or catch around the SDK call).
    expect(outcome).toBe('threw:SyntaxError');
  });

  test('faults from the underlying stub reach the SDK (429 with Retry-After, dropped connection)', async () => {
    v.stub.fail('GET /v13/deployments/:id', { status: 429, retryAfter: 2, body: { error: { code: 'rate_limited', message: 'Too many requests' } } });
    v.stub.fail('GET /v9/projects/:id', { drop: true });
    const { created } = await uploadAndCreate();
    const limited = await deploymentsGetDeployment(sdk, { idOrUrl: created.id });
    expect(limited.ok).toBe(false);
    const err = (limited as { ok: false; error: SDKError }).error;
    expect(err.statusCode).toBe(429);
    expect(err.headers.get('retry-after')).toBe('2');
    const dropped = await projectsGetProject(sdk, { idOrName: 'prj_shipgate' });
    expect(dropped.ok).toBe(false);
    // Plain Node gives ConnectionError ("fetch failed"); under jest's vm modules the SDK's
    // `err instanceof TypeError` check fails across realms, so it reports UnexpectedClientError.
    // Code under test must therefore not rely on the exact class for a dropped connection.
    const dropErr = (dropped as { ok: false; error: Error }).error;
    expect(['ConnectionError', 'UnexpectedClientError']).toContain(dropErr.name);
    expect(String(dropErr.message)).toMatch(/fetch failed/);
    // after the faults normal handling resumes
    expect(okValue(await deploymentsGetDeployment(sdk, { idOrUrl: created.id })).readyState).toBe('BUILDING');
  });
});
