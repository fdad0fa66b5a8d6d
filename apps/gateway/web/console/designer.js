// @ts-check
/* The console's workflow designer (docs/approvers.md, Designing a change), on the Workflows tab: a draft of a job type's
 * next version as YAML in an editor. As you type it is saved through the API (a draft is kept even
 * with problems), the validator's problems are marked at their lines, and beside it show the
 * draft's changes against the version in force, what it would have decided otherwise over the
 * last 30 days, and its map, drawn by the same modules as a version's. Propose publishes the draft,
 * or asks the current owner to approve it when it widens what delegated work may do. Loaded only
 * when a draft is opened: it imports the editor's packages through the page's import map. */
import { stringify } from 'yaml';
import { api, messageOf } from '../shared/api.js';
import { $, h } from '../shared/dom.js';
import { yamlEditor } from './designer-editor.js';
import { isChangeRequested, outcomeOf, pendingProposals } from './designer-outcome.js';
import { changeList, mark, problemList, problemText, simulationList, whoDecides } from './designer-panels.js';
import { session } from './session.js';
import { enc, shortId, when } from './parts.js';
import { layoutMap } from './workflow-layout.js';
import { describe } from './workflow-numbers.js';
import { fit, layoutEngine, measure } from './workflow-engine.js';
import { drawMap } from './workflow-svg.js';
import { locatePath, locateProblem } from './yaml-paths.js';

/** @typedef {import('@workgate/contracts/policy').WorkflowVersion} WorkflowVersion */
/** @typedef {import('@workgate/contracts/policy').WorkflowSummary} WorkflowSummary */
/** @typedef {import('@workgate/contracts/policy').SimulateResult} SimulateResult */
/** @typedef {import('@workgate/contracts/workflow-change').WorkflowDraft} WorkflowDraft */
/** @typedef {import('@workgate/contracts/workflow-change').ChangeDeciders} ChangeDeciders */
/** @typedef {import('@workgate/contracts/workflow-change').PublishOutcome} PublishOutcome */
/** @typedef {import('@workgate/contracts/workflow-change').WorkflowChangeRequested} WorkflowChangeRequested */
/** @typedef {import('@workgate/contracts/workflow-map').WorkflowMap} WorkflowMap */
/** @typedef {import('@codemirror/lint').Diagnostic} Diagnostic */
/** @typedef {import('./designer-panels.js').DraftProblem} DraftProblem */
/** @typedef {import('./yaml-paths.js').Located} Located */

/** How long typing pauses before the draft is saved. */
const SAVE_AFTER_MS = 400;
const DAY_MS = 86_400_000;

/**
 * A definition as the YAML a person edits: block style, keys in the order the definition has them.
 * @param {unknown} definition
 */
export const yamlOf = (definition) => stringify(definition, { lineWidth: 0 });

/** @type {(base: string) => Promise<ChangeDeciders>} */
const readDeciders = (base) => api('GET', `${base}/change-deciders`);
/** @type {(path: string, from: string) => Promise<SimulateResult>} */
const simulated = (path, from) => api('POST', path, { body: { from } });

/**
 * Opens the draft `draftId` of `jobType` (`new`: the current version's definition, as the next version).
 * @param {string} jobType
 * @param {string} draftId
 * @param {WorkflowSummary | undefined} summary
 */
export async function showDesigner(jobType, draftId, summary) {
  const base = `/v1/workflows/${enc(jobType)}`;
  /** @type {WorkflowVersion} */
  const current = await api('GET', base);
  /** @type {WorkflowDraft | null} */
  const saved = draftId === 'new' ? null : await api('GET', `${base}/drafts/${enc(draftId)}`);
  // Who would decide a widening change: named before Propose, so an owner knows whose approval it waits for.
  const deciders = await readDeciders(base).catch(() => null);
  const text = saved
    ? typeof saved.source === 'string'
      ? saved.source
      : yamlOf(saved.source)
    : yamlOf({ ...current.definition, version: current.version + 1 });
  const designer = new Designer(jobType, current, deciders, summary, text);
  $('#workflows').replaceChildren(...designer.parts);
  // The signed-in user's proposals still waiting, each to withdraw here.
  designer.outcome.replaceChildren(...(await pendingProposals(base, session.me?.id ?? '')));
  if (saved) designer.showDraft(saved, text);
  designer.editor.view.focus();
  return saved
    ? `Draft ${shortId(saved.draftId)} of ${jobType}, revision ${saved.revision}.`
    : `A new draft of ${jobType}: version ${current.version}'s definition, as version ${current.version + 1}. It is saved as you type.`;
}

class Designer {
  /**
   * @param {string} jobType
   * @param {WorkflowVersion} current
   * @param {ChangeDeciders | null} deciders
   * @param {WorkflowSummary | undefined} summary
   * @param {string} text
   */
  constructor(jobType, current, deciders, summary, text) {
    this.jobType = jobType;
    this.base = `/v1/workflows/${enc(jobType)}`;
    this.current = current;
    this.deciders = deciders;
    /** @type {WorkflowDraft | null} */
    this.draft = null;
    /** @type {Promise<WorkflowDraft> | null} */
    this.saving = null;
    this.again = false;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.timer = undefined;
    this.simulated = 0;
    const title = summary?.title || current.definition.title;
    this.state = h('p', { class: 'muted note', id: 'draft-state', role: 'status', text: 'Not saved yet.' });
    this.propose = h('button', { type: 'button', text: 'Propose', disabled: true, onclick: () => this.proposeDraft() });
    this.problems = h('div', { id: 'draft-problems' });
    this.changes = h('div', { id: 'draft-changes' }, changeList(null, current.version));
    this.simulation = h('div', { id: 'draft-simulation' }, simulationList(null));
    this.outcome = h('div', { id: 'draft-outcome', role: 'status' });
    this.figure = h(
      'div',
      { class: 'map-figure', id: 'draft-map' },
      h('p', { class: 'muted', text: 'Drawn once the draft has no problems.' }),
    );
    const box = h('div', { class: 'draft-editor', id: 'draft-editor' });
    this.editor = yamlEditor(box, text, `Definition of the draft of ${jobType} (YAML)`, () => this.edited());
    this.parts = [
      h(
        'div',
        { class: 'heading' },
        h(
          'h3',
          {},
          `Draft of ${title}`,
          h('span', { class: 'muted', text: ` · ${jobType}, from v${current.version}` }),
        ),
        h(
          'div',
          { class: 'actions' },
          this.propose,
          h('a', { href: `#/workflows/${enc(jobType)}`, text: 'Back to the map' }),
        ),
      ),
      this.state,
      this.outcome,
      h(
        'div',
        { class: 'designer' },
        box,
        h(
          'aside',
          { class: 'designer-aside', 'aria-label': 'Checks of the draft' },
          h('h4', { text: 'Problems' }),
          this.problems,
          h('h4', { text: `Changes against v${current.version}` }),
          this.changes,
          h('h4', { text: 'The last 30 days' }),
          this.simulation,
        ),
      ),
      h('h4', { class: 'draft-map-title', text: 'Map of the draft' }),
      this.figure,
    ];
  }

  edited() {
    clearTimeout(this.timer);
    this.propose.disabled = true;
    this.state.textContent = this.draft ? 'Changed: saved when typing pauses.' : 'Saved when typing pauses.';
    this.timer = setTimeout(() => void this.save(), SAVE_AFTER_MS);
  }

  /** Saves the text as it is now: one save at a time, the next one when the last has answered. */
  async save() {
    if (this.saving) {
      this.again = true;
      return;
    }
    const text = this.editor.text();
    const body = { body: { definition: text } };
    this.state.textContent = 'Saving…';
    this.saving = this.draft
      ? api('PUT', `${this.base}/drafts/${enc(this.draft.draftId)}`, body)
      : api('POST', `${this.base}/drafts`, body);
    try {
      const draft = await this.saving;
      // The address names the draft, so a reload opens it again.
      if (!this.draft) history.replaceState(null, '', `#/workflows/${enc(this.jobType)}?draft=${enc(draft.draftId)}`);
      this.showDraft(draft, text);
    } catch (error) {
      this.state.textContent = `Not saved: ${messageOf(error)}`;
      this.state.className = 'error';
    } finally {
      this.saving = null;
      if (this.again) {
        this.again = false;
        void this.save();
      }
    }
  }

  /**
   * Shows a saved draft: its problems at their lines, its changes, its map and (without problems) its simulation.
   * @param {WorkflowDraft} draft
   * @param {string} savedText
   */
  showDraft(draft, savedText) {
    this.draft = draft;
    const text = this.editor.text();
    const fresh = text === savedText;
    const n = draft.problems.length;
    this.state.className = 'muted note';
    this.state.textContent = `Saved as draft ${shortId(draft.draftId)}, revision ${draft.revision}, ${when(draft.savedAt)}: ${
      n ? `${n} problem${n === 1 ? '' : 's'}` : 'no problems'
    }.`;
    /** @type {Array<[DraftProblem, Located]>} */
    const located = draft.problems.map((p) => [p, locateProblem(text, p)]);
    const widening = (draft.diff?.changes || []).filter((c) => c.effect !== 'neutral');
    this.editor.show([
      ...located.map(([p, at]) => mark(at, 'error', problemText(p))),
      ...widening.map((c) => mark(locatePath(text, c.path), c.effect === 'widens' ? 'warning' : 'info', c.message)),
    ]);
    this.problems.replaceChildren(problemList(located, (offset) => this.editor.reveal(offset)));
    const { deciders } = this;
    const me = session.me?.id ?? null;
    this.changes.replaceChildren(
      changeList(draft.diff, this.current.version, whoDecides(deciders, me, this.current.version)),
    );
    // Nobody could decide a widening draft its owner proposes: the API would refuse it (409 no_reviewers).
    const undecidable = draft.diff?.widens === true && deciders?.owner === me && deciders.reviewers.length === 0;
    // Nothing to propose: problems, text not saved yet, or the same boundary, word for word, as the version in force.
    this.propose.disabled = !fresh || n > 0 || draft.diff?.changes.length === 0 || undecidable;
    if (draft.map) void this.drawDraftMap(draft.map);
    if (n) {
      this.simulation.replaceChildren(simulationList(null));
      return;
    }
    void this.simulate(draft.draftId);
  }

  /** @param {WorkflowMap} map */
  async drawDraftMap(map) {
    try {
      const laid = await layoutMap(await layoutEngine(), map, () => [], measure);
      const svg = drawMap(laid, map, (n) => describe(n, undefined));
      svg.setAttribute('aria-label', `Map of the draft of ${map.title} (${map.jobType} v${map.version})`);
      this.figure.replaceChildren(svg);
      fit(svg, this.figure);
    } catch (error) {
      this.figure.replaceChildren(h('p', { class: 'error', text: messageOf(error) }));
    }
  }

  /**
   * Decides the action requests of the last 30 days again under the draft; only the latest answer is shown.
   * @param {string} draftId
   */
  async simulate(draftId) {
    const mine = ++this.simulated;
    this.simulation.replaceChildren(simulationList(undefined));
    const from = new Date(Date.now() - 30 * DAY_MS).toISOString();
    const result = await simulated(`${this.base}/drafts/${enc(draftId)}/simulate`, from).catch((error) => ({
      error: messageOf(error),
    }));
    if (mine === this.simulated) this.simulation.replaceChildren(simulationList(result));
  }

  /** Publishes the draft (201) or asks the current owner (202); says which, with where to follow it. */
  async proposeDraft() {
    if (!this.draft) return;
    this.propose.disabled = true;
    this.outcome.className = 'muted';
    this.outcome.textContent = 'Proposing…';
    try {
      /** @type {PublishOutcome} */
      const answer = await api('POST', `${this.base}/drafts/${enc(this.draft.draftId)}/propose`, { body: {} });
      this.outcome.replaceChildren(...outcomeOf(this.jobType, answer));
      this.outcome.className = 'draft-outcome';
      if (isChangeRequested(answer)) this.outcome.append(' ', this.withdrawButton(answer));
    } catch (error) {
      this.outcome.className = 'error';
      this.outcome.textContent = messageOf(error);
      this.propose.disabled = false;
    }
  }

  /**
   * Takes back the proposal nobody decided yet (the proposer, or any admin): the current version stays.
   * @param {WorkflowChangeRequested} answer
   */
  withdrawButton(answer) {
    const button = h('button', { type: 'button', text: 'Withdraw this proposal' });
    const withdraw = async () => {
      button.disabled = true;
      try {
        await api('POST', `${this.base}/changes/${enc(answer.changeId)}/withdraw`, { body: {} });
        this.outcome.className = 'draft-outcome';
        this.outcome.replaceChildren(
          h('strong', { text: `Withdrawn: ${this.jobType} v${answer.version} will not be published.` }),
          ` v${this.current.version} stays the current version; the draft is kept.`,
        );
        this.propose.disabled = false;
      } catch (error) {
        button.disabled = false;
        this.outcome.append(h('p', { class: 'error', text: messageOf(error) }));
      }
    };
    button.addEventListener('click', () => void withdraw());
    return button;
  }
}
