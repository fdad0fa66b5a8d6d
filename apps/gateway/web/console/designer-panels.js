// @ts-check
/* What the designer shows beside the editor: the draft's problems (each at its line), its changes
 * against the version in force (each widening, narrowing or neutral, with its sentence), and what
 * it would have decided differently over the last 30 days. */
import { h } from '../shared/dom.js';
import { shortId, workOrderLink } from './parts.js';

/** @typedef {import('@workgate/contracts/workflow-change').WorkflowDiff} WorkflowDiff */
/** @typedef {import('@codemirror/lint').Diagnostic} Diagnostic */
/** @typedef {import('./yaml-paths.js').Located} Located */
/** @typedef {import('@workgate/contracts/workflow-change').ChangeDeciders} ChangeDeciders */
/** @typedef {import('@workgate/contracts/workflow-change').ChangeEffect} ChangeEffect */
/** @typedef {import('@workgate/contracts/policy').SimulateResult} SimulateResult */
/** @typedef {import('@workgate/contracts/policy').SimulatedVerdict} SimulatedVerdict */
/** A problem of a draft, as the validator says it. @typedef {{ path: string, message: string }} DraftProblem */
/** Where a problem is in the YAML text: its line, and the offset the cursor moves to. @typedef {{ line: number, from: number }} TextAt */

/**
 * How each effect on the boundary looks: a widening asks for attention, a narrowing is safe.
 * @type {Record<ChangeEffect, string>}
 */
const EFFECT_LOOK = { widens: 'wait', narrows: 'run', neutral: '' };

/** The problems, each a button that moves the cursor to its line (`located`: [problem, {line, from}] pairs). */
/**
 * @param {Array<[DraftProblem, TextAt]>} located
 * @param {(from: number) => void} reveal
 */
export function problemList(located, reveal) {
  if (!located.length) return h('p', { class: 'muted', text: 'None: the draft may be proposed.' });
  return h(
    'ul',
    { class: 'draft-problems' },
    located.map(([p, at]) =>
      h(
        'li',
        {},
        h('button', {
          type: 'button',
          class: 'link',
          text: `Line ${at.line}`,
          'aria-label': `Line ${at.line}: ${p.path || 'the definition'}`,
          onclick: () => reveal(at.from),
        }),
        ' ',
        h('code', { class: 'muted', text: p.path || '(the definition)' }),
        ' ',
        p.message,
      ),
    ),
  );
}

/**
 * Who decides the draft once proposed, when it widens: the owner of the version in force, or, when
 * you are that owner, the reviewers the API names (`GET …/change-deciders`); null when unknown.
 * @param {ChangeDeciders | null} deciders
 * @param {string | null} me
 * @param {number | undefined} currentVersion
 */
export function whoDecides(deciders, me, currentVersion) {
  if (!deciders) return `proposing it asks the owner of v${currentVersion} to approve it.`;
  if (deciders.owner !== me)
    return `proposing it asks ${deciders.owner}, the owner of v${currentVersion}, to approve it.`;
  return deciders.reviewers.length
    ? `You own this workflow: ${deciders.reviewers.join(', ')} will decide.`
    : 'You own this workflow: no other admin with the approver role can decide it, so it cannot be proposed.';
}

/**
 * The diff against the version in force, or why there is none yet.
 * @param {WorkflowDiff | null} diff
 * @param {number | undefined} currentVersion
 * @param {string} [decides]
 */
export function changeList(diff, currentVersion, decides = whoDecides(null, null, currentVersion)) {
  if (!diff) return h('p', { class: 'muted', text: 'Shown once the draft has no problems.' });
  if (!diff.changes.length)
    return h('p', { class: 'muted', text: `The same boundary as v${currentVersion}: nothing changes.` });
  const widening = diff.changes.filter((c) => c.effect === 'widens').length;
  return h(
    'div',
    {},
    h('p', {
      class: widening ? 'note draft-widens' : 'muted note',
      text: widening
        ? `Widens what delegated work may do (${widening} of ${diff.changes.length}): ${decides}`
        : `Does not widen the boundary: proposing it publishes it at once.`,
    }),
    h(
      'ul',
      { class: 'changes', 'aria-label': `Changes against v${currentVersion}` },
      diff.changes.map((c) =>
        h(
          'li',
          { 'data-effect': c.effect },
          h('span', { class: `badge ${EFFECT_LOOK[c.effect]}`, text: c.effect }),
          ' ',
          c.message,
          ' ',
          h('code', { class: 'muted', text: c.path }),
        ),
      ),
    ),
  );
}

/** @param {SimulatedVerdict} v */
const verdict = (v) => `${v.decision}${v.rule ? ` (${v.rule})` : ''}`;

/**
 * The simulation of the last 30 days: how many requests were decided again, and each that the draft
 * decides otherwise; null before the draft has no problems, undefined while it runs.
 * @param {SimulateResult | { error: string } | null | undefined} result
 */
export function simulationList(result) {
  if (result === null) return h('p', { class: 'muted', text: 'Shown once the draft has no problems.' });
  if (result === undefined) return h('p', { class: 'muted', text: 'Deciding the past requests again…' });
  if ('error' in result) return h('p', { class: 'error', text: result.error });
  const n = result.evaluated;
  const said = `${n} action request${n === 1 ? '' : 's'} of the last 30 days decided again: ${
    result.changed.length ? `${result.changed.length} decided otherwise.` : 'none decided otherwise.'
  }`;
  return h(
    'div',
    {},
    h('p', { class: 'muted note', text: said }),
    result.changed.length
      ? h(
          'ul',
          { class: 'simulated', 'aria-label': 'Decisions the draft changes' },
          result.changed.map((c) =>
            h(
              'li',
              {},
              h('span', { class: `badge ${c.before.decision}`, text: verdict(c.before) }),
              ' → ',
              h('span', { class: `badge ${c.after.decision}`, text: verdict(c.after) }),
              ' ',
              workOrderLink(c.workOrderId),
              h('p', { class: 'muted note', text: c.message, title: `action ${shortId(c.actionId)}` }),
            ),
          ),
        )
      : null,
  );
}

/**
 * A mark of the editor at `at` (a problem, a change's effect), with its severity and message.
 * @type {(at: Located, severity: Diagnostic['severity'], message: string) => Diagnostic}
 */
export const mark = (at, severity, message) => ({ from: at.from, to: at.to, severity, message });

/** @param {DraftProblem} p */
export const problemText = (p) => (p.path ? `${p.path}: ${p.message}` : p.message);
