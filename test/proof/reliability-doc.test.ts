/** docs/reliability.md is generated from the proof suites' case tables and must be current. */
import { readFileSync } from 'node:fs';
import { reliabilityDoc } from '../../scripts/reliability-doc.js';

test('docs/reliability.md lists exactly the cases the proof suites run', () => {
  expect(readFileSync('docs/reliability.md', 'utf8')).toBe(reliabilityDoc());
});
