/**
 * `npm run demo`: the Shipgate pipeline end to end on embedded defaults — .github/workflows/deploy.yml itself,
 * followed job by job by the local workflow runner, every stage from its built bundle — against a throwaway
 * PostgreSQL, an in-process S3 (s3rver), loopback stand-ins for Vercel, Slack and GitHub, and a sample app that
 * serves whatever version was deployed. Nothing outside this machine is touched.
 *   npm run demo                              the happy path
 *   npm run demo -- --scenario verify-fails   the new build errors: verify decides rollback-app, deploy rolls back
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import YAML from 'yaml';
import { startPostgres, type PgCluster } from '../test/support/postgres.js';
import { startS3, type S3Server } from '../test/support/s3.js';
import { startVercelStandin, type VercelStandin } from '../test/support/vercel-standin.js';
import { startSlackStandin, type SlackStandin } from '../test/support/slack-standin.js';
import { startSampleApp, type SampleApp } from '../test/support/sample-app.js';
import { startEnvironmentsApi } from '../test/workflows/helpers.js';
import { runWorkflow, type StageRunner, type StepRecord } from '../test/e2e/workflow-runner.js';
// @ts-expect-error plain ESM JavaScript shared with the CLI
import { renderLine, runBundle } from '../bin/local-runner.js';

const SCENARIOS = ['happy', 'verify-fails'] as const;
type Scenario = (typeof SCENARIOS)[number];
const SHA = '5b1ff1e0c0ffee5b1ff1e0c0ffee5b1ff1e0c0ff';
const BUCKET = 'shipgate-demo';
const OUT = resolve('.shipgate-demo');

const tty = process.stdout.isTTY;
const paint = (c: number, s: string) => (tty ? `\x1b[${c}m${s}\x1b[0m` : s);
const say = (s = '') => process.stdout.write(s + '\n');

function parseScenario(argv: string[]): Scenario {
  const i = argv.indexOf('--scenario');
  const value = i >= 0 ? argv[i + 1] : (argv.find((a) => a.startsWith('--scenario='))?.split('=')[1] ?? 'happy');
  if (!SCENARIOS.includes(value as Scenario)) {
    process.stderr.write(`demo: --scenario got "${value ?? ''}"; expected one of ${SCENARIOS.join(', ')}\n`);
    process.exit(1);
  }
  return value as Scenario;
}

interface Row {
  stage: string;
  result: string;
  ms: number;
  key: string;
}

/** What to show of a stage's outputs in the final table. */
function keyOutputs(stage: string, mode: string | undefined, o: Record<string, string>): string {
  switch (stage) {
    case 'preflight':
      return `ok=${o.ok}, pending ${JSON.parse(o['pending-migrations'] || '[]').length}, destructive=${o.destructive}${o['blocked-reason'] ? `, blocked: ${o['blocked-reason']}` : ''}`;
    case 'backup':
      return mode === 'restore' ? `restored ${o['restored-from']}` : `${o['backup-id']}, ${o['size-bytes']} bytes, sha256 ${(o.sha256 ?? '').slice(0, 12)}…`;
    case 'migrate':
      return `${o.status}: ${o['applied-count']} migration(s) (${JSON.parse(o.applied || '[]').join(', ')}), head ${o['ledger-head']}`;
    case 'deploy':
      return mode === 'rollback' ? `rolled back to ${o['deployment-id']}` : `${o['deployment-id']} ${o['ready-state']} (previous ${o['previous-deployment-id']})`;
    case 'verify':
      return `decision ${o.decision}, p95 ${o['p95-ms']} ms, errors ${(Number(o['error-rate'] ?? 0) * 100).toFixed(1)} %`;
    case 'notify':
      return `run record ${o['run-record-uri'] ? 'written' : 'not written'}`;
    default:
      return '';
  }
}

function table(rows: Row[]): void {
  const head = ['stage', 'result', 'duration', 'key outputs'];
  const body = rows.map((r) => [r.stage, r.result, `${(r.ms / 1000).toFixed(1)} s`, r.key]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  say('');
  say(paint(1, line(head)));
  say(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const b of body) say(b[1].startsWith('fail') ? paint(31, line(b)) : line(b));
}

async function main(): Promise<number> {
  const scenario = parseScenario(process.argv.slice(2));
  const started = Date.now();
  say(paint(1, `Shipgate demo — scenario: ${scenario}`));
  say('Starting a throwaway PostgreSQL cluster, S3 (s3rver), Vercel/Slack/GitHub stand-ins and a sample app…');
  let cluster: PgCluster | undefined;
  let s3: S3Server | undefined;
  let vercel: VercelStandin | undefined;
  let slack: SlackStandin | undefined;
  let app: SampleApp | undefined;
  let github: Awaited<ReturnType<typeof startEnvironmentsApi>> | undefined;
  const repo = mkdtempSync(join(tmpdir(), 'shipgate-demo-repo-'));
  try {
    [cluster, s3, vercel, slack, app, github] = await Promise.all([
      startPostgres(),
      startS3(),
      startVercelStandin(),
      startSlackStandin(),
      startSampleApp({ version: 'v1-previous-release' }),
      startEnvironmentsApi({ production: { reviewers: true } }),
    ]);
    await s3.createBucket(BUCKET);
    const admin = new pg.Client({ connectionString: cluster.superuserUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE shop');
    await admin.end();
    const databaseUrl = cluster.superuserUrl.replace(/\/postgres$/, '/shop');
    vercel.seedDeployment({ id: 'dpl_PreviousRelease01', target: 'production', makeProduction: true, projectId: 'prj_shipgate' });

    // The caller's checkout: the demo migrations. The previous release already applied the first two.
    mkdirSync(join(repo, 'db', 'migrations'), { recursive: true });
    cpSync('demo/migrations', join(repo, 'db', 'migrations'), { recursive: true });
    const context = { GITHUB_REPOSITORY: 'acme/shop', GITHUB_SHA: SHA, GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main', GITHUB_RUN_ID: '1', GITHUB_RUN_ATTEMPT: '1', GITHUB_ACTOR: 'demo', GITHUB_WORKSPACE: repo, GITHUB_API_URL: github.env.GITHUB_API_URL };
    const previous = await runBundle({ stage: 'migrate', inputs: { 'database-url': databaseUrl, 'migrations-dir': 'db/migrations', target: '0002_create_orders' }, cwd: repo, context });
    if (previous.code !== 0) throw new Error(`could not prepare the previous release's schema: ${previous.stdout}${previous.stderr}`);
    say(`PostgreSQL on 127.0.0.1:${cluster.port} (database "shop", previous release's migrations applied), S3 ${s3.endpoint}, Vercel ${vercel.url}, app ${app.url}`);

    const env = { AWS_ACCESS_KEY_ID: s3.accessKeyId, AWS_SECRET_ACCESS_KEY: s3.secretAccessKey, AWS_REGION: s3.region, ...github.env, PATH: `${cluster.binDir}:${process.env.PATH}` };
    const rows: Row[] = [];
    const produced: Record<string, Record<string, string>> = {};
    const standins = { vercel, app };
    /** Each stage from its bundle, its log shown live; Vercel's deployment host is the local sample app. */
    const runStage: StageRunner = async (stage, inputs, stepEnv) => {
      const mode = inputs.mode;
      // A stage's everyday mode goes unnamed; restore, rollback and the like are shown.
      const special = mode && !['git', 'backup', 'deploy'].includes(mode) ? mode : undefined;
      const label = special ? `${stage} (${special})` : stage;
      say(paint(1, `\n── ${label}`));
      if (stage === 'deploy' && mode === 'git') {
        standins.app.setVersion(SHA);
        if (scenario === 'verify-fails') standins.app.setErrorRate(0.08);
      }
      if (stage === 'deploy' && mode === 'rollback') {
        standins.app.setErrorRate(0);
        standins.app.setVersion('v1-previous-release');
      }
      const mapped = stage === 'verify' ? { ...inputs, url: standins.app.url, 'wait-timeout': '20s', samples: '50' } : inputs;
      const show = (r?: { stream: string; text: string }) => r && say(r.stream === 'err' ? paint(33, `   ${r.text}`) : paint(2, `   ${r.text}`));
      const r = await runBundle({
        stage,
        inputs: mapped,
        cwd: repo,
        context,
        env: { ...env, ...stepEnv },
        onStdoutLine: (line: string, cmd: unknown, masks: Set<string>) => show(renderLine(line, cmd, masks)),
        onStderrLine: (line: string, cmd: unknown, masks: Set<string>) => show(renderLine(line, cmd, masks)),
      });
      const ok = r.code === 0;
      say(ok ? paint(32, `   ✔ ${stage} in ${(r.durationMs / 1000).toFixed(1)} s`) : paint(31, `   ✘ ${stage} failed (exit ${r.code})`));
      produced[special ? `${stage}:${special}` : stage] = r.outputs;
      rows.push({ stage: label, result: ok ? 'ok' : 'failed', ms: r.durationMs, key: keyOutputs(stage, mode, r.outputs) });
      return { code: r.code, outputs: r.outputs, summary: r.summary, stdout: r.stdout, stderr: r.stderr };
    };
    const onStep = (s: StepRecord) => {
      if (s.kind === 'run' && s.outcome !== 'skipped') {
        say(paint(2, `── ${s.job}: ${s.name} — ${s.outcome}`));
        if (s.name.toLowerCase().includes('test')) rows.push({ stage: 'tests', result: s.outcome === 'success' ? 'ok' : 'failed', ms: 0, key: 'the caller\'s test command' });
      }
    };
    const doc = YAML.parse(readFileSync('.github/workflows/deploy.yml', 'utf8'));
    const run = await runWorkflow(
      doc,
      {
        inputs: {
          environment: 'production',
          'install-command': 'true',
          'test-command': 'echo "caller tests: 12 passed"',
          'audit-level': 'none',
          'migrations-dir': 'db/migrations',
          'migrations-format': 'sql',
          's3-bucket': BUCKET,
          's3-endpoint': s3.endpoint,
          'vercel-project-id': 'prj_shipgate',
          'vercel-api-url': vercel.url,
          'slack-api-url': slack.url,
        },
        secrets: { DATABASE_URL: databaseUrl, VERCEL_TOKEN: vercel.token, SLACK_WEBHOOK_URL: slack.webhookUrl },
        github: { token: github.token, sha: SHA, repository: 'acme/shop', run_id: '1' },
      },
      {
        runStage,
        cwd: repo,
        env,
        onStep,
        approve: (environment) => {
          say(paint(36, `\n── approval: environment "${environment}" approved by the demo's reviewer`));
          rows.push({ stage: 'approval', result: 'ok', ms: 0, key: `environment ${environment}` });
          return true;
        },
      },
    );

    table(rows);
    // Keep what a user would look at: the backup manifest and the run record, copied out of the throwaway S3.
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const where: string[] = [];
    const keep = async (label: string, uri: string | undefined, file: string) => {
      if (!uri) return;
      const key = uri.replace(`s3://${BUCKET}/`, '');
      writeFileSync(join(OUT, file), await s3!.getObject(BUCKET, key));
      where.push(`${label.padEnd(11)} ${uri}  →  ${join('.shipgate-demo', file)}`);
    };
    await keep('backup', produced.backup?.['backup-uri'], 'backup.dump');
    await keep('manifest', produced.backup?.['manifest-uri'], 'manifest.json');
    await keep('run record', produced.notify?.['run-record-uri'], 'run-record.json');
    say('');
    for (const w of where) say(w);
    say(`Slack messages posted to the stand-in: ${slack.state.webhookPosts.length}; Vercel production now ${vercel.state.production.get('prj_shipgate')}`);
    const decision = run.outputs.decision || '(none)';
    say(paint(1, `\nDecision: ${decision}. Demo finished in ${((Date.now() - started) / 1000).toFixed(1)} s.`));
    const expected = scenario === 'happy' ? decision === 'ok' : decision === 'rollback-app' && vercel.state.rollbacks.length === 1;
    if (!expected) say(paint(31, `The ${scenario} scenario did not end as it should.`));
    return expected ? 0 : 1;
  } finally {
    await Promise.all([s3?.stop(), vercel?.close(), slack?.close(), app?.close(), github?.stub.close()]);
    await cluster?.stop();
    rmSync(repo, { recursive: true, force: true });
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    process.stderr.write(`demo: ${err.message}\n`);
    process.exitCode = 1;
  },
);

