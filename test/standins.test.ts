/** Tests for the loopback stand-ins: the generic http-stub, Slack and GitHub (plain fetch). */
import { startStub, type Stub } from './support/http-stub.js';
import { startSlackStandin, type SlackStandin } from './support/slack-standin.js';
import { startGithubStandin, GITHUB_NOT_ACCESSIBLE, type GithubStandin } from './support/github-standin.js';

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

describe('http-stub', () => {
  let stub: Stub;
  beforeEach(async () => {
    stub = await startStub('test');
  });
  afterEach(async () => {
    await stub.close();
  });

  test('listens on 127.0.0.1, routes with :params, records every request', async () => {
    expect(stub.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    stub.route('POST', '/things/:id', async (req) => ({ status: 201, body: { id: req.params['id'], got: req.body, q: req.query } }));
    stub.route('PUT', /^\/raw\/(?<name>[a-z]+)$/, (req) => ({ status: 200, body: `${req.params['name']}:${Buffer.isBuffer(req.body) ? 'buffer' : typeof req.body}` }));

    const r = await fetch(`${stub.url}/things/a%20b?x=1&y=2`, { method: 'POST', ...json({ n: 1 }, { 'x-custom': 'yes' }) });
    expect(r.status).toBe(201);
    expect(await r.json()).toEqual({ id: 'a b', got: { n: 1 }, q: { x: '1', y: '2' } });

    const raw = await fetch(`${stub.url}/raw/blob`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: new Uint8Array([1, 2, 3]) });
    expect(await raw.text()).toBe('blob:buffer');

    const missing = await fetch(`${stub.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('not_found');

    expect(stub.requests.map((q) => [q.seq, q.method, q.path, q.status])).toEqual([
      [1, 'POST', '/things/a%20b', 201],
      [2, 'PUT', '/raw/blob', 200],
      [3, 'GET', '/nowhere', 404],
    ]);
    const first = stub.requests[0]!;
    expect(first.query).toEqual({ x: '1', y: '2' });
    expect(first.headers['x-custom']).toBe('yes');
    expect(first.bodyText).toBe('{"n":1}');
    expect(first.body).toEqual({ n: 1 });
    expect(first.time).toBeLessThanOrEqual(Date.now());
    expect(stub.requestsTo('POST', /^\/things\//)).toHaveLength(1);
    expect(stub.requestsTo('*', '/raw/blob')).toHaveLength(1);
  });

  test('later routes override earlier ones; a throwing handler answers 500 and is recorded', async () => {
    stub.route('GET', '/x', () => ({ status: 200, body: 'first' }));
    stub.route('GET', '/x', () => ({ status: 200, body: 'second' }));
    stub.route('GET', '/boom', () => {
      throw new Error('kaput');
    });
    expect(await (await fetch(`${stub.url}/x`)).text()).toBe('second');
    const boom = await fetch(`${stub.url}/boom`);
    expect(boom.status).toBe(500);
    expect(stub.requests[1]!.error).toMatch(/kaput/);
  });

  test('faults are consumed in order (per route and global), then normal handling resumes', async () => {
    stub.route('GET', '/a', () => ({ status: 200, body: { ok: true } }));
    stub.route('GET', '/b', () => ({ status: 200, body: { ok: true } }));
    stub.fail('GET /a', { status: 429, retryAfter: 7, times: 2, body: { error: 'slow down' } });
    stub.fail('*', { status: 503 });
    stub.fail({ path: /^\/b$/ }, { status: 500, body: 'plain' });
    expect(stub.pendingFaults()).toBe(4);

    const statuses: number[] = [];
    const a1 = await fetch(`${stub.url}/a`);
    statuses.push(a1.status);
    expect(a1.headers.get('retry-after')).toBe('7');
    expect(await a1.json()).toEqual({ error: 'slow down' });
    statuses.push((await fetch(`${stub.url}/a`)).status);
    statuses.push((await fetch(`${stub.url}/b`)).status); // global 503 comes first in the queue
    const b2 = await fetch(`${stub.url}/b`);
    statuses.push(b2.status);
    expect(await b2.text()).toBe('plain');
    statuses.push((await fetch(`${stub.url}/a`)).status);
    statuses.push((await fetch(`${stub.url}/b`)).status);
    expect(statuses).toEqual([429, 429, 503, 500, 200, 200]);
    expect(stub.requests.map((q) => q.faulted)).toEqual([true, true, true, true, false, false]);
    expect(stub.pendingFaults()).toBe(0);
  });

  test('drop destroys the connection without an answer; delayMs delays (with or without a status)', async () => {
    stub.route('GET', '/slow', () => ({ status: 200, body: 'eventually' }));
    stub.fail('GET /slow', { drop: true });
    await expect(fetch(`${stub.url}/slow`)).rejects.toThrow(/fetch failed/);
    expect(stub.requests[0]).toMatchObject({ dropped: true, faulted: true, status: 0 });

    stub.fail('GET /slow', { delayMs: 150 });
    let t0 = Date.now();
    const delayed = await fetch(`${stub.url}/slow`);
    expect(await delayed.text()).toBe('eventually');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);

    stub.fail('GET /slow', { delayMs: 100, status: 504 });
    t0 = Date.now();
    expect((await fetch(`${stub.url}/slow`)).status).toBe(504);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(90);

    // a client timeout shorter than the delay aborts
    stub.fail('GET /slow', { delayMs: 300 });
    await expect(fetch(`${stub.url}/slow`, { signal: AbortSignal.timeout(50) })).rejects.toThrow();
  });

  test('before() hooks short-circuit; waitForRequest; reset keeps routes', async () => {
    stub.route('GET', '/p', () => ({ status: 200, body: 'in' }));
    stub.before((req) => (req.headers['x-key'] === 'k' ? undefined : { status: 401, body: 'no' }));
    expect((await fetch(`${stub.url}/p`)).status).toBe(401);
    const waiting = stub.waitForRequest('GET', '/p', 2000);
    void fetch(`${stub.url}/p`, { headers: { 'x-key': 'k' } });
    const seen = await waiting; // the first (401) already matches
    expect(seen.status).toBe(401);
    stub.reset();
    expect(stub.requests).toHaveLength(0);
    const r = await fetch(`${stub.url}/p`, { headers: { 'x-key': 'k' } });
    expect(await r.text()).toBe('in');
    await expect(stub.waitForRequest('GET', '/never', 50)).rejects.toThrow(/no GET \/never/);
  });
});

describe('Slack stand-in', () => {
  let slack: SlackStandin;
  beforeEach(async () => {
    slack = await startSlackStandin({ channels: ['C0DEPLOYS'] });
  });
  afterEach(async () => {
    await slack.close();
  });
  const api = (method: string, body: unknown, token: string | null = slack.token) =>
    fetch(`${slack.url}/api/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    }).then((r) => r.json() as Promise<Record<string, unknown>>);

  test('incoming webhook: ok, invalid_payload, no_text, no_service', async () => {
    const ok = await fetch(slack.webhookUrl, { method: 'POST', ...json({ text: 'Deployed abc123' }) });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('ok');
    const bad = await fetch(slack.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect([bad.status, await bad.text()]).toEqual([400, 'invalid_payload']);
    const empty = await fetch(slack.webhookUrl, { method: 'POST', ...json({}) });
    expect([empty.status, await empty.text()]).toEqual([400, 'no_text']);
    const other = await fetch(`${slack.url}/services/T1/B1/nope`, { method: 'POST', ...json({ text: 'x' }) });
    expect([other.status, await other.text()]).toEqual([404, 'no_service']);
    expect(slack.state.webhookPosts.map((p) => p.payload)).toEqual([{ text: 'Deployed abc123' }]);
  });

  test('Block Kit limits answer invalid_blocks and are recorded', async () => {
    const tooMany = Array.from({ length: 51 }, () => ({ type: 'divider' }));
    const r1 = await fetch(slack.webhookUrl, { method: 'POST', ...json({ text: 'x', blocks: tooMany }) });
    expect([r1.status, await r1.text()]).toEqual([400, 'invalid_blocks']);
    const r2 = await api('chat.postMessage', {
      channel: 'C0DEPLOYS',
      text: 'x',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(151) } },
        { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3001) } },
      ],
    });
    expect(r2).toMatchObject({ ok: false, error: 'invalid_blocks' });
    const okBlocks = await api('chat.postMessage', {
      channel: 'C0DEPLOYS',
      text: 'x',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'h'.repeat(150) } },
        { type: 'section', text: { type: 'mrkdwn', text: 's'.repeat(3000) } },
      ],
    });
    expect(okBlocks.ok).toBe(true);
    expect(slack.state.violations).toEqual([
      { endpoint: 'webhook', reason: 'too many blocks: 51 > 50' },
      { endpoint: 'chat.postMessage', block: 0, reason: 'header text too long: 151 > 150' },
      { endpoint: 'chat.postMessage', block: 1, reason: 'section text too long: 3001 > 3000' },
    ]);
  });

  test('chat.postMessage then chat.update edits the same message (by ts)', async () => {
    const posted = await api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'Deploying abc123…' });
    expect(posted).toMatchObject({ ok: true, channel: 'C0DEPLOYS', message: { text: 'Deploying abc123…', type: 'message' } });
    const ts = posted['ts'] as string;
    expect(ts).toMatch(/^\d+\.\d{6}$/);
    const updated = await api('chat.update', { channel: 'C0DEPLOYS', ts, text: 'Deployed abc123 ✅', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: '*done*' } }] });
    expect(updated).toMatchObject({ ok: true, channel: 'C0DEPLOYS', ts, text: 'Deployed abc123 ✅' });
    expect(slack.messagesIn('C0DEPLOYS')).toHaveLength(1);
    const msg = slack.state.messages.get(ts)!;
    expect(msg.text).toBe('Deployed abc123 ✅');
    expect(msg.history.map((h) => h.text)).toEqual(['Deploying abc123…']);
    expect(await api('chat.update', { channel: 'C0DEPLOYS', ts: '1.000000', text: 'x' })).toEqual({ ok: false, error: 'message_not_found' });
  });

  test('auth and channel errors, form-encoded bodies', async () => {
    expect(await api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'x' }, null)).toEqual({ ok: false, error: 'not_authed' });
    expect(await api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'x' }, 'xoxb-wrong')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await api('chat.postMessage', { channel: 'C0NOPE', text: 'x' })).toEqual({ ok: false, error: 'channel_not_found' });
    expect(await api('chat.postMessage', { channel: 'C0DEPLOYS' })).toEqual({ ok: false, error: 'no_text' });
    const form = await fetch(`${slack.url}/api/chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Bearer ${slack.token}` },
      body: new URLSearchParams({ channel: 'C0DEPLOYS', text: 'via form', blocks: JSON.stringify([{ type: 'divider' }]) }).toString(),
    }).then((r) => r.json());
    expect(form).toMatchObject({ ok: true, message: { text: 'via form', blocks: [{ type: 'divider' }] } });
  });

  test('faults through the stub: 429 with Retry-After, then 500, then ok', async () => {
    slack.stub.fail('POST /api/chat.postMessage', { status: 429, retryAfter: 1, body: { ok: false, error: 'ratelimited' } });
    slack.stub.fail('POST /api/chat.postMessage', { status: 500, body: 'Internal Server Error' });
    const r1 = await fetch(`${slack.url}/api/chat.postMessage`, { method: 'POST', ...json({ channel: 'C0DEPLOYS', text: 'x' }, { authorization: `Bearer ${slack.token}` }) });
    expect([r1.status, r1.headers.get('retry-after')]).toEqual([429, '1']);
    const r2 = await fetch(`${slack.url}/api/chat.postMessage`, { method: 'POST', ...json({ channel: 'C0DEPLOYS', text: 'x' }, { authorization: `Bearer ${slack.token}` }) });
    expect(r2.status).toBe(500);
    expect((await api('chat.postMessage', { channel: 'C0DEPLOYS', text: 'x' })).ok).toBe(true);
    expect(slack.state.messages.size).toBe(1);
    expect(slack.stub.requestsTo('POST', '/api/chat.postMessage').map((q) => q.status)).toEqual([429, 500, 200]);
  });
});

describe('GitHub stand-in', () => {
  let gh: GithubStandin;
  beforeEach(async () => {
    gh = await startGithubStandin({ repos: ['acme/web'] });
  });
  afterEach(async () => {
    await gh.close();
  });
  const call = async (method: string, path: string, body?: unknown, auth: string | null = `Bearer ${gh.token}`) => {
    const r = await fetch(`${gh.url}${path}`, {
      method,
      headers: { accept: 'application/vnd.github+json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(auth ? { authorization: auth } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    return { status: r.status, headers: r.headers, body: (await r.json()) as any };
  };

  test('auth: Bearer and token schemes; 401 otherwise; unknown repo 404', async () => {
    expect((await call('GET', '/repos/acme/web/issues/1/comments')).status).toBe(200);
    expect((await call('GET', '/repos/acme/web/issues/1/comments', undefined, `token ${gh.token}`)).status).toBe(200);
    expect(await call('GET', '/repos/acme/web/issues/1/comments', undefined, null)).toMatchObject({ status: 401, body: { message: 'Requires authentication' } });
    expect(await call('GET', '/repos/acme/web/issues/1/comments', undefined, 'Bearer nope')).toMatchObject({ status: 401, body: { message: 'Bad credentials' } });
    expect((await call('GET', '/repos/acme/other/issues/1/comments')).status).toBe(404);
  });

  test('issue comments: create, list with pagination, update in place', async () => {
    const created = await call('POST', '/repos/acme/web/issues/7/comments', { body: '<!-- shipgate --> deploying' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: expect.any(Number), body: '<!-- shipgate --> deploying', user: { login: 'github-actions[bot]', type: 'Bot' } });
    expect(created.body.html_url).toMatch(/^https:\/\/github\.com\/acme\/web\/pull\/7#issuecomment-\d+$/);
    expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    for (let i = 0; i < 4; i++) await call('POST', '/repos/acme/web/issues/7/comments', { body: `other ${i}` });

    const page1 = await call('GET', '/repos/acme/web/issues/7/comments?per_page=2');
    expect(page1.body.map((c: { body: string }) => c.body)).toEqual(['<!-- shipgate --> deploying', 'other 0']);
    const link = page1.headers.get('link')!;
    expect(link).toContain('rel="next"');
    expect(link).toContain('rel="last"');
    const next = /<([^>]+)>; rel="next"/.exec(link)![1]!;
    const page2 = (await fetch(next, { headers: { authorization: `token ${gh.token}` } }).then((r) => r.json())) as Array<{ body: string }>;
    expect(page2.map((c) => c.body)).toEqual(['other 1', 'other 2']);
    const lastUrl = /<([^>]+)>; rel="last"/.exec(link)![1]!;
    const last = await fetch(lastUrl, { headers: { authorization: `token ${gh.token}` } });
    expect(last.headers.get('link')).not.toContain('rel="next"');

    const patched = await call('PATCH', `/repos/acme/web/issues/comments/${created.body.id}`, { body: '<!-- shipgate --> deployed' });
    expect(patched).toMatchObject({ status: 200, body: { id: created.body.id, body: '<!-- shipgate --> deployed' } });
    expect(gh.commentsOn('acme', 'web', 7)).toHaveLength(5);
    expect(gh.state.comments.get(created.body.id)!.history).toEqual(['<!-- shipgate --> deploying']);
    expect((await call('POST', '/repos/acme/web/issues/7/comments', {})).status).toBe(422);
  });

  test('deployments and statuses (auto_inactive), list filtered and paginated', async () => {
    const sha = 'a'.repeat(40);
    const d1 = await call('POST', '/repos/acme/web/deployments', { ref: sha, environment: 'production', auto_merge: false, required_contexts: [], payload: { run: 1 } });
    expect(d1.status).toBe(201);
    expect(d1.body).toMatchObject({ sha, ref: sha, environment: 'production', task: 'deploy', creator: { login: 'github-actions[bot]' }, production_environment: true });
    const s1 = await call('POST', `/repos/acme/web/deployments/${d1.body.id}/statuses`, { state: 'success', environment_url: 'https://app.example.com', log_url: 'https://ci/1' });
    expect(s1).toMatchObject({ status: 201, body: { state: 'success', environment_url: 'https://app.example.com', log_url: 'https://ci/1', environment: 'production' } });

    const d2 = await call('POST', '/repos/acme/web/deployments', { ref: 'main', environment: 'production' });
    expect(d2.body.sha).toMatch(/^[0-9a-f]{40}$/);
    await call('POST', `/repos/acme/web/deployments/${d2.body.id}/statuses`, { state: 'in_progress' });
    await call('POST', `/repos/acme/web/deployments/${d2.body.id}/statuses`, { state: 'success' });
    // the earlier successful deployment went inactive
    const st1 = await call('GET', `/repos/acme/web/deployments/${d1.body.id}/statuses`);
    expect(st1.body.map((s: { state: string }) => s.state)).toEqual(['inactive', 'success']);
    const st2 = await call('GET', `/repos/acme/web/deployments/${d2.body.id}/statuses`);
    expect(st2.body.map((s: { state: string }) => s.state)).toEqual(['success', 'in_progress']);
    expect((await call('POST', `/repos/acme/web/deployments/${d2.body.id}/statuses`, { state: 'bogus' })).status).toBe(422);

    await call('POST', '/repos/acme/web/deployments', { ref: 'main', environment: 'preview' });
    const prod = await call('GET', '/repos/acme/web/deployments?environment=production&per_page=1');
    expect(prod.body.map((d: { id: number }) => d.id)).toEqual([d2.body.id]);
    expect(prod.headers.get('link')).toMatch(/page=2[^>]*>; rel="next"/);
    const all = await call('GET', '/repos/acme/web/deployments');
    expect(all.body).toHaveLength(3);
    expect(all.headers.get('link')).toBeNull();
  });

  test('commit statuses and check runs', async () => {
    const sha = 'b'.repeat(40);
    const s = await call('POST', `/repos/acme/web/statuses/${sha}`, { state: 'pending', context: 'shipgate/deploy', description: 'Deploying', target_url: 'https://ci/2' });
    expect(s).toMatchObject({ status: 201, body: { state: 'pending', context: 'shipgate/deploy', creator: { login: 'github-actions[bot]' } } });
    expect((await call('POST', `/repos/acme/web/statuses/${sha}`, { state: 'done' })).status).toBe(422);
    expect((await call('POST', '/repos/acme/web/statuses/not-a-sha', { state: 'success' })).status).toBe(422);
    expect(gh.state.commitStatuses.map((c) => [c.sha, c.state, c.context])).toEqual([[sha, 'pending', 'shipgate/deploy']]);

    const run = await call('POST', '/repos/acme/web/check-runs', { name: 'shipgate verify', head_sha: sha, status: 'in_progress' });
    expect(run).toMatchObject({ status: 201, body: { status: 'in_progress', conclusion: null } });
    const done = await call('PATCH', `/repos/acme/web/check-runs/${run.body.id}`, { conclusion: 'success', output: { title: 'ok', summary: 'all good' } });
    expect(done.body).toMatchObject({ status: 'completed', conclusion: 'success', output: { title: 'ok' } });
  });

  test('faults: rate limit and "Resource not accessible by integration"', async () => {
    gh.rateLimit('POST /repos/:owner/:repo/issues/:n/comments');
    gh.notAccessible('POST /repos/:owner/:repo/deployments');
    const limited = await call('POST', '/repos/acme/web/issues/1/comments', { body: 'x' });
    expect(limited.status).toBe(403);
    expect(limited.body.message).toMatch(/API rate limit exceeded/);
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(limited.headers.get('retry-after')).toBe('1');
    const denied = await call('POST', '/repos/acme/web/deployments', { ref: 'main' });
    expect(denied).toMatchObject({ status: 403, body: GITHUB_NOT_ACCESSIBLE });
    expect((await call('POST', '/repos/acme/web/issues/1/comments', { body: 'x' })).status).toBe(201);
    expect(gh.state.deployments.size).toBe(0);
  });
});
