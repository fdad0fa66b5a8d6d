// @ts-check
/* The workflows page's Pattern column: the pattern each workflow's current version extends, and
 * whether a newer version of it is published (docs/patterns.md, Changing a pattern). */
import { api } from '../shared/api.js';
import { h } from '../shared/dom.js';
import { enc } from './parts.js';

/** @typedef {import('@workgate/contracts/patterns').PatternSummary} PatternSummary */
/** @typedef {import('@workgate/contracts/patterns').DerivedWorkflow} DerivedWorkflow */
/** The pattern a workflow's current version extends, and the pattern's newest version. @typedef {DerivedWorkflow & { name: string, newest: number }} Extended */

/**
 * Each workflow whose current version extends a pattern, by job type (docs/patterns.md, The API).
 * @returns {Promise<Map<string, Extended>>}
 */
export async function readExtended() {
  /** @type {PatternSummary[]} */
  const patterns = await api('GET', '/v1/patterns');
  const derived = await Promise.all(
    patterns.map(async (p) => {
      /** @type {DerivedWorkflow[]} */
      const rows = await api('GET', `/v1/patterns/${enc(p.name)}/derived`);
      return rows.map((d) => ({ ...d, name: p.name, newest: p.currentVersion }));
    }),
  );
  /** @type {Map<string, Extended>} */
  const byJobType = new Map();
  for (const row of derived.flat()) byJobType.set(row.jobType, row);
  return byJobType;
}

/** @param {Extended | undefined} e */
export const patternCell = (e) =>
  e
    ? h('span', { class: 'pattern-of' }, [
        `${e.name}@${e.patternVersion} `,
        h('span', {
          class: e.behind ? 'pattern-behind' : 'pattern-current',
          text: e.behind ? `behind (v${e.newest} published)` : 'current',
        }),
      ])
    : '';
