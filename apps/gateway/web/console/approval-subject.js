// @ts-check
/* What an approval's card shows of the thing decided (docs/approvers.md, "What a card shows"): a tool
 * call's every argument and the hash the approval is bound to, an action's objects and facts, or the
 * action a gate blocks, and what approving releases. */
import { h } from '../shared/dom.js';
import { actionText, facts, shortId } from './parts.js';

/** @typedef {import('@workgate/contracts/approval-subject').ApprovalSubject} ApprovalSubject */
/** @typedef {import('@workgate/contracts/approval-subject').ToolCallArgument} ToolCallArgument */
/** @typedef {import('@workgate/contracts/approvals').ApprovalView} ApprovalView */
/** @typedef {import('../shared/dom.js').Child} Child */

/** @param {{ objects?: string[] } | null | undefined} a */
const objectsText = (a) => (a && a.objects && a.objects.length ? a.objects.join(', ') : 'the scope as a whole');

/** The card's heading: the tool and the file it writes, the action that waits, or the gate and what it blocks. */
/**
 * @param {ApprovalSubject | undefined} subject
 * @param {ApprovalView} approval
 */
export function subjectHeading(subject, approval) {
  const call = subject && subject.toolCall;
  if (call) return call.file ? `${call.tool} · ${call.file.path}` : call.tool;
  if (subject && subject.blocks)
    return `Gate ${approval.kind || ''} · blocks ${actionText(subject.blocks.action)}`.replace('  ', ' ');
  const action = (subject && subject.action) || approval.requestedAction;
  return `${actionText(action)}${action && action.objects && action.objects.length ? ` · ${action.objects.join(', ')}` : ''}`;
}

/**
 * One argument: short values whole, long ones folded under their preview.
 * @param {ToolCallArgument} a
 */
function argumentItem(a) {
  const name = h('dt', {}, h('code', { text: a.name }));
  if (!a.folded) return [name, h('dd', {}, h('pre', { class: 'argument', text: a.value }))];
  return [
    name,
    h(
      'dd',
      {},
      h('pre', { class: 'argument', text: `${a.preview}…` }),
      h(
        'details',
        {},
        h('summary', { text: `Show all ${a.length.toLocaleString('en-GB')} characters` }),
        h('pre', { class: 'argument', text: a.value }),
      ),
    ),
  ];
}

/**
 * The rows of the card's details that say what is decided.
 * @param {ApprovalSubject | undefined} subject
 * @param {ApprovalView} approval
 * @returns {Array<[string, Child]>}
 */
export function subjectRows(subject, approval) {
  if (!subject) return [['Objects', objectsText(approval.requestedAction)]];
  /** @type {Array<[string, Child]>} */
  const rows = [['Approving releases', subject.releases]];
  const call = subject.toolCall;
  if (call) {
    rows.push(['Tool', h('code', { text: call.tool })]);
    if (call.file) rows.push(['Writes', h('span', {}, h('code', { text: call.file.path }), ` · ${call.file.writes}`)]);
    rows.push([
      'Bound to',
      h(
        'span',
        {},
        'arguments SHA-256 ',
        h('code', { class: 'hash', 'data-hash': call.argumentsSha256, text: call.argumentsSha256 }),
      ),
    ]);
  }
  if (subject.blocks)
    rows.push([
      'Blocks',
      h(
        'span',
        {},
        h('strong', { text: actionText(subject.blocks.action) }),
        ` · ${objectsText(subject.blocks.action)}`,
        h('span', { class: 'muted', text: ` · ${subject.blocks.message}` }),
      ),
    ]);
  if (subject.action && !call) rows.push(['Action', actionText(subject.action)]);
  if (subject.action) {
    rows.push(['Objects', objectsText(subject.action)]);
    rows.push(['Facts', facts(subject.action.facts)]);
  }
  if (subject.follows)
    rows.push([
      'Also asked',
      h(
        'span',
        {},
        'The agent first asked for this with request_action (approval ',
        h('span', { title: subject.follows, text: shortId(subject.follows) }),
        '). This card decides both: approving permits only this exact call and declines the request for every call of the tool; rejecting rejects both.',
      ),
    ]);
  return rows;
}

/** The tool call's arguments, each named, long ones folded (with a note when values are masked for this reader). */
/** @param {ApprovalSubject | undefined} subject */
export function argumentList(subject) {
  const call = subject && subject.toolCall;
  if (!call) return null;
  if (!call.arguments)
    return h('p', {
      class: 'muted',
      text: 'The gateway kept no arguments with this hash: only the hash says what runs.',
    });
  return h(
    'section',
    { class: 'arguments', 'aria-label': `Arguments of ${call.tool}` },
    h('h4', {
      text: `Arguments (${call.arguments.length})${call.masked ? ' · credential-shaped text masked' : ''}${call.file ? ' · the full new content, no diff' : ''}`,
    }),
    h('dl', {}, call.arguments.flatMap(argumentItem)),
  );
}
