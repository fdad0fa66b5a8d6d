/** What the work-order specifications share: a workflow, the catalog, a context per command, the harness. */
import { ActionDecidedData, CommandMeta, WorkflowDefinition, WorkOrderAnswer } from '@workgate/contracts';
import { WorkOrderCommand } from './commands';
import { compileWorkflow } from '@workgate/workflow';
import { CatalogCode } from '../exception/exception.decider';
import { specify } from '../spec-support';
import { WorkOrderContext } from './context';
import { workOrders } from './work-order.decider';
import { WorkOrder, WorkOrderEvent, WorkOrderState } from './work-order.state';

export const NOW = '2026-11-22T10:00:00.000Z';
export const hoursAfter = (h: number) => new Date(Date.parse(NOW) + h * 3600_000).toISOString();

export const definition: WorkflowDefinition = {
  jobType: 'support-recovery',
  version: 1,
  title: 'Support recovery',
  owner: 'support-lead',
  requiredInputs: [{ name: 'orderId' }, { name: 'orderPaid', equals: true }],
  systems: [
    { name: 'shop', read: true, write: ['order.note'] },
    { name: 'payments', read: true, write: [] },
  ],
  rules: [
    {
      id: 'refunds-need-owner',
      when: 'action.system == "payments" && action.operation == "refund"',
      decision: 'wait',
      gate: 'commercial',
    },
  ],
  steps: [
    { id: 'inspect', title: 'Inspect' },
    { id: 'update-order', title: 'Update', evidence: ['receipt'] },
  ],
  approval: { timeout: 'PT24H' },
  closure: { evidence: ['closure-note'] },
  exceptionCodes: ['PREREQ_MISSING', 'CUSTOMER_UNREACHABLE'],
};
export const workflow = compileWorkflow(definition);

export const catalog: ReadonlyMap<string, CatalogCode> = new Map([
  ['PREREQ_MISSING', { code: 'PREREQ_MISSING', owner: 'intake-lead', slaMs: 4 * 3600_000 }],
  ['CUSTOMER_UNREACHABLE', { code: 'CUSTOMER_UNREACHABLE', owner: 'support-lead', slaMs: 24 * 3600_000 }],
  ['SAFETY_HOLD', { code: 'SAFETY_HOLD', owner: 'safety-officer', slaMs: 2 * 3600_000 }],
]);

let n = 0;
export const meta = (commandId = `cmd-${++n}`, actor = 'op-1'): CommandMeta => ({
  commandId,
  actor,
  now: NOW,
  channel: 'http',
});

/** A fresh command's context (its own command id), on `workflow` unless told otherwise. */
export const ctx = (extra: Partial<WorkOrderContext> = {}): WorkOrderContext => ({
  meta: meta(),
  workflow,
  catalog,
  workOrderId: 'wo-1',
  ...extra,
});

export const work = specify(workOrders, () => ctx());

/** given(the events of these commands) -> when(command) -> then(event types) | thenThrows(code) */
export const given = (...commands: WorkOrderCommand[]) => work.given(...work.history(...commands));

/** `history` followed by what `command` records after it. */
export const andThen = (history: WorkOrderEvent[], command: WorkOrderCommand): WorkOrderEvent[] => [
  ...history,
  ...work
    .given(...history)
    .when(command)
    .result(),
];

export const openWith = (inputs: Record<string, unknown>): WorkOrderCommand => ({
  type: 'OpenWorkOrder',
  jobType: 'support-recovery',
  externalRef: 'CASE-1',
  source: 'helpdesk',
  inputs,
});
export const open = openWith({ orderId: '1001', orderPaid: true });
export const action = (
  system: string,
  operation: string,
  kind: 'read' | 'write' = 'write',
  extra: object = {},
): WorkOrderCommand => ({ type: 'RequestAction', system, operation, kind, ...extra });
export const refund = action('payments', 'refund', 'write', { objects: ['refund:7'] });
export const orderNote = action('shop', 'order.note');

/** A work order that exists (the specifications' events always open one first). */
export function existing(state: WorkOrderState): WorkOrder {
  if (state.status === 'none') throw new Error('no work order');
  return state;
}

/** The state the events leave. */
export const stateAfter = (events: WorkOrderEvent[]) => existing(work.given(...events).state);

const holds = <K extends string>(a: WorkOrderAnswer, key: K): a is Extract<WorkOrderAnswer, Record<K, unknown>> =>
  key in a;

/** The answer as the kind that carries `key` (an action's `rule`, a break-glass's `postReview`, ...), else a failed specification. */
export function answerWith<K extends string>(
  answer: WorkOrderAnswer,
  key: K,
): Extract<WorkOrderAnswer, Record<K, unknown>> {
  if (!holds(answer, key)) throw new Error(`the answer has no ${key}: ${JSON.stringify(answer)}`);
  return answer;
}

/** The event as the type it is expected to be, else a failed specification. */
export function eventOfType<T extends WorkOrderEvent['type']>(
  e: WorkOrderEvent,
  type: T,
): Extract<WorkOrderEvent, { type: T }> {
  if (!isType(e, type)) throw new Error(`expected ${type}, got ${e.type}`);
  return e;
}
const isType = <T extends WorkOrderEvent['type']>(
  e: WorkOrderEvent,
  type: T,
): e is Extract<WorkOrderEvent, { type: T }> => e.type === type;

/** The verdict an ActionDecided event records. */
export const decisionOf = (e: WorkOrderEvent): ActionDecidedData['decision'] =>
  eventOfType(e, 'ActionDecided').data.decision;
