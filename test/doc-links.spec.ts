import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/**
 * Every doc section the code, the tests and the docs cite exists (DEVELOPERS.md, Citing the docs):
 * a comment or a test title citing `docs/<file>.md, <Heading>` or `docs/<file>.md#<anchor>`, and a
 * Markdown link between the docs, names a file of the repository and a heading of that file. Only
 * comments and test titles are read in code: a path in a string is data (a tool's argument), not a
 * citation. Nothing cites a contract kept outside the repository.
 */
const ROOT = join(__dirname, '..');
const CODE_DIRS = ['apps', 'libs', 'test', 'cli', 'bench', 'scripts'];
const CODE = /\.(ts|js|mjs)$/;
const SKIP = new Set(['node_modules', 'dist', 'coverage']);
const DOCS = [
  'README.md',
  'DEVELOPERS.md',
  'ARCHITECTURE.md',
  ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`),
].filter((f) => f.endsWith('.md') && existsSync(join(ROOT, f)));
/** A contract outside the repository; built in pieces so this file does not name it. */
const OUTSIDE = new RegExp(['\\bSPEC(\\.md|\\s+sections?|\\s+§)?\\b', 'STYLE\\.md'].join('|'));
/** `docs/x.md`, `README.md`…, then `#anchor`, or `, "Heading"`, or `, Heading` up to where it ends. */
const CITATION =
  /(?<![\w/.-])(docs\/[\w.-]+\.md|README\.md|DEVELOPERS\.md|ARCHITECTURE\.md)(?:#([\w-]+)|,[ \t]*\n?[ \t]*(?:"([^"]+)"|([^\s"(),;:—.][^(),;:—\n]*?))(?=\s*(?:[(),;:—]|\.(?:\s|$)|\*\/|$)))?/gm;

interface Piece {
  file: string;
  line: number;
  text: string;
}

const walk = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return SKIP.has(entry.name) ? [] : walk(path);
    return CODE.test(entry.name) ? [path] : [];
  });

/** The comments (`//`, `/* *\/`, JSDoc) and test titles of a source file, each with its first line. */
export function commentsAndTitles(file: string, src: string): Piece[] {
  const pieces: Piece[] = [];
  let line = 1;
  let i = 0;
  let code = '';
  const take = (end: number): string => {
    const text = src.slice(i, end);
    line += text.split('\n').length - 1;
    i = end;
    return text;
  };
  const push = (text: string, at: number): void => {
    const last = pieces[pieces.length - 1];
    const lines = text.split('\n').map((l) => l.replace(/^\s*(\/\/+|\/?\*+\/?|\*)\s?/, '').replace(/\*\/\s*$/, ''));
    if (last && last.file === file && last.line + last.text.split('\n').length === at && text.startsWith('//')) {
      last.text += `\n${lines.join('\n')}`;
    } else pieces.push({ file, line: at, text: lines.join('\n') });
  };
  while (i < src.length) {
    const c = src[i];
    const next = src[i + 1];
    if (c === '/' && next === '/') {
      const end = src.indexOf('\n', i);
      const at = line;
      push(take(end < 0 ? src.length : end), at);
    } else if (c === '/' && next === '*') {
      const end = src.indexOf('*/', i + 2);
      const at = line;
      push(take(end < 0 ? src.length : end + 2), at);
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      let depth = 0;
      while (j < src.length && !(src[j] === c && depth === 0)) {
        if (src[j] === '\\') j++;
        else if (c === '`' && src[j] === '$' && src[j + 1] === '{') depth++;
        else if (c === '`' && src[j] === '}' && depth > 0) depth--;
        j++;
      }
      const at = line;
      const literal = take(j + 1);
      if (/\b(describe|it|test)(\.\w+)?\(\s*$/.test(code)) pieces.push({ file, line: at, text: literal.slice(1, -1) });
      code = '';
    } else if (c === '/' && /(^|[(,=:[!&|?{};+\-*%<>~^]|\breturn)\s*$/.test(code)) {
      let j = i + 1;
      let inClass = false;
      while (j < src.length && src[j] !== '\n' && (src[j] !== '/' || inClass)) {
        if (src[j] === '\\') j++;
        else if (src[j] === '[') inClass = true;
        else if (src[j] === ']') inClass = false;
        j++;
      }
      take(j + 1);
      code = 'x';
    } else {
      code = (code + take(i + 1)).slice(-60);
    }
  }
  return pieces;
}

/** The headings of a Markdown file outside code fences, each also without its number (`3. The console`). */
const headingsOf = (file: string): string[] => {
  let fenced = false;
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .flatMap((l) => {
      if (/^\s*(```|~~~)/.test(l)) fenced = !fenced;
      const m = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(l);
      return m ? [m[1], m[1].replace(/^\d+\.\s+/, '')] : [];
    });
};
/** The anchor GitHub gives a heading. */
const anchor = (heading: string): string =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const norm = (text: string): string => text.replace(/\s+/g, ' ').trim().toLowerCase();

/**
 * What is wrong with the citation of `target` (a repository path) and its section, or null. A cited
 * heading matches a heading of the file that equals it or starts with it up to a word's end.
 */
function problem(target: string, hash?: string, heading?: string): string | null {
  if (!existsSync(join(ROOT, target))) return `${target} does not exist`;
  if (!target.endsWith('.md')) return null;
  const headings = headingsOf(target);
  if (hash && !headings.some((h) => anchor(h) === hash)) return `${target} has no heading with anchor #${hash}`;
  if (heading) {
    const cited = norm(heading);
    const found = headings.some((h) => {
      const text = norm(h);
      return text === cited || (text.startsWith(cited) && !/[\p{L}\p{N}]/u.test(text[cited.length]));
    });
    if (!found) return `${target} has no heading "${heading.trim()}"`;
  }
  return null;
}

/** The problems of one piece of text: citations of docs and sections that do not exist. */
function problemsIn(piece: Piece): string[] {
  const out: string[] = [];
  const at = (index: number): string =>
    `${piece.file}:${piece.line + piece.text.slice(0, index).split('\n').length - 1}`;
  const outside = OUTSIDE.exec(piece.text);
  if (outside) out.push(`${at(outside.index)}  cites "${outside[0]}", which is not in the repository: cite docs/`);
  for (const m of piece.text.matchAll(CITATION)) {
    const wrong = problem(m[1], m[2], m[3] ?? m[4]);
    if (wrong) out.push(`${at(m.index)}  ${m[0]}: ${wrong}`);
  }
  return out;
}

/** The problems of a Markdown file: its citations as in code, and its links to other `.md` files and anchors. */
function markdownProblems(file: string): string[] {
  const out: string[] = [];
  let fenced = false;
  readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .forEach((text, n) => {
      if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
      if (fenced) return;
      const piece = { file, line: n + 1, text };
      out.push(...problemsIn({ ...piece, text: text.replace(/\]\([^)]*\)/g, ']()') }));
      for (const m of text.matchAll(/\]\(((?!https?:|mailto:)[^)\s#]*)(?:#([^)\s]+))?\)/g)) {
        const target = m[1] ? relative(ROOT, join(ROOT, dirname(file), m[1])) : file;
        if (!m[1].endsWith('.md') && m[1] !== '') continue;
        const wrong = problem(target, m[2]);
        if (wrong) out.push(`${file}:${n + 1}  ${m[0]}: ${wrong}`);
      }
    });
  return out;
}

describe('citations of the docs', () => {
  it('name a doc of the repository and a heading it has, in code comments and test titles', () => {
    const problems = CODE_DIRS.flatMap(walk)
      .filter((file) => file !== 'test/doc-links.spec.ts')
      .flatMap((file) => commentsAndTitles(file, readFileSync(join(ROOT, file), 'utf8')))
      .flatMap(problemsIn);
    expect(problems.join('\n')).toBe('');
  });

  it('name a doc of the repository and a heading it has, in the docs and their links', () => {
    expect(DOCS.flatMap(markdownProblems).join('\n')).toBe('');
  });

  it('are found in comments and titles only, and a missing heading or file is named with its line', () => {
    const src = [
      "const path = 'docs/task.md, Nowhere';",
      '/** Kept (docs/api.md, Conventions (errors)); see docs/policy.md#changing-a-workflow. */',
      "describe('the map (docs/views.md, No such heading)', () => {});",
      '// docs/nowhere.md says so',
      '/** Bounded (docs/policy.md,',
      ' * "Bounded rulez"). */',
    ].join('\n');
    const problems = commentsAndTitles('x.ts', src).flatMap(problemsIn);
    expect(problems).toEqual([
      'x.ts:3  docs/views.md, No such heading: docs/views.md has no heading "No such heading"',
      'x.ts:4  docs/nowhere.md: docs/nowhere.md does not exist',
      'x.ts:5  docs/policy.md,\n"Bounded rulez": docs/policy.md has no heading "Bounded rulez"',
    ]);
  });
});
