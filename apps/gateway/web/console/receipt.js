// @ts-check
/* The console's receipt page: what a decision or closure was, and where it is in the ledger. */
import { api } from '../shared/api.js';
import { $, h } from '../shared/dom.js';
import { badge, details, enc, shortId, when, words } from './parts.js';
import { handoff } from './session.js';

/** @typedef {import('@workgate/contracts/work-order-reads').Receipt} Receipt */

/**
 * Shows the receipt `id`; answers the status line.
 * @param {string} id
 */
export async function showReceipt(id) {
  /** @type {Receipt} */
  const r = await api('GET', `/v1/receipts/${enc(id)}`);
  const wo = await handoff(r.workOrderId);
  $('#receipt').replaceChildren(
    h('p', {}, h('a', { href: `#/work-orders/${r.workOrderId}`, text: `← ${wo ? wo.externalRef : 'the work order'}` })),
    h('h2', {}, `Receipt of a ${words(r.kind)} `, r.decision ? badge(r.decision) : null),
    details([
      ['Decision', r.decision ? `${r.decision} (${words(r.reason ?? '')})` : null],
      ['By', r.actor],
      ['At', when(r.at)],
      ['Policy', `${r.policy.jobType} v${r.policy.version}`],
      [
        'Evidence',
        r.evidence.length
          ? h(
              'ul',
              {},
              // A note (a rollback note: how to undo the write) is shown masked, as every console page shows free text.
              r.evidence.map((e) =>
                h('li', {
                  text: `${e.kind}: ${e.ref}${e.private ? ' (private)' : ''}${e.note ? ` — ${window.workgateMask(e.note)}` : ''}`,
                }),
              ),
            )
          : 'none',
      ],
      ['Ledger position', String(r.ledger.position)],
      ['Chain hash', h('code', { text: r.ledger.hash })],
      ['Inclusion proof', r.proof ? `in the signed tree of ${r.proof.treeSize} events` : r.proofUnavailable],
      ['Receipt id', h('code', { text: r.receiptId })],
    ]),
    h(
      'p',
      { class: 'muted note' },
      h('code', { text: 'npm run verify-receipt' }),
      " checks a receipt offline against the ledger's signed checkpoint.",
    ),
  );
  return `Receipt ${shortId(r.receiptId)}.`;
}
