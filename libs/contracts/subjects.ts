/** Every NATS subject, stream and queue group workgate uses, declared once. */

export const SERVICES = ['gateway', 'intake', 'policy', 'approvals', 'ledger', 'exceptions'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Request/reply subjects: `workgate.<service>.<verb>`; every service listens in a queue group named after itself. */
export const Subjects = {
  health: (service: ServiceName) => `workgate.${service}.health`,
  ledger: {
    append: 'workgate.ledger.append',
    /** `{items: AppendRequest[]}` -> `{results: Reply<AppendResult>[]}`: many streams, one round trip. */
    appendBatch: 'workgate.ledger.append-batch',
    readStream: 'workgate.ledger.read-stream',
    readAll: 'workgate.ledger.read-all',
    verify: 'workgate.ledger.verify',
    /** A signed checkpoint of the head `{position, headHash, at, keyId, signature, publicKey}`. */
    checkpoint: 'workgate.ledger.checkpoint',
    /** `{checkpoint}` -> verify the chain and that the kept checkpoint still holds (catches a truncated or rewritten tail). */
    verifyCheckpoint: 'workgate.ledger.verify-checkpoint',
    head: 'workgate.ledger.head',
    query: 'workgate.ledger.query',
    getEvent: 'workgate.ledger.get-event',
    listWorkOrders: 'workgate.ledger.list-work-orders',
    /** `{kinds, now, limit?}` -> timers due at `now`: `[{timerId, kind, streamId, dueAt}]`. */
    dueTimers: 'workgate.ledger.due-timers',
    /** `{owner?, status?, limit?}` -> the approval queue, oldest first, with age. */
    listApprovals: 'workgate.ledger.list-approvals',
    /** `ViewQuery` (`{view, from?, to?, asOf?, jobType?, groupBy?, ...}`) -> the view's rows (SPEC section 5). */
    view: 'workgate.ledger.view',
  },
  intake: {
    command: 'workgate.intake.command',
    get: 'workgate.intake.get',
    events: 'workgate.intake.events',
    delivery: 'workgate.intake.delivery',
    receipt: 'workgate.intake.receipt',
    ingest: 'workgate.intake.ingest',
    rejections: 'workgate.intake.rejections',
  },
  policy: {
    publish: 'workgate.policy.publish',
    get: 'workgate.policy.get',
    list: 'workgate.policy.list',
    decide: 'workgate.policy.decide',
    /** `{items: DecideRequest[]}` -> `{results: Reply<DecisionResult>[]}`. */
    decideBatch: 'workgate.policy.decide-batch',
    simulate: 'workgate.policy.simulate',
  },
  exceptions: {
    listCodes: 'workgate.exceptions.list-codes',
    defineCode: 'workgate.exceptions.define-code',
    get: 'workgate.exceptions.get',
    resolve: 'workgate.exceptions.resolve',
    addRemediation: 'workgate.exceptions.add-remediation',
    closeRemediation: 'workgate.exceptions.close-remediation',
  },
  approvals: {
    decide: 'workgate.approvals.decide',
    closeCondition: 'workgate.approvals.close-condition',
    get: 'workgate.approvals.get',
    getPostReview: 'workgate.approvals.get-post-review',
    completePostReview: 'workgate.approvals.complete-post-review',
    dispatch: 'workgate.approvals.dispatch',
    confirmDelegation: 'workgate.approvals.confirm-delegation',
    getDelegation: 'workgate.approvals.get-delegation',
    inbox: 'workgate.approvals.inbox',
  },
} as const;

/**
 * Routes served only inside one process (LocalRoutes, and another thread's routes through its
 * port), never subscribed on NATS, so not in the AsyncAPI document: nothing from outside the
 * process reaches them.
 */
export const InProcessSubjects = {
  /**
   * `{items: PreparedAppend[]}` (checked and put in canonical JSON by the caller's prepareAppend)
   * -> `{results: Reply<AppendResult>[]}`. A caller in the ledger's own process sends text instead
   * of object trees (far cheaper to clone between threads) and the writer does not canonicalize again.
   */
  ledgerAppendPreparedBatch: 'workgate.ledger.append-prepared-batch',
} as const;

/** JetStream streams. Both refuse deletes and purges: they carry evidence. */
export const Streams = {
  workEvents: { name: 'WORK_EVENTS', subjects: ['workgate.events.>'] },
  ledger: { name: 'LEDGER', subjects: ['ledger.>'] },
  /** Delegates' inboxes: durable, for visibility and delivery (not evidence: the ledger is). */
  inbox: { name: 'INBOX', subjects: ['workgate.inbox.>'] },
} as const;

/** Subject an appended ledger event is published on: `ledger.<streamType>.<eventType>`. */
export function ledgerSubject(streamId: string, eventType: string): string {
  const dash = streamId.indexOf('-');
  const streamType = dash > 0 ? streamId.slice(0, dash) : streamId;
  return `ledger.${token(streamType)}.${token(eventType)}`;
}

/** NATS subject tokens may not contain dots, spaces or wildcards. */
function token(value: string): string {
  return value.replace(/[.\s*>]/g, '_') || '_';
}

/** Headers the ledger relay sets on every message it publishes to `LEDGER`. */
export const LedgerHeaders = {
  position: 'Workgate-Position',
  streamId: 'Workgate-Stream-Id',
  streamVersion: 'Workgate-Stream-Version',
} as const;
