/**
 * Writes docs/reliability.md from the proof suites' own case tables (test/proof/*.cases.ts), so the document
 * lists exactly what the tests run. `npm run docs:reliability`; a test fails when the file is out of date.
 */
import { writeFileSync } from 'node:fs';
import { BAD_INPUT_CASES } from '../test/proof/bad-input.cases.js';
import { FAULT_CASES } from '../test/proof/faults.cases.js';
import { LEAK_PLACES, LEAK_SECRETS } from '../test/proof/secret-leaks.cases.js';

export function reliabilityDoc(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [
    '# Reliability',
    '',
    'Generated from the test tables in `test/proof/` by `npm run docs:reliability`; `npm test` fails when this file is out of date.',
    'Every case runs a built stage bundle (`dist/<stage>/index.js`) the way the GitHub runner does, against a real PostgreSQL, a real S3 (s3rver) and loopback stand-ins.',
    '',
    `## Faults (${FAULT_CASES.length} cases, \`test/proof/faults.test.ts\`)`,
    '',
    'Each case asserts the exit code, the message, and that nothing was lost (schema, ledger and locks as before; no partial object; nothing promoted).',
    '',
    '| stage | fault | expected | exit |',
    '| --- | --- | --- | --- |',
    ...FAULT_CASES.map((c) => `| ${c.stage} | ${esc(c.fault)} | ${esc(c.expect)} | ${c.code} |`),
    '',
    `## Bad input (${BAD_INPUT_CASES.length} cases, \`test/proof/bad-input.test.ts\`)`,
    '',
    'Each case exits 1 within 2 s with one error line naming the input, and changes nothing (database schema and bucket compared before and after).',
    '',
    '| stage | input | malformed value |',
    '| --- | --- | --- |',
    ...BAD_INPUT_CASES.map((c) => `| ${c.stage} | \`${c.input}\` | ${esc(c.what)} |`),
    '',
    '## Secret leaks (`test/proof/secret-leaks.test.ts`)',
    '',
    'Every stage runs with sentinel secrets (deploy.yml end to end, plus the PR comment, GitHub deployment and Slack API paths). Zero occurrences are allowed in raw, URL-encoded (JavaScript and RFC 3986 styles) or base64 form.',
    '',
    '| sentinel | stages it reaches |',
    '| --- | --- |',
    ...LEAK_SECRETS.map((s) => `| ${esc(s.secret)} | ${esc(s.reaches)} |`),
    '',
    'Places scanned:',
    '',
    ...LEAK_PLACES.map((p) => `- ${p}`),
    '',
  ];
  return lines.join('\n');
}

if (process.argv[1]?.endsWith('reliability-doc.ts')) {
  writeFileSync('docs/reliability.md', reliabilityDoc());
  process.stdout.write('wrote docs/reliability.md\n');
}
