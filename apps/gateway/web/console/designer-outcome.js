// @ts-check
/* What the designer says a proposal did: published, or waiting for the owner's (or reviewers')
 * approval, with where to follow it. */
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
