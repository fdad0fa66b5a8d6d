export * from './decorators';
export * from './document';
export { ref, viewSchemaName } from './schemas';
