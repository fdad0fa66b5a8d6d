// @ts-check
/* The drafts of a job type, on its map's page: each a link that opens it in the designer. For
 * admins, who write drafts; nothing is shown to others, or while there is none. */
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { enc, shortId, when } from './parts.js';
import { session } from './session.js';

/** @typedef {import('@workgate/contracts/workflow-change').WorkflowDraftSummary} WorkflowDraftSummary */

/** @type {(jobType: string) => Promise<WorkflowDraftSummary[]>} */
const readDrafts = (jobType) => api('GET', `/v1/workflows/${enc(jobType)}/drafts`);

/**
 * A line that lists the job type's drafts once they are read, the most recently saved first.
 * @param {string} jobType
 */
export function draftsLine(jobType) {
  const line = h('p', { class: 'muted note', id: 'workflow-drafts', hidden: true });
  if (!session.me?.roles.includes('admin')) return line;
  void readDrafts(jobType)
    .then((drafts) => {
      if (!drafts.length) return;
      line.append(
        `Drafts (${drafts.length}): `,
        ...drafts.slice(0, 5).flatMap((d, i) => [
          i ? ' · ' : '',
          h('a', {
            href: `#/workflows/${enc(jobType)}?draft=${enc(d.draftId)}`,
            text: `${shortId(d.draftId)}, revision ${d.revision}`,
          }),
          ` by ${d.savedBy}, ${when(d.savedAt)}${d.problems ? `, ${d.problems} problem${d.problems === 1 ? '' : 's'}` : ''}`,
        ]),
        drafts.length > 5 ? ` · and ${drafts.length - 5} older` : '',
      );
      line.hidden = false;
    })
    .catch(() => {});
  return line;
}
