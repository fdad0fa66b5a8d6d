import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { client, clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import type { ActionAnswer, IngestOutcome, OpenedAnswer, Receipt, RecordedEvent } from '@workgate/contracts';

type IngestAnswer = { accepted: number; results: IngestOutcome[] };

/** Words a test plants in a rollback note, to look for on every surface. */
const NOTE = 'CANARY-rollback: restore order note from helpdesk history, then tell the warehouse';

/**
 * Rollback notes (docs/policy.md, Rollback notes) over HTTP: a write to a system with `rollback: required` stops without a
 * rollback note; with one the rules decide; the note is private evidence on the receipt (ops
 * leads read it), never on the delivery page or an operator's receipt.
 */
describe('rollback notes over HTTP', () => {
  const principals = writePrincipals({
    admin: ['admin'],
    helpdesk: ['integrator', 'operator'],
    operator: ['operator'],
    lead: ['ops-lead'],
  });
  let t: SharedTestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  let wo: string;
  const act = (body: object) => as.helpdesk<ActionAnswer>('POST', `/v1/work-orders/${wo}/actions`, body);
  const noteWrite = (extra: object = {}) => ({
    system: 'shop',
    operation: 'order.note',
    kind: 'write',
    facts: { orderFulfilled: false, addressValidated: true },
    ...extra,
  });

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    as = clientsFor(t.url, principals.keys);
    // support-recovery with its shop writes undoable only with a note.
    const yaml = readFileSync(join(__dirname, '..', 'workflows', 'support-recovery.yaml'), 'utf8')
      .replace(/^jobType: .*$/m, 'jobType: rollback-flow')
      .replace(
        '- { name: shop, read: true, write: [order.note, customer.reply] }',
        '- { name: shop, read: true, write: [order.note, customer.reply], rollback: required }',
      );
    expect(yaml).toContain('rollback: required');
    expect((await as.admin('POST', '/v1/workflows', yaml, { 'Content-Type': 'application/yaml' })).status).toBe(201);
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'rollback-flow',
      externalRef: 'RB-1',
      source: 'helpdesk',
      inputs: { caseId: 'c-1', orderId: 'o-1', orderPaid: true },
    });
    expect(opened.status).toBe(201);
    wo = opened.body.id;
  });
  afterAll(() => t?.close());

  it.each([
    ['without a note', {}],
    ['with a blank note', { rollbackNote: '   ' }],
  ])('a write %s stops with rollback_note_required and a message a person reads', async (_, extra) => {
    const answer = await act(noteWrite(extra));
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({
      decision: 'stop',
      reason: 'rollback_note_required',
      message: 'writes to shop need a rollback note: say how to undo it',
      decisionOwner: 'support-lead',
    });
  });

  it('a write outside the write list is still write_not_allowed; a read needs no note', async () => {
    expect((await act({ system: 'shop', operation: 'order.delete', kind: 'write' })).body).toMatchObject({
      decision: 'stop',
      reason: 'write_not_allowed',
    });
    expect((await act({ system: 'shop', operation: 'order', kind: 'read' })).body).toMatchObject({
      decision: 'run',
      reason: 'inside_boundary',
    });
  });

  it('a note over 2000 characters is refused at the edge', async () => {
    const refused = await act(noteWrite({ rollbackNote: 'x'.repeat(2001) }));
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ error: 'validation_failed' });
    expect(refused.text).toContain('rollbackNote must be at most 2000 characters');
  });

  it('with the note the rules decide; ops leads read the note, operators and the delivery page never see it', async () => {
    const ran = await act(noteWrite({ rollbackNote: NOTE }));
    expect(ran.body).toMatchObject({ decision: 'run', reason: 'rule_matched', rule: 'address-fix-before-cutoff' });
    const stopped = await act(noteWrite({ rollbackNote: NOTE, facts: { orderFulfilled: true } }));
    expect(stopped.body).toMatchObject({
      decision: 'stop',
      reason: 'rule_matched',
      rule: 'no-address-change-after-fulfilment',
    });

    const lead = await as.lead<Receipt>('GET', `/v1/receipts/${ran.body.receiptId}`);
    expect(lead.status).toBe(200);
    expect(lead.body.evidence).toEqual([
      {
        kind: 'rollback-note',
        ref: `action:${ran.body.actionId}`,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        note: NOTE,
        private: true,
      },
    ]);
    const operator = await as.operator<Receipt>('GET', `/v1/receipts/${ran.body.receiptId}`);
    expect(operator.status).toBe(200);
    expect(operator.body.evidence).toEqual([]);
    expect(operator.text).not.toContain('CANARY-rollback');

    const events = await as.lead<RecordedEvent[]>('GET', `/v1/work-orders/${wo}/events`);
    expect(events.text).toContain(NOTE);
    for (const [who, path] of [
      ['helpdesk', `/v1/work-orders/${wo}/delivery`],
      ['operator', `/v1/work-orders/${wo}/decisions`],
      ['operator', `/v1/work-orders/${wo}`],
    ] as const) {
      const answer = await as[who]('GET', path);
      expect([path, answer.status]).toEqual([path, 200]);
      expect([path, answer.text.includes('CANARY-rollback')]).toEqual([path, false]);
    }
    const html = await as.helpdesk('GET', `/v1/work-orders/${wo}/delivery`, undefined, { Accept: 'text/html' });
    expect(html.text).not.toContain('CANARY-rollback');
  });

  it('a CloudEvent action request carries its note as the HTTP body does', async () => {
    const event = (id: string, data: object) => ({
      specversion: '1.0',
      id,
      source: 'helpdesk',
      subject: 'RB-1',
      type: 'workgate.action.requested',
      datacontenttype: 'application/json',
      data,
    });
    const send = (e: object) =>
      as.helpdesk<IngestAnswer>('POST', '/v1/events', JSON.stringify(e), {
        'Content-Type': 'application/cloudevents+json',
      });
    const without = await send(event('rb-ce-1', noteWrite()));
    expect(without.status).toBe(202);
    expect(without.body.results[0]).toMatchObject({ ok: true, answer: { reason: 'rollback_note_required' } });
    const withNote = await send(event('rb-ce-2', noteWrite({ rollbackNote: NOTE })));
    expect(withNote.body.results[0]).toMatchObject({ ok: true, answer: { decision: 'run', reason: 'rule_matched' } });
    const tooLong = await send(event('rb-ce-3', noteWrite({ rollbackNote: 'y'.repeat(2001) })));
    expect(tooLong.status).toBe(422);
    expect(tooLong.text).toContain('rollbackNote must be at most 2000 characters');
  });
});
