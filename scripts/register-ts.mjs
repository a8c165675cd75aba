// Lets plain `node` run the project's TypeScript scripts (demo, benchmarks) and the test support modules
// they share with the tests: `node --import ./scripts/register-ts.mjs scripts/demo.ts`.
import { register } from 'node:module';

register('./ts-hooks.mjs', import.meta.url);
