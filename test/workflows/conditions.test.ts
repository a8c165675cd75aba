/**
 * The conditions of deploy.yml, rollback.yml and the composite, evaluated with GitHub's expression semantics
 * (test/workflows/expressions.ts) over the situations that matter: which jobs and steps run.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { condition, evaluate, interpolate } from './expressions.js';
import { load, step } from './helpers.js';

describe('the expression evaluator', () => {
  test('follows GitHub semantics for the operators and functions used here', () => {
    const ctx = { inputs: { a: '', b: 'x', t: true }, needs: { j: { result: 'success' }, k: { result: 'skipped' } } };
    expect(evaluate("inputs.a || 'def'", ctx)).toBe('def');
    expect(evaluate("inputs.b || 'def'", ctx)).toBe('x');
    expect(evaluate("inputs.t && 'y' || 'n'", ctx)).toBe('y');
    expect(evaluate("needs.J.result == 'SUCCESS'", ctx)).toBe(true);
    expect(evaluate("contains(needs.*.result, 'skipped')", ctx)).toBe(true);
    expect(evaluate("format('{0}-emergency', inputs.b)", ctx)).toBe('x-emergency');
    expect(evaluate('!inputs.t', ctx)).toBe(false);
    expect(evaluate('steps.none.outputs.x', ctx)).toBe(null);
    expect(condition("inputs.b == 'x'", ctx, { job: 'failure' })).toBe(false);
    expect(condition("always() && inputs.b == 'x'", ctx, { job: 'failure' })).toBe(true);
    expect(() => evaluate("inputs.a == 'x", ctx)).toThrow(/unterminated/);
  });
});

describe('deploy.yml conditions', () => {
  const doc = load('.github/workflows/deploy.yml');
  const release = (tests: string, skip: boolean, preflight = 'success', job: 'success' | 'failure' = tests === 'failure' || preflight !== 'success' ? 'failure' : 'success') =>
    condition(doc.jobs.release.if, { inputs: { 'skip-tests': skip }, needs: { guard: { result: 'success' }, preflight: { result: preflight }, tests: { result: tests } } }, { job });

  test('release runs after passing tests, or skipped tests on the emergency path only', () => {
    expect(release('success', false)).toBe(true);
    expect(release('skipped', true)).toBe(true);
    expect(release('skipped', false)).toBe(false);
    expect(release('failure', false)).toBe(false);
    expect(release('success', false, 'failure')).toBe(false);
  });

  test('tests are skipped exactly on the emergency path', () => {
    expect(condition(doc.jobs.tests.if, { inputs: { 'skip-tests': true } })).toBe(false);
    expect(condition(doc.jobs.tests.if, { inputs: { 'skip-tests': false } })).toBe(true);
  });

  test('notify runs whatever happened', () => {
    expect(condition(doc.jobs.notify.if, {}, { job: 'failure' })).toBe(true);
    expect(condition(doc.jobs.notify.if, {}, { job: 'cancelled' })).toBe(true);
  });

  const ctx = (decision: string, over: Record<string, unknown> = {}) => ({
    inputs: { 'auto-rollback': true, 'restore-database-on-rollback': false, environment: 'production', 'vercel-target': '', ...over },
    steps: { backup: { outputs: { 'backup-id': '20260101T000000Z-abc1234-1' } }, deploy: { outputs: { 'deployment-id': 'dpl_new' } }, verify: { outputs: { decision } } },
  });
  const runs = (id: string, decision: string, over?: Record<string, unknown>) =>
    condition(step(doc, 'release', id).if, ctx(decision, over), { job: decision.startsWith('rollback') ? 'failure' : 'success' });

  test.each([
    ['ok', false, false],
    ['monitor', false, false],
    ['rollback-app', true, false],
    ['rollback-full', true, false],
  ])('decision %s: app rollback %s, database restore %s (not allowed)', (decision, app, db) => {
    expect(runs('rollback-app', decision)).toBe(app);
    expect(runs('restore', decision)).toBe(db);
  });

  test('the database is restored only for rollback-full when the caller allowed it', () => {
    expect(runs('restore', 'rollback-full', { 'restore-database-on-rollback': true })).toBe(true);
    expect(runs('restore', 'rollback-app', { 'restore-database-on-rollback': true })).toBe(false);
    expect(runs('restore', 'rollback-full', { 'restore-database-on-rollback': true, 'auto-rollback': false })).toBe(false);
    expect(runs('rollback-app', 'rollback-app', { 'auto-rollback': false })).toBe(false);
  });

  test('the Vercel target follows the environment unless given', () => {
    const target = step(doc, 'release', 'deploy').with.target;
    expect(interpolate(target, ctx('ok'))).toBe('production');
    expect(interpolate(target, ctx('ok', { environment: 'staging' }))).toBe('preview');
    expect(interpolate(target, ctx('ok', { environment: 'staging', 'vercel-target': 'staging' }))).toBe('staging');
  });
});

describe('the composite action conditions', () => {
  const doc = YAML.parse(readFileSync('action.yml', 'utf8'));
  const s = (id: string) => doc.runs.steps.find((x: any) => x.id === id);
  test('runs every stage through $/actions/<stage> in order, notify always', () => {
    expect(doc.runs.steps.filter((x: any) => x.uses).map((x: any) => `${x.id}:${x.uses}`)).toEqual([
      'preflight:$/actions/preflight', 'backup:$/actions/backup', 'migrate:$/actions/migrate', 'deploy:$/actions/deploy', 'verify:$/actions/verify',
      'rollback-app:$/actions/deploy', 'restore:$/actions/backup', 'notify:$/actions/notify',
    ]);
    expect(condition(s('notify').if, {}, { job: 'failure' })).toBe(true);
  });
  test('composite inputs are strings: rollback on the string true only', () => {
    const ctx = (auto: string, restore: string) => ({ inputs: { 'auto-rollback': auto, 'restore-database-on-rollback': restore }, steps: { backup: { outputs: { 'backup-id': 'b' } }, deploy: { outputs: { 'deployment-id': 'd' } }, verify: { outputs: { decision: 'rollback-full' } } } });
    expect(condition(s('rollback-app').if, ctx('true', 'false'), { job: 'failure' })).toBe(true);
    expect(condition(s('rollback-app').if, ctx('false', 'false'), { job: 'failure' })).toBe(false);
    expect(condition(s('restore').if, ctx('true', 'false'), { job: 'failure' })).toBe(false);
    expect(condition(s('restore').if, ctx('true', 'true'), { job: 'failure' })).toBe(true);
  });
});
