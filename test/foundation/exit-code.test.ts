/**
 * A failing test must fail the run, global setup and teardown (the PostgreSQL cluster) included: the teardown
 * once let Node exit with 0 while it waited for the unref'd server, which would have let CI pass red runs.
 */
import { spawnSync } from 'node:child_process';

test('jest exits non-zero when a test fails, after stopping the cluster', () => {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('JEST') && !k.startsWith('SHIPGATE_TEST_')) env[k] = v;
  for (let i = 0; i < 4; i++) {
    const r = spawnSync(process.execPath, ['--experimental-vm-modules', 'node_modules/jest/bin/jest.js', '--testMatch', '<rootDir>/test/fixtures/jest/*.fixture.ts'], { encoding: 'utf8', env });
    expect(r.stderr).toMatch(/Tests:\s+1 failed, 1 passed, 2 total/);
    expect(r.status).toBe(1);
  }
}, 120_000);
