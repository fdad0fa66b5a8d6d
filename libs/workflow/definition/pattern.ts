import { hash } from 'node:crypto';
import { canonicalize, PATTERN_PARTS, PatternDefinition, PatternPart, PatternRef } from '@workgate/contracts';
import { fieldsOf, isFields, listOf } from './arrived';
import { parseDuration } from './duration';
import type { Problem } from './problem';

/** `extends: <name>@<version>` as written in a workflow. */
export const EXTENDS = /^([a-z0-9][a-z0-9-]*)@([1-9][0-9]{0,9})$/;

type ItemPart = 'requiredInputs' | 'systems' | 'rules' | 'steps';
/** The parts that are lists of items with an id (or a name), joined pattern first, and the key of their items. */
const ITEM_PARTS: ReadonlyArray<[ItemPart, 'id' | 'name']> = [
  ['requiredInputs', 'name'],
  ['systems', 'name'],
  ['rules', 'id'],
  ['steps', 'id'],
];

/** A pattern as the policy service holds it: the definition and its sha256. */
export interface StoredPattern {
  pattern: PatternDefinition;
  sha256: string;
}

export type Merged = { ok: true; definition: Record<string, unknown> } | { ok: false; problems: Problem[] };

/** A value as a problem's message quotes it. */
const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
const same = (a: unknown, b: unknown): boolean => canonicalize(a) === canonicalize(b);
const keyOf = (item: unknown, key: string): string => String(fieldsOf(item)[key]);

/** How much a decision lets through: a stop is strictest. */
const LETS_THROUGH = new Map([
  ['stop', 0],
  ['wait', 1],
  ['run', 2],
]);
const letsThrough = (rule: unknown): number => LETS_THROUGH.get(String(fieldsOf(rule).decision)) ?? 3;

/** What redefining a locked item weakens, in words; undefined when the redefinition is the same item. */
function weakening(part: ItemPart, mine: unknown, theirs: unknown): string {
  if (part === 'rules') {
    const [was, is] = [fieldsOf(theirs), fieldsOf(mine)];
    if (letsThrough(mine) > letsThrough(theirs))
      return `softens its decision from ${String(was.decision)} to ${String(is.decision)}`;
    if (was.when !== is.when) return 'rewrites its condition';
    return 'redefines it';
  }
  if (part === 'systems') {
    const was = new Set(listOf(fieldsOf(theirs).write).map(String));
    const added = listOf(fieldsOf(mine).write)
      .map(String)
      .filter((w) => !was.has(w));
    if (added.length) return `widens its writes (adds ${added.join(', ')})`;
    if (fieldsOf(mine).read === true && fieldsOf(theirs).read !== true) return 'lets it be read';
    return 'redefines it';
  }
  return 'redefines it';
}

/** Where a workflow's map part (approval, break-glass) weakens the pattern's locked one. */
function mapWeakenings(
  part: 'approval' | 'breakGlass',
  mine: Record<string, unknown>,
  theirs: Record<string, unknown>,
): Problem[] {
  const problems: Problem[] = [];
  const longer = (key: string) => {
    const [was, is] = [parseDuration(theirs[key]), parseDuration(mine[key])];
    if (mine[key] !== undefined && was !== undefined && (is === undefined || is > was))
      problems.push({
        path: `${part}.${key}`,
        message: `lengthens the locked ${part}.${key} from ${text(theirs[key])} to ${text(mine[key])}`,
      });
  };
  if (part === 'approval') longer('timeout');
  else {
    if (mine.allowed === true && theirs.allowed !== true)
      problems.push({ path: 'breakGlass.allowed', message: 'allows break-glass where the pattern locks it off' });
    longer('postReviewDue');
    if (mine.reviewer !== undefined && theirs.reviewer !== undefined && mine.reviewer !== theirs.reviewer)
      problems.push({
        path: 'breakGlass.reviewer',
        message: `changes the locked post-reviewer from ${text(theirs.reviewer)} to ${text(mine.reviewer)}`,
      });
  }
  return problems;
}

/**
 * A workflow as written merged with the pattern it extends (docs/patterns.md, Merging): lists of
 * items are joined, the pattern's first, and an id defined in both is a problem (naming what it
 * would weaken when the pattern locks the part); codes and closure evidence are joined, a repeat
 * kept once; approval and break-glass are merged key by key, the workflow's value winning unless the
 * pattern locks the part and the value is weaker (a longer time-out or post-review, break-glass
 * allowed, another post-reviewer). A workflow that carries the `pattern` of an effective definition
 * instead of `extends` (one read back and edited) may repeat the pattern's items unchanged.
 * Every problem is listed; the effective definition names the pattern, its hash and what it gave.
 */
export function mergeWithPattern(written: Record<string, unknown>, { pattern, sha256 }: StoredPattern): Merged {
  const { extends: _extends, pattern: readBack, ...own } = written;
  const repeatsAllowed = readBack !== undefined;
  const locked = new Set<PatternPart>(pattern.locked ?? []);
  const problems: Problem[] = [];
  const from: string[] = [];
  const out: Record<string, unknown> = { ...own };
  const where = `the pattern ${pattern.name}@${pattern.version}`;

  for (const [part, key] of ITEM_PARTS) {
    const theirs = pattern[part];
    if (!theirs?.length) continue;
    const byKey = new Map<string, unknown>(theirs.map((item) => [keyOf(item, key), item]));
    const mine: unknown[] = [];
    listOf(own[part]).forEach((item, i) => {
      const k = keyOf(item, key);
      const given = byKey.get(k);
      if (given === undefined) return void mine.push(item);
      if (repeatsAllowed && same(item, given)) return;
      problems.push({
        path: `${part}[${i}]`,
        message: locked.has(part)
          ? `${where} locks ${part}: this ${weakening(part, item, given)} ("${k}")`
          : `"${k}" is defined by ${where} already: an id is defined once in the effective definition`,
      });
    });
    out[part] = [...theirs, ...mine];
    from.push(...theirs.map((item) => `${part}.${keyOf(item, key)}`));
  }

  if (pattern.exceptionCodes?.length) {
    out.exceptionCodes = [...new Set([...pattern.exceptionCodes, ...listOf(own.exceptionCodes).map(String)])];
    from.push(...pattern.exceptionCodes.map((c) => `exceptionCodes.${c}`));
  }
  if (pattern.closure) {
    const mine = fieldsOf(own.closure);
    const evidence = [...new Set([...pattern.closure.evidence, ...listOf(mine.evidence).map(String)])];
    out.closure = { ...mine, evidence };
    from.push(...pattern.closure.evidence.map((e) => `closure.evidence.${e}`));
  }
  for (const part of ['approval', 'breakGlass'] as const) {
    const theirs = pattern[part];
    if (!theirs) continue;
    const mine = isFields(own[part]) ? own[part] : {};
    if (locked.has(part)) problems.push(...mapWeakenings(part, mine, theirs));
    out[part] = { ...theirs, ...mine };
    from.push(part);
  }

  if (problems.length) return { ok: false, problems };
  const ref: PatternRef = { name: pattern.name, version: pattern.version, sha256, from, locked: [...locked] };
  return { ok: true, definition: { ...out, pattern: ref } };
}

/** `<name>@<version>` of a written workflow's `extends`, or of the `pattern` it carries; a problem when neither reads. */
export function patternWanted(
  written: Record<string, unknown>,
): { name: string; version: number } | Problem | undefined {
  if (written.extends !== undefined) {
    const match = typeof written.extends === 'string' ? EXTENDS.exec(written.extends) : null;
    if (!match) return { path: 'extends', message: 'must be <pattern>@<version>, e.g. governed-checklist@1' };
    if (written.pattern !== undefined)
      return { path: 'pattern', message: 'is recorded by workgate from extends: write one of them' };
    return { name: match[1], version: Number(match[2]) };
  }
  if (written.pattern === undefined) return undefined;
  const { name, version } = fieldsOf(written.pattern);
  if (typeof name !== 'string' || typeof version !== 'number')
    return { path: 'pattern', message: 'names no pattern: write extends: <pattern>@<version>' };
  return { name, version };
}

/** sha256 (hex) of the RFC 8785 canonical JSON of a pattern, as a workflow's hash is taken. */
export const patternSha256 = (pattern: PatternDefinition): string => hash('sha256', canonicalize(pattern));

/** The parts of a pattern, in the order the merge walks them. */
export const patternParts = (pattern: PatternDefinition): PatternPart[] =>
  PATTERN_PARTS.filter((part) => pattern[part] !== undefined);
