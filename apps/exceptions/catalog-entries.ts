import { parse } from 'yaml';
import { ExceptionCode, FieldProblem, isPlainObject, WorkgateError } from '@workgate/contracts';
import { MAX_TIMER_MS, parseDuration, timerProblem } from '@workgate/workflow';

const CODE = /^[A-Z][A-Z0-9_]*$/;
const PRINCIPAL = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;

/** Reads and checks a catalog file: `codes: [{code, title, owner, sla, escalateTo?, escalateAfter?}]`. Throws naming every bad entry. */
export function readCatalog(text: string): ExceptionCode[] {
  const doc: unknown = parse(text);
  if (!isPlainObject(doc) || !Array.isArray(doc.codes)) throw new Error('the catalog must have a list "codes"');
  return readCatalogEntries(doc.codes);
}

/**
 * Checks catalog entries; throws `validation_failed` naming every problem by its path (`pathOf`:
 * `codes[i].field` for a file). An entry with `escalateTo` gets `escalateAfter` (default `PT0S`).
 */
export function readCatalogEntries(
  entries: unknown[],
  pathOf: (i: number, field: string) => string = (i, field) => `codes[${i}].${field}`,
): ExceptionCode[] {
  const problems: FieldProblem[] = [];
  const seen = new Set<string>();
  const codes = entries.map((raw, i): ExceptionCode => {
    const c: Record<string, unknown> = isPlainObject(raw) ? raw : {};
    const at = (field: string, message: string) => problems.push({ path: pathOf(i, field), message });
    if (typeof c.code !== 'string' || !CODE.test(c.code)) at('code', 'must look like PREREQ_MISSING');
    else if (seen.has(c.code)) at('code', `${c.code} appears twice`);
    else seen.add(c.code);
    if (typeof c.title !== 'string' || !c.title) at('title', 'is required');
    if (typeof c.owner !== 'string' || !c.owner) at('owner', 'is required');
    const sla = timerProblem(c.sla);
    if (sla) at('sla', sla);
    const escalation = escalationProblems(c);
    for (const [field, message] of escalation) at(field, message);
    const entry = { code: text(c.code), title: text(c.title), owner: text(c.owner), sla: text(c.sla) };
    if (c.escalateTo === undefined) return entry;
    return { ...entry, escalateTo: text(c.escalateTo), escalateAfter: text(c.escalateAfter ?? 'PT0S') };
  });
  if (problems.length)
    throw new WorkgateError(
      'validation_failed',
      `invalid exception-code catalog entry: ${problems[0].path} ${problems[0].message}`,
      problems,
    );
  return codes;
}

/** What is wrong with an entry's escalation rule, field by field. */
function escalationProblems(c: Record<string, unknown>): Array<[string, string]> {
  const problems: Array<[string, string]> = [];
  if (c.escalateTo !== undefined && (typeof c.escalateTo !== 'string' || !PRINCIPAL.test(c.escalateTo)))
    problems.push(['escalateTo', 'must be a principal id']);
  if (c.escalateAfter !== undefined) {
    const ms = parseDuration(c.escalateAfter);
    if (ms === undefined)
      problems.push([
        'escalateAfter',
        `${JSON.stringify(c.escalateAfter)} is not an ISO 8601 duration like PT2H (PT0S: at the SLA due time)`,
      ]);
    else if (ms > MAX_TIMER_MS) problems.push(['escalateAfter', 'must be at most P3650D']);
    if (c.escalateTo === undefined) problems.push(['escalateAfter', 'needs escalateTo (whom to escalate to)']);
  }
  return problems;
}

/** A checked entry's field: a string (anything else is a problem named already). */
const text = (value: unknown): string => (typeof value === 'string' ? value : '');

/** How long after the SLA due time a code's exceptions escalate, and to whom; undefined without a rule. */
export function escalationRule(code: ExceptionCode | undefined): { to: string; afterMs: number } | undefined {
  if (!code?.escalateTo) return undefined;
  return { to: code.escalateTo, afterMs: parseDuration(code.escalateAfter ?? 'PT0S') ?? 0 };
}
