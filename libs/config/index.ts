export * from './config';
export * from './config-files';
