/**
 * `@workgate/workflow`, in rooms that import only downwards:
 * conditions <- definition <- runtime, modeler; reporting stands apart.
 */
export * from './conditions';
export * from './definition';
export * from './runtime';
export * from './modeler';
export * from './reporting';
