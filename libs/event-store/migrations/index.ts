import { LedgerEvents1763800000000 } from './1763800000000-ledger-events';

/** Every migration, in order. Schema changes only ever go through these. */
export const MIGRATIONS = [LedgerEvents1763800000000];
