#!/usr/bin/env node
// The type-check and ESLint on one TypeScript program: `tsc --noEmit -p tsconfig.json` and
// `eslint --max-warnings 0` over the lint's files (LINTED, as `npm run lint` names them), with
// eslint.config.mjs's rules, given the program the type-check built instead of building its own
// (typescript-eslint's `parserOptions.programs`). What each finds is what the two commands find;
// the program is built once, and the type-aware rules read the types the type-check resolved.
// `npm test` runs it beside jest (scripts/test.js). Prints `type-check: ok (N s)` and
// `eslint: ok (N s)`, or what each found; exits 1 when either found anything.
const { join } = require('node:path');
const ts = require('typescript');
const { ESLint } = require('eslint');

const root = join(__dirname, '..');
/** The files `npm run lint` lints (package.json). */
const LINTED = ['apps/**/*.ts', 'libs/**/*.ts', 'cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts', 'scripts/**/*.ts'];

const seconds = (since) => ((Date.now() - since) / 1000).toFixed(0);

/** tsconfig.json's program, and what `tsc --noEmit` says of it (formatted as tsc prints it). */
function typeCheck() {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, 'tsconfig.json'), { noEmit: true }, host);
  const program = ts.createProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    projectReferences: parsed.projectReferences,
    configFileParsingDiagnostics: parsed.errors,
    // Parent pointers, as typescript-eslint's own programs have them.
    host: ts.createCompilerHost(parsed.options, true),
  });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  const text = ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => root,
    getNewLine: () => '\n',
  });
  return { program, errors: diagnostics.length, text };
}

async function main() {
  process.chdir(root);
  let started = Date.now();
  const checked = typeCheck();
  if (checked.errors === 0) process.stdout.write(`type-check: ok (${seconds(started)} s)\n`);
  else process.stdout.write(`type-check: FAILED (${checked.errors} errors)\n${checked.text}\n`);

  started = Date.now();
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, programs: [checked.program] } } },
  });
  const results = await eslint.lintFiles(LINTED);
  const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
  if (problems === 0) process.stdout.write(`eslint: ok (${results.length} files, ${seconds(started)} s)\n`);
  else {
    const formatter = await eslint.loadFormatter('stylish');
    process.stdout.write(`eslint: FAILED (${problems} problems, --max-warnings 0)\n`);
    process.stdout.write(await formatter.format(results));
  }
  process.exit(checked.errors === 0 && problems === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stdout.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
