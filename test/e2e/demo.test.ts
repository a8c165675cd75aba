/** `npm run demo` (both scenarios) runs the pipeline end to end and prints the final table. */
import { spawn } from 'node:child_process';

function demo(args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', './scripts/register-ts.mjs', 'scripts/demo.ts', ...args], { env: { ...process.env, FORCE_COLOR: '0' } });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (out += c));
    child.on('close', (code) => resolve({ code, out }));
  });
}

test('the happy path: every stage ok, the table, and where the backup, manifest and run record are', async () => {
  const r = await demo([]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^stage\s+result\s+duration\s+key outputs$/m);
  for (const stage of ['preflight', 'tests', 'approval', 'backup', 'migrate', 'deploy', 'verify', 'notify']) expect(r.out).toMatch(new RegExp(`^${stage}\\s+ok\\s`, 'm'));
  expect(r.out).toMatch(/^manifest\s+s3:\/\/shipgate-demo\/.*manifest\.json/m);
  expect(r.out).toMatch(/^run record\s+s3:\/\/shipgate-demo\/.*\/runs\//m);
  expect(r.out).toContain('Decision: ok.');
}, 120_000);

test('--scenario verify-fails: verify decides rollback-app and deploy rolls production back', async () => {
  const r = await demo(['--scenario', 'verify-fails']);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^verify\s+failed\s.*decision rollback-app/m);
  expect(r.out).toMatch(/^deploy \(rollback\)\s+ok\s.*rolled back to dpl_PreviousRelease01/m);
  expect(r.out).toContain('Vercel production now dpl_PreviousRelease01');
}, 120_000);

test('an unknown scenario is a one-line error', async () => {
  const r = await demo(['--scenario', 'chaos']);
  expect(r.code).toBe(1);
  expect(r.out.trim()).toBe('demo: --scenario got "chaos"; expected one of happy, verify-fails');
});
