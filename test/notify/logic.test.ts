/** Notify's logic, tested directly: stage normalisation, status, Block Kit limits, Slack delivery with faults, run record scrubbing. */
import { ManualClock } from '../../src/lib/clock.js';
import { nodeFetch } from '../../src/lib/http.js';
import { Inputs, mapInputSource } from '../../src/lib/inputs.js';
import { Masker } from '../../src/lib/secrets.js';
import { buildMessage, truncate, LIMITS, type MessageModel } from '../../src/notify/blocks.js';
import { readNotifySettings } from '../../src/notify/inputs.js';
import { buildRunRecord, runRecordKey, writeRunRecord, type RecordStore } from '../../src/notify/run-record.js';
import { safeBody, sendSlack } from '../../src/notify/slack.js';
import { deriveStatus, normaliseStages, stageFacts, type StageInfo } from '../../src/notify/stages.js';
import { readRunContext } from '../../src/lib/context.js';
import { deploymentState } from '../../src/notify/github.js';
import { startSlackStandin, validateBlocks, type SlackStandin } from '../support/slack-standin.js';
import { githubContext } from '../support/bundle.js';

const needs = {
  preflight: { result: 'success', outputs: { ok: 'true', 'pending-migrations': '2' } },
  'db-backup': { result: 'success', outputs: { 'backup-id': '20261122T050000Z-4242', sha256: 'a'.repeat(64), 'backup-uri': 's3://b/k.dump' } },
  migrate: { result: 'success', outputs: { 'applied-count': '2', applied: '["001_a","002_b"]', 'ledger-head': '002_b', 'ledger-head-before': '000_init' } },
  release: { result: 'failure', outputs: { 'deployment-id': 'dpl_new', 'previous-deployment-id': 'dpl_old', url: 'shop-abc.vercel.app', 'inspector-url': 'https://vercel.com/acme/shop/abc' } },
  verify: { result: 'skipped', outputs: {} },
};

describe('stages', () => {
  it('normalises toJSON(needs) and plain outputs, recognising stages by name or by their outputs', () => {
    const s = normaliseStages(needs);
    expect(s.map((x) => [x.name, x.kind, x.result])).toEqual([
      ['preflight', 'preflight', 'success'],
      ['db-backup', 'backup', 'success'],
      ['migrate', 'migrate', 'success'],
      ['release', 'deploy', 'failure'],
      ['verify', 'verify', 'skipped'],
    ]);
    const plain = normaliseStages({ deploy: { 'deployment-id': 'dpl_1' }, checks: { decision: 'monitor', 'p95-ms': 12 } });
    expect(plain.map((x) => [x.kind, x.result, x.outputs])).toEqual([
      ['deploy', 'success', { 'deployment-id': 'dpl_1' }],
      ['verify', 'success', { decision: 'monitor', 'p95-ms': '12' }],
    ]);
    expect(() => normaliseStages([1])).toThrow(/JSON object of stages/);
  });

  it('derives the status: any failure or a rollback decision fails, cancelled next, else success', () => {
    const s = normaliseStages(needs);
    expect(deriveStatus(s, undefined)).toBe('failure');
    const ok = normaliseStages({ a: { result: 'success' }, b: { result: 'skipped' } });
    expect(deriveStatus(ok, 'ok')).toBe('success');
    expect(deriveStatus(ok, 'rollback-full')).toBe('failure');
    expect(deriveStatus(normaliseStages({ a: { result: 'cancelled' } }), undefined)).toBe('cancelled');
    expect(deriveStatus([], undefined)).toBeUndefined();
  });

  it('maps the status to a GitHub deployment state (cancelled -> inactive)', () => {
    expect(['started', 'success', 'failure', 'cancelled'].map((s) => deploymentState(s as never))).toEqual(['in_progress', 'success', 'failure', 'inactive']);
  });

  it('extracts the facts the run record needs', () => {
    const f = stageFacts(normaliseStages(needs));
    expect(f).toMatchObject({
      backupId: '20261122T050000Z-4242',
      backupSha256: 'a'.repeat(64),
      migrationsApplied: 2,
      migrationsAppliedList: ['001_a', '002_b'],
      ledgerHeadBefore: '000_init',
      ledgerHeadAfter: '002_b',
      deploymentId: 'dpl_new',
      previousDeploymentId: 'dpl_old',
    });
  });
});

describe('inputs', () => {
  const read = (values: Record<string, string>, masker = new Masker()) => readNotifySettings(new Inputs(mapInputSource(values), masker));
  it('refuses both delivery methods, a token without channel, and a ts without a token', () => {
    expect(() => read({ status: 'success', 'slack-webhook-url': 'https://hooks.slack.com/services/T/B/X', 'slack-token': 'xoxb-1', 'slack-channel': 'C1' })).toThrow(/^Input 'slack-token' got "\*\*\*"; expected either/);
    expect(() => read({ status: 'success', 'slack-token': 'xoxb-1' })).toThrow(/^Input 'slack-channel' got nothing/);
    expect(() => read({ status: 'success', 'slack-message-ts': '1.2' })).toThrow(/^Input 'slack-token' got nothing/);
    expect(() => read({ status: 'auto' })).toThrow(/^Input 'status' got "auto"/);
    expect(() => read({ status: 'success', stages: '{not json' })).toThrow(/^Input 'stages' got "\{not json"; expected JSON/);
  });

  it('masks the webhook URL before validating it', () => {
    const masker = new Masker();
    const bad = 'ftp://hooks.slack.com/services/T0/B0/SECRETPART';
    let message = '';
    try {
      read({ status: 'success', 'slack-webhook-url': bad }, masker);
    } catch (err) {
      message = masker.redact((err as Error).message);
    }
    expect(message).toMatch(/^Input 'slack-webhook-url'/);
    expect(message).not.toContain('SECRETPART');
  });
});

describe('Block Kit message', () => {
  const model = (over: Partial<MessageModel> = {}): MessageModel => ({
    status: 'success',
    title: 'Deploy acme/shop to production',
    environment: 'production',
    version: 'v1.2.3',
    sha: '0123456789abcdef',
    actor: 'octocat',
    durationMs: 125_000,
    emergency: false,
    stages: normaliseStages(needs),
    links: { run: 'https://github.com/acme/shop/actions/runs/1', deployment: 'https://shop.example', inspector: 'https://vercel.com/i', rollback: 'https://github.com/acme/shop/actions/workflows/rollback.yml' },
    ...over,
  });

  it('has status, environment, version and sha, actor, duration, a line per stage, the banner and the links', () => {
    const m = buildMessage(model({ emergency: true, emergencyReason: 'checkout is down <fix>' }));
    expect(validateBlocks(m.blocks)).toEqual([]);
    const all = JSON.stringify(m.blocks);
    expect(all).toContain(':rotating_light: *Emergency deploy* — checkout is down &lt;fix&gt;');
    for (const s of ['*Status*', 'production', 'v1.2.3 (0123456)', 'octocat', '2m5s', '<https://github.com/acme/shop/actions/runs/1|Run>', '|Deployment>', '|Inspector>', '|Rollback workflow>']) expect(all).toContain(s);
    const stageText = (m.blocks.find((b) => JSON.stringify(b).includes('*preflight*')) as { text: { text: string } }).text.text;
    expect(stageText.split('\n')).toHaveLength(5);
    expect(stageText).toContain(':x: *release* failure — deployment `dpl_new`, previous `dpl_old`');
    expect(m.text).toBe('[EMERGENCY] Deploy acme/shop to production: success');
  });

  it('stays within 50 blocks and 3,000 characters per section with hundreds of long stage lines and a huge reason', () => {
    const stages: StageInfo[] = Array.from({ length: 1000 }, (_, i) => ({ name: `stage-${i}-${'x'.repeat(150)}`, result: 'success', outputs: { note: 'y'.repeat(30) } }));
    const m = buildMessage(model({ stages, emergency: true, emergencyReason: 'r'.repeat(10_000), title: 't'.repeat(500) }));
    expect(validateBlocks(m.blocks)).toEqual([]);
    expect(m.blocks.length).toBeLessThanOrEqual(50);
    const texts = m.blocks.map((b) => (b as { text?: { text?: string } }).text?.text ?? '');
    expect(Math.max(...texts.map((t) => t.length))).toBeLessThanOrEqual(3000);
    expect(texts.join('\n')).toMatch(/…and \d+ more stage\(s\)/);
    // The links survive, after the stages.
    expect(JSON.stringify(m.blocks.at(-1))).toContain('|Rollback workflow>');
  });

  it('truncates without splitting a link, an entity or a surrogate pair', () => {
    expect(truncate('abc <https://x.example/very/long|label> tail', 20)).toBe('abc …');
    expect(truncate('a &amp; b &amp; c', 12)).toBe('a &amp; b …');
    const emoji = 'ab😀cd';
    expect(truncate(emoji, 4)).toBe('ab…');
    expect(truncate('short', 3000)).toBe('short');
    expect(truncate('x'.repeat(5000), LIMITS.sectionText)).toHaveLength(3000);
  });
});

describe('Slack delivery', () => {
  let slack: SlackStandin;
  beforeEach(async () => {
    slack = await startSlackStandin();
  });
  afterEach(() => slack.close());
  const message = { text: 'hello', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }] };

  it('webhook: waits for Retry-After on 429 and retries 5xx', async () => {
    slack.stub.fail('POST /services/*', { status: 429, retryAfter: 7 });
    slack.stub.fail('POST /services/*', { status: 503 });
    const clock = new ManualClock();
    const r = await sendSlack({ kind: 'webhook', url: slack.webhookUrl }, message, { http: nodeFetch, clock, masker: new Masker() });
    expect(r.attempts).toBe(3);
    expect(clock.sleeps[0]).toBe(7000);
    expect(clock.sleeps).toHaveLength(2);
    expect(slack.state.webhookPosts).toHaveLength(1);
  });

  it('webhook: a dropped connection is retried', async () => {
    slack.stub.fail('POST /services/*', { drop: true });
    const r = await sendSlack({ kind: 'webhook', url: slack.webhookUrl }, message, { http: nodeFetch, clock: new ManualClock(), masker: new Masker() });
    expect(r.attempts).toBe(2);
    expect(slack.state.webhookPosts).toHaveLength(1);
  });

  it('webhook: gives up after the attempts with the last error', async () => {
    slack.stub.fail('POST /services/*', { status: 500, times: Infinity });
    await expect(sendSlack({ kind: 'webhook', url: slack.webhookUrl }, message, { http: nodeFetch, clock: new ManualClock(), masker: new Masker(), attempts: 3 })).rejects.toThrow(/Slack webhook: 500/);
    expect(slack.stub.requests).toHaveLength(3);
  });

  it('API: posts once, then updates that message; an invalid token is not retried', async () => {
    const deps = { http: nodeFetch, clock: new ManualClock(), masker: new Masker() };
    const api = { kind: 'api' as const, token: slack.token, channel: 'C1', apiUrl: `${slack.url}/api` };
    const posted = await sendSlack(api, message, deps);
    expect(posted.method).toBe('chat.postMessage');
    const updated = await sendSlack({ ...api, ts: posted.ts }, { ...message, text: 'bye' }, deps);
    expect(updated).toMatchObject({ method: 'chat.update', ts: posted.ts });
    expect(slack.messagesIn('C1')).toHaveLength(1);
    expect(slack.messagesIn('C1')[0]!.text).toBe('bye');
    await expect(sendSlack({ ...api, token: 'xoxb-wrong' }, message, deps)).rejects.toThrow('Slack chat.postMessage: invalid_auth');
    expect(slack.stub.requestsTo('POST', '/api/chat.postMessage')).toHaveLength(2);
  });

  it('scrubs secrets from the payload and proves it clean', () => {
    const masker = new Masker();
    masker.add('xoxb-very-secret-token');
    const body = safeBody({ text: 'leak xoxb-very-secret-token', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `b64 ${Buffer.from('xoxb-very-secret-token').toString('base64')}` } }] }, masker);
    expect(masker.leaks(body)).toBe(false);
    expect(body).toContain('leak ***');
  });
});

describe('run record', () => {
  it('has every stage output and the facts, keyed so the newest sorts last, and no secret', async () => {
    const masker = new Masker();
    masker.addUrl("postgres://app:p%40ss@db.example:5432/shop");
    const stages = normaliseStages({ ...needs, migrate: { result: 'success', outputs: { ...needs.migrate.outputs, note: 'ran against postgres://app:p%40ss@db.example:5432/shop', other: 'see mysql://root:hunter2@10.0.0.1/x', 'api-token': 'plain-value' } } });
    const ctx = readRunContext(githubContext());
    const now = Date.UTC(2026, 10, 22, 5, 30, 0, 7);
    const record = buildRunRecord({ ctx, environment: 'production', status: 'failure', emergency: true, emergencyReason: 'hotfix', stages, facts: stageFacts(stages), now });
    const puts: Array<{ key: string; body: string }> = [];
    const store: RecordStore = { put: async (key, body) => void puts.push({ key, body }), uri: (k) => `s3://bucket/${k}` };
    const key = runRecordKey('shipgate', 'production', ctx, now);
    expect(key).toBe('shipgate/production/runs/20261122T053000007Z-4242-1.json');
    expect(runRecordKey('shipgate', 'production', ctx, now + 1) > key).toBe(true);
    expect(await writeRunRecord(store, key, record, masker)).toBe(`s3://bucket/${key}`);
    const saved = JSON.parse(puts[0]!.body);
    expect(saved.stages.migrate.outputs['ledger-head']).toBe('002_b');
    expect(saved.stages.migrate.outputs.note).toBe('ran against ***');
    expect(saved.stages.migrate.outputs.other).toBe('see mysql://root:***@10.0.0.1/x');
    expect(saved.stages.migrate.outputs['api-token']).toBe('***');
    expect(saved.backup).toEqual({ id: '20261122T050000Z-4242', sha256: 'a'.repeat(64), uri: 's3://b/k.dump' });
    expect(saved.deployment).toMatchObject({ id: 'dpl_new', previousId: 'dpl_old' });
    expect(saved.emergencyReason).toBe('hotfix');
    expect(masker.leaks(puts[0]!.body)).toBe(false);
  });
});
