import { canonicalize, PatternDefinition } from '@workgate/contracts';
import { fieldsOf, isFields, listOf } from './arrived';

/** The key of the items of each list part, as the merge joins them (docs/patterns.md, Merging). */
const ITEM_KEYS = { requiredInputs: 'name', systems: 'name', rules: 'id', steps: 'id' } as const;

/**
 * A derived workflow's own parts, rewritten to extend another version of its pattern
 * (docs/patterns.md, Changing a pattern): the effective definition minus what `pattern.from`
 * names (items, codes and closure evidence the pattern gave), its approval and break-glass keys
 * kept only where they differ from the pattern it was merged with, `extends: <name>@<version>`
 * and the next version. What the merge would refuse is left for the draft's problems. Pure.
 */
export function ownPartsOn(
  effective: Readonly<Record<string, unknown>>,
  merged: PatternDefinition,
  next: { name: string; version: number },
): Record<string, unknown> {
  const { pattern: ref, ...own } = effective;
  const from = new Set(listOf(fieldsOf(ref).from).map(String));
  const out: Record<string, unknown> = { ...own };
  for (const [part, key] of Object.entries(ITEM_KEYS)) {
    const mine = listOf(own[part]).filter((item) => !from.has(`${part}.${String(fieldsOf(item)[key])}`));
    if (mine.length) out[part] = mine;
    else delete out[part];
  }
  const codes = listOf(own.exceptionCodes).filter((c) => !from.has(`exceptionCodes.${String(c)}`));
  if (codes.length) out.exceptionCodes = codes;
  else delete out.exceptionCodes;
  if (isFields(own.closure)) {
    const { evidence, ...rest } = own.closure;
    const mine = listOf(evidence).filter((e) => !from.has(`closure.evidence.${String(e)}`));
    const closure = mine.length ? { ...rest, evidence: mine } : rest;
    if (Object.keys(closure).length) out.closure = closure;
    else delete out.closure;
  }
  for (const part of ['approval', 'breakGlass'] as const) {
    if (!from.has(part) || !isFields(own[part])) continue;
    const theirs = fieldsOf(merged[part]);
    const mine = Object.entries(own[part]).filter(([k, v]) => canonicalize(v) !== canonicalize(theirs[k]));
    if (mine.length) out[part] = Object.fromEntries(mine);
    else delete out[part];
  }
  const version = typeof own.version === 'number' ? own.version + 1 : 1;
  return { ...out, extends: `${next.name}@${next.version}`, version };
}
