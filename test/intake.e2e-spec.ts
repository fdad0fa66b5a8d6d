import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, NatsConnection } from 'nats';
import { Subjects } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { RpcClient } from '@workgate/messaging';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { eventually } from './support/processes';

const SOURCE = 'helpdesk';
const enc = new TextEncoder();

/** The support-recovery scenario driven through JetStream CloudEvents (structured and binary mode). */
describe('intake over JetStream', () => {
  let t: SharedTestWorkgate;
  let db: SharedTestWorkgate['db'];
  let nc: NatsConnection;
  let rpc: RpcClient;

  beforeAll(async () => {
    t = await sharedTestWorkgate();
    ({ db, nc, rpc } = t);
  });
  afterAll(() => t?.close());

  const publish = async (type: string, subject: string, data: unknown, id = randomUUID()) => {
    const event = {
      specversion: '1.0',
      id,
      source: SOURCE,
      type,
      subject,
      time: new Date().toISOString(),
      datacontenttype: 'application/json',
      data,
    };
    const h = natsHeaders();
    h.set('Content-Type', 'application/cloudevents+json');
    h.set('Nats-Msg-Id', `${SOURCE}:${id}`);
    await nc.jetstream().publish(`workgate.events.${SOURCE}`, enc.encode(JSON.stringify(event)), { headers: h });
    return id;
  };
  const publishBinary = async (type: string, subject: string, data: unknown, id = randomUUID()) => {
    const h = natsHeaders();
    for (const [k, v] of Object.entries({
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-source': SOURCE,
      'ce-type': type,
      'ce-subject': subject,
    }))
      h.set(k, v);
    h.set('Content-Type', 'application/json');
    await nc.jetstream().publish(`workgate.events.${SOURCE}`, enc.encode(JSON.stringify(data)), { headers: h });
    return id;
  };
  const workOrderId = (ref: string) => deterministicUuid('workorder', SOURCE, ref);
  const handoff = (ref: string) => rpc.request(Subjects.intake.get, { workOrderId: workOrderId(ref) });
  const decisions = async (ref: string) => {
    const events = await rpc.request(Subjects.intake.events, { workOrderId: workOrderId(ref) });
    return events.filter((e) => e.type === 'ActionDecided').map((e) => e.data.decision);
  };

  it('runs the support-recovery scenario from CloudEvents', async () => {
    const ref = 'CASE-1001';
    await publish('workgate.workorder.open', ref, {
      jobType: 'support-recovery',
      inputs: { caseId: 'C-1', orderId: '1001', orderPaid: true },
    });
    await publishBinary('workgate.action.requested', ref, {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: ['order:1001', 'customer:77', 'address:1001'],
      facts: { orderFulfilled: false, addressValidated: true },
    });
    await publish('workgate.action.requested', ref, {
      system: 'payments',
      operation: 'refund',
      kind: 'write',
      facts: { amount: 20 },
    });
    await publish('workgate.action.requested', ref, { system: 'crm', operation: 'contact.update', kind: 'write' });
    const d = await eventually(
      async () => {
        const got = await decisions(ref).catch(() => []);
        return got.length === 3 ? got : undefined;
      },
      15_000,
      'three decisions',
    );
    expect(d[0]).toMatchObject({ decision: 'run', objectsNamed: 4, scopeChecks: { passed: 3, total: 3 } });
    expect(d[1]).toMatchObject({ decision: 'wait', decisionOwner: 'support-lead' });
    expect(d[2]).toMatchObject({ decision: 'stop', reason: 'system_not_named', decisionOwner: 'support-lead' });

    // A closure done in the source system is recorded even without evidence, and flagged.
    await publish('workgate.workorder.closure_reported', ref, { note: 'closed in the helpdesk' });
    const closed = await eventually(
      async () => ((await handoff(ref)).status === 'closed' ? handoff(ref) : undefined),
      10_000,
      'closure',
    );
    expect(closed.closure).toMatchObject({ evidenceMissing: true });
  });

  it('over NATS too: closing without evidence is refused (kept as a rejection), with evidence it closes', async () => {
    const ref = 'CASE-CLOSE';
    await publish('workgate.workorder.open', ref, {
      jobType: 'support-recovery',
      inputs: { caseId: 'C', orderId: '7', orderPaid: true },
    });
    for (const stepId of ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer']) {
      await publish('workgate.step.completed', ref, { stepId, evidence: [{ kind: 'receipt', ref: `${stepId}-r` }] });
    }
    const refusedId = await publish('workgate.workorder.close', ref, { closureEvidenceId: '', evidence: [] });
    const rejection = await eventually(
      async () => {
        const r = await rpc.request(Subjects.intake.rejections, { source: SOURCE, limit: 50 });
        return r.rejections.find((x) => Buffer.from(x.rawBase64, 'base64').toString().includes(refusedId));
      },
      10_000,
      'the refused close to be kept',
    );
    expect(rejection.reasons[0]).toMatch(/^closure_evidence_required/);
    expect((await handoff(ref)).status).toBe('open');
    await publish('workgate.workorder.close', ref, {
      closureEvidenceId: 'CE-7',
      evidence: [{ kind: 'closure-note', ref: 'note-7' }],
    });
    await eventually(async () => (await handoff(ref)).status === 'closed', 10_000, 'the closure');
    // The decision receipt of an action is retrievable by id over NATS as well.
    const events = await rpc.request(Subjects.intake.events, { workOrderId: workOrderId(ref) });
    const closed = events.find((e) => e.type === 'WorkOrderClosed')!;
    expect(await rpc.request(Subjects.intake.receipt, { receiptId: closed.eventId })).toMatchObject({
      kind: 'closure',
      receiptId: closed.eventId,
    });
  });

  it('retries an action that arrives before its work order is open (another intake instance may be committing the open)', async () => {
    const ref = 'CASE-EARLY';
    const actionId = await publish('workgate.action.requested', ref, {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      facts: { orderFulfilled: false, addressValidated: true },
    });
    await new Promise((r) => setTimeout(r, 150));
    await publish('workgate.workorder.open', ref, {
      jobType: 'support-recovery',
      inputs: { caseId: 'C-E', orderId: '9', orderPaid: true },
    });
    const d = await eventually(
      async () => {
        const got = await decisions(ref).catch(() => []);
        return got.length === 1 ? got : undefined;
      },
      15_000,
      'the early action decided once its work order opened',
    );
    expect(d[0]).toMatchObject({ decision: 'run' });
    const { rejections } = await rpc.request(Subjects.intake.rejections, { source: SOURCE, limit: 100 });
    expect(rejections.filter((x) => Buffer.from(x.rawBase64, 'base64').toString().includes(actionId))).toEqual([]);
  });

  it('records the same CloudEvent once, however often it is published', async () => {
    const ref = 'CASE-DUP';
    const id = randomUUID();
    for (let i = 0; i < 3; i++)
      await publish(
        'workgate.workorder.open',
        ref,
        { jobType: 'support-recovery', inputs: { caseId: 'C', orderId: '1', orderPaid: true } },
        id,
      );
    // A replay after the JetStream dedupe window: a new message id, the same CloudEvent.
    const h = natsHeaders();
    h.set('Nats-Msg-Id', `replay-${id}`);
    await nc.jetstream().publish(
      `workgate.events.${SOURCE}`,
      enc.encode(
        JSON.stringify({
          specversion: '1.0',
          id,
          source: SOURCE,
          type: 'workgate.workorder.open',
          subject: ref,
          data: { jobType: 'support-recovery', inputs: { caseId: 'C', orderId: '1', orderPaid: true } },
        }),
      ),
      { headers: h },
    );
    await eventually(async () => (await handoff(ref).catch(() => undefined))?.status === 'open', 10_000, 'open');
    await new Promise((r) => setTimeout(r, 500));
    const { rows } = await db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = $1`, [`workorder-${workOrderId(ref)}`]);
    expect(rows[0].n).toBe(1);
  });

  it('keeps every invalid event as a rejection with its reasons, and later events keep flowing', async () => {
    const bad: Array<[string, Uint8Array]> = [
      ['malformed JSON', enc.encode('{"specversion": "1.0", ')],
      [
        'missing id',
        enc.encode(
          JSON.stringify({
            specversion: '1.0',
            source: SOURCE,
            type: 'workgate.workorder.open',
            subject: 'X',
            data: {},
          }),
        ),
      ],
      [
        'unknown type',
        enc.encode(
          JSON.stringify({
            specversion: '1.0',
            id: randomUUID(),
            source: SOURCE,
            type: 'workgate.coffee.brewed',
            subject: 'X',
            data: {},
          }),
        ),
      ],
      [
        'unknown nested key',
        enc.encode(
          JSON.stringify({
            specversion: '1.0',
            id: randomUUID(),
            source: SOURCE,
            type: 'workgate.workorder.close',
            subject: 'X',
            data: { closureEvidenceId: 'c', evidence: [{ kind: 'k', ref: 'r', colour: 'red' }] },
          }),
        ),
      ],
      [
        'prototype key',
        enc.encode(
          `{"specversion":"1.0","id":"${randomUUID()}","source":"${SOURCE}","type":"workgate.workorder.open","subject":"X","data":{"jobType":"support-recovery","inputs":{"__proto__":{"polluted":true}}}}`,
        ),
      ],
      ['invalid UTF-8', new Uint8Array([0x7b, 0xff, 0xfe, 0x7d])],
    ];
    for (const [, body] of bad) await nc.jetstream().publish(`workgate.events.${SOURCE}`, body);
    await publish('workgate.workorder.open', 'CASE-AFTER', {
      jobType: 'support-recovery',
      inputs: { caseId: 'C', orderId: '2', orderPaid: true },
    });
    await eventually(
      async () => (await handoff('CASE-AFTER').catch(() => undefined))?.status === 'open',
      10_000,
      'the later event',
    );
    const { rejections } = await eventually(
      async () => {
        const r = await rpc.request(Subjects.intake.rejections, { limit: 100 });
        return r.rejections.length >= bad.length ? r : undefined;
      },
      10_000,
      'rejections',
    );
    const reasons = rejections.map((r) => r.reasons.join(' | '));
    expect(reasons).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/not valid JSON/),
        expect.stringMatching(/id is required/),
        expect.stringMatching(/unknown CloudEvent type "workgate.coffee.brewed"/),
        expect.stringMatching(/data.evidence\[0\].colour: unknown key "colour"/),
        expect.stringMatching(/__proto__.*not allowed/),
        expect.stringMatching(/not valid UTF-8/),
      ]),
    );
    expect('polluted' in {}).toBe(false);
    expect(Buffer.from(rejections.find((r) => /UTF-8/.test(r.reasons[0]))!.rawBase64, 'base64')).toEqual(
      Buffer.from([0x7b, 0xff, 0xfe, 0x7d]),
    );
  });
});
