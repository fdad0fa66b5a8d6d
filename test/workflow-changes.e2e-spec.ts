import type {
  ApprovalQueueRow,
  PublishWorkflowResult,
  WorkflowChangeRequested,
  WorkflowDefinition,
  WorkflowDiff,
  WorkflowDraft,
  WorkflowDraftSummary,
} from '@workgate/contracts';
import { Subjects } from '@workgate/contracts';
import { found } from './support/answers';
import { eventually } from './support/processes';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import {
  note,
  requested,
  v1,
  withWrites,
  workflowChangeClients,
  WorkflowChangeClients,
  workflowChangePrincipals,
} from './support/workflow-change';

/**
 * docs/policy.md, Changing a workflow: a version that widens what delegated work may do is published
 * only with its owner's approval. Expiry, stop rules and changes proposed by an owner:
 * workflow-change-review.e2e-spec.ts.
 */
describe('governed changes of a workflow', () => {
  let t: SharedTestWorkgate;
  const principals = workflowChangePrincipals();
  let as: WorkflowChangeClients['as'];
  let publish: WorkflowChangeClients['publish'];
  let current: WorkflowChangeClients['current'];
  let open: WorkflowChangeClients['open'];
  let act: WorkflowChangeClients['act'];
  let decide: WorkflowChangeClients['decide'];

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    ({ as, publish, current, open, act, decide } = workflowChangeClients(t.url, principals.keys));
  });
  afterAll(() => t?.close());

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
