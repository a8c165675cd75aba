/**
 * Cold start of each bundle, from spawn to exit on a fast path (no inputs: validation fails at once), against
 * `node -e 0` measured in the same run; and the size of each bundle.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { medianMs, row, runCommand, writeResult, type BenchRow } from './lib.js';

const STAGES = ['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify'];
const RUNS = Number(process.env.BENCH_RUNS ?? 15);

const env: NodeJS.ProcessEnv = {};
for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('INPUT_')) env[k] = v;

const baseline = await medianMs(RUNS, () => runCommand(process.execPath, ['-e', '0'], { env }));
const rows: BenchRow[] = [];
for (const s of STAGES) {
  const ms = await medianMs(RUNS, () => runCommand(process.execPath, [join('dist', s, 'index.js')], { env }));
  rows.push(row(`${s} cold start (median of ${RUNS})`, ms, 'ms', baseline, 'node -e 0'));
}
for (const s of STAGES) {
  const dir = join('dist', s);
  const total = readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
  const js = statSync(join(dir, 'index.js')).size;
  rows.push(row(`${s} bundle size (index.js / whole folder)`, Number((js / 1024).toFixed(0)), 'KiB', undefined, undefined, `${(total / 1024).toFixed(0)} KiB with source map, licenses and assets`));
}
writeResult({ name: 'coldstart', rows });
