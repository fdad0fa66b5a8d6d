import { randomUUID } from 'node:crypto';
import type {
  ApprovalView,
  WorkflowChangeProposedData,
  WorkflowChangeRequested,
  WorkflowDefinition,
  WorkflowVersion,
} from '@workgate/contracts';
import { LedgerHeaders, Subjects } from '@workgate/contracts';
import { eventually } from './support/processes';
import { clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

const v1: WorkflowDefinition = {
  jobType: 'sw-desk',
  version: 1,
  title: 'Single writers',
  owner: 'sw-lead',
  systems: [{ name: 'shop', read: true, write: [] }],
};
const widened = (d: WorkflowDefinition, version: number, write: string[]): WorkflowDefinition => ({
  ...d,
  version,
  systems: [{ name: 'shop', read: true, write }],
});

/** What a stream's id names before its first `-`: the kind of stream (`workflow-x`, `approval-<uuid>`). */
const kindOf = (streamId: string) => streamId.slice(0, streamId.indexOf('-'));

/**
 * docs/ledger.md, Table (metadata.producer): every stream has one writer, the service that decides it. A
 * governed workflow change involves two services (docs/policy.md, Changing a workflow): the
 * policy service writes the job type's `workflow-<jobType>` stream, the approvals service the
 * change's `approval-<id>` stream, and each learns of the other's events from the ledger. The
 * spec walks every change's path (approved, rejected, withdrawn, expired, and a change recorded
 * whose approval was never asked for) on a workgate of its own, then reads the whole ledger table
 * and names, per stream and per kind of stream, the services its events name as their producer.
 */
describe('one writer per stream', () => {
  const principals = writePrincipals({
    'sw-lead': ['approver'],
    'sw-admin': ['admin', 'approver'],
  });
  let t: TestWorkgate;
  let as: ReturnType<typeof clientsFor>;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  const publish = (d: WorkflowDefinition) => as['sw-admin']<WorkflowChangeRequested>('POST', '/v1/workflows', d);
  const current = async (jobType: string) =>
    (await as['sw-admin']<WorkflowVersion>('GET', `/v1/workflows/${jobType}`)).body.version;
  const streamOf = async (streamId: string) =>
    (await t.rpc.request(Subjects.ledger.readStream, { streamId, fromVersion: 1, limit: 100 })).events;

  it('approves, rejects and withdraws changes: each answer covers the change it settled', async () => {
    expect((await publish(v1)).status).toBe(201);
    const asked = await publish(widened(v1, 2, ['order.note']));
    expect(asked.status).toBe(202);
    const approved = await as['sw-lead']<ApprovalView>('POST', `/v1/approvals/${asked.body.approvalId}/decision`, {
      decision: 'approve',
    });
    expect(approved).toMatchObject({ status: 200, body: { status: 'approved' } });
    const published = (await streamOf('workflow-sw-desk')).find(
      (e) => e.type === 'WorkflowPublished' && e.data.version === 2,
    );
    expect(Number(approved.headers.get(LedgerHeaders.position))).toBe(published?.position);
    expect(await current('sw-desk')).toBe(2);

    const rejectedAsk = await publish(widened(v1, 3, ['order.note', 'order.refund']));
    const rejected = await as['sw-lead']<ApprovalView>(
      'POST',
      `/v1/approvals/${rejectedAsk.body.approvalId}/decision`,
      { decision: 'reject' },
    );
    expect(rejected).toMatchObject({ status: 200, body: { status: 'rejected' } });
    const withdrawnAsk = await publish(widened(v1, 4, ['order.note', 'order.cancel']));
    const withdrawn = await as['sw-admin']<{ status: string }>(
      'POST',
      `/v1/workflows/sw-desk/changes/${withdrawnAsk.body.changeId}/withdraw`,
    );
    expect(withdrawn).toMatchObject({ status: 200, body: { status: 'withdrawn' } });
    const closed = (await streamOf('workflow-sw-desk')).filter((e) => e.type === 'WorkflowChangeClosed');
    expect(closed.map((e) => [e.data.version, e.data.outcome])).toEqual([
      [3, 'rejected'],
      [4, 'withdrawn'],
    ]);
    expect(Number(withdrawn.headers.get(LedgerHeaders.position))).toBe(closed[1].position);
  });

  it('closes a change whose approval expired', async () => {
    const quick: WorkflowDefinition = { ...v1, jobType: 'sw-quick', approval: { timeout: 'PT1S' } };
    expect((await publish(quick)).status).toBe(201);
    expect((await publish(widened(quick, 2, ['order.note']))).status).toBe(202);
    const closed = await eventually(
      async () => (await streamOf('workflow-sw-quick')).find((e) => e.type === 'WorkflowChangeClosed'),
      20_000,
      'the expired change closed',
    );
    expect(closed.data).toMatchObject({ version: 2, outcome: 'expired' });
  });

  it('opens the approval of a change recorded without it (the policy service stopped before asking)', async () => {
    // The change as the policy service records it, appended alone: its ask never happened.
    const events = await streamOf('workflow-sw-desk');
    const approvalId = randomUUID();
    const data: WorkflowChangeProposedData = {
      changeId: randomUUID(),
      approvalId,
      jobType: 'sw-desk',
      fromVersion: 2,
      version: 5,
      sha256: 'f'.repeat(64),
      changes: [],
      owner: 'sw-lead',
      proposedBy: 'sw-admin',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      definition: widened(v1, 5, ['order.note', 'order.ship']),
    };
    await t.rpc.request(Subjects.ledger.append, {
      streamId: 'workflow-sw-desk',
      expectedVersion: events.length,
      events: [
        {
          eventId: randomUUID(),
          type: 'WorkflowChangeProposed',
          data,
          metadata: { actor: 'sw-admin', producer: 'policy' },
        },
      ],
    });
    const opened = await eventually(
      async () => {
        const got = await as['sw-lead']<ApprovalView>('GET', `/v1/approvals/${approvalId}`);
        return got.status === 200 ? got.body : undefined;
      },
      20_000,
      'the approval the policy service asks for from its reaction',
    );
    expect(opened).toMatchObject({ status: 'requested', owner: 'sw-lead', requestedBy: 'sw-admin' });
  });

  it('finds one writer for every stream of the ledger, and one for each kind of stream a change touches', async () => {
    const { rows } = await t.db
      .appPool()
      .query<{ stream_id: string; producer: string | null }>(
        "SELECT stream_id, metadata->>'producer' AS producer FROM ledger_events ORDER BY position",
      );
    const writers = new Map<string, Set<string>>();
    for (const r of rows) {
      const set = writers.get(r.stream_id) ?? new Set<string>();
      set.add(r.producer ?? '(none named)');
      writers.set(r.stream_id, set);
    }
    const twoWriters = [...writers].filter(([, w]) => w.size > 1).map(([id, w]) => `${id}: ${[...w].join(', ')}`);
    expect(twoWriters).toEqual([]);
    const byKind = new Map<string, Set<string>>();
    for (const [id, w] of writers)
      if (['workflow', 'approval', 'pattern'].includes(kindOf(id)))
        w.forEach((p) => byKind.set(kindOf(id), (byKind.get(kindOf(id)) ?? new Set()).add(p)));
    expect(Object.fromEntries([...byKind].map(([k, w]) => [k, [...w].sort()]))).toEqual({
      approval: ['approvals'],
      // The shipped patterns (docs/patterns.md), published at start.
      pattern: ['policy'],
      workflow: ['policy'],
    });
    // The walk saw every path: four approvals decided or expired, and the one opened late.
    expect([...writers.keys()].filter((id) => kindOf(id) === 'approval')).toHaveLength(5);
  });
});
