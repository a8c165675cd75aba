// JS-friendly access to the test harness's throwaway PostgreSQL (test/support/postgres.ts): transpiled on the fly
// with TypeScript's transpileModule into a temporary module in bench/, so it resolves `pg` from this repository.
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function loadHarness() {
  const src = join(root, 'test', 'support', 'postgres.ts');
  const out = join(root, 'bench', `.postgres-harness-${process.pid}.mjs`);
  const { outputText } = ts.transpileModule(readFileSync(src, 'utf8'), {
    fileName: src,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  writeFileSync(out, outputText);
  try {
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(out, { force: true });
  }
}
