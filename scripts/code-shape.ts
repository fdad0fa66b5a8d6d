/**
 * The shape of the product's source, measured with the TypeScript compiler's own parser:
 * file sizes, `any`, casts (and which of them read event data around the typed map), and
 * import cycles. `test/code-shape.spec.ts` holds the limits, and its failure names each place.
 * The browser pages' JavaScript (`apps/gateway/web`) is measured alike: its JSDoc types are read
 * for `any` (`{any}`, `{*}`), and a JSDoc cast (`/** @type {T} *\/ (x)`) counts as a cast.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

export interface Cast {
  file: string;
  line: number;
  text: string;
}

export interface CodeShape {
  /** Files over the line limit, with their line counts. */
  longFiles: Array<{ file: string; lines: number }>;
  /** Every `any` written as a type. */
  anys: Cast[];
  /** Casts of `something.data` (event data read around `dataOf`/`eventOf`). */
  dataCasts: Cast[];
  /** Casts of a caught error (`catch (e) { (e as Error) }`): narrowing, counted apart. */
  catchCasts: Cast[];
  /** Every other `as T` / `<T>x` except `as const`. */
  casts: Cast[];
  /** Import cycles, each as the files that form it. */
  cycles: string[][];
  /** Import cycles between folders (a file importing one of another folder is an edge), each as the folders that form it. */
  folderCycles: string[][];
}

const aliases: Record<string, string> = {
  '@workgate/contracts': 'libs/contracts',
  '@workgate/domain': 'libs/domain',
  '@workgate/workflow': 'libs/workflow',
  '@workgate/event-store': 'libs/event-store',
  '@workgate/messaging': 'libs/messaging',
  '@workgate/config': 'libs/config',
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return (name.endsWith('.ts') && !name.endsWith('.d.ts')) || name.endsWith('.js') ? [path] : [];
  });
}

function resolveImport(root: string, from: string, specifier: string): string | undefined {
  const aliased = aliases[specifier];
  const base = aliased
    ? join(root, aliased)
    : specifier.startsWith('.')
      ? resolve(dirname(from), specifier)
      : undefined;
  if (!base) return undefined;
  // A browser module names the file it imports (`./parts.js`); TypeScript names it without its extension.
  for (const candidate of [base, `${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      // not this candidate
    }
  }
  return undefined;
}

/** A JSDoc cast: a parenthesized expression a `@type` tag asserts (JavaScript's `x as T`). */
function jsDocCast(node: ts.Node, isJs: boolean): ts.Expression | undefined {
  if (!isJs || !ts.isParenthesizedExpression(node)) return undefined;
  return ts.getJSDocTypeTag(node) ? node.expression : undefined;
}

/** The JSDoc comments written on `node`, each once (a parameter's comment is its function's too). */
function jsDocsOf(node: ts.Node, seen: Set<number>): ts.JSDoc[] {
  return ts.getJSDocCommentsAndTags(node).filter((doc): doc is ts.JSDoc => {
    if (!ts.isJSDoc(doc) || seen.has(doc.pos)) return false;
    seen.add(doc.pos);
    return true;
  });
}

function caughtNames(node: ts.Node): Set<string> {
  const names = new Set<string>();
  for (let at: ts.Node | undefined = node; at; at = at.parent) {
    if (ts.isCatchClause(at) && at.variableDeclaration && ts.isIdentifier(at.variableDeclaration.name)) {
      names.add(at.variableDeclaration.name.text);
    }
  }
  return names;
}

/**
 * Import edges that exist only for types vanish at run time but still tie modules together; a
 * dynamic `import('./x')` ties them as much as a static one, only later.
 */
function importsOf(file: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  for (const statement of file.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier) {
      if (ts.isStringLiteral(statement.moduleSpecifier)) specifiers.push(statement.moduleSpecifier.text);
    }
  }
  const dynamic = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [specifier] = node.arguments;
      if (specifier && ts.isStringLiteral(specifier)) specifiers.push(specifier.text);
    }
    ts.forEachChild(node, dynamic);
  };
  dynamic(file);
  return specifiers;
}

function cyclesOf(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components; a component of two or more files is a cycle.
  let index = 0;
  const indices = new Map<string, number>();
  const lows = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    indices.set(node, index);
    lows.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        lows.set(node, Math.min(lows.get(node)!, lows.get(next)!));
      } else if (onStack.has(next)) {
        lows.set(node, Math.min(lows.get(node)!, indices.get(next)!));
      }
    }
    if (lows.get(node) === indices.get(node)) {
      const component: string[] = [];
      let member: string | undefined;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

/** The graph of the files' folders: an edge for each import that leaves its folder. */
function foldersOf(graph: Map<string, string[]>): Map<string, string[]> {
  const folders = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    const from = dirname(file);
    const edges = folders.get(from) ?? new Set<string>();
    for (const target of imports) if (dirname(target) !== from) edges.add(dirname(target));
    folders.set(from, edges);
  }
  return new Map([...folders].map(([folder, edges]) => [folder, [...edges]]));
}

export interface ShapeOptions {
  /** The tree's root; `apps` and `libs` under it are measured. */
  root?: string;
  folders?: string[];
  maxLines?: number;
}

export function measureCodeShape({
  root = resolve(__dirname, '..'),
  folders = ['apps', 'libs'],
  maxLines = 300,
}: ShapeOptions = {}): CodeShape {
  const shape: CodeShape = {
    longFiles: [],
    anys: [],
    dataCasts: [],
    catchCasts: [],
    casts: [],
    cycles: [],
    folderCycles: [],
  };
  const graph = new Map<string, string[]>();
  for (const path of folders.flatMap((dir) => sources(join(root, dir)))) {
    const text = readFileSync(path, 'utf8');
    const file = relative(root, path);
    const lines = text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
    if (lines > maxLines) shape.longFiles.push({ file, lines });
    const source = ts.createSourceFile(path, text, ts.ScriptTarget.ES2022, true);
    graph.set(
      file,
      importsOf(source)
        .map((specifier) => resolveImport(root, path, specifier))
        .filter((target): target is string => target !== undefined)
        .map((target) => relative(root, target)),
    );
    const at = (node: ts.Node): Cast => ({
      file,
      line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1,
      text: node.getText().slice(0, 100),
    });
    const isJs = path.endsWith('.js');
    const docs = new Set<number>();
    const cast = (node: ts.Node, expression: ts.Expression): void => {
      const inner = ts.isParenthesizedExpression(expression) ? expression.expression : expression;
      if (ts.isPropertyAccessExpression(inner) && inner.name.text === 'data') shape.dataCasts.push(at(node));
      else if (ts.isIdentifier(inner) && caughtNames(node).has(inner.text)) shape.catchCasts.push(at(node));
      else shape.casts.push(at(node));
    };
    const walk = (node: ts.Node): void => {
      if (node.kind === ts.SyntaxKind.AnyKeyword || node.kind === ts.SyntaxKind.JSDocAllType) shape.anys.push(at(node));
      if (ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) {
        // `as const` narrows a literal; it asserts nothing.
        if (!(ts.isTypeReferenceNode(node.type) && node.type.getText() === 'const')) cast(node, node.expression);
      }
      const asserted = jsDocCast(node, isJs);
      if (asserted) cast(node, asserted);
      for (const doc of jsDocsOf(node, docs)) ts.forEachChild(doc, walk);
      ts.forEachChild(node, walk);
    };
    walk(source);
  }
  shape.cycles = cyclesOf(graph);
  shape.folderCycles = cyclesOf(foldersOf(graph));
  return shape;
}
