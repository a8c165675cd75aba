/** The fault suite: each case's exit code, message, and that nothing was lost. */
import { FAULT_CASES, messageOf } from './faults.cases.js';

describe('faults', () => {
  test.each(FAULT_CASES.map((c) => [`${c.stage}: ${c.fault}`, c] as const))('%s', async (_t, c) => {
    const { result, lost } = await c.run();
    expect({ code: result.code, lost, message: messageOf(result) }).toEqual({ code: c.code, lost: [], message: expect.stringMatching(c.message) });
  }, 120_000);
});
