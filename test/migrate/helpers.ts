/** Shared helpers of the migrate tests: fixture workspaces, real-database deps, ledger reads. */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RecordingLogger } from '../../src/lib/logger.js';
import { ManualClock, systemClock, type Clock } from '../../src/lib/clock.js';
import { Summary } from '../../src/lib/summary.js';
import { Masker } from '../../src/lib/secrets.js';
import { NodeProcessRunner } from '../../src/lib/process.js';
import { connect } from '../../src/lib/postgres.js';
import type { MigrateDeps } from '../../src/migrate/runner.js';
import type { MigrateSettings } from '../../src/migrate/inputs.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'test', 'fixtures', 'migrations');

/** A temp workspace holding a copy of fixture `name` (sql | prisma | drizzle) at its usual path. */
export function workspace(name: 'sql' | 'prisma' | 'drizzle'): { dir: string; migrations: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), `shipgate-mig-${name}-`));
  const target = name === 'sql' ? join(dir, 'db', 'migrations') : name === 'prisma' ? join(dir, 'prisma') : join(dir, 'drizzle');
  cpSync(join(FIXTURES, name), target, { recursive: true });
  const migrations = name === 'prisma' ? join(dir, 'prisma', 'migrations') : target;
  return { dir, migrations, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function settings(databaseUrl: string, extra: Partial<MigrateSettings> = {}): MigrateSettings {
  return {
    databaseUrl,
    format: 'auto',
    dryRun: false,
    lockTimeoutMs: 5000,
    statementTimeoutMs: 0,
    lockWaitMs: 10_000,
    allowOutOfOrder: false,
    allowModified: false,
    onFailure: 'stop',
    ...extra,
  };
}

export function deps(workspaceDir: string, extra: Partial<MigrateDeps> & { clock?: Clock } = {}): MigrateDeps & { logger: RecordingLogger; summary: Summary } {
  const logger = new RecordingLogger();
  return {
    connect: (url, app) => connect(url, app),
    logger,
    clock: extra.clock ?? systemClock,
    summary: new Summary(),
    processes: new NodeProcessRunner(logger, new Masker()),
    env: { PATH: process.env.PATH ?? '' },
    workspace: workspaceDir,
    runUrl: 'https://github.com/acme/shop/actions/runs/4242',
    lockPollMs: 50,
    ...extra,
  } as MigrateDeps & { logger: RecordingLogger; summary: Summary };
}

export { ManualClock };
