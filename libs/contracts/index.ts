export * from './subjects';
export * from './errors';
export * from './ledger';
export * from './policy';
export * from './work-orders';
export * from './work-order.dto';
export * from './validation';
export * from './approvals';
