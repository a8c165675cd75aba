/** Shared fixtures for the backup tests: real ports against s3rver and the test cluster, recording every spawn. */
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { ManualClock, systemClock, type Clock } from '../../src/lib/clock.js';
import { readRunContext, type RunContext } from '../../src/lib/context.js';
import { RecordingLogger } from '../../src/lib/logger.js';
import { NodeProcessRunner, type ProcessRunner, type RunningProcess, type SpawnOptions, type ProcessResult } from '../../src/lib/process.js';
import { Masker } from '../../src/lib/secrets.js';
import { Summary } from '../../src/lib/summary.js';
import { S3BackupStore } from '../../src/backup/store.js';
import { locatePgTools, nodeToolHost } from '../../src/backup/pgtools.js';
import type { BackupPorts } from '../../src/backup/ports.js';
import type { S3Server } from '../support/s3.js';
import { query } from '../support/postgres.js';

export interface Spawned {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** A ProcessRunner that records every spawn and can kill pg_dump after it has written some bytes. */
export class RecordingRunner implements ProcessRunner {
  readonly spawned: Spawned[] = [];
  killDumpAfterBytes?: number;
  constructor(private readonly inner: ProcessRunner) {}
  spawn(command: string, args: string[], options: SpawnOptions = {}): RunningProcess {
    this.spawned.push({ command, args: [...args], env: { ...(options.env ?? {}) } });
    const proc = this.inner.spawn(command, args, options);
    const limit = this.killDumpAfterBytes;
    if (limit === undefined || !command.endsWith('pg_dump') || !proc.stdout) return proc;
    // Pass the bytes through, and SIGKILL pg_dump once `limit` bytes have gone by (a crash mid-stream).
    const out = new PassThrough();
    let seen = 0;
    let killed = false;
    proc.stdout.on('data', (c: Buffer) => {
      seen += c.length;
      out.write(c);
      if (!killed && seen >= limit) {
        killed = true;
        proc.kill('SIGKILL');
      }
    });
    proc.stdout.on('end', () => out.end());
    const done = proc.done.then(async (r) => {
      await new Promise((resolve) => (out.writableEnded ? setImmediate(resolve) : out.once('finish', resolve)));
      return r;
    });
    return { ...proc, stdout: out, done };
  }
  run(command: string, args: string[], options?: SpawnOptions): Promise<ProcessResult> {
    return this.spawn(command, args, options).done;
  }
}

export function testContext(overrides: Partial<RunContext> = {}): RunContext {
  return {
    ...readRunContext({
      GITHUB_REPOSITORY: 'acme/shop',
      GITHUB_SHA: '0123456789abcdef0123456789abcdef01234567',
      GITHUB_RUN_ID: '4242',
      GITHUB_RUN_ATTEMPT: '1',
      GITHUB_REF: 'refs/heads/main',
    }),
    ...overrides,
  };
}

export interface TestPorts {
  ports: BackupPorts;
  logger: RecordingLogger;
  runner: RecordingRunner;
  masker: Masker;
  summary: Summary;
}

export function makePorts(s3: S3Server, bucket: string, opts: { clock?: Clock; context?: Partial<RunContext>; secrets?: string[] } = {}): TestPorts {
  const masker = new Masker();
  for (const s of opts.secrets ?? []) masker.addUrl(s);
  const logger = new RecordingLogger(masker);
  const runner = new RecordingRunner(new NodeProcessRunner(logger, masker));
  const summary = new Summary();
  const host = nodeToolHost(process.env);
  const ports: BackupPorts = {
    store: new S3BackupStore(s3.client(), bucket),
    processes: runner,
    logger,
    summary,
    clock: opts.clock ?? systemClock,
    context: testContext(opts.context),
    env: { PATH: process.env.PATH, LANG: 'C' },
    tmpDir: tmpdir(),
    pgTools: (major) => locatePgTools(major, runner, host),
  };
  return { ports, logger, runner, masker, summary };
}

/** Several tables with indexes, foreign keys, a view, a sequence and 100,000 rows in all. */
export async function seed(url: string, opts: { payloadBytes?: number } = {}): Promise<void> {
  const pad = opts.payloadBytes ?? 0;
  await query(
    url,
    `
    create table customers (id bigserial primary key, email text not null unique, name text not null, created_at timestamptz not null default now());
    create table products (id serial primary key, sku text not null unique, price numeric(10,2) not null check (price >= 0), tags text[] not null default '{}');
    create table orders (id bigserial primary key, customer_id bigint not null references customers(id) on delete cascade,
      placed_at timestamptz not null, status text not null, note text);
    create index orders_customer_idx on orders (customer_id, placed_at desc);
    create table order_items (order_id bigint not null references orders(id) on delete cascade, product_id int not null references products(id),
      qty int not null, primary key (order_id, product_id));
    create index order_items_product_idx on order_items (product_id);
    create view big_orders as select o.id, count(*) as items from orders o join order_items i on i.order_id = o.id group by o.id;
    insert into customers (email, name, created_at) select 'c' || g || '@example.com', 'Customer ' || g, '2026-01-01'::timestamptz + g * interval '1 minute' from generate_series(1, 20000) g;
    insert into products (sku, price, tags) select 'SKU-' || g, (g % 500) + 0.99, array['t' || (g % 7)] from generate_series(1, 5000) g;
    insert into orders (customer_id, placed_at, status, note)
      select 1 + (g % 20000), '2026-02-01'::timestamptz + g * interval '1 second', (array['new','paid','shipped'])[1 + g % 3],
        ${pad > 0 ? `(select string_agg(md5((g * 1000 + k)::text), '') from generate_series(1, ${Math.ceil(pad / 32)}) k)` : `'note ' || g`}
      from generate_series(1, 50000) g;
    insert into order_items (order_id, product_id, qty) select 1 + (g % 50000), 1 + (g % 5000), 1 + g % 4 from generate_series(1, 25000) g;
    analyze;
  `,
  );
}

export const fixedClock = (): ManualClock => new ManualClock(Date.parse('2026-03-04T05:06:07Z'));
