import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CloudEvent, emitterFor, httpTransport, Mode } from 'cloudevents';
import { parse } from 'yaml';
import { startWorkgate } from '../../cli/workgate';
import { ApiAnswer, client, clientsFor, writePrincipals } from '../support/principals';
import { eventually } from '../support/processes';
import { volume } from '../support/volume';
import { startTestWorkgate, TestWorkgate } from '../support/workgate';
import type {
  ActionAnswer,
  ApprovalQueueRow,
  ApprovalView,
  ExceptionCode,
  OpenedAnswer,
  PublishWorkflowResult,
  Receipt,
  RejectionsPage,
  WorkOrderHandoff,
  WorkOrderListItem,
  WorkflowVersion,
} from '@workgate/contracts';
import type { ErrorBody, IngestAnswer, IntakeRefusal } from '../support/answers';
import { checked, isRecord, isString, shaped } from '../support/guards';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');
/** 50 in `npm test`, 200 in the faults tier (test/support/volume.ts). */
const N = volume(50, 200);

/**
 * The integrator's contract (docs/api.md, Conventions; docs/api.md, Work events (CloudEvents)), as a third party meets it: workflow files
 * published as they are, CloudEvents sent with the official SDK in every mode of the HTTP binding,
 * and every write readable at once by the same key, without a sleep.
 */
describe('the integrator contract', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({
    admin: ['admin'],
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver'],
  });
  let as: Record<string, ReturnType<typeof client>>;

  beforeAll(async () => {
    t = await startTestWorkgate({
      env: { WORKGATE_PRINCIPALS: principals.path, WORKGATE_RATE_LIMIT_PER_MINUTE: '100000' },
    });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(() => t?.close());

  describe('publishing a workflow', () => {
    const yamlText = readFileSync(join(WORKFLOWS, 'field-work-order.yaml'), 'utf8');
    const bumped = (version: number) => yamlText.replace(/^version: \d+/m, `version: ${version}`);

    it('takes a shipped file as raw YAML and as raw JSON (201), and the {definition} wrapper too', async () => {
      const same = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', yamlText, {
        'Content-Type': 'application/yaml',
      });
      expect(same).toMatchObject({ status: 201, body: { jobType: 'field-work-order', created: false } });
      const yaml = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', bumped(2), {
        'Content-Type': 'text/yaml',
      });
      expect(yaml).toMatchObject({ status: 201, body: { jobType: 'field-work-order', version: 2, created: true } });
      expect(Number(yaml.headers.get('workgate-position'))).toBeGreaterThan(0);
      const json = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', parse(bumped(3)));
      expect(json).toMatchObject({ status: 201, body: { version: 3, created: true } });
      const wrapped = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', { definition: bumped(4) });
      expect(wrapped).toMatchObject({ status: 201, body: { version: 4, created: true } });
      expect((await as.admin<WorkflowVersion>('GET', '/v1/workflows/field-work-order')).body).toMatchObject({
        version: 4,
      });
    });

    it('refuses other media types (415), a version that is not higher (409) and one out of range (422)', async () => {
      expect(await as.admin('POST', '/v1/workflows', bumped(9), { 'Content-Type': 'text/plain' })).toMatchObject({
        status: 415,
        body: { error: 'unsupported_media_type' },
      });
      const changedV3 = bumped(3).replace(/^title: .*$/m, 'title: A different version 3');
      expect(await as.admin('POST', '/v1/workflows', changedV3, { 'Content-Type': 'application/yaml' })).toMatchObject({
        status: 409,
        body: { error: 'version_not_higher' },
      });
      // The same content again is not a new version: nothing is written and the answer says so.
      expect(await as.admin('POST', '/v1/workflows', bumped(3), { 'Content-Type': 'application/yaml' })).toMatchObject({
        status: 201,
        body: { version: 3, created: false },
      });
      for (const version of ['2147483648', '1e308']) {
        const res = await as.admin<ErrorBody>(
          'POST',
          '/v1/workflows',
          yamlText.replace(/^version: \d+/m, `version: ${version}`),
          {
            'Content-Type': 'application/yaml',
          },
        );
        expect({ version, status: res.status, error: res.body.error }).toEqual({
          version,
          status: 422,
          error: 'invalid_definition',
        });
        expect(res.body.details).toContainEqual(expect.objectContaining({ path: 'version' }));
      }
    });
  });

  it('opens a work order on the version whose publish has just answered, every time (no wait)', async () => {
    const source = readFileSync(join(WORKFLOWS, 'support-recovery.yaml'), 'utf8');
    // Five job types at once, each published six times, each open sent the moment its publish answered.
    const chain = async (jobType: string): Promise<number[]> => {
      const opened: number[] = [];
      for (let version = 1; version <= 6; version++) {
        const yaml = source
          .replace(/^jobType: .*$/m, `jobType: ${jobType}`)
          .replace(/^version: \d+/m, `version: ${version}`);
        expect(await as.admin('POST', '/v1/workflows', yaml, { 'Content-Type': 'application/yaml' })).toMatchObject({
          status: 201,
          body: { version, created: true },
        });
        const open = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
          jobType,
          externalRef: `${jobType}-${version}`,
          source: 'contract',
          inputs: { caseId: 'c', orderId: 'o', orderPaid: true },
        });
        expect(open.status).toBe(201);
        opened.push(
          (await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${open.body.id}`)).body.workflow.version,
        );
      }
      return opened;
    };
    const chains = await Promise.all(['fresh-a', 'fresh-b', 'fresh-c', 'fresh-d', 'fresh-e'].map(chain));
    expect(chains).toEqual(Array(5).fill([1, 2, 3, 4, 5, 6]));
  });

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
    const emit = (mode: Mode) => emitterFor(httpTransport(`${t.url}/v1/events`), { mode });
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
      const invalid = await fetch(`${t.url}/v1/events`, {
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

  describe('Idempotency-Key', () => {
    const body = (ref: string) => ({
      jobType: 'support-recovery',
      externalRef: ref,
      source: 'idem',
      inputs: { caseId: ref, orderId: '1', orderPaid: true },
    });

    it('replays the first answer of an open and writes nothing; the same key with another body is 422 idempotency_key_reused', async () => {
      const first = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-1'), {
        'Idempotency-Key': 'open-idem-1',
      });
      expect(first.status).toBe(201);
      const again = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-1'), {
        'Idempotency-Key': 'open-idem-1',
      });
      expect(again).toMatchObject({ status: 201, body: first.body });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('workgate-position')).toBe(first.headers.get('workgate-position'));
      const other = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-2'), {
        'Idempotency-Key': 'open-idem-1',
      });
      expect(other).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });
      expect(
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=idem&externalRef=IDEM-2')).body,
      ).toEqual([]);
      // A key is the principal's own: another principal's request with the same text is a request of its own,
      // written (not a replay of the helpdesk's answer, not refused as reused) and replayed to that principal alone.
      const code = { code: 'IDEM_CODE', title: 'Idempotency', owner: 'support-lead', sla: 'PT4H' };
      const own = await as.admin<ExceptionCode>('POST', '/v1/exception-codes', code, {
        'Idempotency-Key': 'open-idem-1',
      });
      expect(own).toMatchObject({ status: 201, body: { code: 'IDEM_CODE', owner: 'support-lead' } });
      expect(own.headers.get('idempotent-replayed')).toBeNull();
      const ownAgain = await as.admin('POST', '/v1/exception-codes', code, { 'Idempotency-Key': 'open-idem-1' });
      expect(ownAgain).toMatchObject({ status: 201, body: own.body });
      expect(ownAgain.headers.get('idempotent-replayed')).toBe('true');
      expect(
        await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-1'), {
          'Idempotency-Key': 'open-idem-1',
        }),
      ).toMatchObject({ status: 201, body: first.body });
    });

    it('a refused write keeps nothing: corrected, it is sent again with the same key and writes', async () => {
      const refused = await as.helpdesk<OpenedAnswer>(
        'POST',
        '/v1/work-orders',
        { ...body('IDEM-R'), jobType: 7 },
        { 'Idempotency-Key': 'refused-1' },
      );
      expect(refused).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
      const corrected = await as.helpdesk('POST', '/v1/work-orders', body('IDEM-R'), {
        'Idempotency-Key': 'refused-1',
      });
      expect(corrected.status).toBe(201);
      expect(corrected.headers.get('idempotent-replayed')).toBeNull();
      expect(
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=idem&externalRef=IDEM-R')).body,
      ).toHaveLength(1);
    });

    /**
     * Six requests with one key sent at once through `via` (round robin): with six other bodies one
     * writes and five are 422 idempotency_key_reused; with one body one writes and five replay it.
     */
    async function sendConcurrently(via: ReturnType<typeof client>[], ref: string, key: string): Promise<void> {
      // The six are held in flight together: the ledger is locked, so the one that reserves the key cannot write
      // and none can be answered; only once the key is reserved and none has answered is the ledger let go. Taken
      // one after another, or without the reservation, they would not give one write and five refusals.
      const owner = t.db.ownerPool();
      const ledger = await owner.connect();
      let answered = 0;
      let sent!: Promise<ApiAnswer<OpenedAnswer>[]>;
      try {
        await ledger.query('BEGIN');
        await ledger.query('LOCK TABLE ledger_events IN EXCLUSIVE MODE');
        sent = Promise.all(
          [1, 2, 3, 4, 5, 6].map((i) =>
            via[i % via.length]<OpenedAnswer>('POST', '/v1/work-orders', body(`${ref}${i}`), {
              'Idempotency-Key': `${key}-1`,
            }).finally(() => answered++),
          ),
        );
        await eventually(
          async () =>
            (await owner.query('SELECT 1 FROM idempotency_answers WHERE key = $1 AND holder IS NOT NULL', [`${key}-1`]))
              .rows.length === 1,
          10_000,
          'the key reserved by one of the six',
        );
        expect(answered).toBe(0);
      } finally {
        await ledger.query('COMMIT');
        ledger.release();
      }
      const others = await sent;
      expect(others.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422, 422]);
      for (const r of others.filter((o) => o.status === 422))
        expect(r.body).toMatchObject({
          error: 'idempotency_key_reused',
          details: [{ path: 'header:Idempotency-Key' }],
        });
      const written = others.find((r) => r.status === 201)!;
      // Read as docs/api.md tells a client that wrote through another gateway: from the write's position.
      const after = { 'Workgate-Min-Position': written.headers.get('workgate-position')! };
      const opened = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((i) =>
          as.helpdesk<WorkOrderListItem[]>(
            'GET',
            `/v1/work-orders?source=idem&externalRef=${ref}${i}`,
            undefined,
            after,
          ),
        ),
      );
      expect(opened.map((r) => r.body.length).sort()).toEqual([0, 0, 0, 0, 0, 1]);
      expect(opened.find((r) => r.body.length === 1)!.body[0].id).toBe(written.body.id);

      const same = await Promise.all(
        [1, 2, 3, 4, 5, 6].map((i) =>
          via[i % via.length]('POST', '/v1/work-orders', body(`${ref}S`), { 'Idempotency-Key': `${key}-2` }),
        ),
      );
      expect(same.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
      expect(same.map((r) => r.headers.get('idempotent-replayed')).sort()).toEqual([
        null,
        'true',
        'true',
        'true',
        'true',
        'true',
      ]);
      for (const r of same) expect(r).toMatchObject({ body: same[0].body });
      expect(new Set(same.map((r) => r.headers.get('workgate-position'))).size).toBe(1);
      const replayed = { 'Workgate-Min-Position': same[0].headers.get('workgate-position')! };
      expect(
        (
          await as.helpdesk<WorkOrderListItem[]>(
            'GET',
            `/v1/work-orders?source=idem&externalRef=${ref}S`,
            undefined,
            replayed,
          )
        ).body,
      ).toHaveLength(1);
    }

    it('the same key sent concurrently: one write; with other bodies the rest are 422 idempotency_key_reused, with the same body they replay it', async () => {
      await sendConcurrently([as.helpdesk], 'IDEM-C', 'concurrent');
    });

    it('the same key sent concurrently to two gateways of one deployment: the database decides, one write, the rest 422 or replays', async () => {
      // A second gateway instance on the same database and NATS, as a deployment runs several.
      const second = await startWorkgate(t.config, {
        port: 0,
        without: ['ledger', 'exceptions', 'policy', 'approvals', 'intake'],
      });
      try {
        await sendConcurrently([as.helpdesk, client(second.url, principals.keys.helpdesk)], 'IDEM-G', 'two-gateways');
      } finally {
        await second.close();
      }
    });

    it('a write whose caller went away holds its key until it has answered: the same key with another body is then 422, one work order', async () => {
      const key = 'gone-1';
      const owner = t.db.ownerPool();
      const holderOf = async () =>
        (await owner.query<{ holder: string | null }>('SELECT holder FROM idempotency_answers WHERE key = $1', [key]))
          .rows[0]?.holder;
      // The ledger is held: the first write reserves its key and waits there, in flight, when its caller goes away.
      const ledger = await owner.connect();
      let other: ReturnType<typeof as.helpdesk>;
      try {
        await ledger.query('BEGIN');
        await ledger.query('LOCK TABLE ledger_events IN EXCLUSIVE MODE');
        const gone = new AbortController();
        const first = fetch(`${t.url}/v1/work-orders`, {
          method: 'POST',
          signal: gone.signal,
          headers: {
            authorization: `Bearer ${principals.keys.helpdesk}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(body('IDEM-GONE-1')),
        });
        let holder = await holderOf();
        while (!holder) holder = await new Promise((r) => setTimeout(r, 5)).then(holderOf);
        gone.abort();
        await expect(first).rejects.toThrow();
        other = as.helpdesk('POST', '/v1/work-orders', body('IDEM-GONE-2'), { 'Idempotency-Key': key });
        // The key must stay the first write's while it runs (a key freed when its caller left was taken by the other at once).
        for (let i = 0; i < 100 && (await holderOf()) === holder; i++) await new Promise((r) => setTimeout(r, 10));
        expect(await holderOf()).toBe(holder);
      } finally {
        await ledger.query('COMMIT');
        ledger.release();
      }
      expect(await other).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });
      // The first write was answered and kept: its retry replays it.
      const retry = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-GONE-1'), {
        'Idempotency-Key': key,
      });
      expect(retry).toMatchObject({ status: 201 });
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=idem&externalRef=IDEM-GONE-1')).body,
      ).toHaveLength(1);
      expect(
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=idem&externalRef=IDEM-GONE-2')).body,
      ).toHaveLength(0);
    });

    it('replays an approval decision instead of answering approval_decided, and a publish', async () => {
      const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-3'));
      const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
        system: 'payments',
        operation: 'refund',
        kind: 'write',
      });
      const decision = {
        decision: 'approve',
        permittedAction: { system: 'payments', operation: 'refund', kind: 'write' },
      };
      const first = await as['support-lead']<ApprovalView>(
        'POST',
        `/v1/approvals/${wait.body.approvalId}/decision`,
        decision,
        {
          'Idempotency-Key': 'decide-1',
        },
      );
      expect(first.status).toBe(200);
      const replay = await as['support-lead']<ApprovalView>(
        'POST',
        `/v1/approvals/${wait.body.approvalId}/decision`,
        decision,
        {
          'Idempotency-Key': 'decide-1',
        },
      );
      expect(replay).toMatchObject({ status: 200, body: first.body });
      // Without the key, a second decision is a new request: the approval is decided already.
      expect(
        await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${wait.body.approvalId}/decision`, decision),
      ).toMatchObject({ status: 409, body: { error: 'approval_decided' } });

      // A publish replayed answers `created: true` as the first time, not `created: false`.
      const flow = readFileSync(join(WORKFLOWS, 'support-recovery.yaml'), 'utf8').replace(
        /^jobType: .*$/m,
        'jobType: idem-flow',
      );
      const published = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', flow, {
        'Content-Type': 'application/yaml',
        'Idempotency-Key': 'publish-1',
      });
      expect(published).toMatchObject({ status: 201, body: { jobType: 'idem-flow', created: true } });
      expect(
        await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', flow, {
          'Content-Type': 'application/yaml',
          'Idempotency-Key': 'publish-1',
        }),
      ).toMatchObject({ status: 201, body: published.body });
    });

    it('refuses a key that is no visible ASCII text of up to 255 characters', async () => {
      for (const key of ['x'.repeat(256), 'two words']) {
        expect(await as.helpdesk('POST', '/v1/work-orders', body('IDEM-4'), { 'Idempotency-Key': key })).toMatchObject({
          status: 422,
          body: { error: 'validation_failed', details: [{ path: 'header:Idempotency-Key' }] },
        });
      }
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

  describe('reading your own writes, without a sleep', () => {
    it(`finds each of ${N} work orders in the list the moment its open answered`, async () => {
      const missed: string[] = [];
      for (let i = 0; i < N; i++) {
        const ref = `RYW-${i}`;
        const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
          jobType: 'support-recovery',
          externalRef: ref,
          source: 'ryw',
          inputs: { caseId: ref, orderId: '1', orderPaid: true },
        });
        expect(opened.status).toBe(201);
        const list = await as.helpdesk<WorkOrderListItem[]>('GET', `/v1/work-orders?source=ryw&externalRef=${ref}`);
        if (list.body.length !== 1 || list.body[0].id !== opened.body.id) missed.push(ref);
      }
      expect(missed).toEqual([]);
    });

    it(`finds each of ${N} approvals in its owner's queue the moment the wait answered`, async () => {
      const missed: string[] = [];
      for (let i = 0; i < N; i++) {
        const ref = `RYW-Q-${i}`;
        const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
          jobType: 'support-recovery',
          externalRef: ref,
          source: 'ryw',
          inputs: { caseId: ref, orderId: '1', orderPaid: true },
        });
        const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
          system: 'payments',
          operation: 'refund',
          kind: 'write',
        });
        // The owner reads the queue with the position the integrator's write answered.
        const queue = await as['support-lead']<ApprovalQueueRow[]>(
          'GET',
          '/v1/approvals?owner=support-lead&status=requested&limit=1000',
          undefined,
          { 'Workgate-Min-Position': wait.headers.get('workgate-position')! },
        );
        if (!queue.body.some((a) => a.approvalId === wait.body.approvalId)) {
          // What was seen, so that a miss says whether the write, the position or the view fell short.
          missed.push(
            `${ref}: ${wait.status} ${wait.body.decision} ${wait.body.approvalId} at ${wait.headers.get('workgate-position')}; queue ${queue.status} with ${queue.body.length}`,
          );
        }
      }
      expect(missed).toEqual([]);
    });

    it('answers 503 not_caught_up with Retry-After for a position the views cannot reach in time, and 422 for a malformed one', async () => {
      const far = await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?limit=1', undefined, {
        'Workgate-Min-Position': '999999999',
      });
      expect(far).toMatchObject({ status: 503, body: { error: 'not_caught_up' } });
      expect(far.headers.get('retry-after')).toBe('1');
      expect(
        await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?limit=1', undefined, {
          'Workgate-Min-Position': 'soon',
        }),
      ).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
    }, 20_000);
  });
});
