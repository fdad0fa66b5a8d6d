#!/usr/bin/env node
// `npm test`: the type-checks, the lint and jest (unit, integration, e2e) at once, on every core.
// The type-checks (the service code; the browser pages' JavaScript with its JSDoc types) and ESLint
// share their TypeScript programs (scripts/check.js); Prettier's check runs beside them. jest writes to the terminal as it goes; the checks are kept until they finish, then
// each says `ok` with its time, or prints what it found. The exit code is non-zero when any of them
// failed. Arguments go to jest (`npm test -- test/health.e2e-spec.ts`).
const { spawn } = require('node:child_process');
const { join } = require('node:path');

const root = join(__dirname, '..');
const bin = (name) => join(root, 'node_modules', '.bin', name);

/** Runs `command` with its output kept (`quiet`) or passed through; resolves with its exit code and output. */
function run(name, command, args, quiet) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit' });
    let output = '';
    if (quiet) {
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
    }
    child.on('error', (error) => resolve({ name, code: 1, output: `${error.message}\n`, seconds: 0 }));
    child.on('close', (code, signal) =>
      resolve({ name, code: code ?? (signal ? 1 : 0), output, seconds: (Date.now() - started) / 1000 }),
    );
  });
}

/** Says how a kept check ended: `ok` with its time (and its own verdict lines), or what it printed. */
function report({ name, code, output, seconds }) {
  if (code === 0) process.stdout.write(`${name}: ok (${seconds.toFixed(0)} s)\n${output}`);
  else process.stdout.write(`\n${name}: FAILED (exit ${code}, ${seconds.toFixed(0)} s)\n${output}\n`);
  return code === 0;
}

async function main() {
  const names = ['type-checks and eslint', 'prettier'];
  const checks = [
    run(names[0], process.execPath, [join(root, 'scripts', 'check.js')], true).then(report),
    // Its cache (node_modules/.cache/prettier) skips the files whose content it has seen formatted.
    run(
      names[1],
      bin('prettier'),
      ['--check', '--cache', '--cache-strategy', 'content', '--log-level', 'warn', '.'],
      true,
    ).then(report),
  ];
  const jest = await run('jest', bin('jest'), process.argv.slice(2), false);
  const passed = await Promise.all(checks);
  const failed = [...(jest.code === 0 ? [] : ['jest']), ...names.filter((_, i) => !passed[i])];
  process.stdout.write(
    failed.length === 0
      ? `npm test: type-check, lint and jest passed (${jest.seconds.toFixed(0)} s of jest)\n`
      : `npm test: FAILED: ${failed.join(', ')}\n`,
  );
  process.exit(failed.length === 0 ? 0 : 1);
}

void main();
