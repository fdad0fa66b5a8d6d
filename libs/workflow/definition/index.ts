/**
 * The definition (docs/policy.md, The definition): its types and schema, its text read within
 * bounds, validated and compiled. Imports only conditions.
 */
export * from './definition';
export * from './duration';
export * from './validate';
export * from './bounds';
export * from './compile';
export * from './pattern';
export * from './pattern-own';
export * from './pattern-validate';
export { PatternDefinitionDto, WorkflowDefinitionDto } from './schema';
