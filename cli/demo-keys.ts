import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { isRecord } from '@workgate/contracts';
import { addPrincipals } from './principal';

/** The keys of a definition (or catalog entry) whose values name people: owners, reviewers, escalation. */
const PEOPLE_KEYS = new Set(['owner', 'reviewer', 'escalateTo', 'changeReviewers']);
/** A key that names people only inside another: the approvers `from` of a two-person `approvals`. */
const PEOPLE_WITHIN: ReadonlyMap<string, string> = new Map([['approvals', 'from']]);

/**
 * Everyone the given workflow definitions and exception codes name as an owner, a reviewer, an
 * approver of a two-person approval or an escalation target, once each, sorted: the people a demo
 * needs keys for. A principal's id must equal the name a workflow gives (README.md, Start).
 */
export function namedPeople(documents: unknown[]): string[] {
  const found = new Set<string>();
  const walk = (value: unknown, people: boolean, parent?: string): void => {
    if (typeof value === 'string' && people) found.add(value);
    else if (Array.isArray(value)) value.forEach((v) => walk(v, people));
    else if (typeof value === 'object' && value !== null)
      for (const [k, v] of Object.entries(value))
        walk(v, PEOPLE_KEYS.has(k) || (parent !== undefined && PEOPLE_WITHIN.get(parent) === k), k);
  };
  documents.forEach((d) => walk(d, false));
  return [...found].sort();
}

/**
 * A demo principal: the roles it was given, where it works (a page of the console or the dashboard),
 * and its key (none when the file had the principal already).
 */
export interface DemoKey {
  id: string;
  roles: string[];
  use: string;
  key?: string;
}

/** The roles of everyone a workflow names: approving what waits for them, and doing and resolving their steps. */
export const PERSON_ROLES = ['approver', 'operator'];
/** Where a person a workflow names works with that key. */
export const PERSON_USE = 'console Approvals and Exceptions: decides and resolves what waits for its id';
/** Who reads the dashboard, the review and the proof packages; who designs workflows. */
export const DEMO_LEADS: Array<Omit<DemoKey, 'key'>> = [
  {
    id: 'demo-ops-lead',
    roles: ['ops-lead', 'analyst'],
    use: 'dashboard, console Workflows and Monthly review, /health details',
  },
  { id: 'demo-admin', roles: ['admin', 'analyst'], use: 'console Workflows: designs, publishes and reviews changes' },
];

/** Ids the principals file at `path` holds already. */
function existing(path: string): Set<string> {
  if (!existsSync(path)) return new Set();
  const doc: unknown = parse(readFileSync(path, 'utf8'));
  const list: unknown = isRecord(doc) ? doc.principals : [];
  return new Set(
    (Array.isArray(list) ? list : []).flatMap((p: unknown) => (isRecord(p) && typeof p.id === 'string' ? [p.id] : [])),
  );
}

/**
 * Adds a principal with a new key to the principals file for each of `people` (PERSON_ROLES) and
 * the DEMO_LEADS; one the file already holds keeps its key and is listed without one.
 */
export function issueDemoKeys(path: string, people: string[]): DemoKey[] {
  const held = existing(path);
  const all = [...people.map((id) => ({ id, roles: PERSON_ROLES, use: PERSON_USE })), ...DEMO_LEADS];
  // One write for all the new keys: the first that works proves the rest do.
  const keys = addPrincipals(
    path,
    all.filter(({ id }) => !held.has(id)),
  );
  let next = 0;
  return all.map((p) => (held.has(p.id) ? p : { ...p, key: keys[next++] }));
}
