/* The console's workflow designer (docs/approvers.md, Designing a change), on the Workflows tab: a draft of a job type's
 * next version as YAML in an editor. As you type it is saved through the API (a draft is kept even
 * with problems), the validator's problems are marked at their lines, and beside it show the
 * draft's changes against the version in force, what it would have decided otherwise over the
 * last 30 days, and its map, drawn by the same modules as a version's. Propose publishes the draft,
 * or asks the current owner to approve it when it widens what delegated work may do. Loaded only
 * when a draft is opened: it imports the editor's packages through the page's import map. */
import { stringify } from 'yaml';
import { api } from '../shared/api.js';
import { $, h } from '../shared/dom.js';
import { yamlEditor } from './designer-editor.js';
import { changeList, problemList, simulationList, whoDecides } from './designer-panels.js';
import { session } from './session.js';
import { enc, shortId, when } from './parts.js';
import { layoutMap } from './workflow-layout.js';
import { describe } from './workflow-numbers.js';
import { drawMap } from './workflow-svg.js';
import { fit, layoutEngine, measure } from './workflows.js';
import { locatePath, locateProblem } from './yaml-paths.js';

/** How long typing pauses before the draft is saved. */
const SAVE_AFTER_MS = 400;
const DAY_MS = 86_400_000;

/** A definition as the YAML a person edits: block style, keys in the order the definition has them. */
export const yamlOf = (definition) => stringify(definition, { lineWidth: 0 });

/** Opens the draft `draftId` of `jobType` (`new`: the current version's definition, as the next version). */
export async function showDesigner(jobType, draftId, summary) {
  const base = `/v1/workflows/${enc(jobType)}`;
  const current = await api('GET', base);
  const saved = draftId === 'new' ? null : await api('GET', `${base}/drafts/${enc(draftId)}`);
  // Who would decide a widening change: named before Propose, so an owner knows whose approval it waits for.
  current.deciders = await api('GET', `${base}/change-deciders`).catch(() => null);
  const text = saved
    ? typeof saved.source === 'string'
      ? saved.source
      : yamlOf(saved.source)
    : yamlOf({ ...current.definition, version: current.version + 1 });
  const designer = new Designer(jobType, current, summary, text);
  $('#workflows').replaceChildren(...designer.parts);
  if (saved) designer.showDraft(saved, text);
  designer.editor.view.focus();
  return saved
    ? `Draft ${shortId(saved.draftId)} of ${jobType}, revision ${saved.revision}.`
    : `A new draft of ${jobType}: version ${current.version}'s definition, as version ${current.version + 1}. It is saved as you type.`;
}

class Designer {
  constructor(jobType, current, summary, text) {
    this.jobType = jobType;
    this.base = `/v1/workflows/${enc(jobType)}`;
    this.current = current;
    this.draft = null;
    this.saving = null;
    this.again = false;
    this.timer = 0;
    this.simulated = 0;
    const title = summary?.title || current.definition.title;
    this.state = h('p', { class: 'muted note', id: 'draft-state', role: 'status', text: 'Not saved yet.' });
    this.propose = h('button', { type: 'button', text: 'Propose', disabled: true, onclick: () => this.proposeDraft() });
    this.problems = h('div', { id: 'draft-problems' });
    this.changes = h('div', { id: 'draft-changes' }, changeList(null));
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
      this.state.textContent = `Not saved: ${error.message}`;
      this.state.className = 'error';
    } finally {
      this.saving = null;
      if (this.again) {
        this.again = false;
        void this.save();
      }
    }
  }

  /** Shows a saved draft: its problems at their lines, its changes, its map and (without problems) its simulation. */
  showDraft(draft, savedText) {
    this.draft = draft;
    const text = this.editor.text();
    const fresh = text === savedText;
    const n = draft.problems.length;
    this.state.className = 'muted note';
    this.state.textContent = `Saved as draft ${shortId(draft.draftId)}, revision ${draft.revision}, ${when(draft.savedAt)}: ${
      n ? `${n} problem${n === 1 ? '' : 's'}` : 'no problems'
    }.`;
    const located = draft.problems.map((p) => [p, locateProblem(text, p)]);
    const widening = (draft.diff?.changes || []).filter((c) => c.effect !== 'neutral');
    this.editor.show([
      ...located.map(([p, at]) => ({ from: at.from, to: at.to, severity: 'error', message: problemText(p) })),
      ...widening.map((c) => {
        const at = locatePath(text, c.path);
        return { from: at.from, to: at.to, severity: c.effect === 'widens' ? 'warning' : 'info', message: c.message };
      }),
    ]);
    this.problems.replaceChildren(problemList(located, (offset) => this.editor.reveal(offset)));
    const { deciders } = this.current;
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

  async drawDraftMap(map) {
    try {
      const laid = await layoutMap(await layoutEngine(), map, () => [], measure);
      const svg = drawMap(laid, map, (n) => describe(n));
      svg.setAttribute('aria-label', `Map of the draft of ${map.title} (${map.jobType} v${map.version})`);
      this.figure.replaceChildren(svg);
      fit(svg, this.figure);
    } catch (error) {
      this.figure.replaceChildren(h('p', { class: 'error', text: error.message }));
    }
  }

  /** Decides the action requests of the last 30 days again under the draft; only the latest answer is shown. */
  async simulate(draftId) {
    const mine = ++this.simulated;
    this.simulation.replaceChildren(simulationList(undefined));
    const from = new Date(Date.now() - 30 * DAY_MS).toISOString();
    const result = await api('POST', `${this.base}/drafts/${enc(draftId)}/simulate`, { body: { from } }).catch(
      (error) => ({ error: error.message }),
    );
    if (mine === this.simulated) this.simulation.replaceChildren(simulationList(result));
  }

  /** Publishes the draft (201) or asks the current owner (202); says which, with where to follow it. */
  async proposeDraft() {
    this.propose.disabled = true;
    this.outcome.className = 'muted';
    this.outcome.textContent = 'Proposing…';
    try {
      const answer = await api('POST', `${this.base}/drafts/${enc(this.draft.draftId)}/propose`, { body: {} });
      this.outcome.replaceChildren(...outcomeOf(this.jobType, answer));
      this.outcome.className = 'draft-outcome';
      if (answer.status === 'requested') this.outcome.append(' ', this.withdrawButton(answer));
    } catch (error) {
      this.outcome.className = 'error';
      this.outcome.textContent = error.message;
      this.propose.disabled = false;
    }
  }

  /** Takes back the proposal nobody decided yet (the proposer, or any admin): the current version stays. */
  withdrawButton(answer) {
    const button = h('button', { type: 'button', text: 'Withdraw this proposal' });
    button.addEventListener('click', async () => {
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
        this.outcome.append(h('p', { class: 'error', text: error.message }));
      }
    });
    return button;
  }
}

const problemText = (p) => (p.path ? `${p.path}: ${p.message}` : p.message);

/** What a proposal answered, as sentences with links: published, or waiting for the owner's approval. */
function outcomeOf(jobType, answer) {
  const map = h('a', { href: `#/workflows/${enc(jobType)}?version=${answer.version}`, text: 'its map' });
  if (answer.status !== 'requested')
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
