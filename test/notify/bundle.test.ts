/**
 * Acceptance of the notify stage through the built bundle against the Slack and GitHub stand-ins and s3rver:
 * valid Block Kit, 429 + Retry-After honoured, 500 is a warning and exit 0, the API method posts once and then
 * updates that message, the GitHub deployment gets its final status, and the run record in S3 holds every
 * stage's outputs and no secret.
 */
import { errorLines, githubContext, leakedForms, runStageBundle, visibleLines } from '../support/bundle.js';
import { startGithubStandin, type GithubStandin } from '../support/github-standin.js';
import { startS3, type S3Server } from '../support/s3.js';
import { startSlackStandin, validateBlocks, type SlackStandin } from '../support/slack-standin.js';

const SHA = githubContext().GITHUB_SHA!;
const SLACK_TOKEN = 'xoxb-1234-5678-SeCrEtToKeN';
const GITHUB_TOKEN = 'ghs_notifySecretToken123';

const stagesJson = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    preflight: { result: 'success', outputs: { ok: 'true', 'pending-migrations': '2', findings: '[]' } },
    backup: { result: 'success', outputs: { 'backup-id': '20261122T050000Z-4242', sha256: 'b'.repeat(64), 'backup-uri': 's3://backups/shop/production/20261122T050000Z-4242.dump', 'size-bytes': '12345' } },
    migrate: { result: 'success', outputs: { applied: '["001_init","002_orders"]', 'applied-count': '2', 'ledger-head': '002_orders', 'ledger-head-before': '000_base', status: 'applied' } },
    deploy: { result: 'success', outputs: { 'deployment-id': 'dpl_new123', 'previous-deployment-id': 'dpl_old456', url: 'shop-new123.vercel.app', 'inspector-url': 'https://vercel.com/acme/shop/new123', 'ready-state': 'READY' } },
    verify: {
      result: 'failure',
      outputs: { decision: 'rollback-full', healthy: 'false', 'p95-ms': '240', 'error-rate': '0.12', 'version-served': SHA, report: JSON.stringify({ reason: 'error rate 12 % above 10 %' }) },
    },
    ...extra,
  });

describe('notify bundle', () => {
  let slack: SlackStandin;
  beforeEach(async () => {
    slack = await startSlackStandin({ token: SLACK_TOKEN });
  });
  afterEach(() => slack.close());

  it('webhook: valid Block Kit; a 429 with Retry-After is waited out', async () => {
    slack.stub.fail('POST /services/*', { status: 429, retryAfter: 1 });
    const r = await runStageBundle('notify', { 'slack-webhook-url': slack.webhookUrl, stages: stagesJson(), emergency: true, 'emergency-reason': 'checkout broken' });
    expect(r.code).toBe(0);
    const posts = slack.stub.requestsTo('POST', /^\/services\//);
    expect(posts.map((p) => p.status)).toEqual([429, 200]);
    expect(posts[1]!.time - posts[0]!.time).toBeGreaterThanOrEqual(950);
    expect(slack.state.violations).toEqual([]);
    const payload = slack.state.webhookPosts[0]!.payload as { text: string; blocks: unknown[] };
    expect(validateBlocks(payload.blocks)).toEqual([]);
    expect(payload.blocks.length).toBeLessThanOrEqual(50);
    expect(payload.text).toBe('[EMERGENCY] Deploy acme/shop to production: failure (rollback-full)');
    const all = JSON.stringify(payload.blocks);
    for (const s of ['Emergency deploy* — checkout broken', 'octocat', '0123456', '*backup* success', '*verify* failure', 'error rate 12 %', '|Inspector>', 'actions/workflows/rollback.yml|Rollback workflow>', 'actions/runs/4242|Run>']) {
      expect(all).toContain(s);
    }
    expect(leakedForms(r, { plain: [slack.webhookUrl] })).toEqual([]);
    expect(r.summary).toMatch(/\| slack \| ok \| webhook after 2 attempts \|/);
  });

  it('a huge run (250 stages with long names and outputs) still goes out as valid Block Kit within the limits', async () => {
    // (An input is one environment variable, at most 128 KiB on Linux; the overflow into "…and N more" is covered by the logic tests.)
    const many: Record<string, unknown> = {};
    for (let i = 0; i < 250; i++) many[`job-${i}-${'n'.repeat(100)}`] = { result: i % 7 ? 'success' : 'failure', outputs: { a: 'x'.repeat(45), b: 'y'.repeat(45), c: 'z'.repeat(45) } };
    const r = await runStageBundle('notify', { 'slack-webhook-url': slack.webhookUrl, stages: JSON.stringify(many), 'emergency-reason': 'y'.repeat(5000), emergency: true });
    expect(r.code).toBe(0);
    expect(slack.state.violations).toEqual([]);
    const payload = slack.state.webhookPosts[0]!.payload as { blocks: Array<{ type: string; text?: { text: string } }> };
    expect(payload.blocks.length).toBeLessThanOrEqual(50);
    expect(Math.max(...payload.blocks.map((b) => b.text?.text.length ?? 0))).toBeLessThanOrEqual(3000);
    const stageText = payload.blocks.map((b) => b.text?.text ?? '').join('\n');
    expect(stageText.match(/\*job-\d+-n+\*/g)).toHaveLength(250);
  });

  it('a 500 that persists leaves a warning and exit 0; with fail-on-error it fails', async () => {
    slack.stub.fail('POST /services/*', { status: 500, times: Infinity });
    const r = await runStageBundle('notify', { 'slack-webhook-url': slack.webhookUrl, status: 'success' });
    expect(r.code).toBe(0);
    expect(slack.stub.requests).toHaveLength(4);
    expect(visibleLines(r).filter((l) => l.startsWith('::warning::notify: slack not delivered: Slack webhook: 500'))).toHaveLength(1);
    expect(errorLines(r)).toEqual([]);

    slack.stub.reset();
    slack.stub.fail('POST /services/*', { status: 500, times: Infinity });
    const strict = await runStageBundle('notify', { 'slack-webhook-url': slack.webhookUrl, status: 'success', 'fail-on-error': true });
    expect(strict.code).toBe(1);
    expect(errorLines(strict).at(-1)).toMatch(/^notify: 1 notification\(s\) failed: slack: Slack webhook: 500/);
    expect(leakedForms(strict, { plain: [slack.webhookUrl] })).toEqual([]);
  });

  it('API method: posts once, then updates the same message; never a second post', async () => {
    const common = { 'slack-token': SLACK_TOKEN, 'slack-channel': 'C0DEPLOY', 'slack-api-url': `${slack.url}/api` };
    const started = await runStageBundle('notify', { ...common, status: 'started' });
    expect(started.code).toBe(0);
    const ts = started.outputs['slack-message-ts']!;
    expect(ts).toMatch(/^\d+\.\d+$/);

    slack.stub.fail('POST /api/chat.update', { status: 429, retryAfter: 1 });
    const done = await runStageBundle('notify', { ...common, 'slack-message-ts': ts, stages: stagesJson() });
    expect(done.code).toBe(0);
    expect(done.outputs['slack-message-ts']).toBe(ts);
    expect(slack.stub.requestsTo('POST', '/api/chat.postMessage')).toHaveLength(1);
    expect(slack.stub.requestsTo('POST', '/api/chat.update').map((q) => q.status)).toEqual([429, 200]);
    const messages = slack.messagesIn('C0DEPLOY');
    expect(messages).toHaveLength(1);
    expect(messages[0]!.history).toHaveLength(1);
    expect(messages[0]!.text).toContain('failure (rollback-full)');
    expect(JSON.stringify(messages[0]!.history[0]!.blocks)).toContain(':hourglass_flowing_sand: started');
    expect(slack.state.violations).toEqual([]);
    for (const q of slack.stub.requests) expect(q.bodyText).not.toContain(SLACK_TOKEN);
    expect(leakedForms(done, { plain: [SLACK_TOKEN] })).toEqual([]);

    // A message that no longer exists is a warning, and still no second post.
    const gone = await runStageBundle('notify', { ...common, 'slack-message-ts': '1700000000.999999', status: 'success' });
    expect(gone.code).toBe(0);
    expect(visibleLines(gone).some((l) => l.startsWith('::warning::notify: slack not delivered: Slack chat.update: message_not_found'))).toBe(true);
    expect(slack.stub.requestsTo('POST', '/api/chat.postMessage')).toHaveLength(1);
  });

  describe('with GitHub and S3', () => {
    let github: GithubStandin;
    let s3: S3Server;
    beforeEach(async () => {
      github = await startGithubStandin({ token: GITHUB_TOKEN });
      github.stub.route('GET', '/repos/:owner/:repo/actions/runs/:id', () => ({ status: 200, body: { id: 4242, run_started_at: new Date(Date.now() - 125_000).toISOString() } }));
      s3 = await startS3();
      await s3.createBucket('shipgate-runs');
    });
    afterEach(async () => {
      await github.close();
      await s3.stop();
    });

    it('sets the GitHub deployment status and writes a run record with every stage output and no secret', async () => {
      const created = await fetch(`${github.url}/repos/acme/shop/deployments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${GITHUB_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ref: SHA, environment: 'production' }),
      });
      const deploymentId = ((await created.json()) as { id: number }).id;
      // A stage output that (wrongly) carries a secret must not reach Slack or the record.
      const stages = stagesJson({ custom: { result: 'success', outputs: { note: `token ${SLACK_TOKEN}`, dsn: 'postgres://app:Pa55word@db.internal/shop' } } });
      const r = await runStageBundle(
        'notify',
        {
          'slack-token': SLACK_TOKEN,
          'slack-channel': 'C0DEPLOY',
          'slack-api-url': `${slack.url}/api`,
          stages,
          emergency: true,
          'emergency-reason': 'checkout broken',
          'github-token': GITHUB_TOKEN,
          'github-deployment-id': deploymentId,
          'run-record-bucket': 'shipgate-runs',
          'run-record-prefix': 'shop',
          's3-endpoint': s3.endpoint,
        },
        { env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region }, context: githubContext({ GITHUB_API_URL: github.url }) },
      );
      expect(r.code).toBe(0);
      expect(errorLines(r)).toEqual([]);

      const statuses = github.state.deploymentStatuses.get(deploymentId)!;
      expect(statuses.map((s) => s.state)).toEqual(['failure']);
      expect(statuses[0]!.description).toBe('failure (verify: rollback-full) [emergency]');
      expect(statuses[0]!.environment_url).toBe('https://shop-new123.vercel.app');
      expect(statuses[0]!.log_url).toBe('https://github.com/acme/shop/actions/runs/4242');

      const keys = await s3.listKeys('shipgate-runs', 'shop/production/runs/');
      expect(keys).toHaveLength(1);
      expect(keys[0]).toMatch(/^shop\/production\/runs\/\d{8}T\d{9}Z-4242-1\.json$/);
      expect(r.outputs['run-record-uri']).toBe(`s3://shipgate-runs/${keys[0]}`);
      const text = (await s3.getObject('shipgate-runs', keys[0]!)).toString('utf8');
      const record = JSON.parse(text);
      expect(record).toMatchObject({
        schema: 1,
        environment: 'production',
        status: 'failure',
        sha: SHA,
        runId: '4242',
        emergency: true,
        emergencyReason: 'checkout broken',
        backup: { id: '20261122T050000Z-4242', sha256: 'b'.repeat(64) },
        migrations: { applied: 2, list: ['001_init', '002_orders'], ledgerHeadBefore: '000_base', ledgerHeadAfter: '002_orders' },
        deployment: { id: 'dpl_new123', previousId: 'dpl_old456', githubDeploymentId: deploymentId },
        verify: { decision: 'rollback-full', reason: 'error rate 12 % above 10 %', p95Ms: 240, errorRate: 0.12 },
      });
      // Every stage's outputs, as given (apart from the secrets).
      const given = JSON.parse(stages) as Record<string, { outputs: Record<string, string> }>;
      for (const name of ['preflight', 'backup', 'migrate', 'deploy', 'verify']) expect(record.stages[name].outputs).toEqual(given[name]!.outputs);
      expect(record.stages.custom.outputs).toEqual({ note: 'token ***', dsn: 'postgres://app:***@db.internal/shop' });
      expect(new Date(record.startedAt).getTime()).toBeLessThan(Date.now() - 100_000);

      // No secret anywhere: log, outputs, summary, the record, or any request body sent to Slack.
      const slackBodies = slack.stub.requests.map((q) => q.bodyText);
      expect(leakedForms(r, { plain: [SLACK_TOKEN, GITHUB_TOKEN] }, [text, ...slackBodies])).toEqual([]);
      expect(text).not.toContain('Pa55word');
      const posted = slack.messagesIn('C0DEPLOY')[0]!;
      expect(JSON.stringify(posted.blocks)).toContain('Duration*\\n2m');
      expect(JSON.stringify(posted.blocks)).not.toContain(SLACK_TOKEN);
    });

    it('a failing S3 or GitHub is a warning; the other deliveries still happen', async () => {
      const r = await runStageBundle(
        'notify',
        {
          status: 'success',
          'slack-webhook-url': slack.webhookUrl,
          'github-token': GITHUB_TOKEN,
          'github-deployment-id': 999,
          'run-record-bucket': 'no-such-bucket',
          's3-endpoint': s3.endpoint,
        },
        { env: { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region }, context: githubContext({ GITHUB_API_URL: github.url }) },
      );
      expect(r.code).toBe(0);
      const warnings = visibleLines(r).filter((l) => l.startsWith('::warning::'));
      expect(warnings.some((w) => /github-deployment not delivered: GitHub API POST .*deployments\/999\/statuses: 404/.test(w))).toBe(true);
      expect(warnings.some((w) => /run-record not delivered: /.test(w))).toBe(true);
      expect(slack.state.webhookPosts).toHaveLength(1);
      expect(r.outputs['run-record-uri']).toBe('');
    });
  });
});
