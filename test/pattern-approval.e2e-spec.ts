import type {
  ApprovalQueueRow,
  PatternChangeRequested,
  PatternDefinition,
  PatternVersion,
  WorkflowDraftSummary,
} from '@workgate/contracts';
import { eventually } from './support/processes';
import { clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { trackerPattern } from './support/tracker-pattern';

/** A pattern of these tests alone: derived workflows may comment on the tracker, and deletes stop; V2 widens (they may close tickets too). */
const { v1: V1, v2: V2 } = trackerPattern('pa-checklist', 'pa-controls', 'Pattern approval checklist');
/** Narrows: a closure needs a sign-off. */
const V3: PatternDefinition = { ...V2, version: 3, closure: { evidence: ['sign-off'] } };
/** Widens again: derived workflows may reopen tickets. */
const V4: PatternDefinition = {
  ...V3,
  version: 4,
  systems: [{ name: 'tracker', read: true, write: ['comment', 'close', 'reopen'] }],
};

const derived = (jobType: string, owner: string) => ({
  jobType,
  version: 1,
  title: `Derived ${jobType}`,
  owner,
  extends: 'pa-checklist@1',
  steps: [{ id: `${jobType}-check`, title: 'Check the ticket' }],
});

/** docs/patterns.md, Changing a pattern. */
describe("a pattern version that widens waits for the pattern owner's approval", () => {
  let t: SharedTestWorkgate;
  const principals = writePrincipals({
    'pa-admin': ['admin', 'approver'],
    'pa-controls': ['approver'],
    'pa-other': ['approver'],
  });
  let as: ReturnType<typeof clientsFor>;
  let v2: PatternChangeRequested;
  let v4: PatternChangeRequested;
  const newest = async () => (await as['pa-admin']<PatternVersion>('GET', '/v1/patterns/pa-checklist')).body.version;
  const drafts = async (jobType: string) =>
    (await as['pa-admin']<WorkflowDraftSummary[]>('GET', `/v1/workflows/${jobType}/drafts`)).body;
  const decide = (who: string, approvalId: string, body: object) =>
    as[who]('POST', `/v1/approvals/${approvalId}/decision`, body);

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  it('publishes v1 and two workflows extending it', async () => {
    expect((await as['pa-admin']('POST', '/v1/patterns', V1)).status).toBe(201);
    for (const w of [derived('pa-tickets', 'pa-ana'), derived('pa-desk', 'pa-bo')])
      expect((await as['pa-admin']('POST', '/v1/workflows', w)).status).toBe(201);
  });

  it('answers 202 with what widens and who approves; v1 stays the newest and no workflow gets a draft', async () => {
    const asked = await as['pa-admin']<PatternChangeRequested>('POST', '/v1/patterns', V2);
    expect(asked).toMatchObject({
      status: 202,
      body: {
        status: 'requested',
        name: 'pa-checklist',
        version: 2,
        owner: 'pa-controls',
        changes: [expect.objectContaining({ path: 'systems[tracker].write', effect: 'widens', after: 'close' })],
        permittedAction: { operation: 'publish-pattern', objects: ['pattern:pa-checklist@2'] },
      },
    });
    v2 = asked.body;
    expect(await newest()).toBe(1);
    // The same version again: the same change, nothing new.
    const again = await as['pa-admin']<PatternChangeRequested>('POST', '/v1/patterns', V2);
    expect(again).toMatchObject({ status: 202, body: { approvalId: v2.approvalId } });
    expect(await drafts('pa-tickets')).toEqual([]);
    expect(await drafts('pa-desk')).toEqual([]);
  });

  it("is in the pattern owner's approval queue with its diff", async () => {
    const rows = (await as['pa-controls']<ApprovalQueueRow[]>('GET', '/v1/approvals?owner=pa-controls&status=pending'))
      .body;
    expect(rows.find((r) => r.approvalId === v2.approvalId)).toMatchObject({
      kind: 'pattern-change',
      workOrderId: null,
      jobType: 'pa-checklist',
      requestedBy: 'pa-admin',
      patternChange: { name: 'pa-checklist', fromVersion: 1, version: 2 },
    });
  });

  it('is selected by the kind filter as a pattern change, not as a workflow change', async () => {
    const queue = async (kind: string) =>
      (await as['pa-controls']<ApprovalQueueRow[]>('GET', `/v1/approvals?status=pending&kind=${kind}`)).body;
    const patterns = await queue('pattern-change');
    expect(patterns.map((r) => r.approvalId)).toContain(v2.approvalId);
    expect(patterns.every((r) => r.kind === 'pattern-change')).toBe(true);
    const workflows = await queue('workflow-change');
    expect(workflows.map((r) => r.approvalId)).not.toContain(v2.approvalId);
    expect(workflows.every((r) => r.kind === 'workflow-change')).toBe(true);
    const refused = await as['pa-controls']('GET', '/v1/approvals?kind=tool-call');
    expect(refused).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
  });

  it('refuses the proposer (403 self_approval) and anyone but the owner (403 not_owner)', async () => {
    expect(await decide('pa-admin', v2.approvalId, { decision: 'approve' })).toMatchObject({
      status: 403,
      body: { error: 'self_approval' },
    });
    expect(await decide('pa-other', v2.approvalId, { decision: 'approve' })).toMatchObject({
      status: 403,
      body: { error: 'not_owner' },
    });
    expect(await newest()).toBe(1);
  });

  it("publishes v2 on the owner's approval; each derived workflow gets one draft on v2", async () => {
    expect(await decide('pa-controls', v2.approvalId, { decision: 'approve' })).toMatchObject({
      status: 200,
      body: { status: 'approved', decidedBy: 'pa-controls' },
    });
    expect(await newest()).toBe(2);
    for (const jobType of ['pa-tickets', 'pa-desk']) {
      const rows = await eventually(
        async () => {
          const found = await drafts(jobType);
          return found.length ? found : undefined;
        },
        15_000,
        `a draft of ${jobType}`,
      );
      expect(rows).toEqual([expect.objectContaining({ savedBy: 'workgate-policy' })]);
    }
  });

  it('publishes a narrowing v3 by someone other than the owner at once', async () => {
    expect(await as['pa-admin']('POST', '/v1/patterns', V3)).toMatchObject({
      status: 201,
      body: { version: 3, created: true },
    });
    expect(await newest()).toBe(3);
  });

  it('leaves a widening version unpublished when the owner rejects it', async () => {
    const asked = await as['pa-admin']<PatternChangeRequested>('POST', '/v1/patterns', V4);
    expect(asked.status).toBe(202);
    expect(await decide('pa-controls', asked.body.approvalId, { decision: 'reject', note: 'not now' })).toMatchObject({
      status: 200,
      body: { status: 'rejected' },
    });
    expect(await newest()).toBe(3);
    expect((await as['pa-admin']('GET', '/v1/patterns/pa-checklist/versions/4')).status).toBe(404);
    // Closed: the same version proposed again is a new change.
    const again = await as['pa-admin']<PatternChangeRequested>('POST', '/v1/patterns', V4);
    expect(again.status).toBe(202);
    expect(again.body.approvalId).not.toBe(asked.body.approvalId);
    v4 = again.body;
  });

  it("lists the pattern's waiting change; only its proposer or an admin withdraws it, once", async () => {
    // The list reads the views: it is waited for until they hold the change, and again until they hold its withdrawal.
    const pending = (waiting: boolean) =>
      eventually(
        async () => {
          const rows = (await as['pa-other']<ApprovalQueueRow[]>('GET', '/v1/patterns/pa-checklist/changes')).body;
          return rows.length > 0 === waiting ? rows : undefined;
        },
        15_000,
        waiting ? 'the change in the list' : 'an empty list',
      );
    expect(await pending(true)).toEqual([
      expect.objectContaining({
        approvalId: v4.approvalId,
        kind: 'pattern-change',
        requestedBy: 'pa-admin',
        patternChange: expect.objectContaining({ changeId: v4.changeId, fromVersion: 3, version: 4 }),
      }),
    ]);
    const withdraw = (who: string, changeId: string) =>
      as[who]('POST', `/v1/patterns/pa-checklist/changes/${changeId}/withdraw`);
    expect(await withdraw('pa-other', v4.changeId)).toMatchObject({ status: 403, body: { error: 'not_requester' } });
    expect(await withdraw('pa-admin', 'no-such-change')).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect((await as['pa-admin']('POST', `/v1/patterns/pa-other-pattern/changes/${v4.changeId}/withdraw`)).status).toBe(
      404,
    );
    expect(await withdraw('pa-admin', v4.changeId)).toMatchObject({
      status: 200,
      body: { changeId: v4.changeId, name: 'pa-checklist', version: 4, status: 'withdrawn' },
    });
    expect(await withdraw('pa-admin', v4.changeId)).toMatchObject({ status: 409, body: { error: 'approval_decided' } });
    expect(await decide('pa-controls', v4.approvalId, { decision: 'approve' })).toMatchObject({
      status: 409,
      body: { error: 'approval_decided' },
    });
    expect(await pending(false)).toEqual([]);
    expect(await newest()).toBe(3);
    expect((await as['pa-admin']('GET', '/v1/patterns/pa-checklist/versions/4')).status).toBe(404);
  });
});
