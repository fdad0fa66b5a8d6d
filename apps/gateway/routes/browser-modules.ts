import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { isPlainObject } from '@workgate/contracts';
import { JS } from './static-page';

/**
 * The packages the console imports by name in the browser (the workflow designer's editor,
 * CodeMirror 6, and `yaml`), each with what it imports in turn. They are served from
 * node_modules as the ES modules they ship, at `/modules/<name>@<version>/<file>`, and an import
 * map in the page resolves the names: no bundler, no build step.
 */
export const BROWSER_PACKAGES = [
  '@codemirror/state',
  '@codemirror/view',
  '@codemirror/commands',
  '@codemirror/language',
  '@codemirror/lang-yaml',
  '@codemirror/lint',
  '@codemirror/streamparser',
  '@lezer/common',
  '@lezer/highlight',
  '@lezer/lr',
  '@lezer/yaml',
  '@marijn/find-cluster-break',
  'style-mod',
  'w3c-keyname',
  'crelt',
  'yaml',
] as const;

export interface BrowserModules {
  /** The import map the page carries: each package name → the URL of its ES module entry. */
  importMap: { imports: Record<string, string> };
  /** `<name>@<version>/<file>` → [path on disk, content type], as StaticPage takes them. */
  files: Record<string, [string, string]>;
}

/** The folder of an installed package: the nearest package.json above its resolved entry that names it. */
function packageRoot(name: string): string {
  let dir = dirname(require.resolve(name));
  for (;;) {
    const manifest = readManifest(dir);
    if (manifest?.name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`${name}: no package.json of that name above ${require.resolve(name)}`);
    dir = up;
  }
}

function readManifest(dir: string): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    return isPlainObject(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The package's ES module entry for a browser: `exports['.']` (browser, import or default), else `module`. */
export function browserEntry(manifest: Record<string, unknown>): string | undefined {
  const { exports } = manifest;
  // `exports` is the entry, its conditions, or a map of subpaths whose `.` is the entry.
  const subpaths = isPlainObject(exports) && Object.keys(exports).some((k) => k.startsWith('.'));
  const exported = subpaths ? exports['.'] : exports;
  if (typeof exported === 'string') return exported;
  if (isPlainObject(exported))
    for (const condition of ['browser', 'import', 'default']) {
      const target = exported[condition];
      if (typeof target === 'string') return target;
    }
  return typeof manifest.module === 'string' ? manifest.module : undefined;
}

/** Every `.js` file under `dir` (its own node_modules left out), relative to `root` with `/` separators. */
function scripts(dir: string, root: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return scripts(path, root);
    return entry.name.endsWith('.js') ? [relative(root, path).split(sep).join('/')] : [];
  });
}

/**
 * The browser modules of `packages`: for each, the `.js` files of the folder its entry is in (a
 * package split into modules, like `yaml`'s browser build, is served whole), and the import map.
 */
export function browserModules(packages: readonly string[] = BROWSER_PACKAGES): BrowserModules {
  const imports: Record<string, string> = {};
  const files: Record<string, [string, string]> = {};
  for (const name of packages) {
    const root = packageRoot(name);
    const manifest = readManifest(root) ?? {};
    const entry = browserEntry(manifest);
    if (!entry) throw new Error(`${name} has no ES module entry`);
    const base = `${name}@${String(manifest.version)}`;
    const entryPath = posix.normalize(entry);
    for (const file of scripts(join(root, posix.dirname(entryPath)), root))
      files[`${base}/${file}`] = [join(root, file), JS];
    imports[name] = `/modules/${base}/${entryPath}`;
  }
  return { importMap: { imports }, files };
}

/** Where the console's page carries the import map: replaced by the server with the map itself. */
export const IMPORT_MAP_MARK = '<!-- import map -->';

/**
 * The page with its import map written in at IMPORT_MAP_MARK, and the CSP source that allows that
 * one inline script (`'sha256-…'`, the hash of its text): every other inline script stays refused.
 */
export function withImportMap(html: string, importMap: object): { html: string; scriptSource: string } {
  if (!html.includes(IMPORT_MAP_MARK)) throw new Error(`the page has no ${IMPORT_MAP_MARK}`);
  const json = JSON.stringify(importMap);
  const hash = createHash('sha256').update(json, 'utf8').digest('base64');
  return {
    html: html.replace(IMPORT_MAP_MARK, `<script type="importmap">${json}</script>`),
    scriptSource: `'sha256-${hash}'`,
  };
}
