export * from './hash';
export * from './pg';
export * from './database';
export * from './validate';
export * from './ledger-writer';
export * from './ledger-reader';
export * from './verify';
export { MIGRATIONS } from './migrations';
export * from './dead-letters';
