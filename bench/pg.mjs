// JS-friendly access to the test harness's throwaway PostgreSQL (test/support/postgres.ts): transpiled on the fly
// with @swc/core into a temporary module next to it, so it resolves `pg` from this repository.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import swc from '@swc/core';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function loadHarness() {
  const src = join(root, 'test', 'support', 'postgres.ts');
  const out = join(root, 'bench', `.postgres-harness-${process.pid}.mjs`);
  const { code } = await swc.transform(readFileSync(src, 'utf8'), {
    filename: src,
    jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
    module: { type: 'es6' },
  });
  writeFileSync(out, code);
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}
