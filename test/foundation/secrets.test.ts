import { Masker, redactUrl, secretForms, strictEncode, urlSecretForms } from '../../src/lib/secrets.js';
import { CoreLogger, type CoreLike } from '../../src/lib/logger.js';

const PASSWORD = "p!'()*@:/%w0rd";
const URL_ = `postgres://app:${encodeURIComponent(PASSWORD)}@db.example.com:5432/shop?sslmode=require`;

/** A fake @actions/core that records what would reach the log. */
function recordingCore(): CoreLike & { lines: string[]; masks: string[] } {
  const lines: string[] = [];
  const masks: string[] = [];
  const rec = (kind: string) => (m: string, props?: { title?: string }) => lines.push(`${kind}:${props?.title ?? ''}:${m}`);
  return {
    lines,
    masks,
    info: rec('info'),
    debug: rec('debug'),
    notice: rec('notice'),
    warning: rec('warning'),
    error: rec('error'),
    startGroup: rec('group'),
    endGroup: () => {},
    setSecret: (s) => masks.push(s),
    setOutput: (n, v) => lines.push(`output:${n}=${String(v)}`),
    setFailed: rec('failed'),
    getInput: () => '',
    isDebug: () => false,
    summary: { addRaw: (t: string) => ({ write: async () => lines.push(`summary:${t}`) }) },
  };
}

describe('secret masking', () => {
  test('a password with !\'()*@:/% is masked raw, URL-encoded (both styles) and decoded', () => {
    const forms = urlSecretForms(URL_);
    expect(forms).toEqual(expect.arrayContaining([PASSWORD, encodeURIComponent(PASSWORD), strictEncode(PASSWORD), URL_, `app:${encodeURIComponent(PASSWORD)}`]));
    expect(encodeURIComponent(PASSWORD)).not.toBe(strictEncode(PASSWORD)); // JS leaves !'()* alone, RFC 3986 does not
  });

  test('no log line carries the password in any form, whatever the stage logs', async () => {
    const core = recordingCore();
    const masker = new Masker((s) => core.setSecret(s));
    masker.addUrl(URL_);
    const log = new CoreLogger(core, masker);
    const b64 = Buffer.from(PASSWORD).toString('base64');
    const attempts = [
      `connecting to ${URL_}`,
      `raw ${PASSWORD}`,
      `encoded ${encodeURIComponent(PASSWORD)} and ${strictEncode(PASSWORD)} and ${strictEncode(PASSWORD).toLowerCase()}`,
      `decoded ${decodeURIComponent(encodeURIComponent(PASSWORD))}`,
      `base64 ${b64}`,
      `json ${JSON.stringify({ password: PASSWORD })}`,
    ];
    for (const a of attempts) log.info(a);
    log.error(`failed for ${URL_}`, { file: 'db/migrations/1.sql', startLine: 3, title: `at ${PASSWORD}` });
    await log.group(`group ${PASSWORD}`, async () => log.warning(PASSWORD));
    expect(core.lines.length).toBe(attempts.length + 3);
    const all = core.lines.join('\n');
    for (const form of [PASSWORD, encodeURIComponent(PASSWORD), strictEncode(PASSWORD), b64, URL_]) expect(all).not.toContain(form);
    expect(all).toContain('connecting to ***');
    // The runner is told about every form too.
    expect(core.masks).toEqual(expect.arrayContaining([PASSWORD, encodeURIComponent(PASSWORD), strictEncode(PASSWORD)]));
  });

  test('redactUrl keeps what helps debugging and hides the password and secret query values', () => {
    expect(redactUrl(URL_)).toBe('postgres://app:***@db.example.com:5432/shop?sslmode=require');
    expect(redactUrl('postgres://app@h/db')).toBe('postgres://app@h/db');
    expect(redactUrl('mongodb+srv://u:pw@cluster0.x.mongodb.net/app?retryWrites=true')).toBe('mongodb+srv://u:***@cluster0.x.mongodb.net/app?retryWrites=true');
    expect(redactUrl('https://h/x?token=abc&x=1')).toBe('https://h/x?token=***&x=1');
    expect(redactUrl('not a url with secret')).toBe('***');
    // An unencoded '@' in the password: the last '@' ends the userinfo.
    expect(redactUrl('postgres://u:p@ss@h:5432/db')).toBe('postgres://u:***@h:5432/db');
  });

  test('tokens and webhook URLs are masked whole and by their secret path', () => {
    const m = new Masker();
    m.add('https://hooks.slack.com/services/T000/B000/XXXXSECRET');
    expect(m.redact('posting to https://hooks.slack.com/services/T000/B000/XXXXSECRET')).toBe('posting to ***');
    expect(m.redact('path /services/T000/B000/XXXXSECRET')).toBe('path ***');
    expect(m.leaks('nothing here')).toBe(false);
    expect(m.leaks('x /services/T000/B000/XXXXSECRET')).toBe(true);
  });

  test('very short values are not registered (they would scrub ordinary text)', () => {
    expect(secretForms('ab')).toEqual([]);
  });
});
