import { CloudEvent, emitterFor, httpTransport, Mode } from 'cloudevents';
import { onSharedWorkgate, INTEGRATOR_PRINCIPALS } from '../support/suite';
import type { OpenedAnswer, Receipt, RejectionsPage, WorkOrderListItem } from '@workgate/contracts';
import type { IngestAnswer, IntakeRefusal } from '../support/answers';
import { checked, isRecord, isString, shaped } from '../support/guards';

/**
 * The integrator's contract (docs/api.md, Work events (CloudEvents)), as a third party meets it:
 * CloudEvents sent with the official SDK in every mode of the HTTP binding, and a receipt for every
 * write that names one. On the worker's shared workgate: the sources (sdk, rcpt) are this file's
 * alone, and the rejections it reads are the newest, its own.
 */
describe('the integrator contract: CloudEvents and receipts', () => {
  const suite = onSharedWorkgate(INTEGRATOR_PRINCIPALS);
  const { as, principals } = suite;

  describe('CloudEvents over HTTP with the official SDK', () => {
    const open = (id: string, ref: string) =>
      new CloudEvent({
        specversion: '1.0',
        id,
        source: 'sdk',
        type: 'workgate.workorder.open',
        subject: ref,
        datacontenttype: 'application/json',
        data: { jobType: 'support-recovery', inputs: { caseId: ref, orderId: '1', orderPaid: true } },
      });
    const emit = (mode: Mode) => emitterFor(httpTransport(`${suite.t.url}/v1/events`), { mode });
    const auth = () => ({ headers: { authorization: `Bearer ${principals.keys.helpdesk}` } });
    const listed = async (ref: string) =>
      (await as.helpdesk<WorkOrderListItem[]>('GET', `/v1/work-orders?source=sdk&externalRef=${ref}`)).body;

    it.each([
      ['binary', Mode.BINARY],
      ['structured', Mode.STRUCTURED],
    ])('accepts %s mode (202), and the work order is listed right after', async (name, mode) => {
      const res = checked(
        await emit(mode)(open(`sdk-${name}`, `SDK-${name}`), auth()),
        shaped({ body: isString, headers: isRecord }),
        "the transport's answer",
      );
      expect(JSON.parse(res.body)).toMatchObject({ accepted: 1, results: [{ ok: true, answer: { status: 'open' } }] });
      expect(Number(res.headers['workgate-position'])).toBeGreaterThan(0);
      expect(await listed(`SDK-${name}`)).toEqual([expect.objectContaining({ externalRef: `SDK-${name}` })]);
    });

    it('accepts a structured event of any size up to the limit (202)', async () => {
      const big = open('sdk-big', 'SDK-BIG').toJSON();
      checked(big.data, shaped({ inputs: isRecord }), "the event's data").inputs.history = 'call log '.repeat(20_000);
      const res = await as.helpdesk<IngestAnswer>('POST', '/v1/events', big, {
        'Content-Type': 'application/cloudevents+json',
      });
      expect(res).toMatchObject({ status: 202, body: { accepted: 1 } });
    });

    it('accepts a batch (202), listed right after', async () => {
      const batch = JSON.stringify([open('sdk-b1', 'SDK-B1'), open('sdk-b2', 'SDK-B2')].map((e) => e.toJSON()));
      const res = await as.helpdesk<IngestAnswer>('POST', '/v1/events', batch, {
        'Content-Type': 'application/cloudevents-batch+json',
      });
      expect(res).toMatchObject({ status: 202, body: { accepted: 2 } });
      expect(await listed('SDK-B2')).toHaveLength(1);
    });

    it('reads a null optional attribute as absent, and refuses data with data_base64', async () => {
      const withNull = { ...open('sdk-null', 'SDK-NULL').toJSON(), time: null, dataschema: null };
      expect(
        await as.helpdesk<IngestAnswer>('POST', '/v1/events', withNull, {
          'Content-Type': 'application/cloudevents+json',
        }),
      ).toMatchObject({ status: 202 });
      const both = { ...open('sdk-both', 'SDK-BOTH').toJSON(), data_base64: Buffer.from('{}').toString('base64') };
      const refused = await as.helpdesk<IngestAnswer>('POST', '/v1/events', both, {
        'Content-Type': 'application/cloudevents+json',
      });
      expect(refused).toMatchObject({
        status: 422,
        body: {
          error: 'invalid_event',
          details: [{ reasons: ['data and data_base64 are both present: an event carries one of them'] }],
        },
      });
    });

    it('keeps malformed JSON and invalid UTF-8 over HTTP as rejections, as over NATS', async () => {
      const malformed = await as.helpdesk<IntakeRefusal>('POST', '/v1/events', '{"specversion": "1.0", "id": ', {
        'Content-Type': 'application/cloudevents+json',
      });
      expect(malformed).toMatchObject({
        status: 422,
        body: { error: 'invalid_event', details: [{ ok: false, rejectionId: expect.any(String) }] },
      });
      const invalid = await fetch(`${suite.t.url}/v1/events`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${principals.keys.helpdesk}`,
          'content-type': 'application/cloudevents+json',
        },
        body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]),
      });
      expect(invalid.status).toBe(422);
      // Text no database can store (an unpaired surrogate in a key, U+0000 in the source) is kept too, escaped in the reasons.
      const unstorable = await as.helpdesk<IngestAnswer>(
        'POST',
        '/v1/events',
        '{"specversion":"1.0","id":"u-1","source":"sdk\\u0000x","type":"workgate.workorder.open","subject":"U","data":{"\\ud800":1}}',
        { 'Content-Type': 'application/cloudevents+json' },
      );
      expect(unstorable).toMatchObject({
        status: 422,
        body: { error: 'invalid_event', details: [{ ok: false, rejectionId: expect.any(String) }] },
      });
      const { rejections } = (await as.helpdesk<RejectionsPage>('GET', '/v1/intake/rejections?limit=10')).body;
      expect(rejections.map((r) => r.reasons[0])).toEqual(
        expect.arrayContaining(['the body is not valid UTF-8', expect.stringMatching(/^the body is not valid JSON/)]),
      );
      expect(rejections.map((r) => r.rejectionId)).toContain(malformed.body.details[0].rejectionId);
    });

    it('refuses a body that is no CloudEvent with 415', async () => {
      expect(await as.helpdesk('POST', '/v1/events', { hello: 'world' })).toMatchObject({
        status: 415,
        body: { error: 'unsupported_media_type' },
      });
    });
  });

  describe('receipts', () => {
    it('answers GET /v1/receipts/:id for the receipt id of every write that returns one', async () => {
      const support = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'RCPT-1',
        source: 'rcpt',
        inputs: { caseId: 'RCPT-1', orderId: '1', orderPaid: true },
      });
      const wo = `/v1/work-orders/${support.body.id}`;
      const engagement = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'engagement-lifecycle',
        externalRef: 'RCPT-2',
        source: 'rcpt',
        inputs: { client: 'Acme', sponsor: 'Ann' },
      });
      const eng = `/v1/work-orders/${engagement.body.id}`;
      const writes: Array<[string, { status: number; body: { receiptId?: string } }]> = [
        [
          'decision',
          await as.agent('POST', `${wo}/actions`, { system: 'helpdesk', operation: 'case.note', kind: 'write' }),
        ],
        ['step', await as.agent('POST', `${wo}/steps/inspect-case/complete`, { evidence: [] })],
        [
          'exception',
          await as.agent('POST', `${wo}/steps/validate-address/block`, {
            code: 'CUSTOMER_UNREACHABLE',
            rationale: 'no answer',
          }),
        ],
        [
          'break-glass',
          await as.agent('POST', `${wo}/break-glass`, {
            code: 'PAYMENT_MISMATCH',
            rationale: 'refund now',
            action: { system: 'payments', operation: 'refund', kind: 'write' },
          }),
        ],
        [
          'stage-artifact',
          await as.agent('POST', `${eng}/stages/discovery/artifact`, {
            artifact: { kind: 'requirements-brief', ref: 'doc-1' },
          }),
        ],
        [
          'scope-change',
          await as.agent('POST', `${eng}/scope-changes`, {
            add: [{ system: 'crm', operation: 'export', kind: 'write' }],
            reason: 'a new export',
          }),
        ],
      ];
      for (const [kind, res] of writes) {
        expect({ kind, ok: res.status === 200 || res.status === 201, receipt: typeof res.body.receiptId }).toEqual({
          kind,
          ok: true,
          receipt: 'string',
        });
        const receipt = await as.agent<Receipt>('GET', `/v1/receipts/${res.body.receiptId}`);
        expect({ kind, status: receipt.status, receiptKind: receipt.body.kind }).toEqual({
          kind,
          status: 200,
          receiptKind: kind,
        });
      }
      const glass = await as.agent<Receipt>('GET', `/v1/receipts/${writes[3][1].body.receiptId}`);
      expect(glass.body).toMatchObject({
        decision: 'run',
        reason: 'break_glass',
        workOrderId: support.body.id,
        ledger: { position: expect.any(Number) },
      });
    });
  });
});
