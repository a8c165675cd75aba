#!/usr/bin/env node
// Bundles each stage with @vercel/ncc into dist/<stage>/index.js (ESM, source map, licenses).
// Usage: node scripts/build.mjs [stage ...]   (default: all six, two at a time)
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const STAGES = ['preflight', 'backup', 'migrate', 'deploy', 'verify', 'notify'];
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
for (const s of wanted) if (!STAGES.includes(s)) {
  console.error(`build: unknown stage "${s}"; expected one of ${STAGES.join(', ')}`);
  process.exit(1);
}
const stages = wanted.length ? wanted : STAGES;
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

// Files a bundle loads at run time that ncc cannot see (e.g. libpg-query's WebAssembly).
const ASSETS = {
  preflight: [['node_modules/libpg-query/wasm/libpg-query.wasm', 'libpg-query.wasm']],
  migrate: [['node_modules/libpg-query/wasm/libpg-query.wasm', 'libpg-query.wasm']],
};

function build(stage) {
  return new Promise((resolve, reject) => {
    // Build beside the old bundle and swap, so a test running meanwhile never finds the folder missing.
    const out = join(root, 'dist', stage);
    const tmp = join(root, 'dist', `.${stage}.tmp`);
    rmSync(tmp, { recursive: true, force: true });
    const child = spawn(process.execPath, [ncc, 'build', `src/${stage}/index.ts`, '-o', tmp, '--source-map', '--license', 'licenses.txt', '--quiet', '--transpile-only', '--target', 'es2022'], { cwd: root, stdio: 'inherit' });
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ncc failed for ${stage} (exit ${code})`));
      for (const [from, to] of ASSETS[stage] ?? []) {
        if (existsSync(join(root, from))) copyFileSync(join(root, from), join(tmp, to));
      }
      rmSync(out, { recursive: true, force: true });
      renameSync(tmp, out);
      resolve();
    });
  });
}

mkdirSync(join(root, 'dist'), { recursive: true });
writeFileSync(join(root, 'dist', 'package.json'), JSON.stringify({ type: 'module' }, null, 2) + '\n');
const queue = [...stages];
const started = Date.now();
await Promise.all(
  [0, 1].map(async () => {
    while (queue.length) {
      const s = queue.shift();
      await build(s);
      console.log(`built dist/${s} (${readdirSync(join(root, 'dist', s)).join(', ')})`);
    }
  }),
).catch((err) => {
  console.error(err.message);
  process.exit(1);
});
console.log(`build: ${stages.length} bundle(s) in ${((Date.now() - started) / 1000).toFixed(1)}s`);
