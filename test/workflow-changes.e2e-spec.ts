import type {
  ActionAnswer,
  ApprovalQueueRow,
  ApprovalView,
  OpenedAnswer,
  PublishWorkflowResult,
  WorkflowChangeRequested,
  WorkflowDefinition,
  WorkflowDiff,
  WorkflowDraft,
  WorkflowDraftSummary,
  WorkflowVersion,
} from '@workgate/contracts';
import { Subjects } from '@workgate/contracts';
import * as changes from '../libs/contracts/schemas/workflow-change.schemas';
import { found } from './support/answers';
import { eventually } from './support/processes';
import { replyOf } from './support/replies';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';

/** The 202 answer of a publish that widens a version: the change its owner (or reviewers) decide. */
const requested = (body: unknown): WorkflowChangeRequested => replyOf(changes.WorkflowChangeRequested, body);

/** v1: the shop may be read, not written. */
const v1: WorkflowDefinition = {
  jobType: 'wc-desk',
  version: 1,
  title: 'Desk change',
  owner: 'wc-lead',
  systems: [{ name: 'shop', read: true, write: [] }],
};
const withWrites = (version: number, write: string[]): WorkflowDefinition => ({
  ...v1,
  version,
  systems: [{ name: 'shop', read: true, write }],
});
const note = { system: 'shop', operation: 'order.note', kind: 'write' };

/** docs/policy.md, Changing a workflow: a version that widens what delegated work may do is published only with its owner's approval. */
describe('governed changes of a workflow', () => {
  let t: SharedTestWorkgate;
  // The workgate may be shared with other files: the workflows and their owner (wc-*) are this file's alone, so the owner's queue holds only this file's changes.
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'wc-lead': ['approver'],
    'other-lead': ['approver'],
    // The proposer can approve other things, never their own change.
    'change-admin': ['admin', 'approver'],
    // Owns a workflow and may publish and approve: its own changes go to the other admin approvers.
    'lead-admin': ['admin', 'approver'],
  });
  let as: Record<string, ReturnType<typeof client>>;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  const publish = (d: WorkflowDefinition) => as['change-admin']<unknown>('POST', '/v1/workflows', d);
  const current = async () => (await as['change-admin']<WorkflowVersion>('GET', '/v1/workflows/wc-desk')).body.version;
  const open = async (ref: string) =>
    (
      await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'wc-desk',
        externalRef: ref,
        source: 'helpdesk',
        inputs: {},
      })
    ).body.id;
  const act = async (id: string, action = note) =>
    (await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, action)).body;
  const decide = (who: string, approvalId: string, body: object) =>
    as[who]<ApprovalView>('POST', `/v1/approvals/${approvalId}/decision`, body);

  let onV1: string;
  let change: WorkflowChangeRequested;

  it('publishes the first version at once (201)', async () => {
    expect(await publish(v1)).toMatchObject({ status: 201, body: { version: 1, created: true } });
    onV1 = await open('DC-1');
    expect(await act(onV1)).toMatchObject({ decision: 'stop', reason: 'write_not_allowed' });
  });

  it('answers a version that adds a write with 202: a workflow-change approval for the owner, with its diff', async () => {
    const asked = await publish(withWrites(2, ['order.note']));
    expect(asked.status).toBe(202);
    change = requested(asked.body);
    expect(change).toMatchObject({
      changeId: expect.any(String),
      approvalId: expect.any(String),
      owner: 'wc-lead',
      status: 'requested',
      version: 2,
      permittedAction: { system: 'workgate', operation: 'publish-workflow', kind: 'write' },
      changes: [expect.objectContaining({ path: 'systems[shop].write', after: 'order.note', effect: 'widens' })],
    });
    expect(await current()).toBe(1);
    const queue = await eventually(
      async () => {
        const rows = (await as['wc-lead']<ApprovalQueueRow[]>('GET', '/v1/approvals?owner=wc-lead')).body;
        return rows.find((r) => r.approvalId === change.approvalId);
      },
      10_000,
      'the change in the owner queue',
    );
    expect(queue).toMatchObject({
      status: 'requested',
      kind: 'workflow-change',
      workOrderId: null,
      requestedBy: 'change-admin',
      change: { jobType: 'wc-desk', version: 2, changes: [expect.objectContaining({ effect: 'widens' })] },
    });
  });

  it('refuses the proposer (403 self_approval) and anyone but the owner', async () => {
    expect(await decide('change-admin', change.approvalId, { decision: 'approve' })).toMatchObject({
      status: 403,
      body: { error: 'self_approval' },
    });
    expect(await decide('other-lead', change.approvalId, { decision: 'approve' })).toMatchObject({
      status: 403,
      body: { error: 'not_owner' },
    });
    expect(await current()).toBe(1);
  });

  it("publishes on the owner's approval: work orders opened after run on it, the ones opened before keep theirs", async () => {
    const approved = await decide('wc-lead', change.approvalId, {
      decision: 'approve',
      permittedAction: change.permittedAction,
    });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved', decidedBy: 'wc-lead' } });
    expect(await current()).toBe(2);
    const after = await open('DC-2');
    expect(await act(after)).toMatchObject({ decision: 'run', policy: { version: 2 } });
    expect(await act(onV1)).toMatchObject({ decision: 'stop', policy: { version: 1 } });
  });

  it('leaves the version in force when the owner rejects a change', async () => {
    const asked = await publish(withWrites(3, ['order.note', 'order.refund']));
    expect(asked.status).toBe(202);
    const { approvalId } = requested(asked.body);
    expect(await decide('wc-lead', approvalId, { decision: 'reject', note: 'not now' })).toMatchObject({
      status: 200,
      body: { status: 'rejected' },
    });
    expect(await current()).toBe(2);
    const id = await open('DC-3');
    expect(await act(id, { ...note, operation: 'order.refund' })).toMatchObject({
      decision: 'stop',
      policy: { version: 2 },
    });
  });

  it('publishes a version that only adds a wait rule at once (201)', async () => {
    const v4: WorkflowDefinition = {
      ...withWrites(4, ['order.note']),
      // The operation is in shop's write list: the rule only holds notes that ran before.
      rules: [{ id: 'big-notes-wait', when: 'action.operation == "order.note" && facts.size > 100', decision: 'wait' }],
    };
    expect(await publish(v4)).toMatchObject({ status: 201, body: { version: 4, created: true } });
    expect(await current()).toBe(4);
  });

  it('answers the diff of two versions', async () => {
    const diff = await as['change-admin']<WorkflowDiff>('GET', '/v1/workflows/wc-desk/diff?from=1&to=2');
    expect(diff).toMatchObject({ status: 200, body: { widens: true } });
    expect(diff.body.changes).toEqual([expect.objectContaining({ path: 'systems[shop].write', effect: 'widens' })]);
    const back = await as['change-admin']<WorkflowDiff>('GET', '/v1/workflows/wc-desk/diff?from=2&to=1');
    expect(back.body).toMatchObject({ widens: false, changes: [expect.objectContaining({ effect: 'narrows' })] });
  });

  it('keeps a draft with its problems, lists it, and proposes it once fixed', async () => {
    const broken = `jobType: wc-desk\nversion: 5\ntitle: Desk change\nowner: wc-lead\nsystems:\n  - { name: shop, read: true, write: [order.note] }\nrules:\n  - { id: big-notes-wait, when: 'action.operation == "order.note" && facts.size > 100', decision: wait }\n  - { id: oops, when: '((', decision: stop }\n`;
    const saved = await as['change-admin']<WorkflowDraft>('POST', '/v1/workflows/wc-desk/drafts', broken, {
      'Content-Type': 'application/yaml',
    });
    expect(saved).toMatchObject({ status: 201, body: { revision: 1, diff: null, map: null } });
    expect(saved.body.problems).toEqual([expect.objectContaining({ path: expect.stringMatching(/^rules\[1\]/) })]);
    const { draftId } = saved.body;
    const list = await as['change-admin']<WorkflowDraftSummary[]>('GET', '/v1/workflows/wc-desk/drafts');
    expect(found(list.body, (d) => d.draftId === draftId, 'the draft')).toMatchObject({ problems: 1, revision: 1 });

    const fixed = broken.replace("'(('", "'facts.risky == true'");
    const updated = await as['change-admin']<WorkflowDraft>('PUT', `/v1/workflows/wc-desk/drafts/${draftId}`, fixed, {
      'Content-Type': 'application/yaml',
    });
    expect(updated).toMatchObject({ status: 200, body: { revision: 2, problems: [] } });
    expect(updated.body.diff).toMatchObject({ widens: false });
    expect(updated.body.map?.nodes).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'oops' })]));
    const diff = await as['change-admin']<WorkflowDiff>('GET', `/v1/workflows/wc-desk/diff?to=${draftId}`);
    expect(diff.body).toEqual(updated.body.diff);

    const proposed = await as['change-admin']<PublishWorkflowResult>(
      'POST',
      `/v1/workflows/wc-desk/drafts/${draftId}/propose`,
    );
    expect(proposed).toMatchObject({ status: 201, body: { version: 5, created: true } });
  });

  it("leaves the version in force when a change expires undecided after the workflow's approval timeout", async () => {
    const quick: WorkflowDefinition = { ...v1, jobType: 'wc-quick', approval: { timeout: 'PT1S' } };
    expect(await publish(quick)).toMatchObject({ status: 201 });
    const asked = await publish({
      ...quick,
      version: 2,
      systems: [{ name: 'shop', read: true, write: ['order.note'] }],
    });
    expect(asked.status).toBe(202);
    const { approvalId } = requested(asked.body);
    await eventually(
      async () => (await as['wc-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`)).body.status === 'expired',
      20_000,
      'the change to expire',
    );
    const closed = await eventually(
      async () => {
        const { events } = await t.rpc.request(Subjects.ledger.readStream, {
          streamId: 'workflow-wc-quick',
          fromVersion: 1,
          limit: 10,
        });
        return events.find((e) => e.type === 'WorkflowChangeClosed');
      },
      10_000,
      'the change closed',
    );
    expect(closed.data).toMatchObject({ version: 2, outcome: 'expired' });
    expect((await as['change-admin']<WorkflowVersion>('GET', '/v1/workflows/wc-quick')).body.version).toBe(1);
  });

  it('holds a stop rule turned off behind `?:` for its owner (202): it keeps stopping until the owner approves', async () => {
    const guarded: WorkflowDefinition = {
      ...v1,
      jobType: 'wc-stop',
      systems: [{ name: 'shop', read: true, write: ['order.refund'] }],
      rules: [{ id: 'no-huge', when: 'facts.amount > 1000', decision: 'stop', reason: 'too large' }],
    };
    expect(await publish(guarded)).toMatchObject({ status: 201 });
    // `?:` binds looser than `||`: this condition is always false, the stop rule would never fire.
    const off = {
      ...guarded,
      version: 2,
      rules: [{ ...guarded.rules![0], when: 'facts.amount > 1000 || false ? false : false' }],
    };
    const asked = await publish(off);
    expect(asked).toMatchObject({
      status: 202,
      body: {
        owner: 'wc-lead',
        changes: [expect.objectContaining({ path: 'rules[no-huge].when', effect: 'widens' })],
      },
    });
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'wc-stop',
      externalRef: 'DS-1',
      source: 'helpdesk',
      inputs: {},
    });
    const refund = { system: 'shop', operation: 'order.refund', kind: 'write', facts: { amount: 5000 } };
    expect(await act(opened.body.id, refund)).toMatchObject({ decision: 'stop', policy: { version: 1 } });
  });

  describe('a change proposed by the workflow owner', () => {
    const own: WorkflowDefinition = { ...v1, jobType: 'wc-own-desk', owner: 'lead-admin' };
    const ownVersion = (version: number, write: string[]): WorkflowDefinition => ({
      ...own,
      version,
      systems: [{ name: 'shop', read: true, write }],
    });
    const publishAs = (who: string, d: WorkflowDefinition) => as[who]<unknown>('POST', '/v1/workflows', d);
    const ownCurrent = async () =>
      (await as['lead-admin']<WorkflowVersion>('GET', '/v1/workflows/wc-own-desk')).body.version;
    const pendingFor = async (who: string) =>
      (await as[who]<ApprovalQueueRow[]>('GET', `/v1/approvals?owner=${who}&status=requested`)).body;

    it('goes to the other admins with the approver role: the 202 names them, the owner may not approve it', async () => {
      expect(await publishAs('lead-admin', own)).toMatchObject({ status: 201, body: { version: 1 } });
      const asked = await publishAs('lead-admin', ownVersion(2, ['order.note']));
      expect(asked).toMatchObject({
        status: 202,
        body: { owner: 'lead-admin', reviewers: ['change-admin'], status: 'requested', version: 2 },
      });
      const { approvalId } = requested(asked.body);
      const row = await eventually(
        async () => (await pendingFor('change-admin')).find((r) => r.approvalId === approvalId),
        10_000,
        'the change in the reviewer queue',
      );
      expect(row).toMatchObject({ kind: 'workflow-change', requestedBy: 'lead-admin', reviewers: ['change-admin'] });
      expect(await decide('lead-admin', approvalId, { decision: 'approve' })).toMatchObject({
        status: 403,
        body: { error: 'self_approval' },
      });
      expect(await decide('wc-lead', approvalId, { decision: 'approve' })).toMatchObject({
        status: 403,
        body: { error: 'not_owner' },
      });
      expect(await ownCurrent()).toBe(1);
      expect(await decide('change-admin', approvalId, { decision: 'approve' })).toMatchObject({
        status: 200,
        body: { status: 'approved', decidedBy: 'change-admin' },
      });
      expect(await ownCurrent()).toBe(2);
    });

    it('is withdrawn by its proposer: 200 withdrawn, out of the queue, the version in force kept', async () => {
      const asked = await publishAs('lead-admin', ownVersion(3, ['order.note', 'order.refund']));
      expect(asked.status).toBe(202);
      const { approvalId, changeId } = requested(asked.body);
      await eventually(
        async () => (await pendingFor('change-admin')).some((r) => r.approvalId === approvalId),
        10_000,
        'the change in the reviewer queue',
      );
      const withdraw = (who: string, id = changeId) =>
        as[who]<{ status: string }>('POST', `/v1/workflows/wc-own-desk/changes/${id}/withdraw`);
      expect(await withdraw('lead-admin')).toMatchObject({
        status: 200,
        body: { changeId, jobType: 'wc-own-desk', version: 3, status: 'withdrawn' },
      });
      await eventually(
        async () => !(await pendingFor('change-admin')).some((r) => r.approvalId === approvalId),
        10_000,
        'the withdrawn change to leave the queue',
      );
      expect(await ownCurrent()).toBe(2);
      expect(await decide('change-admin', approvalId, { decision: 'approve' })).toMatchObject({
        status: 409,
        body: { error: 'approval_decided' },
      });
      expect(await withdraw('lead-admin')).toMatchObject({ status: 409 });
      expect(await withdraw('lead-admin', '00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404 });
      const { events } = await t.rpc.request(Subjects.ledger.readStream, {
        streamId: 'workflow-wc-own-desk',
        fromVersion: 1,
        limit: 20,
      });
      expect(events.at(-1)).toMatchObject({
        type: 'WorkflowChangeClosed',
        data: { version: 3, outcome: 'withdrawn', decidedBy: 'lead-admin' },
      });
    });

    it('is refused (409 no_reviewers) when nobody but the proposer could decide it', async () => {
      const lonely: WorkflowDefinition = { ...own, jobType: 'wc-own-lonely', changeReviewers: ['lead-admin'] };
      expect(await publishAs('lead-admin', lonely)).toMatchObject({ status: 201 });
      const refused = await publishAs('lead-admin', {
        ...lonely,
        version: 2,
        systems: [{ name: 'shop', read: true, write: ['order.note'] }],
      });
      expect(refused).toMatchObject({ status: 409, body: { error: 'no_reviewers' } });
      expect((await as['lead-admin']<WorkflowVersion>('GET', '/v1/workflows/wc-own-lonely')).body.version).toBe(1);
    });
  });

  it('records every outcome in the ledger', async () => {
    const { events } = await t.rpc.request(Subjects.ledger.readStream, {
      streamId: 'workflow-wc-desk',
      fromVersion: 1,
      limit: 100,
    });
    expect(events.map((e) => e.type)).toEqual([
      'WorkflowPublished',
      'WorkflowChangeProposed',
      'WorkflowPublished',
      'WorkflowChangeProposed',
      'WorkflowChangeClosed',
      'WorkflowPublished',
      'WorkflowDraftSaved',
      'WorkflowDraftSaved',
      'WorkflowPublished',
    ]);
    expect(events[2].data).toMatchObject({ version: 2, approvedBy: 'wc-lead', approvalId: change.approvalId });
    expect(events[4].data).toMatchObject({ version: 3, outcome: 'rejected', decidedBy: 'wc-lead' });
  });
});
