export * from './config';
export * from './config-files';
export * from './postgres-url';
