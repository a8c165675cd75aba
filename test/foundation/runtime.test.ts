/** The shared runtime: inputs, durations, retry with Retry-After, the stage runner, the process runner. */
import { Inputs, mapInputSource } from '../../src/lib/inputs.js';
import { Masker } from '../../src/lib/secrets.js';
import { parseDuration } from '../../src/lib/durations.js';
import { ManualClock } from '../../src/lib/clock.js';
import { RetryableError, parseRetryAfter, retry } from '../../src/lib/retry.js';
import { RecordingLogger } from '../../src/lib/logger.js';
import { NodeProcessRunner } from '../../src/lib/process.js';
import { runStage, type StageDefinition } from '../../src/lib/stage.js';
import { StageError } from '../../src/lib/errors.js';
import { Summary } from '../../src/lib/summary.js';

describe('inputs', () => {
  const inputs = (v: Record<string, string>, m?: Masker) => new Inputs(mapInputSource(v), m);

  test('each error is one line naming the input, what it got and what it expects', () => {
    const cases: [() => unknown, RegExp][] = [
      [() => inputs({}).string('database-url', { required: true }), /^Input 'database-url' got nothing; expected .*required/],
      [() => inputs({ mode: 'push' }).enum('mode', ['git', 'prebuilt']), /^Input 'mode' got "push"; expected one of git\|prebuilt\.$/],
      [() => inputs({ 'lock-timeout': '-5s' }).duration('lock-timeout', '5s'), /^Input 'lock-timeout' got "-5s"; expected a duration/],
      [() => inputs({ 'lock-timeout': '5 parsecs' }).duration('lock-timeout', '5s'), /^Input 'lock-timeout' got "5 parsecs"/],
      [() => inputs({ samples: '2.5' }).int('samples', { min: 1 }), /^Input 'samples' got "2.5"; expected an integer >= 1\.$/],
      [() => inputs({ samples: '0' }).int('samples', { min: 1 }), /^Input 'samples' got "0"; expected an integer >= 1\.$/],
      [() => inputs({ 'dry-run': 'maybe' }).bool('dry-run', false), /^Input 'dry-run' got "maybe"; expected true or false\.$/],
      [() => inputs({ 'max-error-rate': '1%' }).number('max-error-rate', { min: 0, max: 1 }), /^Input 'max-error-rate' got "1%"/],
      [() => inputs({ url: 'ftp://x' }).url('url', { protocols: ['https:', 'http:'] }), /^Input 'url' got "ftp:\/\/x"; expected a URL starting with https:\/\/ or http:\/\//],
    ];
    for (const [fn, re] of cases) {
      let message = '';
      try {
        fn();
      } catch (e) {
        message = (e as Error).message;
      }
      expect(message).toMatch(re);
      expect(message).not.toContain('\n');
    }
  });

  test('a malformed secret URL is shown redacted and registered with the masker first', () => {
    const m = new Masker();
    let message = '';
    try {
      inputs({ 'database-url': 'mysql://u:hunter2secret@h/db' }, m).url('database-url', { protocols: ['postgres:'], secret: true });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('mysql://u:***@h/db');
    expect(message).not.toContain('hunter2secret');
    expect(m.redact('x hunter2secret')).toBe('x ***');
  });

  test('durations', () => {
    expect(parseDuration('5s')).toBe(5000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('10')).toBe(10_000);
    expect(parseDuration('0')).toBe(0);
    expect(parseDuration('5 s')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});

describe('retry', () => {
  test('Retry-After in seconds and as an HTTP date', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000);
    expect(parseRetryAfter(new Date(60_000).toUTCString(), 0)).toBe(60_000);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });

  test('waits exactly what the server asked, then backs off exponentially, and gives up after the last attempt', async () => {
    const clock = new ManualClock();
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new RetryableError('busy', calls === 1 ? 12_000 : undefined);
        },
        { attempts: 4, baseMs: 1000, maxMs: 30_000, clock, random: () => 1 },
      ),
    ).rejects.toThrow('busy');
    expect(calls).toBe(4);
    expect(clock.sleeps).toEqual([12_000, 2000, 4000]);
  });

  test('does not retry errors that are not retryable', async () => {
    let calls = 0;
    await expect(retry(async () => { calls++; throw new Error('400'); }, { attempts: 5, clock: new ManualClock() })).rejects.toThrow('400');
    expect(calls).toBe(1);
  });
});

describe('process runner', () => {
  test('secrets travel in the environment, stderr comes back scrubbed, the logged command line too', async () => {
    const masker = new Masker();
    masker.add('s3cr3t-value');
    const log = new RecordingLogger();
    const runner = new NodeProcessRunner(log, masker);
    const r = await runner.run(process.execPath, ['-e', 'console.error("leak " + process.env.TOKEN); console.log(process.argv.length)', 'arg-s3cr3t-value'], {
      env: { ...process.env, TOKEN: 's3cr3t-value' },
    });
    expect(r.code).toBe(0);
    expect(r.stderr.trim()).toBe('leak ***');
    expect(log.text()).toContain('arg-***');
    expect(log.text()).not.toContain('s3cr3t-value');
  });

  test('stream mode hands stdout bytes to the caller and logs none of them', async () => {
    const log = new RecordingLogger();
    const runner = new NodeProcessRunner(log, new Masker());
    const p = runner.spawn(process.execPath, ['-e', 'process.stdout.write(Buffer.alloc(100000, 7))'], { stdout: 'stream' });
    let bytes = 0;
    p.stdout!.on('data', (c: Buffer) => (bytes += c.length));
    const r = await p.done;
    expect(r.code).toBe(0);
    expect(bytes).toBe(100000);
    expect(r.stdout).toBe('');
    expect(log.records.filter((x) => x.level === 'info')).toEqual([]);
  });
});

describe('runStage', () => {
  function fakeCore() {
    const calls: string[] = [];
    const core = {
      info: (m: string) => calls.push(`info ${m}`),
      debug: (m: string) => calls.push(`debug ${m}`),
      notice: (m: string) => calls.push(`notice ${m}`),
      warning: (m: string) => calls.push(`warning ${m}`),
      error: (m: string, p?: { file?: string; startLine?: number }) => calls.push(`error ${p?.file ?? ''}:${p?.startLine ?? ''} ${m}`),
      startGroup: (m: string) => calls.push(`group ${m}`),
      endGroup: () => {},
      setSecret: () => {},
      setOutput: (n: string, v: unknown) => calls.push(`output ${n}=${String(v)}`),
      setFailed: (m: string) => calls.push(`failed ${m}`),
      getInput: () => '',
      isDebug: () => false,
      summary: { addRaw: (t: string) => ({ write: async () => calls.push(`summary ${t.trim()}`) }) },
    };
    return { core, calls };
  }
  const def: StageDefinition<{ token?: string; fail: boolean }, 'count' | 'list'> = {
    name: 'demo',
    outputs: { count: 'item-count', list: 'items' },
    read: (i) => ({ token: i.secret('token'), fail: i.bool('fail', false) }),
    async run(s, services) {
      services.summary.heading('Demo').paragraph(`token ${s.token}`);
      if (s.fail) return { outputs: { count: 0 }, error: new StageError(`broke with ${s.token}\nsecond line`, { file: 'a.sql', startLine: 3 }) };
      return { outputs: { count: 2, list: ['a', 'b'] } };
    },
  };

  test('outputs are set in one place (objects as JSON), the summary written scrubbed', async () => {
    const { core, calls } = fakeCore();
    const prev = process.exitCode;
    const code = await runStage(def, core, { inputs: mapInputSource({ token: 'tok-123456' }) });
    process.exitCode = prev;
    expect(code).toBe(0);
    expect(calls).toContain('output item-count=2');
    expect(calls).toContain('output items=["a","b"]');
    expect(calls.find((c) => c.startsWith('summary'))).toContain('token ***');
  });

  test('a failure is one scrubbed line, annotated at its file and line, and still sets the outputs it has', async () => {
    const { core, calls } = fakeCore();
    const prev = process.exitCode;
    const code = await runStage(def, core, { inputs: mapInputSource({ token: 'tok-123456', fail: 'true' }) });
    process.exitCode = prev;
    expect(code).toBe(1);
    expect(calls).toContain('output item-count=0');
    expect(calls).toContain('error a.sql:3 demo: broke with *** second line');
    expect(calls).toContain('failed demo: broke with *** second line');
    expect(calls.join('\n')).not.toContain('tok-123456');
  });

  test('an input error stops before the logic runs', async () => {
    const { core, calls } = fakeCore();
    const prev = process.exitCode;
    const code = await runStage(def, core, { inputs: mapInputSource({ fail: 'sometimes' }) });
    process.exitCode = prev;
    expect(code).toBe(1);
    expect(calls).toEqual(["failed Input 'fail' got \"sometimes\"; expected true or false."]);
  });

  test('summary tables escape pipes and stay under the 1 MiB limit', () => {
    const s = new Summary().table(['a', 'b'], [['x|y', 1]]);
    expect(s.toString()).toContain('x\\|y');
    const big = new Summary();
    for (let i = 0; i < 30; i++) big.code('x'.repeat(50_000));
    expect(Buffer.byteLength(big.toString())).toBeLessThan(1024 * 1024);
  });
});
