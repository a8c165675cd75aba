/** The built bundles behave as the runner expects, and the CLI drives the same bundles. */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { errorLines, leakedForms, runStageBundle, visibleLines } from '../support/bundle.js';
import { createDatabase } from '../support/postgres.js';

const PASSWORD = "p!'()*@:/%w0rd";

function timedRun(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(process.execPath, args, { env });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}

describe('stage bundles', () => {
  test('node dist/migrate/index.js with no inputs exits 1 within 1 s with one line naming the missing input', async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('INPUT_')) env[k] = v;
    const r = await timedRun(['dist/migrate/index.js'], env);
    expect(r.code).toBe(1);
    const lines = r.out.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^::error::Input 'database-url' got nothing; expected /);
    expect(r.ms).toBeLessThan(1000);
  });

  test('a pooled URL with the sentinel password is refused before connecting, and no form of the password is printed', async () => {
    const url = `postgres://app:${encodeURIComponent(PASSWORD)}@ep-cool-name-123456-pooler.us-east-2.aws.neon.tech/shop?sslmode=require`;
    const r = await runStageBundle('migrate', { 'database-url': url });
    expect(r.code).toBe(1);
    expect(errorLines(r)).toEqual([expect.stringMatching(/^Input 'database-url' got "postgres:\/\/app:\*\*\*@ep-cool-name-123456-pooler.*expected a direct \(unpooled\) URL/)]);
    expect(leakedForms(r, { urls: [url], plain: [PASSWORD] })).toEqual([]);
    // The runner was told to mask every form before anything else was printed.
    expect(r.masks).toEqual(expect.arrayContaining([PASSWORD, encodeURIComponent(PASSWORD)]));
    expect(visibleLines(r).join('\n')).not.toContain('%40%3A');
  });
});

describe('shipgate CLI', () => {
  const cli = (args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(process.execPath, ['bin/shipgate.js', ...args], { encoding: 'utf8', env });

  test('--help lists the six stages', () => {
    const r = cli(['--help']);
    expect(r.status).toBe(0);
    for (const s of ['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify']) expect(r.stdout).toMatch(new RegExp(`^  ${s} `, 'm'));
  });

  test('<stage> --help lists every input of its action.yml', () => {
    for (const stage of ['migrate', 'deploy']) {
      const spec = YAML.parse(readFileSync(`actions/${stage}/action.yml`, 'utf8'));
      const r = cli([stage, '--help']);
      expect(r.status).toBe(0);
      for (const name of Object.keys(spec.inputs)) expect(r.stdout).toContain(`--${name}`);
    }
  });

  test('flags become inputs of the same bundle; errors are rendered as text and secrets from SHIPGATE_* stay out of argv', () => {
    const url = `postgres://app:${encodeURIComponent(PASSWORD)}@db.example.com:6543/postgres`;
    const r = cli(['migrate', '--migrations-format', 'sql'], { ...process.env, SHIPGATE_DATABASE_URL: url });
    expect(r.status).toBe(1);
    expect(r.stderr.trim()).toMatch(/^error: Input 'database-url' got "postgres:\/\/app:\*\*\*@db.example.com:6543\/postgres"; expected a direct \(unpooled\) URL: port 6543/);
    expect(r.stdout + r.stderr).not.toContain(encodeURIComponent(PASSWORD));
    expect(r.stdout + r.stderr).not.toContain('::');
  });

  test('a successful run prints the log, the outputs and the job summary as text, with the password nowhere', async () => {
    const db = await createDatabase('cli');
    try {
      const r = cli(['migrate', '--migrations-dir', 'demo/migrations'], { ...process.env, SHIPGATE_DATABASE_URL: db.url });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^Outputs:$/m);
      expect(r.stdout).toMatch(/^ {2}applied-count = 4$/m);
      expect(r.stdout).toMatch(/^ {2}status = applied$/m);
      expect(r.stdout).toMatch(/^Summary:$/m);
      expect(r.stdout).not.toContain('::');
      for (const form of [PASSWORD, encodeURIComponent(PASSWORD), db.url]) expect(r.stdout).not.toContain(form);
    } finally {
      await db.drop();
    }
  });

  test('unknown stages and flags are one-line errors', () => {
    const a = cli(['migrat']);
    expect(a.status).toBe(1);
    expect(a.stderr.trim()).toMatch(/^shipgate: unknown stage "migrat"; expected one of preflight, backup, migrate, deploy, verify, notify$/);
    const b = cli(['migrate', '--database-uri', 'x']);
    expect(b.status).toBe(1);
    expect(b.stderr.trim().split('\n')).toHaveLength(1);
    expect(b.stderr).toContain('unknown input --database-uri for migrate');
  });
});
