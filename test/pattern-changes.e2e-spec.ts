import type { PatternDefinition, WorkflowDefinition, WorkflowDraft, WorkflowDraftSummary } from '@workgate/contracts';
import { eventually } from './support/processes';
import { clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';

/** A pattern of these tests alone: deletes stop, and a closure needs a handover note. */
const V1: PatternDefinition = {
  name: 'pc-checklist',
  version: 1,
  title: 'Pattern changes checklist',
  owner: 'pc-controls',
  locked: ['rules'],
  rules: [{ id: 'no-deletes', when: 'action.operation == "delete"', decision: 'stop', reason: 'nothing is deleted' }],
  closure: { evidence: ['handover-note'] },
};
/** Narrows what derived workflows may do: bulk actions stop too, and closing needs a sign-off. */
const V2: PatternDefinition = {
  ...V1,
  version: 2,
  rules: [...V1.rules!, { id: 'no-bulk', when: 'action.operation == "bulk"', decision: 'stop' }],
  closure: { evidence: ['handover-note', 'sign-off'] },
};

const derived = (jobType: string, owner: string, more: Partial<WorkflowDefinition> = {}) => ({
  jobType,
  version: 1,
  title: `Derived ${jobType}`,
  owner,
  extends: 'pc-checklist@1',
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  steps: [{ id: `${jobType}-check`, title: 'Check the order' }],
  ...more,
});
const A = derived('pc-refunds', 'pc-ana');
const B = derived('pc-returns', 'pc-bo', { closure: { evidence: ['return-label'] } });
/** Its own rule has the id the pattern's v2 adds: its draft on v2 has a problem. */
const C = derived('pc-bulk', 'pc-ana', {
  rules: [{ id: 'no-bulk', when: 'action.operation == "bulk"', decision: 'wait' }],
});

/** docs/patterns.md, Changing a pattern. */
describe('a new pattern version and the workflows that extend the pattern', () => {
  let t: SharedTestWorkgate;
  const principals = writePrincipals({ 'pc-admin': ['admin', 'approver'], 'pc-controls': ['approver'] });
  let as: ReturnType<typeof clientsFor>;
  /** The one draft the pattern's version brought a workflow. */
  const draftOf = async (jobType: string): Promise<WorkflowDraft> => {
    const summary = await eventually(
      async () => {
        const rows = (await as['pc-admin']<WorkflowDraftSummary[]>('GET', `/v1/workflows/${jobType}/drafts`)).body;
        return rows.length ? rows : undefined;
      },
      15_000,
      `a draft of ${jobType}`,
    );
    expect(summary).toHaveLength(1);
    return (await as['pc-admin']<WorkflowDraft>('GET', `/v1/workflows/${jobType}/drafts/${summary[0].draftId}`)).body;
  };

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  it('publishes v1 and three workflows extending it', async () => {
    expect((await as['pc-admin']('POST', '/v1/patterns', V1)).status).toBe(201);
    for (const w of [A, B, C]) expect((await as['pc-admin']('POST', '/v1/workflows', w)).status).toBe(201);
  });

  it('publishes a narrowing v2 at once; each derived workflow gets a draft on v2 of its own parts, with its diff', async () => {
    expect(await as['pc-admin']('POST', '/v1/patterns', V2)).toMatchObject({ status: 201, body: { version: 2 } });
    const a = await draftOf('pc-refunds');
    expect(a).toMatchObject({ savedBy: 'workgate-policy', revision: 1, problems: [] });
    const { extends: _e, ...ownA } = A;
    expect(a.source).toEqual({ ...ownA, extends: 'pc-checklist@2', version: 2 });
    expect(a.diff?.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'closure.evidence', after: 'sign-off', effect: 'narrows' }),
        expect.objectContaining({ path: 'rules[no-bulk]', effect: 'narrows' }),
      ]),
    );
    const b = await draftOf('pc-returns');
    const { extends: _f, ...ownB } = B;
    expect(b.source).toEqual({ ...ownB, extends: 'pc-checklist@2', version: 2 });
    expect(b.diff?.changes).toEqual(
      expect.arrayContaining([expect.objectContaining({ path: 'closure.evidence', after: 'sign-off' })]),
    );
  });

  it('keeps the draft of a workflow that conflicts with the new version, its problems listed', async () => {
    const c = await draftOf('pc-bulk');
    expect(c.problems).toEqual([
      expect.objectContaining({ path: 'rules[0]', message: expect.stringContaining('no-bulk') }),
    ]);
    expect(c.diff).toBeNull();
  });

  it('makes no second draft when the same version is published again', async () => {
    expect(await as['pc-admin']('POST', '/v1/patterns', V2)).toMatchObject({ body: { created: false } });
    expect((await as['pc-admin']<WorkflowDraftSummary[]>('GET', '/v1/workflows/pc-refunds/drafts')).body).toHaveLength(
      1,
    );
  });
});
