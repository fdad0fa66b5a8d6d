#!/usr/bin/env node
// The type-checks and ESLint on the TypeScript programs they share: `tsc --noEmit -p tsconfig.json`,
// `tsc -p tsconfig.browser.json` (the browser pages' JavaScript with its JSDoc types) and
// `eslint --max-warnings 0` over the lint's files (LINTED, as `npm run lint` names them), with
// eslint.config.mjs's rules, given the programs the type-checks built instead of building its own
// (typescript-eslint's `parserOptions.programs`). What each finds is what the commands find; each
// program is built once, and the type-aware rules read the types the type-checks resolved.
// `npm test` runs it beside jest (scripts/test.js). Prints `type-check: ok (N s)` per program and
// `eslint: ok (N s)`, or what each found; exits 1 when any found anything.
const { join } = require('node:path');
const ts = require('typescript');
const { ESLint } = require('eslint');

const root = join(__dirname, '..');
/** The files `npm run lint` lints (package.json). */
const LINTED = [
  'apps/**/*.ts',
  'libs/**/*.ts',
  'cli/**/*.ts',
  'bench/**/*.ts',
  'test/**/*.ts',
  'scripts/**/*.ts',
  'apps/gateway/web/**/*.js',
];
/** The TypeScript projects: the service code and its tests, and the browser pages. */
const PROJECTS = ['tsconfig.json', 'tsconfig.browser.json'];

const seconds = (since) => ((Date.now() - since) / 1000).toFixed(0);

/** A project's program, and what `tsc --noEmit -p <project>` says of it (formatted as tsc prints it). */
function typeCheck(project) {
  const host = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const parsed = ts.getParsedCommandLineOfConfigFile(join(root, project), { noEmit: true }, host);
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
  let errors = 0;
  const programs = PROJECTS.map((project) => {
    const started = Date.now();
    const checked = typeCheck(project);
    errors += checked.errors;
    if (checked.errors === 0) process.stdout.write(`type-check ${project}: ok (${seconds(started)} s)\n`);
    else process.stdout.write(`type-check ${project}: FAILED (${checked.errors} errors)\n${checked.text}\n`);
    return checked.program;
  });

  const started = Date.now();
  const eslint = new ESLint({
    cwd: root,
    overrideConfig: { languageOptions: { parserOptions: { projectService: false, programs } } },
  });
  const results = await eslint.lintFiles(LINTED);
  const problems = results.reduce((n, r) => n + r.errorCount + r.warningCount, 0);
  if (problems === 0) process.stdout.write(`eslint: ok (${results.length} files, ${seconds(started)} s)\n`);
  else {
    const formatter = await eslint.loadFormatter('stylish');
    process.stdout.write(`eslint: FAILED (${problems} problems, --max-warnings 0)\n`);
    process.stdout.write(await formatter.format(results));
  }
  process.exit(errors === 0 && problems === 0 ? 0 : 1);
}

main().catch((error) => {
  process.stdout.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
