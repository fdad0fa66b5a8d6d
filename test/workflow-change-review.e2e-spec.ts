import type {
  ApprovalQueueRow,
  ApprovalView,
  OpenedAnswer,
  WorkflowDefinition,
  WorkflowVersion,
} from '@workgate/contracts';
import { Subjects } from '@workgate/contracts';
import { eventually } from './support/processes';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import {
  requested,
  v1,
  workflowChangeClients,
  WorkflowChangeClients,
  workflowChangePrincipals,
} from './support/workflow-change';

/**
 * docs/policy.md, Changing a workflow: a change left undecided expires, a stop rule turned off is a
 * widening, and a change the owner proposes goes to the other admin approvers.
 */
describe('governed changes of a workflow: expiry, stop rules, owners proposing', () => {
  let t: SharedTestWorkgate;
  const principals = workflowChangePrincipals();
  let as: WorkflowChangeClients['as'];
  let publish: WorkflowChangeClients['publish'];
  let act: WorkflowChangeClients['act'];
  let decide: WorkflowChangeClients['decide'];

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    ({ as, publish, act, decide } = workflowChangeClients(t.url, principals.keys));
  });
  afterAll(() => t?.close());

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
});
