/**
 * The modeler: what a person sees of a definition and of a change to it. Its map (plain, live,
 * ranked failure points, re-derived for a proof package) and the diff between two versions with who
 * reviews a widening one (docs/policy.md, Changing a workflow).
 */
export * from './map';
export * from './diff';
export * from './change-reviewers';
export * from './live-map';
export * from './failure-points';
export * from './package-boundary';
export * from './pattern-diff';
