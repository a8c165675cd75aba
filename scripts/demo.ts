/**
 * `npm run demo`: the Shipgate pipeline end to end on embedded defaults, against a throwaway PostgreSQL and
 * local stand-ins, with live progress and a final table. Nothing outside this machine is touched.
 *   npm run demo                          the happy path
 *   npm run demo -- --scenario <name>     another scenario (see SCENARIOS)
 */
import pg from 'pg';
import { startPostgres, type PgCluster } from '../test/support/postgres.js';
// @ts-expect-error plain ESM JavaScript shared with the CLI
import { renderLine, runBundle } from '../bin/local-runner.js';

const SCENARIOS = ['happy'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface StepResult {
  stage: string;
  title: string;
  code: number | null;
  ms: number;
  outputs: Record<string, string>;
  key: string;
}

const color = process.stdout.isTTY ? (c: number, s: string) => `\x1b[${c}m${s}\x1b[0m` : (_c: number, s: string) => s;
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

async function step(stage: string, title: string, inputs: Record<string, string>, key: (o: Record<string, string>) => string, env: Record<string, string> = {}): Promise<StepResult> {
  say(color(1, `\n── ${stage}: ${title}`));
  const result = await runBundle({
    stage,
    inputs,
    env: { SHIPGATE_CLI: '1', ...env },
    context: { GITHUB_REPOSITORY: 'acme/shop', GITHUB_SHA: DEMO_SHA, GITHUB_REF: 'refs/heads/main', GITHUB_REF_NAME: 'main', GITHUB_RUN_ID: '1', GITHUB_ACTOR: 'demo' },
    onStdoutLine: (line: string, cmd: unknown, masks: Set<string>) => show(renderLine(line, cmd, masks)),
    onStderrLine: (line: string, cmd: unknown, masks: Set<string>) => show(renderLine(line, cmd, masks)),
  });
  const ok = result.code === 0;
  say(ok ? color(32, `   ✔ ${stage} done in ${result.durationMs} ms`) : color(31, `   ✘ ${stage} failed (exit ${result.code})`));
  return { stage, title, code: result.code, ms: result.durationMs, outputs: result.outputs, key: ok ? key(result.outputs) : '' };
}

function show(r: { stream: 'out' | 'err'; text: string } | undefined): void {
  if (!r) return;
  const text = r.text.split('\n').map((l) => `   ${l}`).join('\n');
  say(r.stream === 'err' ? color(33, text) : color(2, text));
}

function table(rows: StepResult[]): void {
  const head = ['stage', 'result', 'duration', 'key outputs'];
  const body = rows.map((r) => [r.stage, r.code === 0 ? 'ok' : `failed (${r.code})`, `${r.ms} ms`, r.key]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  say('');
  say(color(1, line(head)));
  say(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const b of body) say(line(b));
}

const DEMO_SHA = '5b1ff1e0c0ffee00000000000000000000000001';

async function main(): Promise<number> {
  const scenario = parseScenario(process.argv.slice(2));
  say(color(1, `Shipgate demo — scenario: ${scenario}`));
  say('Starting a throwaway PostgreSQL cluster…');
  let cluster: PgCluster | undefined;
  try {
    cluster = await startPostgres();
    const admin = new pg.Client({ connectionString: cluster.superuserUrl });
    await admin.connect();
    await admin.query('CREATE DATABASE shop');
    await admin.end();
    const databaseUrl = cluster.superuserUrl.replace(/\/postgres$/, '/shop');
    say(`PostgreSQL ${cluster.binDir.match(/postgresql\/(\d+)/)?.[1] ?? ''} on 127.0.0.1:${cluster.port} (database "shop")`);

    const rows: StepResult[] = [];
    rows.push(
      await step('migrate', 'apply demo/migrations', { 'database-url': databaseUrl, 'migrations-dir': 'demo/migrations' }, (o) =>
        `applied ${o['applied-count'] ?? '?'}, head ${o['ledger-head'] ?? ''}, status ${o.status ?? ''}`,
      ),
    );
    rows.push(
      await step('migrate', 'second run is a no-op', { 'database-url': databaseUrl, 'migrations-dir': 'demo/migrations' }, (o) => `status ${o.status ?? ''}, pending ${o['pending-count'] ?? ''}`),
    );
    table(rows);
    return rows.every((r) => r.code === 0) ? 0 : 1;
  } finally {
    await cluster?.stop();
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
