import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Cast, measureCodeShape } from '../scripts/code-shape';

/** Where each finding is, one per line, so a failure says what to change. */
const where = (casts: Cast[]): string => casts.map((cast) => `${cast.file}:${cast.line}  ${cast.text}`).join('\n');

// apps/ and libs/ in shape (DEVELOPERS.md, Code), the browser pages' JavaScript (apps/gateway/web) with them.
describe('the shape of apps and libs', () => {
  const shape = measureCodeShape();

  it('holds no source file over 300 lines', () => {
    expect(shape.longFiles).toEqual([]);
  });

  it('writes no `any`', () => {
    expect(where(shape.anys)).toBe('');
  });

  it('reads event data through the typed event map, never by casting `.data`', () => {
    expect(where(shape.dataCasts)).toBe('');
  });

  it('keeps casts (narrowing a caught error aside) to 26 at most in all', () => {
    if (shape.casts.length > 26) throw new Error(`${shape.casts.length} casts:\n${where(shape.casts)}`);
  });

  it('has no import cycle', () => {
    expect(shape.cycles).toEqual([]);
  });

  // libs/workflow/index.ts: conditions <- definition <- runtime, modeler; reporting apart.
  it('has no import cycle between the rooms of libs/workflow', () => {
    expect(shape.folderCycles.filter((cycle) => cycle.some((folder) => folder.startsWith('libs/workflow')))).toEqual(
      [],
    );
  });
});

/**
 * The whole tree: every folder of TypeScript the product, its tools and its tests are written in
 * (a folder of browser code joins it once the measure reads it). apps/ and libs/ are held above;
 * each folder below to what it holds now, until the whole tree is held to the limits of apps/ and
 * libs/ (no file over 300 lines, no `any`, casts only where nothing can check the type).
 */
const WHOLE_TREE = ['apps', 'libs', 'cli', 'bench', 'scripts', 'test'];

/** Per folder (a file counts in the longest one that holds it): the most long files, `any`, `.data` casts and casts. */
const HELD: Record<string, { longFiles: number; anys: number; dataCasts: number; casts: number }> = {
  cli: { longFiles: 0, anys: 0, dataCasts: 0, casts: 2 },
  bench: { longFiles: 0, anys: 0, dataCasts: 0, casts: 0 },
  scripts: { longFiles: 0, anys: 0, dataCasts: 0, casts: 0 },
  'test/faults': { longFiles: 0, anys: 0, dataCasts: 0, casts: 1 },
  test: { longFiles: 5, anys: 0, dataCasts: 0, casts: 1 },
  apps: { longFiles: 0, anys: 0, dataCasts: 0, casts: 9 },
  libs: { longFiles: 0, anys: 0, dataCasts: 0, casts: 17 },
};

describe('the shape of the whole tree', () => {
  const shape = measureCodeShape({ folders: WHOLE_TREE });
  const folderOf = (file: string) =>
    Object.keys(HELD)
      .filter((folder) => file.startsWith(`${folder}/`))
      .sort((x, y) => y.length - x.length)[0];

  it.each(Object.keys(HELD))('holds %s to its long files, `any`, `.data` casts and casts', (folder) => {
    const found = {
      longFiles: shape.longFiles.filter((f) => folderOf(f.file) === folder),
      anys: shape.anys.filter((f) => folderOf(f.file) === folder),
      dataCasts: shape.dataCasts.filter((f) => folderOf(f.file) === folder),
      casts: shape.casts.filter((f) => folderOf(f.file) === folder),
    };
    const over = (['longFiles', 'anys', 'dataCasts', 'casts'] as const).filter(
      (k) => found[k].length > HELD[folder][k],
    );
    const listed = (k: (typeof over)[number]) =>
      found[k].map((f) => ('lines' in f ? `${f.file}  ${f.lines} lines` : `${f.file}:${f.line}  ${f.text}`)).join('\n');
    if (over.length)
      throw new Error(
        over.map((k) => `${folder}: ${found[k].length} ${k} (at most ${HELD[folder][k]}):\n${listed(k)}`).join('\n\n'),
      );
  });

  it('has no import cycle', () => {
    expect(shape.cycles).toEqual([]);
  });
});

describe('the measure', () => {
  let root: string;
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'code-shape-'));
    write(
      'libs/a/a.ts',
      [
        "import { b } from './b';",
        'export const a = (x: any) => b(x) as string;',
        'export const read = (event: { data: unknown }) => event.data as { id: string };',
        'export const fixed = [1, 2] as const;',
        'export function safe(run: () => void) {',
        '  try { run(); } catch (error) { return (error as Error).message; }',
        '}',
        'export const old = <number>(<unknown>1);',
      ].join('\n'),
    );
    write('libs/a/b.ts', "import { a } from './a';\nexport const b = (x: unknown) => (a ? x : x);\n");
    write('libs/a/index.ts', "export * from './a';\n");
    write('apps/x/x.ts', "import { a } from '../../libs/a';\nexport const x = a;\n".repeat(3));
    write(
      'apps/web/page.js',
      [
        "import { part } from './part.js';",
        '/** @param {any} x */',
        'export const show = (x) => part(/** @type {string} */ (x));',
        '/** @type {*} */',
        'export const loose = 1;',
        'export const later = () => import("./part.js");',
      ].join('\n'),
    );
    write(
      'apps/web/part.js',
      "/** @param {string} s */\nexport const part = (s) => s;\nexport const back = () => import('./page.js');\n",
    );
    write('libs/r/one/one.ts', "import { two } from '../two/two';\nexport const one = 1;\nexport const both = two;\n");
    write('libs/r/two/two.ts', 'export const two = 2;\n');
    write('libs/r/two/late.ts', "import { one } from '../one/one';\nexport const late = one;\n");
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('counts any, casts of .data, catch narrowing and other casts apart, and as const not at all', () => {
    const shape = measureCodeShape({ root, folders: ['libs'] });
    expect(shape.anys.map((found) => `${found.file}:${found.line}`)).toEqual(['libs/a/a.ts:2']);
    expect(shape.dataCasts.map((found) => found.line)).toEqual([3]);
    expect(shape.catchCasts.map((found) => found.line)).toEqual([6]);
    expect(shape.casts.map((found) => found.line)).toEqual([2, 8, 8]);
  });

  it("reads a browser module's JSDoc: `{any}` and `{*}` are any, a `@type` cast is a cast", () => {
    const shape = measureCodeShape({ root, folders: ['apps/web'] });
    expect(shape.anys.map((found) => `${found.file}:${found.line}`)).toEqual([
      'apps/web/page.js:2',
      'apps/web/page.js:4',
    ]);
    expect(shape.casts.map((found) => `${found.file}:${found.line}`)).toEqual(['apps/web/page.js:3']);
  });

  it('finds an import cycle (a dynamic import in one), one between folders and files over the limit', () => {
    const shape = measureCodeShape({ root, maxLines: 5 });
    expect(shape.cycles).toEqual([
      ['apps/web/page.js', 'apps/web/part.js'],
      ['libs/a/a.ts', 'libs/a/b.ts'],
    ]);
    expect(shape.folderCycles).toEqual([['libs/r/one', 'libs/r/two']]);
    expect(shape.longFiles).toEqual([
      { file: 'apps/web/page.js', lines: 6 },
      { file: 'apps/x/x.ts', lines: 6 },
      { file: 'libs/a/a.ts', lines: 8 },
    ]);
  });
});
