export * from './definition';
export * from './duration';
export * from './cel';
export * from './validate';
export * from './bounds';
export * from './mcp-variables';
export * from './compile';
export * from './decide';
export { WorkflowDefinitionDto } from './schema';
