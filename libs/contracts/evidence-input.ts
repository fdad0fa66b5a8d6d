import type { Evidence } from './evidence';
import type { FieldProblem } from './json-problems';

/** Evidence as a write takes it: one object, or a list of them (docs/api.md, Conventions (evidence)). */
export type EvidenceInput = Evidence | Evidence[];

/** The list `input` names: one object is a list of one; none is an empty list. */
export function evidenceList(input: EvidenceInput | undefined): Evidence[] {
  if (input === undefined) return [];
  return Array.isArray(input) ? input : [input];
}

const REQUIRED: Array<'kind' | 'ref'> = ['kind', 'ref'];

/**
 * What keeps `evidence` from being the evidence a write needs, each by its path: an empty list
 * (`needs` says which write needs it), an item without a kind or a ref.
 */
export function evidenceProblems(evidence: Evidence[], needs: string): FieldProblem[] {
  if (evidence.length === 0) return [{ path: 'evidence', message: `${needs} needs at least one piece of evidence` }];
  return evidence.flatMap((item, i) =>
    REQUIRED.filter((field) => typeof item?.[field] !== 'string' || !item[field].trim()).map((field) => ({
      path: `evidence[${i}].${field}`,
      message: 'is required',
    })),
  );
}
