// @ts-check
/* What the designer says a proposal did: published, or waiting for the owner's (or reviewers')
 * approval, with where to follow it. */
import { api, messageOf } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { enc, shortId, when } from './parts.js';

/** @typedef {import('@workgate/contracts/workflow-change').PublishOutcome} PublishOutcome */
/** @typedef {import('@workgate/contracts/workflow-change').WorkflowChangeRequested} WorkflowChangeRequested */

/**
 * A proposal that waits for approval (HTTP 202), not a published version.
 * @param {PublishOutcome} answer
 * @returns {answer is WorkflowChangeRequested}
 */
export const isChangeRequested = (answer) => 'status' in answer && answer.status === 'requested';

/**
 * What a proposal answered, as sentences with links: published, or waiting for the owner's approval.
 * @param {string} jobType
 * @param {PublishOutcome} answer
 * @returns {Array<Node | string>}
 */
export function outcomeOf(jobType, answer) {
  const map = h('a', { href: `#/workflows/${enc(jobType)}?version=${answer.version}`, text: 'its map' });
  if (!isChangeRequested(answer))
    return [
      h('strong', { text: `Published: ${jobType} v${answer.version} is the current version.` }),
      ' See ',
      map,
      '.',
    ];
  // An owner's own change waits for any one of its reviewers.
  const who = answer.reviewers ? answer.reviewers.join(' or ') : answer.owner;
  const queues = answer.reviewers ? 'their queues' : `${answer.owner}'s queue`;
  return [
    h('strong', {
      text: `Waits for ${who}'s approval: ${jobType} v${answer.version} widens the current version.`,
    }),
    ' ',
    `It is approval ${shortId(answer.approvalId)} in ${queues} (the `,
    h('a', { href: '#/approvals', text: 'Approvals tab', title: answer.approvalId }),
    ` when ${who} signs in), due ${when(answer.expiresAt)}; the current version stays in force until then.`,
  ];
}

/** @typedef {import('@workgate/contracts/approvals').ApprovalView} ApprovalView */

/** @type {(base: string) => Promise<ApprovalView[]>} */
const readPendingChanges = (base) => api('GET', `${base}/changes`);

/**
 * The proposals of the job type at `base` that `me` made and nobody decided yet, each with a
 * Withdraw button (docs/approvers.md, Designing a change): withdrawn, the version in force stays.
 * @param {string} base
 * @param {string} me
 * @returns {Promise<HTMLElement[]>}
 */
export async function pendingProposals(base, me) {
  const rows = await readPendingChanges(base).catch(() => []);
  return rows.flatMap((row) => {
    const change = row.change;
    if (!change || row.requestedBy !== me) return [];
    const line = h(
      'p',
      { class: 'draft-outcome', 'data-change': change.changeId },
      h('strong', { text: `Your proposal v${change.version} waits for ${row.owner}'s approval` }),
      ` (approval ${shortId(row.approvalId)}, due ${when(row.expiresAt)}); v${change.fromVersion} stays in force until then. `,
    );
    const button = h('button', { type: 'button', text: 'Withdraw' });
    button.addEventListener('click', () => {
      button.disabled = true;
      api('POST', `${base}/changes/${enc(change.changeId)}/withdraw`, { body: {} }).then(
        () =>
          line.replaceChildren(
            h('strong', { text: `Withdrawn: ${change.jobType} v${change.version} will not be published.` }),
            ` v${change.fromVersion} stays the current version.`,
          ),
        (error) => {
          button.disabled = false;
          line.append(h('span', { class: 'error', text: ` ${messageOf(error)}` }));
        },
      );
    });
    line.append(button);
    return [line];
  });
}
