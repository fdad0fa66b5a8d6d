import { canonicalize, RecordedEvent, WorkflowDefinition } from '@workgate/contracts';
import { evolveWorkOrder, initialWorkOrderState, workOrderEventOf, WorkOrderState } from '@workgate/domain';
import { deliveryPage, stateHandoff } from './work-order.views';

/** What an offline check says: the lines to show and what does not hold, each problem starting with its part. */
interface Verdict {
  lines: string[];
  problems: string[];
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** Where `got` first differs from `want`, as a path from `name` (`workOrder.status`, `delivery.json.decisions[1]`). */
export function firstDifference(got: unknown, want: unknown, name: string): string | undefined {
  if (canonicalize(got ?? null) === canonicalize(want ?? null)) return undefined;
  if (Array.isArray(got) && Array.isArray(want)) {
    for (let i = 0; i < Math.max(got.length, want.length); i++) {
      const at = firstDifference(got[i], want[i], `${name}[${i}]`);
      if (at) return at;
    }
  }
  if (isRecord(got) && isRecord(want)) {
    for (const key of new Set([...Object.keys(want), ...Object.keys(got)])) {
      const at = firstDifference(got[key], want[key], `${name}.${key}`);
      if (at) return at;
    }
  }
  return name;
}

/** The work order's state as its events make it, or why they make none. */
function replay(events: RecordedEvent[]): WorkOrderState | string {
  try {
    return events.reduce((state, e) => evolveWorkOrder(state, workOrderEventOf(e)), initialWorkOrderState());
  } catch (error) {
    return `the events do not replay: ${error instanceof Error ? error.message : String(error)}`;
  }
}

const NO_EVENTS = 'the public package carries no events, and nothing the ledger signed records its hash';

/**
 * A proof package's work order (its state handoff) and delivery page (JSON) recomputed from its
 * proven events (`proven`: the private package's, every one hashing to a leaf of the signed tree)
 * and the definition, and compared: the first field that differs is named. Without proven events
 * (the public package, or a receipt that does not hold) neither can be recomputed: the public
 * package's are bound by its issuance record (`issued`); without one each is named NOT BOUND or,
 * when a receipt broke, not recomputed.
 */
export function checkWorkOrderAndDelivery(
  pkg: Record<string, unknown>,
  proven: RecordedEvent[] | undefined,
  issued?: { data: { parts: Record<string, string> } },
): Verdict {
  const delivery = isRecord(pkg.delivery) ? pkg.delivery.json : undefined;
  const receipts: unknown[] = Array.isArray(pkg.receipts) ? pkg.receipts : [];
  // The public package's: bound by the sha256 its issuance record holds (checked with the other recorded parts).
  if (!proven && issued?.data.parts.workOrder !== undefined) return { lines: [], problems: [] };
  if (!proven) {
    const withEvents = receipts.some((r) => isRecord(r) && r.event !== undefined);
    const why = withEvents ? 'not recomputed: the receipts do not all hold (see above)' : NO_EVENTS;
    return withEvents
      ? { lines: [], problems: [`workOrder: ${why}`, `delivery.json: ${why}`] }
      : { lines: [], problems: [`NOT BOUND: workOrder — ${why}`, `NOT BOUND: delivery.json — ${why}`] };
  }
  let definition: WorkflowDefinition;
  try {
    definition = JSON.parse(String(pkg.definition)) as WorkflowDefinition;
  } catch {
    const why = 'not recomputed: the definition is not JSON';
    return { lines: [], problems: [`workOrder: ${why}`, `delivery.json: ${why}`] };
  }
  const state = replay(proven);
  if (typeof state === 'string' || state.status === 'none') {
    const why = typeof state === 'string' ? state : 'the events open no work order';
    return { lines: [], problems: [`workOrder: ${why}`, `delivery.json: ${why}`] };
  }
  const problems: string[] = [];
  const lines: string[] = [];
  let handoff: unknown;
  let page: unknown;
  try {
    handoff = stateHandoff(state, definition);
    page = deliveryPage(state, definition, proven);
  } catch (error) {
    const why = `not recomputed: ${error instanceof Error ? error.message : String(error)}`;
    return { lines: [], problems: [`workOrder: ${why}`, `delivery.json: ${why}`] };
  }
  const n = proven.length;
  const workOrderDiffers = firstDifference(pkg.workOrder, handoff, 'workOrder');
  if (workOrderDiffers) problems.push(`workOrder: ${workOrderDiffers} is not what the ${n} proven events make it`);
  else lines.push(`workOrder: recomputed from the ${n} proven events and the definition, the same`);
  const deliveryDiffers = firstDifference(delivery, page, 'delivery.json');
  if (deliveryDiffers) problems.push(`delivery.json: ${deliveryDiffers} is not what the ${n} proven events make it`);
  else lines.push(`delivery.json: recomputed from the ${n} proven events and the definition, the same`);
  return { lines, problems };
}
