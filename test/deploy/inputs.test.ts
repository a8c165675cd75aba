/** The deploy stage's input reader: defaults, one-line errors that name the input, masking, alias templates. */
import { InputError } from '../../src/lib/errors.js';
import { Inputs, mapInputSource } from '../../src/lib/inputs.js';
import { Masker } from '../../src/lib/secrets.js';
import { dnsLabel, expandAlias, readDeploySettings } from '../../src/deploy/inputs.js';

const ctx = { sha: 'abcdef0123456789abcdef0123456789abcdef01', refName: 'main', workspace: '/work/repo' };
const read = (values: Record<string, string>, env: NodeJS.ProcessEnv = {}, masker?: Masker) =>
  readDeploySettings(new Inputs(mapInputSource({ 'vercel-token': 'tok_123456', 'vercel-project-id': 'prj_1', ...values }), masker), ctx, env);
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
};

test('defaults: git mode, preview, the workflow sha and ref, .vercel/output under the workspace, 30m, api.vercel.com', () => {
  const s = read({});
  expect(s).toMatchObject({
    mode: 'git',
    target: 'preview',
    gitSha: ctx.sha,
    gitRef: 'main',
    prebuiltDir: '/work/repo/.vercel/output',
    staged: false,
    timeoutMs: 30 * 60_000,
    githubDeployment: true,
    apiUrl: 'https://api.vercel.com',
    env: {},
    aliases: [],
  });
});

test('a pull request deploys its head branch (GITHUB_HEAD_REF), not <n>/merge', () => {
  expect(read({}, { GITHUB_HEAD_REF: 'feature/x' }).gitRef).toBe('feature/x');
});

test('the token is masked as soon as it is read', () => {
  const masker = new Masker();
  read({}, {}, masker);
  expect(masker.redact('Bearer tok_123456')).toBe('Bearer ***');
});

test.each([
  [{ 'vercel-token': '' }, /^Input 'vercel-token' got nothing; expected a Vercel access token\.$/],
  [{ mode: 'ftp' }, /^Input 'mode' got "ftp"; expected one of git\|prebuilt\|promote\|rollback\.$/],
  [{ 'git-sha': 'abc' }, /^Input 'git-sha' got "abc"; expected a full 40-character commit sha/],
  [{ staged: 'true' }, /^Input 'staged' got "true"; expected false unless target is production/],
  [{ target: 'production', staged: 'true', alias: 'www.example.com' }, /^Input 'alias' got "www\.example\.com"; expected no aliases when staged is true/],
  [{ env: 'GIT_SHA=1' }, /^Input 'env' got "GIT_SHA"; expected KEY=VALUE lines without GIT_SHA or BUILD_TIMESTAMP/],
  [{ env: 'not a pair' }, /^Input 'env' got "not a pair"; expected KEY=VALUE lines/],
  [{ mode: 'promote' }, /^Input 'deployment-id' got nothing; expected the deployment to promote/],
  [{ 'deployment-id': 'https://x.vercel.app' }, /^Input 'deployment-id' got "https:\/\/x\.vercel\.app"; expected a Vercel deployment id/],
  [{ timeout: 'soon' }, /^Input 'timeout' got "soon"; expected a duration/],
  [{ 'vercel-api-url': 'ftp://x' }, /^Input 'vercel-api-url' got "ftp:\/\/x"; expected a URL/],
  [{ target: 'prod env' }, /^Input 'target' got "prod env"; expected production, preview or the slug of a custom environment\.$/],
])('bad input %j → one line naming the input', (values, message) => {
  expect(errorOf(() => read(values as Record<string, string>))).toMatch(message);
});

test('env lines keep "=" in values; alias lines are kept as templates', () => {
  const s = read({ env: 'A=1\nURL=https://x/?a=b&c=d\n# comment', alias: '{branch}.example.com\nwww.example.com' });
  expect(s.env).toEqual({ A: '1', URL: 'https://x/?a=b&c=d' });
  expect(s.aliases).toEqual(['{branch}.example.com', 'www.example.com']);
});

test('alias templates: {branch} becomes a DNS label, {sha7}, {pr} only with a pull request', () => {
  expect(dnsLabel('Feature/ÜBER_cool--stuff/')).toBe('feature-ber-cool-stuff');
  expect(dnsLabel('x'.repeat(80))).toHaveLength(63);
  expect(expandAlias('pr-{pr}-{branch}-{sha7}.example.com', { branch: 'dependabot/npm/x', pr: 42, sha: ctx.sha })).toBe('pr-42-dependabot-npm-x-abcdef0.example.com');
  expect(() => expandAlias('pr-{pr}.example.com', { branch: 'main', sha: ctx.sha })).toThrow("Input 'alias' got \"pr-{pr}.example.com\"; expected {pr} only in runs triggered by a pull request.");
});
