export * from './config';
export * from './config-load';
export * from './config-files';
export * from './postgres-url';
