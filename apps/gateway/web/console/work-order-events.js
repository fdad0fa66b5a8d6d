// @ts-check
/* What a work order's page reads from its ledger events and hands out as files: the delegations and
 * rollback notes in its events, the gist of each event, the delivery page and the proof package. */
import { api, apiBlob } from '../shared/api.js';
import { download, status } from '../shared/dom.js';

/** @typedef {import('@workgate/contracts/ledger').RecordedEvent} RecordedEvent */
/** @typedef {import('@workgate/contracts/work-order.events').WorkOrderEventMap} WorkOrderEventMap */

/**
 * `e` as the event of type `type` of a work order's stream: its data typed by the stream's event map,
 * as the API's own `eventOf` reads it.
 * @template {keyof WorkOrderEventMap} T
 * @param {RecordedEvent} e
 * @param {T} type
 * @returns {e is RecordedEvent & { type: T, data: WorkOrderEventMap[T] }}
 */
export const isEvent = (e, type) => e.type === type && e.streamId.startsWith('workorder-');

/**
 * The delivery page as an HTML file to send to the client: it needs the key to read, so it is fetched, not linked.
 * @param {string} id
 * @param {string} externalRef
 */
export async function downloadDelivery(id, externalRef) {
  const page = await apiBlob(`/v1/work-orders/${id}/delivery`, 'text/html');
  download(page, `delivery-${externalRef.replace(/[^A-Za-z0-9._-]+/g, '-')}.html`);
  status(`Delivery page of ${externalRef} downloaded.`);
}

/**
 * The work order's proof package as a JSON file to verify offline (`npm run verify-receipt`): with
 * its events and private evidence for an ops lead, the client-safe one (`?public=true`) for others.
 * @param {string} id
 * @param {string} externalRef
 * @param {boolean} isLead
 */
export async function downloadProof(id, externalRef, isLead) {
  /** @type {unknown} the package as the API answers it, written to the file unread */
  const pkg = await api('GET', `/v1/work-orders/${id}/proof${isLead ? '' : '?public=true'}`);
  const kind = isLead ? 'proof' : 'proof-public';
  download(
    new Blob([JSON.stringify(pkg)], { type: 'application/json' }),
    `${kind}-${externalRef.replace(/[^A-Za-z0-9._-]+/g, '-')}.json`,
  );
  status(`${isLead ? 'Proof package' : 'Public proof package'} of ${externalRef} downloaded.`);
}

/**
 * Action id -> the rollback note its request carried (private evidence of its decision).
 * @param {RecordedEvent[]} events
 */
export function rollbackNotes(events) {
  /** @type {Map<string, string>} */
  const notes = new Map();
  for (const e of events) {
    if (!isEvent(e, 'ActionDecided')) continue;
    const note = (e.data.evidence || []).find((x) => x.kind === 'rollback-note')?.note;
    if (typeof note === 'string') notes.set(e.data.actionId, note);
  }
  return notes;
}

/**
 * A text field of an event's data, if it has one.
 * @param {Record<string, unknown>} d
 * @param {string} key
 */
const textOf = (d, key) => (typeof d[key] === 'string' ? d[key] : '');

/**
 * The gist of a ledger event's data: its decision, action, step, code or status, where it has one.
 * @param {Record<string, unknown>} d
 */
export function eventSummary(d) {
  const { decision, action } = d;
  const parts = [
    decision && typeof decision === 'object' && 'decision' in decision && String(decision.decision),
    action && typeof action === 'object' && 'kind' in action && 'system' in action && 'operation' in action
      ? `${String(action.kind)} ${String(action.system)} ${String(action.operation)}`
      : '',
    textOf(d, 'stepId') && `step ${textOf(d, 'stepId')}`,
    textOf(d, 'code'),
    textOf(d, 'status'),
    textOf(d, 'recipient') && `to ${textOf(d, 'recipient')}`,
  ];
  return parts.filter(Boolean).join(' · ');
}
