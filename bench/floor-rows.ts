import { canonicalize } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { LedgerRow } from '@workgate/event-store';

/** What a ledger row holds before the writer places it (position, times and hashes). */
export type Row = Pick<LedgerRow, 'streamId' | 'version' | 'eventId' | 'type' | 'data' | 'metadata'>;

/** Ledger rows of one pair, shaped and sized as intake's (canonical JSON texts). */
export function ledgerRows(run: string, pair: number): Row[] {
  const id = `${run}-${pair}`;
  const uuidOf = (k: string) => deterministicUuid('floor', id, k);
  const workOrderId = uuidOf('workorder');
  const streamId = `workorder-${workOrderId}`;
  const policy = { jobType: 'support-recovery', version: 1, sha256: 'b'.repeat(64) };
  const inputs = { caseId: id, orderId: `${pair}`, orderPaid: true, sentAt: Date.now() };
  const action = { system: 'shop', operation: 'order.note', kind: 'write', objects: [`order:${pair}`] };
  const facts = { orderFulfilled: false, addressValidated: true, sentAt: Date.now() };
  const metadata = canonicalize({ commandId: uuidOf('command'), actor: 'source:bench', channel: 'bench' });
  const opened = {
    workOrderId,
    source: 'bench',
    externalRef: id,
    policy,
    owner: 'support-lead',
    inputs,
    prerequisites: ['caseId', 'orderId', 'orderPaid'].map((name) => ({ name, ok: true })),
    status: 'open',
    exceptions: [],
  };
  const decided = {
    workOrderId,
    actionId: uuidOf('action'),
    action,
    facts,
    decision: {
      decision: 'run',
      reason: 'rule_matched',
      rule: 'address-fix-before-cutoff',
      message: 'rule "address-fix-before-cutoff" says run',
      policy,
      decisionOwner: null,
      objectsNamed: 2,
      scopeChecks: { total: 3, passed: 3 },
      inputsSha256: 'c'.repeat(64),
    },
    workOrder: {
      id: workOrderId,
      owner: 'support-lead',
      inputs,
      source: 'bench',
      status: 'open',
      jobType: 'support-recovery',
      version: 1,
      reopened: 0,
      externalRef: id,
      completedSteps: [],
      openExceptions: [],
    },
  };
  const events: Array<[string, object]> = [
    ['WorkOrderOpened', opened],
    ['ActionDecided', decided],
  ];
  return events.map(([type, data], i) => ({
    streamId,
    version: i + 1,
    eventId: uuidOf(type),
    type,
    data: canonicalize(data),
    metadata,
  }));
}
