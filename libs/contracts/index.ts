export * from './subjects';
export * from './errors';
export * from './ledger';
export * from './policy';
export * from './work-orders';
