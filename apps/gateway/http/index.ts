export * from './principals';
export * from './auth.guard';
export * from './error.filter';
export * from './body';
export * from './validation';
export * from './rate-limit';
export * from './consistency';
export * from './idempotency';
