/** A change between two workflow versions or drafts, and what it does to the boundary (SPEC section 15). */

/** `widens`: delegated work may do what the earlier version refused or held; `narrows`: the reverse. */
export type ChangeEffect = 'widens' | 'narrows' | 'neutral';

export interface DefinitionChange {
  /** Where in the definition, e.g. `systems[shop].write`, `rules[refunds-wait].decision`. */
  path: string;
  /** What it was and what it is (absent when the item was added or removed). */
  before?: unknown;
  after?: unknown;
  effect: ChangeEffect;
  /** A sentence a person reads. */
  message: string;
}

/** `GET /v1/workflows/:jobType/diff?from=&to=`. */
export interface WorkflowDiff {
  /** Whether any change widens the boundary: such a version is published only with its owner's approval. */
  widens: boolean;
  changes: DefinitionChange[];
}
