#!/usr/bin/env node
// Fails when dist/ differs from a fresh build. Uses `git status --porcelain` so new untracked files count too.
import { execFileSync } from 'node:child_process';

const status = execFileSync('git', ['status', '--porcelain', '--', 'dist/'], { encoding: 'utf8' });
if (status.trim()) {
  console.error('check-dist: dist/ does not match the sources; run `npm run build` and commit dist/:');
  console.error(status.trimEnd());
  process.exit(1);
}
console.log('check-dist: dist/ matches the sources');
