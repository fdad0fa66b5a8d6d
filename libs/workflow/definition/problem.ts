/** One thing wrong with a definition, where it is. */
export interface Problem {
  /** Where, e.g. `rules[1].when` (empty for the whole definition). */
  path: string;
  message: string;
}
