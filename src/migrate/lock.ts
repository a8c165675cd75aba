/**
 * The migrator's advisory lock: session-level `pg_try_advisory_lock`, polled, on a dedicated connection that only
 * ever runs that one autocommit statement, so it never holds an open transaction (CREATE INDEX CONCURRENTLY waits for
 * every older transaction and would deadlock against one). The server frees a session lock when the connection ends,
 * so a crash or a killed backend cannot leave it behind.
 */
import { StageError } from '../lib/errors.js';
import type { Clock } from '../lib/clock.js';
import type { Logger } from '../lib/logger.js';
import { formatDuration } from '../lib/durations.js';

/** "SHIPGATE" in ASCII as a bigint: distinct from Prisma's 72707369 so `command: npx prisma migrate deploy` can run under it. */
export const LOCK_KEY = BigInt('0x5348495047415445').toString();

export interface LockConnection {
  query(text: string, params?: unknown[]): Promise<{ rows: any[] }>;
  end(): Promise<void>;
  on(event: 'error' | 'end', fn: (...args: any[]) => void): unknown;
}

export class AdvisoryLock {
  private held = false;
  private lostReason: string | undefined;

  constructor(
    private readonly conn: LockConnection,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly key = LOCK_KEY,
  ) {
    conn.on('error', (err: Error) => {
      this.lostReason = err.message;
    });
    conn.on('end', () => {
      this.lostReason ??= 'connection closed';
    });
  }

  /** Poll until the lock is ours or `waitMs` passes. Returns how long it waited. */
  async acquire(waitMs: number, pollMs = 250): Promise<number> {
    const start = this.clock.now();
    let announced = false;
    for (;;) {
      const r = await this.conn.query('select pg_try_advisory_lock($1::bigint) as ok', [this.key]);
      if (r.rows[0]?.ok === true) {
        this.held = true;
        const waited = this.clock.now() - start;
        if (announced) this.logger.info(`Got the migration lock after ${formatDuration(waited)}.`);
        return waited;
      }
      const waited = this.clock.now() - start;
      if (waited >= waitMs) {
        const who = await this.holder();
        throw new StageError(
          `another migrator${who} has held the migration lock for longer than lock-wait (${formatDuration(waitMs)}); nothing was changed. Wait for it to finish or raise lock-wait`,
        );
      }
      if (!announced) {
        announced = true;
        this.logger.info(`Another migrator${await this.holder()} holds the migration lock; waiting up to ${formatDuration(waitMs)}.`);
      }
      await this.clock.sleep(Math.min(pollMs, Math.max(1, waitMs - waited)));
    }
  }

  private async holder(): Promise<string> {
    try {
      const r = await this.conn.query(
        `select a.pid, a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
          where l.locktype = 'advisory' and l.granted and l.objsubid = 1 and ((l.classid::bigint << 32) | l.objid::bigint) = $1::bigint
            and l.database = (select oid from pg_database where datname = current_database()) limit 1`,
        [this.key],
      );
      const row = r.rows[0];
      return row ? ` (backend ${row.pid}${row.application_name ? `, ${row.application_name}` : ''})` : '';
    } catch {
      return '';
    }
  }

  /** Why the lock connection was lost, if it was (the lock is then no longer held). */
  get lost(): string | undefined {
    return this.lostReason;
  }

  /** Unlock and close. Never throws: closing the connection frees the lock anyway. */
  async release(): Promise<void> {
    if (this.held && !this.lostReason) {
      try {
        await this.conn.query('select pg_advisory_unlock($1::bigint)', [this.key]);
      } catch (err) {
        this.logger.debug(`advisory unlock failed (${(err as Error).message}); closing the connection frees it`);
      }
    }
    this.held = false;
    try {
      await this.conn.end();
    } catch {
      // already closed
    }
  }
}
