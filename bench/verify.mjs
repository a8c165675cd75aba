// Verify benchmark (not a test): 100 HTTP checks against a loopback app that answers each after 50 ms, run
// through verify's request pool at several concurrency limits; wall time is set beside the ideal for the limit
// (ceil(100 / concurrency) × 50 ms). Also the whole verify bundle (spawn to exit) with 100 checks at the
// default concurrency of 8, against the same ideal plus the bundle's cold start.
// Run: node --import ./scripts/register-ts.mjs bench/verify.mjs   (results in bench/results/verify.json)
import { createServer } from 'node:http';
import { runBundle } from '../bin/local-runner.js';
import { systemClock } from '../src/lib/clock.ts';
import { nodeFetch } from '../src/lib/http.ts';
import { runSamplesAndChecks } from '../src/verify/load.ts';
import { Prober } from '../src/verify/probe.ts';
import { medianMs, row, writeResult } from './lib.ts';

const CHECKS = Number(process.env.BENCH_VERIFY_CHECKS ?? 100);
const DELAY_MS = Number(process.env.BENCH_VERIFY_DELAY_MS ?? 50);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const SHA = '0123456789abcdef0123456789abcdef01234567';

let inFlight = 0;
let peak = 0;
const server = createServer((req, res) => {
  inFlight++;
  peak = Math.max(peak, inFlight);
  setTimeout(() => {
    inFlight--;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: 'healthy', version: SHA, path: req.url }));
  }, DELAY_MS);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}`;

const checks = Array.from({ length: CHECKS }, (_, i) => ({ name: `check ${i + 1}`, method: 'GET', path: `/api/c${i}`, headers: {}, json: { status: 'healthy' } }));
const rows = [];
const notes = [];

for (const concurrency of [1, 4, 8, 16, 32]) {
  const ideal = Math.ceil(CHECKS / concurrency) * DELAY_MS;
  peak = 0;
  let failed = 0;
  const ms = await medianMs(concurrency === 1 ? 1 : RUNS, async () => {
    const prober = new Prober(nodeFetch, systemClock, url, 10_000);
    const r = await runSamplesAndChecks(prober, checks, { healthPath: '/api/health', samples: 0, concurrency, expectVersion: SHA });
    failed = r.checks.filter((c) => !c.ok).length;
  });
  if (failed) throw new Error(`${failed} checks failed at concurrency ${concurrency}`);
  rows.push(row(`${CHECKS} checks × ${DELAY_MS} ms, concurrency ${concurrency} (in-process pool)`, ms, 'ms', ideal, `ideal ceil(${CHECKS}/${concurrency})×${DELAY_MS} ms`, `peak in flight ${peak}`));
}

// The whole stage as the runner runs it: wait (1 request), then the 100 checks, 8 at a time.
const checksYaml = checks.map((c) => `- { name: "${c.name}", path: ${c.path}, json: { status: healthy } }`).join('\n');
const coldStart = await medianMs(RUNS, () => runBundle({ stage: 'verify', inputs: { url, samples: 0, checks: '[]', 'wait-timeout': '10s' }, context: { GITHUB_SHA: SHA } }));
peak = 0;
let decision = '';
const bundle = await medianMs(RUNS, async () => {
  const r = await runBundle({ stage: 'verify', inputs: { url, samples: 0, checks: checksYaml, 'wait-timeout': '10s' }, context: { GITHUB_SHA: SHA } });
  if (r.code !== 0) throw new Error(`verify bundle exited ${r.code}: ${r.stdout.slice(-800)}`);
  decision = r.outputs.decision;
});
const idealBundle = Math.ceil(CHECKS / 8) * DELAY_MS + coldStart;
rows.push(row(`verify bundle, ${CHECKS} checks, concurrency 8 (spawn to exit)`, bundle, 'ms', Number(idealBundle.toFixed(1)), `ideal 13×${DELAY_MS} ms + the same bundle with no checks (${coldStart} ms)`, `decision ${decision}, peak in flight ${peak}`));

notes.push(`The app answers every request after ${DELAY_MS} ms (setTimeout), so with concurrency c the best possible wall time is ceil(${CHECKS}/c) × ${DELAY_MS} ms; the ratio shows the pool's overhead (HTTP, JSON, scheduling).`);
notes.push('The bundle baseline is the same bundle run with no checks (cold start, input reading, one health request) plus the ideal pool time.');
writeResult({ name: 'verify', rows, notes });
server.close();
