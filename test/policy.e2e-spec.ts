import { randomUUID } from 'node:crypto';
import {
  ActionDecidedData,
  ActionRequest,
  CommandMeta,
  Subjects,
  WorkflowDefinition,
  WorkgateError,
  WorkOrderCommand,
  WorkOrderEvents,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { compileWorkflow, decide } from '@workgate/workflow';
import { TestDatabase } from './support/database';
import { eventually } from './support/processes';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { checked, isString, shaped } from './support/guards';
import { fieldProblemsOf } from './support/answers';

const v1: WorkflowDefinition = {
  jobType: 'credit-review',
  version: 1,
  title: 'Credit review',
  owner: 'finance-lead',
  systems: [
    { name: 'billing', read: true, write: ['credit.issue'] },
    { name: 'crm', read: true, write: ['note'] },
  ],
  rules: [
    { id: 'big-credits-wait', when: 'action.operation == "credit.issue" && facts.amount > 500', decision: 'wait' },
  ],
  exceptionCodes: ['PAYMENT_MISMATCH'],
};
// v2 tightens the threshold and stops notes on closed accounts.
const v2: WorkflowDefinition = {
  ...v1,
  version: 2,
  rules: [
    {
      id: 'closed-accounts-stop',
      when: 'action.operation == "note" && facts.accountClosed == true',
      decision: 'stop',
      reason: 'the account is closed',
    },
    { id: 'credits-over-100-wait', when: 'action.operation == "credit.issue" && facts.amount > 100', decision: 'wait' },
  ],
};

type Input = { action: ActionRequest; facts: Record<string, unknown> };
const credit = (amount: number): Input => ({
  action: { system: 'billing', operation: 'credit.issue', kind: 'write' },
  facts: { amount },
});
const note = (accountClosed: boolean): Input => ({
  action: { system: 'crm', operation: 'note', kind: 'write' },
  facts: { accountClosed },
});

describe('policy service over NATS', () => {
  let t: TestWorkgate;
  let db: TestDatabase;
  let rpc: RpcClient;
  /** A work order opened while v1 was the current version. */
  let onV1: string;

  const meta = (): CommandMeta => ({
    commandId: randomUUID(),
    actor: 'test',
    now: new Date().toISOString(),
    channel: 'http',
  });
  const command = (workOrderId: string | undefined, c: WorkOrderCommand) =>
    rpc
      .request(Subjects.intake.command, { address: workOrderId ? { workOrderId } : {}, command: c, meta: meta() })
      .then((r) => r.answer);
  const openOn = (externalRef: string, jobType = 'credit-review') =>
    command(undefined, { type: 'OpenWorkOrder', body: { jobType, externalRef, source: 'finance', inputs: {} } }).then(
      (a) => checked(a, shaped({ id: isString }), 'the opened answer').id,
    );
  const act = (workOrderId: string, input: Input) =>
    command(workOrderId, { type: 'RequestAction', body: { ...input.action, facts: input.facts } });

  beforeAll(async () => {
    t = await startTestWorkgate();
    ({ db, rpc } = t);
  });
  afterAll(() => t?.close());

  it('publishes the shipped workflows at start', async () => {
    const list = await rpc.request(Subjects.policy.list, {});
    expect(list.map((w) => w.jobType)).toEqual([
      'access-request',
      'agent-delegation',
      'agent-files',
      'engagement-lifecycle',
      'field-work-order',
      'incident-response',
      'support-recovery',
    ]);
  });

  it('publishes v1 and v2, refuses a version that is not higher, and treats identical content as a no-op', async () => {
    const { answer: p1, position } = await rpc.request(Subjects.policy.publish, { definition: v1, actor: 'admin' });
    expect(p1).toEqual({
      jobType: 'credit-review',
      version: 1,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      created: true,
    });
    expect(position).toBeGreaterThan(0);
    expect(await rpc.request(Subjects.policy.publish, { definition: v1 })).toEqual({
      answer: { ...p1, created: false },
      position: 0,
    });
    onV1 = await openOn('CR-1');
    await expect(
      rpc.request(Subjects.policy.publish, { definition: { ...v1, title: 'Changed' } }),
    ).rejects.toMatchObject({
      code: 'version_not_higher',
    });
    // YAML text is accepted as well as objects.
    const yaml = `jobType: credit-review\nversion: 2\ntitle: Credit review\nowner: finance-lead\nsystems:\n${v2.systems
      .map((s) => `  - { name: ${s.name}, read: true, write: [${s.write.join(', ')}] }`)
      .join(
        '\n',
      )}\nrules:\n${v2.rules!.map((r) => `  - { id: ${r.id}, when: '${r.when}', decision: ${r.decision}${r.reason ? `, reason: ${r.reason}` : ''} }`).join('\n')}\nexceptionCodes: [PAYMENT_MISMATCH]\n`;
    // v2 drops the rule that held big credits: it widens v1, so it waits for v1's owner, who approves it.
    const p2 = await rpc.request(Subjects.policy.publish, { definition: yaml, actor: 'admin' });
    expect(p2.answer).toMatchObject({ version: 2, status: 'requested', owner: 'finance-lead' });
    expect((await rpc.request(Subjects.policy.get, { jobType: 'credit-review' })).version).toBe(1);
    const approvalId = 'approvalId' in p2.answer ? p2.answer.approvalId : '';
    await rpc.request(Subjects.approvals.decide, { approvalId, by: 'finance-lead', decision: 'approve' });
    // Over NATS the decision answers for the approval alone; the policy service learns of it from the
    // ledger and publishes the version (docs/policy.md, The change as a process).
    await eventually(
      async () => (await rpc.request(Subjects.policy.get, { jobType: 'credit-review' })).version === 2,
      10_000,
      'the policy service to publish the approved version',
    );
    const got = await rpc.request(Subjects.policy.get, { jobType: 'credit-review', version: 1 });
    expect(got).toMatchObject({ version: 1, sha256: p1.sha256, definition: v1 });
    const events = await db
      .appPool()
      .query(
        `SELECT type, stream_version FROM ledger_events WHERE stream_id = 'workflow-credit-review' ORDER BY position`,
      );
    expect(events.rows).toEqual([
      { type: 'WorkflowPublished', stream_version: 1 },
      { type: 'WorkflowChangeProposed', stream_version: 2 },
      { type: 'WorkflowPublished', stream_version: 3 },
    ]);
  });

  it('refuses an invalid definition with every problem listed', async () => {
    const error = await rpc
      .request(Subjects.policy.publish, {
        definition: {
          ...v1,
          version: 3,
          colour: 'red',
          exceptionCodes: ['NOPE'],
          rules: [{ id: 'x', when: '((', decision: 'run' }],
        },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    if (!(error instanceof WorkgateError)) throw new Error(`not refused with a WorkgateError: ${String(error)}`);
    expect(error.code).toBe('invalid_definition');
    expect(
      fieldProblemsOf(error.details)
        .map((p) => p.path)
        .sort(),
    ).toEqual(['colour', 'exceptionCodes[0]', 'rules[0].when']);
  });

  it('decides each work order once, under the version it opened on: the same request differently under v1 and v2', async () => {
    const onV2 = await openOn('CR-2');
    expect(await act(onV1, credit(300))).toMatchObject({
      decision: 'run',
      reason: 'inside_boundary',
      policy: { version: 1 },
    });
    expect(await act(onV2, credit(300))).toMatchObject({
      decision: 'wait',
      rule: 'credits-over-100-wait',
      decisionOwner: 'finance-lead',
      policy: { version: 2 },
    });
    expect(await act(onV2, note(true))).toMatchObject({ decision: 'stop', message: 'the account is closed' });
    expect(await act(onV2, credit(50))).toMatchObject({ decision: 'run', policy: { version: 2 } });
    await expect(openOn('CR-3', 'nope')).rejects.toMatchObject({ code: 'unknown_job_type' });
  });

  it("simulates v2 over v1's history: only the decisions that change are listed, nothing is written", async () => {
    const history: Array<{ actionId: string; input: Input }> = [
      { actionId: randomUUID(), input: credit(50) }, // run under both
      { actionId: randomUUID(), input: credit(300) }, // run -> wait
      { actionId: randomUUID(), input: credit(900) }, // wait under both
      { actionId: randomUUID(), input: note(true) }, // run -> stop
      { actionId: randomUUID(), input: note(false) }, // run under both
    ];
    const underV1 = compileWorkflow(v1);
    // Only this history: the work orders of the test before decided actions of this job type too.
    const since = new Date().toISOString();
    for (const [i, h] of history.entries()) {
      const decision = decide(underV1, h.input);
      const data: ActionDecidedData = {
        actionId: h.actionId,
        workOrderId: `wo-${i}`,
        action: h.input.action,
        facts: h.input.facts,
        workOrder: {},
        decision,
      };
      t.exemptWriters(`workorder-sim-${i}`, 'a decision history to simulate over, appended around the services');
      await rpc.request(Subjects.ledger.append, {
        streamId: `workorder-sim-${i}`,
        expectedVersion: 'any',
        events: [{ eventId: randomUUID(), type: WorkOrderEvents.ActionDecided, data }],
      });
    }
    const { rows: before } = await db.appPool().query('SELECT count(*)::int AS n FROM ledger_events');
    const result = await rpc.request(Subjects.policy.simulate, {
      jobType: 'credit-review',
      definition: { ...v2, version: 3 },
      from: since,
    });
    expect(result.evaluated).toBe(5);
    // Each change names its work order, what decided the old verdict and the new one (a rule, or the
    // boundary check), and says so in a sentence.
    expect(result.changed).toEqual([
      {
        actionId: history[1].actionId,
        workOrderId: 'wo-1',
        before: { decision: 'run', rule: null, reason: 'inside_boundary' },
        after: { decision: 'wait', rule: 'credits-over-100-wait', reason: 'rule_matched' },
        message:
          'write credit.issue on billing (work order wo-1) ran under version 1, decided by the boundary (inside boundary); the draft would wait, decided by rule credits-over-100-wait.',
      },
      {
        actionId: history[3].actionId,
        workOrderId: 'wo-3',
        before: { decision: 'run', rule: null, reason: 'inside_boundary' },
        after: { decision: 'stop', rule: 'closed-accounts-stop', reason: 'rule_matched' },
        message: expect.stringContaining('the draft would stop, decided by rule closed-accounts-stop'),
      },
    ]);
    const { rows: after } = await db.appPool().query('SELECT count(*)::int AS n FROM ledger_events');
    expect(after[0].n).toBe(before[0].n);
    const future = await rpc.request(Subjects.policy.simulate, {
      jobType: 'credit-review',
      definition: v2,
      from: new Date(Date.now() + 3600_000).toISOString(),
    });
    expect(future).toEqual({ evaluated: 0, changed: [] });
  });

  it('rebuilds every version from the ledger after a restart', async () => {
    await t.restart();
    const list = await rpc.request(Subjects.policy.list, {});
    const credit = list.find((w) => w.jobType === 'credit-review');
    expect(credit).toMatchObject({
      currentVersion: 2,
      versions: [expect.objectContaining({ version: 1 }), expect.objectContaining({ version: 2 })],
    });
    // The shipped files were already published: nothing new was written for them (seven shipped, two credit-review).
    const { rows } = await db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE type = 'WorkflowPublished'`);
    expect(rows[0].n).toBe(9);
  });
});
