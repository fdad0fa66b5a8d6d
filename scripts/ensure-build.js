#!/usr/bin/env node
// Builds dist/ when it is missing or older than any source file, so `npm start`, `npm run verify`
// and the benchmarks always run the code in the tree.
const { execFileSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const sources = [
  'apps',
  'libs',
  'cli',
  'bench',
  'nest-cli.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'package-lock.json',
];

// Written by the benchmarks, not sources: a new result must not make the build stale.
const ignored = new Set([join(root, 'bench', 'results')]);

function newest(path) {
  if (!existsSync(path) || ignored.has(path)) return 0;
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), s.mtimeMs);
}

const built = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
const changed = Math.max(...sources.map((s) => newest(join(root, s))));
if (built >= changed && process.argv[2] !== '--force') process.exit(0);
process.stderr.write('workgate: building dist/ …\n');
execFileSync(process.execPath, [require.resolve('@nestjs/cli/bin/nest.js'), 'build', 'workgate'], {
  cwd: root,
  stdio: 'inherit',
});
writeFileSync(stamp, new Date().toISOString());
