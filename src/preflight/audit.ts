/**
 * The project's package-manager audit: npm, pnpm or yarn, chosen from the lockfile, run through the
 * ProcessRunner with JSON output, and counted by severity. Blocks at or above the configured level.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessRunner } from '../lib/process.js';
import type { AuditLevel } from './inputs.js';

export type PackageManager = 'npm' | 'pnpm' | 'yarn-classic' | 'yarn-berry';
export const SEVERITIES = ['low', 'moderate', 'high', 'critical'] as const;
export type Counts = Record<(typeof SEVERITIES)[number], number>;

export interface AuditResult {
  manager?: PackageManager;
  lockfile?: string;
  /** Counts by severity, when the audit produced them. */
  counts?: Counts;
  /** At or above the level. */
  blocking: number;
  /** Why the audit did not produce counts (no lockfile, tool failed…). */
  skipped?: string;
  command?: string;
}

export function detectPackageManager(dir: string): { manager: PackageManager; lockfile: string } | undefined {
  if (existsSync(join(dir, 'pnpm-lock.yaml'))) return { manager: 'pnpm', lockfile: 'pnpm-lock.yaml' };
  if (existsSync(join(dir, 'yarn.lock'))) {
    const text = readFileSync(join(dir, 'yarn.lock'), 'utf8').slice(0, 2000);
    return { manager: /__metadata:/.test(text) || existsSync(join(dir, '.yarnrc.yml')) ? 'yarn-berry' : 'yarn-classic', lockfile: 'yarn.lock' };
  }
  if (existsSync(join(dir, 'package-lock.json'))) return { manager: 'npm', lockfile: 'package-lock.json' };
  if (existsSync(join(dir, 'npm-shrinkwrap.json'))) return { manager: 'npm', lockfile: 'npm-shrinkwrap.json' };
  return undefined;
}

const COMMANDS: Record<PackageManager, [string, string[]]> = {
  npm: ['npm', ['audit', '--json']],
  pnpm: ['pnpm', ['audit', '--json']],
  'yarn-classic': ['yarn', ['audit', '--json']],
  'yarn-berry': ['yarn', ['npm', 'audit', '--json', '--recursive']],
};

const zero = (): Counts => ({ low: 0, moderate: 0, high: 0, critical: 0 });

function fromVulnerabilities(v: any): Counts | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const c = zero();
  for (const s of SEVERITIES) c[s] = Number(v[s] ?? 0) || 0;
  return c;
}

/** Severity counts from an audit's stdout, per tool's JSON shape; undefined when it is not audit JSON. */
export function parseAuditOutput(manager: PackageManager, stdout: string): Counts | undefined {
  const text = stdout.trim();
  if (!text) return undefined;
  if (manager === 'npm' || manager === 'pnpm') {
    try {
      const j = JSON.parse(text);
      return fromVulnerabilities(j?.metadata?.vulnerabilities);
    } catch {
      return undefined;
    }
  }
  // yarn: one JSON object per line.
  const lines = text.split('\n').flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
  if (manager === 'yarn-classic') {
    const summary = lines.find((l) => l?.type === 'auditSummary');
    return fromVulnerabilities(summary?.data?.vulnerabilities);
  }
  // yarn berry: {"value": "<pkg>", "children": {"Severity": "high", ...}} per advisory.
  if (lines.length === 0) return undefined;
  const c = zero();
  for (const l of lines) {
    const s = String(l?.children?.Severity ?? l?.severity ?? '').toLowerCase();
    if ((SEVERITIES as readonly string[]).includes(s)) c[s as keyof Counts]++;
  }
  return c;
}

export function countAtOrAbove(counts: Counts, level: AuditLevel): number {
  if (level === 'none') return 0;
  const from = SEVERITIES.indexOf(level);
  return SEVERITIES.slice(from).reduce((n, s) => n + counts[s], 0);
}

export async function runAudit(dir: string, level: AuditLevel, processes: ProcessRunner, env: NodeJS.ProcessEnv, timeoutMs = 120_000): Promise<AuditResult> {
  if (level === 'none') return { blocking: 0, skipped: 'audit-level is none' };
  const found = detectPackageManager(dir);
  if (!found) return { blocking: 0, skipped: 'no package-lock.json, npm-shrinkwrap.json, pnpm-lock.yaml or yarn.lock in the workspace' };
  const [cmd, args] = COMMANDS[found.manager];
  const command = [cmd, ...args].join(' ');
  let stdout = '';
  let stderr = '';
  try {
    const r = await processes.run(cmd, args, { cwd: dir, env, timeoutMs });
    stdout = r.stdout;
    stderr = r.stderr;
  } catch (err) {
    return { ...found, blocking: 0, command, skipped: `${command} could not run: ${(err as Error).message}` };
  }
  const counts = parseAuditOutput(found.manager, stdout);
  if (!counts) {
    const why = (stderr || stdout).trim().split('\n')[0]?.slice(0, 200) ?? '';
    return { ...found, blocking: 0, command, skipped: `${command} gave no audit report${why ? `: ${why}` : ''}` };
  }
  return { ...found, counts, blocking: countAtOrAbove(counts, level), command };
}
