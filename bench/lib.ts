/** Shared helpers for the benchmarks: timing, peak RSS of a child, and the results file format. */
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export interface BenchRow {
  metric: string;
  shipgate: number;
  baseline?: number;
  baselineName?: string;
  unit: string;
  /** shipgate / baseline (lower is better for times). */
  ratio?: number;
  note?: string;
}

export interface BenchResult {
  name: string;
  date: string;
  machine: string;
  rows: BenchRow[];
  notes?: string[];
}

export function row(metric: string, shipgate: number, unit: string, baseline?: number, baselineName?: string, note?: string): BenchRow {
  return { metric, shipgate, unit, baseline, baselineName, ratio: baseline ? Number((shipgate / baseline).toFixed(3)) : undefined, note };
}

export function machine(): string {
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`;
}

export function writeResult(result: Omit<BenchResult, 'date' | 'machine'>): BenchResult {
  const full: BenchResult = { ...result, date: new Date().toISOString(), machine: machine() };
  const dir = join(process.cwd(), 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.name}.json`), JSON.stringify(full, null, 2) + '\n');
  printResult(full);
  return full;
}

export function printResult(r: BenchResult): void {
  process.stdout.write(`\n${r.name}\n`);
  for (const x of r.rows) {
    const base = x.baseline !== undefined ? `  vs ${x.baselineName ?? 'baseline'} ${x.baseline} ${x.unit}  ratio ${x.ratio}` : '';
    process.stdout.write(`  ${x.metric}: ${x.shipgate} ${x.unit}${base}${x.note ? `  (${x.note})` : ''}\n`);
  }
}

/** Median of n timed runs of an async function, in milliseconds. */
export async function medianMs(n: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Number(times[Math.floor(times.length / 2)].toFixed(1));
}

/** Runs a command to completion; resolves with exit code, wall time and (Linux) peak RSS in MiB via /usr/bin/time if present, else undefined. */
export function runCommand(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number | null; ms: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child = spawn(cmd, args, { env: opts.env ?? process.env, cwd: opts.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, ms: Number(process.hrtime.bigint() - t) / 1e6, stdout, stderr }));
  });
}
