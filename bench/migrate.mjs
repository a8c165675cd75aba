#!/usr/bin/env node
// Benchmark (not a test): 500 small SQL migrations applied by
//   - Shipgate (the built dist/migrate bundle, run as the GitHub runner runs it),
//   - node-pg-migrate on the same SQL files,
//   - the floor: `psql -1 -f` per file,
// then the up-to-date check (Shipgate and node-pg-migrate on an already migrated database).
// Each tool gets its own fresh database on the same server. Prints ratios; writes bench/results/migrate.json.
//
// PostgreSQL: SHIPGATE_BENCH_PG_URL (a superuser URL; databases are created and dropped on it), else a throwaway
// cluster started through the test harness (test/support/postgres.ts). Options: --count N (default 500).
// Requires a built bundle: node scripts/build.mjs migrate
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { runBundle } from '../bin/local-runner.js';
// Run through `npm run bench` (or node --import ./scripts/register-ts.mjs): the TypeScript modules below load as is.
import * as harness from '../test/support/postgres.js';
import { pgEnv } from '../src/lib/postgres.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const countArg = process.argv.indexOf('--count');
const COUNT = countArg > 0 ? Number(process.argv[countArg + 1]) : 500;

function migrationSql(i) {
  const t = `t_${i}`;
  const lines = [
    `-- migration ${i}: table ${t}`,
    `CREATE TABLE ${t} (id bigserial PRIMARY KEY, name text NOT NULL, created_at timestamptz NOT NULL DEFAULT now());`,
    `CREATE INDEX ${t}_name_idx ON ${t} (name);`,
    `INSERT INTO ${t} (name) VALUES ('row-${i}');`,
  ];
  if (i > 1 && i % 10 === 0) lines.push(`ALTER TABLE t_${i - 1} ADD COLUMN note_${i} text;`);
  return lines.join('\n') + '\n';
}


function run(cmd, args, env, cwd = root) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stdout.resume();
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err.slice(-2000)}`))));
  });
}

async function timed(fn) {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

async function admin(url, sql) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

let cluster;
let superuser = process.env.SHIPGATE_BENCH_PG_URL;
if (!superuser) {
  cluster = await harness.startPostgres();
  superuser = cluster.superuserUrl;
}
const dbUrl = (name) => {
  const u = new URL(superuser);
  u.pathname = '/' + name;
  return u.toString();
};
const suffix = `${process.pid}`;
const dbs = { shipgate: `bench_shipgate_${suffix}`, npm: `bench_npm_${suffix}`, psql: `bench_psql_${suffix}`, psqlOne: `bench_psql1_${suffix}` };
const work = mkdtempSync(join(tmpdir(), 'shipgate-bench-'));
const dir = join(work, 'db', 'migrations');
mkdirSync(dir, { recursive: true });
const files = [];
for (let i = 1; i <= COUNT; i++) {
  const f = join(dir, `${String(i).padStart(4, '0')}_m${i}.sql`);
  writeFileSync(f, migrationSql(i));
  files.push(f);
}

try {
  for (const name of Object.values(dbs)) await admin(superuser, `CREATE DATABASE ${name}`);
  const version = (await admin(superuser, 'select version() as v'))[0].v;
  console.log(`${COUNT} migrations; ${version}`);

  // Shipgate (built bundle).
  const shipgate = await timed(() => runBundle({ stage: 'migrate', inputs: { 'database-url': dbUrl(dbs.shipgate) }, cwd: work, timeoutMs: 600_000 }));
  if (shipgate.value.code !== 0) throw new Error(`shipgate failed: ${shipgate.value.stdout.slice(-2000)}${shipgate.value.stderr.slice(-1000)}`);
  if (shipgate.value.outputs['applied-count'] !== String(COUNT)) throw new Error(`shipgate applied ${shipgate.value.outputs['applied-count']}`);
  const upToDate = await timed(() => runBundle({ stage: 'migrate', inputs: { 'database-url': dbUrl(dbs.shipgate) }, cwd: work, timeoutMs: 600_000 }));
  if (upToDate.value.outputs.status !== 'up-to-date') throw new Error('shipgate second run was not up-to-date');
  const inner = /checked in (\d+(?:\.\d+)?)(ms|s)/.exec(upToDate.value.stdout);
  const innerMs = inner ? Number(inner[1]) * (inner[2] === 's' ? 1000 : 1) : undefined;

  // node-pg-migrate on the same files.
  const npmBin = join(root, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
  const npmArgs = [npmBin, 'up', '-m', dir, '--no-check-order'];
  const npmEnv = { DATABASE_URL: dbUrl(dbs.npm) };
  const npm = await timed(() => run(process.execPath, npmArgs, npmEnv, work));
  const npmCount = (await admin(dbUrl(dbs.npm), 'select count(*)::int as n from pgmigrations'))[0].n;
  if (npmCount !== COUNT) throw new Error(`node-pg-migrate applied ${npmCount}`);
  const npmUpToDate = await timed(() => run(process.execPath, npmArgs, npmEnv, work));

  // Floor: psql -1 -f per file.
  const env = pgEnv(dbUrl(dbs.psql));
  const psql = await timed(async () => {
    for (const f of files) await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-1', '-f', f], env);
  });

  // Lower floor: one psql session, each file in its own transaction (no per-file connection or process).
  const driver = join(work, 'all.psql');
  writeFileSync(driver, '\\set ON_ERROR_STOP 1\n' + files.map((f) => `BEGIN;\n\\i '${f}'\nCOMMIT;\n`).join(''));
  const psqlOne = await timed(() => run('psql', ['-X', '-q', '-f', driver], pgEnv(dbUrl(dbs.psqlOne))));

  const result = {
    date: new Date().toISOString(),
    migrations: COUNT,
    server: version,
    cpus: cpus().length,
    node: process.version,
    applyMs: { shipgate: Math.round(shipgate.ms), nodePgMigrate: Math.round(npm.ms), psqlPerFile: Math.round(psql.ms), psqlOneSession: Math.round(psqlOne.ms) },
    upToDateMs: { shipgateWall: Math.round(upToDate.ms), shipgateCheck: innerMs, nodePgMigrateWall: Math.round(npmUpToDate.ms) },
    ratios: {
      shipgateVsNodePgMigrate: +(shipgate.ms / npm.ms).toFixed(2),
      shipgateVsPsqlFloor: +(shipgate.ms / psql.ms).toFixed(2),
      nodePgMigrateVsPsqlFloor: +(npm.ms / psql.ms).toFixed(2),
      shipgateVsPsqlOneSession: +(shipgate.ms / psqlOne.ms).toFixed(2),
      upToDateShipgateVsNodePgMigrate: +(upToDate.ms / npmUpToDate.ms).toFixed(2),
    },
    notes:
      'psql -1 -f per file pays a process start and a SCRAM login per file, so on a local server it is slower than the runners; ' +
      'psqlOneSession (one psql session, BEGIN/\\i/COMMIT per file) is the lower floor. Wall times include process start-up for every tool (Shipgate: node + bundle as the runner runs it; psql: one process per file). ' +
      'Shipgate additionally parses every file with libpg-query, takes the advisory lock, resets the session per file and records a checksum ledger.',
  };
  const line = (label, ms) => console.log(`  ${label.padEnd(34)} ${String(Math.round(ms)).padStart(7)} ms`);
  console.log('apply from empty:');
  line('shipgate (bundle)', shipgate.ms);
  line('node-pg-migrate up', npm.ms);
  line('psql -1 -f per file (floor)', psql.ms);
  line('psql, one session, tx per file', psqlOne.ms);
  console.log('up-to-date check:');
  line('shipgate (bundle, wall)', upToDate.ms);
  if (innerMs !== undefined) line('shipgate (check inside the stage)', innerMs);
  line('node-pg-migrate up (wall)', npmUpToDate.ms);
  console.log('ratios:', JSON.stringify(result.ratios));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'migrate.json'), JSON.stringify(result, null, 2) + '\n');
  console.log('wrote bench/results/migrate.json');
} finally {
  for (const name of Object.values(dbs)) await admin(superuser, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
  if (cluster) await cluster.stop();
}
