import { Subjects } from '@workgate/contracts';
import { TestDatabase } from './support/database';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type {
  ActionAnswer,
  ApprovalView,
  DeliveryPage,
  ExceptionCode,
  OpenedAnswer,
  PublishWorkflowResult,
  Receipt,
  RejectionsPage,
  StatusAnswer,
  StepAnswer,
  ViewRow,
  WorkOrderHandoff,
  WorkOrderListItem,
  WorkflowVersion,
} from '@workgate/contracts';
import { found } from './support/answers';
import type { ErrorBody, IngestAnswer } from './support/answers';
import type { OpenAPIObject } from '@nestjs/swagger';

const CANARY = 'CANARY-7f3a9c-SECRET';

/** The support-recovery scenario through the HTTP API, with auth, receipts and the delivery page. */
describe('gateway: support recovery over HTTP', () => {
  let t: TestWorkgate;
  let db: TestDatabase;
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    lead: ['ops-lead'],
    admin: ['admin'],
    analyst: ['analyst'],
    'support-lead': ['approver'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  let anonymous: ReturnType<typeof client>;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    db = t.db;
    as = clientsFor(t.url, principals.keys);
    anonymous = client(t.url);
  });
  afterAll(() => t?.close());

  const open = (
    externalRef: string,
    inputs: Record<string, unknown> = { caseId: 'C-1', orderId: '1001', orderPaid: true },
  ) =>
    as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef,
      source: 'helpdesk',
      inputs,
    });

  it('runs the address fix, makes the refund wait, stops the unnamed system, and closes only with evidence', async () => {
    const opened = await open('CASE-1');
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      status: 'open',
      prerequisites: [
        { name: 'caseId', ok: true },
        { name: 'orderId', ok: true },
        { name: 'orderPaid', ok: true },
      ],
      exceptions: [],
    });
    const id = opened.body.id;

    const fix = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: ['order:1001', 'customer:77', 'address:1001'],
      facts: { orderFulfilled: false, addressValidated: true },
    });
    expect(fix.status).toBe(201);
    expect(fix.body).toMatchObject({
      decision: 'run',
      rule: 'address-fix-before-cutoff',
      objectsNamed: 4,
      scopeChecks: { passed: 3, total: 3 },
      receiptId: expect.any(String),
    });
    const receipt = await as.agent<Receipt>('GET', `/v1/receipts/${fix.body.receiptId}`);
    expect(receipt.status).toBe(200);
    expect(receipt.body).toMatchObject({
      receiptId: fix.body.receiptId,
      kind: 'decision',
      decision: 'run',
      actor: 'agent',
      policy: { jobType: 'support-recovery', version: 1 },
      ledger: { position: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });

    const refundCase = await open('CASE-2');
    const refund = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${refundCase.body.id}/actions`, {
      system: 'payments',
      operation: 'refund',
      kind: 'write',
      facts: { amount: 30 },
    });
    expect(refund.body).toMatchObject({
      decision: 'wait',
      decisionOwner: 'support-lead',
      approvalId: expect.any(String),
    });

    const crm = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      system: 'crm',
      operation: 'contact.update',
      kind: 'write',
    });
    expect(crm.body).toMatchObject({ decision: 'stop', reason: 'system_not_named', decisionOwner: 'support-lead' });

    for (const step of ['inspect-case', 'validate-address']) {
      expect((await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, { evidence: [] })).status).toBe(
        200,
      );
    }
    const missingEvidence = await as.agent<StepAnswer>('POST', `/v1/work-orders/${id}/steps/update-order/complete`, {
      evidence: [],
    });
    expect(missingEvidence).toMatchObject({ status: 422, body: { error: 'step_evidence_required' } });
    for (const step of ['update-order', 'notify-warehouse', 'confirm-customer']) {
      const done = await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
        evidence: [
          { kind: 'receipt', ref: `rcpt-${step}` },
          { kind: 'log', ref: `token=${CANARY}`, private: true },
        ],
      });
      expect(done.status).toBe(200);
    }

    const noEvidence = await as.agent<StatusAnswer>('POST', `/v1/work-orders/${id}/close`, {
      closureEvidenceId: '',
      evidence: [],
    });
    expect(noEvidence).toMatchObject({ status: 422, body: { error: 'closure_evidence_required' } });
    const closed = await as.agent<StatusAnswer>('POST', `/v1/work-orders/${id}/close`, {
      closureEvidenceId: 'CE-1',
      evidence: [{ kind: 'closure-note', ref: 'note-1' }],
    });
    expect(closed).toMatchObject({ status: 200, body: { id, status: 'closed' } });

    const blockedClose = await as.agent<ErrorBody>('POST', `/v1/work-orders/${refundCase.body.id}/close`, {
      closureEvidenceId: 'CE-2',
      evidence: [{ kind: 'closure-note', ref: 'n' }],
    });
    expect(blockedClose).toMatchObject({ status: 409, body: { error: 'open_blockers' } });
    expect(blockedClose.body.details).toEqual(
      expect.arrayContaining([expect.stringMatching(/approval .* is pending/)]),
    );

    // The delivery page shows decisions and next moves, never private evidence or secrets.
    const page = await as.agent<DeliveryPage>('GET', `/v1/work-orders/${id}/delivery`);
    expect(page.status).toBe(200);
    expect(page.body.decisions.map((d) => d.decision)).toEqual(['run', 'stop']);
    const html = await as.agent('GET', `/v1/work-orders/${id}/delivery`, undefined, { Accept: 'text/html' });
    expect(html.headers.get('content-type')).toMatch(/text\/html/);
    for (const surface of [page.text, html.text]) {
      expect(surface).not.toContain(CANARY);
      expect(surface).not.toContain('rcpt-update-order');
    }
    // A page a client can read: the stop in words (not its reason code), the closure and its
    // time, nothing left to decide and nobody "TBD"; styled by its own inline style only.
    expect(page.body).toMatchObject({
      status: 'closed',
      nextMoves: [],
      whoDecidesNext: null,
      closure: { at: expect.any(String), evidenceMissing: false },
    });
    const stop = found(page.body.decisions, (d) => d.decision === 'stop', 'stop among the decisions');
    expect(stop.message).toBe(crm.body.message);
    expect(html.text).toContain(
      `Stopped</strong></span><br><span class="muted">${String(crm.body.message).replace(/"/g, '&#34;')}`,
    );
    expect(html.text).not.toContain('system_not_named');
    expect(html.text).not.toContain('TBD');
    expect(html.text).toMatch(
      /Closed on <strong>\d{1,2} \w{3} \d{4}, \d{2}:\d{2} UTC<\/strong>, with its closure evidence on record/,
    );
    expect(html.headers.get('content-security-policy')).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'self';/,
    );
    expect(html.text).toContain('<link rel="icon" href="/favicon.ico">');
    expect(html.text).not.toContain('<script');

    // The refund that waited: once its owner approves, the page says so, and by whom.
    const waiting = await as.agent('GET', `/v1/work-orders/${refundCase.body.id}/delivery`, undefined, {
      Accept: 'text/html',
    });
    expect(waiting.text).toContain('Waiting for support-lead');
    expect(waiting.text).toMatch(
      /Waiting for refund approval — owned by support-lead|Waiting for .* approval — owned by support-lead/,
    );
    const approval = await as['support-lead']<ApprovalView>('GET', `/v1/approvals/${refund.body.approvalId}`);
    const decided = await as['support-lead']('POST', `/v1/approvals/${refund.body.approvalId}/decision`, {
      decision: 'approve',
      permittedAction: approval.body.requestedAction,
    });
    expect(decided.status).toBe(200);
    const approved = await eventually(
      async () => {
        const r = await as.agent<DeliveryPage>('GET', `/v1/work-orders/${refundCase.body.id}/delivery`);
        return r.body.decisions[0].outcome ? r : undefined;
      },
      10_000,
      'the approval outcome on the work order',
    );
    expect(approved.body.decisions[0]).toMatchObject({
      decision: 'wait',
      outcome: { status: 'approved', by: 'support-lead', at: expect.any(String) },
    });
    expect(approved.body.waitingFor).toEqual([]);
    const approvedHtml = await as.agent('GET', `/v1/work-orders/${refundCase.body.id}/delivery`, undefined, {
      Accept: 'text/html',
    });
    expect(approvedHtml.text).toMatch(
      /<strong>Approved<\/strong><\/span><br><span class="muted">approved by support-lead on .* UTC; it then went ahead\./,
    );
    // The ops lead sees the work order's ledger events, private evidence included.
    const events = await as.lead('GET', `/v1/work-orders/${id}/events`);
    expect(events.text).toContain(CANARY);
    expect((await as.agent('GET', `/v1/work-orders/${id}/events`)).status).toBe(403);
  });

  it('opens blocked with PREREQ_MISSING when a prerequisite fails, and finds work orders by source and externalRef', async () => {
    const opened = await open('CASE-3', { caseId: 'C-3', orderId: '1003', orderPaid: false });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({
      status: 'blocked',
      exceptions: [{ code: 'PREREQ_MISSING', owner: 'intake-lead' }],
    });
    expect(opened.body.prerequisites).toContainEqual({
      name: 'orderPaid',
      ok: false,
      reason: 'orderPaid must be true, got false',
    });
    const found = await eventually(
      async () => {
        const r = await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=helpdesk&externalRef=CASE-3');
        return r.body?.length === 1 ? r : undefined;
      },
      5000,
      'the work-orders view',
    );
    expect(found.body[0]).toMatchObject({ id: opened.body.id, status: 'blocked', jobType: 'support-recovery' });
    const handoff = await as.helpdesk<WorkOrderHandoff>('GET', `/v1/work-orders/${opened.body.id}`);
    expect(handoff.body).toMatchObject({
      status: 'blocked',
      stage: 'TBD',
      nextOwner: 'intake-lead',
      nextAction: 'resolve exception PREREQ_MISSING',
    });
  });

  it('blocks a step with a catalog code (owner and SLA from the catalog) and refuses free text', async () => {
    const { body } = await open('CASE-4');
    const blocked = await as.agent<StepAnswer>('POST', `/v1/work-orders/${body.id}/steps/confirm-customer/block`, {
      code: 'CUSTOMER_UNREACHABLE',
      rationale: 'no answer twice',
    });
    expect(blocked.status).toBe(201);
    expect(blocked.body.exception).toMatchObject({
      code: 'CUSTOMER_UNREACHABLE',
      owner: 'support-lead',
      dueAt: expect.any(String),
    });
    const free = await as.agent<StepAnswer>('POST', `/v1/work-orders/${body.id}/steps/confirm-customer/block`, {
      code: 'customer did not pick up',
      rationale: 'x',
    });
    expect(free).toMatchObject({ status: 422, body: { error: 'unknown_exception_code' } });
  });

  it('answers a replayed Idempotency-Key with the first answer and writes nothing', async () => {
    const { body } = await open('CASE-5');
    const request = { system: 'shop', operation: 'customer.reply', kind: 'write' };
    const first = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${body.id}/actions`, request, {
      'Idempotency-Key': 'reply-1',
    });
    const again = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${body.id}/actions`, request, {
      'Idempotency-Key': 'reply-1',
    });
    expect(again.body).toEqual(first.body);
    const { rows } = await db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = $1 AND type = 'ActionDecided'`, [
        `workorder-${body.id}`,
      ]);
    expect(rows[0].n).toBe(1);
  });

  it('takes CloudEvents over HTTP: 202 once committed, 422 with kept rejections', async () => {
    const event = (id: string, type: string, subject: string, data: unknown) => ({
      specversion: '1.0',
      id,
      source: 'shopify',
      type,
      subject,
      data,
    });
    const ok = await as.helpdesk<IngestAnswer>(
      'POST',
      '/v1/events',
      event('e-1', 'workgate.workorder.open', 'ORDER-9', {
        jobType: 'support-recovery',
        inputs: { caseId: 'C', orderId: '9', orderPaid: true },
      }),
      {
        'Content-Type': 'application/cloudevents+json',
      },
    );
    expect(ok.status).toBe(202);
    expect(ok.body.results[0]).toMatchObject({ ok: true, answer: { status: 'open' } });
    const bad = await as.helpdesk<ErrorBody>(
      'POST',
      '/v1/events',
      [
        event('e-2', 'workgate.nope', 'X', {}),
        event('e-3', 'workgate.workorder.open', 'ORDER-10', { jobType: 'support-recovery', inputs: {} }),
      ],
      {
        'Content-Type': 'application/cloudevents-batch+json',
      },
    );
    expect(bad.status).toBe(422);
    expect(bad.body.error).toBe('invalid_event');
    const list = await as.lead<RejectionsPage>('GET', '/v1/intake/rejections?source=shopify');
    expect(list.body.rejections[0].reasons[0]).toMatch(/unknown CloudEvent type/);
    // Nothing of the refused batch was applied.
    const found = await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=shopify&externalRef=ORDER-10');
    expect(found.body).toEqual([]);
  });

  describe('refusals', () => {
    it('401 without or with a wrong key, 403 with the wrong role', async () => {
      expect(await anonymous('GET', '/v1/workflows')).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
      expect(await client(t.url, 'nope')('GET', '/v1/workflows')).toMatchObject({ status: 401 });
      expect(
        await as.analyst<OpenedAnswer>('POST', '/v1/work-orders', {
          jobType: 'support-recovery',
          externalRef: 'X',
          source: 's',
          inputs: {},
        }),
      ).toMatchObject({
        status: 403,
        body: { error: 'forbidden' },
      });
      expect((await anonymous('GET', '/health')).status).toBe(200);
    });

    it.each<[string, unknown, number, string]>([
      ['malformed JSON', '{"jobType": ', 400, 'malformed_json'],
      ['wrong types', { jobType: 7, externalRef: 'x', source: 's', inputs: {} }, 422, 'validation_failed'],
      [
        'unknown keys',
        { jobType: 'support-recovery', externalRef: 'x', source: 's', inputs: {}, colour: 'red' },
        422,
        'validation_failed',
      ],
      [
        'a prototype key',
        '{"jobType":"support-recovery","externalRef":"x","source":"s","inputs":{"__proto__":{"polluted":1}}}',
        422,
        'validation_failed',
      ],
      [
        'a key twice in one object',
        '{"jobType":"support-recovery","externalRef":"x","source":"s","inputs":{"orderPaid":true,"orderPaid":false}}',
        400,
        'malformed_json',
      ],
      [
        'an unknown job type',
        { jobType: 'teleportation', externalRef: 'x', source: 's', inputs: {} },
        404,
        'unknown_job_type',
      ],
    ])('%s -> %s %s, nothing written', async (_what, body, status, error) => {
      const { rows: before } = await db.appPool().query('SELECT count(*)::int AS n FROM ledger_events');
      const res = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body);
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ error, message: expect.any(String) });
      expect('polluted' in {}).toBe(false);
      const { rows: after } = await db.appPool().query('SELECT count(*)::int AS n FROM ledger_events');
      expect(after[0].n).toBe(before[0].n);
    });

    it('413 for a body over 1 MiB', async () => {
      const res = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: 'x',
        source: 's',
        inputs: { blob: 'x'.repeat(1_100_000) },
      });
      expect(res).toMatchObject({ status: 413, body: { error: 'payload_too_large' } });
    });

    it('405 with Allow for a known path and a method it does not take; 404 for an unknown path', async () => {
      const { body } = await open('CASE-405');
      for (const [method, path, allow] of [
        ['PUT', `/v1/work-orders/${body.id}`, 'GET, HEAD, OPTIONS'],
        ['PATCH', `/v1/work-orders/${body.id}`, 'GET, HEAD, OPTIONS'],
        ['DELETE', `/v1/work-orders/${body.id}`, 'GET, HEAD, OPTIONS'],
        ['PUT', '/v1/workflows', 'GET, HEAD, POST, OPTIONS'],
        ['DELETE', '/v1/workflows', 'GET, HEAD, POST, OPTIONS'],
        ['GET', `/v1/work-orders/${body.id}/actions`, 'POST, OPTIONS'],
      ]) {
        const res = await as.agent(method, path);
        expect([method, path, res.status, res.headers.get('allow'), res.body]).toEqual([
          method,
          path,
          405,
          allow,
          { error: 'method_not_allowed', message: `${method} is not allowed on this path: it takes ${allow}` },
        ]);
      }
      expect(await as.agent('PUT', '/v1/nothing-here')).toMatchObject({
        status: 404,
        body: { error: 'route_not_found' },
      });
      const options = await anonymous('OPTIONS', '/v1/workflows');
      expect([options.status, options.headers.get('allow')]).toEqual([204, 'GET, HEAD, POST, OPTIONS']);
    });

    it("422 naming the depth limit for a definition 10,000 deep, and the field for U+0000 in a YAML title, never an engine's words", async () => {
      const yaml = { 'Content-Type': 'application/yaml' };
      const deep = await as.admin<PublishWorkflowResult>(
        'POST',
        '/v1/workflows',
        `jobType: deep\nversion: 1\nsteps: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
        yaml,
      );
      expect(deep).toMatchObject({
        status: 422,
        body: { error: 'invalid_definition', message: 'the definition is nested deeper than 64 levels' },
      });
      expect(deep.text).not.toMatch(/call stack/i);
      const published = await as.admin<WorkflowVersion>('GET', '/v1/workflows/support-recovery');
      const text = JSON.stringify({
        ...published.body.definition,
        title: 'Support\u0000recovery',
        version: published.body.version + 1,
      });
      const nul = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', text.replace(/^\{/, '{\n'), yaml);
      expect(nul).toMatchObject({
        status: 422,
        body: { error: 'invalid_definition', details: [{ path: 'title', message: expect.stringMatching(/U\+0000/) }] },
      });
    });

    it('404 for an unknown work order, never a 500', async () => {
      expect((await as.agent('GET', '/v1/work-orders/00000000-0000-4000-8000-000000000000')).body).toMatchObject({
        error: 'not_found',
      });
      expect((await as.agent('GET', '/v1/work-orders/not-a-uuid')).status).toBe(404);
      expect((await as.agent('GET', '/v1/receipts/not-a-uuid')).status).toBe(404);
    });
  });

  it('keeps the exception-code catalog in the ledger, managed by admins', async () => {
    const before = (await as.agent<ExceptionCode[]>('GET', '/v1/exception-codes')).body;
    expect(before.map((c) => c.code)).toContain('PREREQ_MISSING');
    expect(
      (
        await as.agent<ExceptionCode>('POST', '/v1/exception-codes', {
          code: 'LABEL_PRINTER_DOWN',
          title: 'x',
          owner: 'y',
          sla: 'PT1H',
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await as.admin<ExceptionCode>('POST', '/v1/exception-codes', {
          code: 'LABEL_PRINTER_DOWN',
          title: 'The label printer is down',
          owner: 'warehouse-lead',
          sla: 'soon',
        })
      ).body,
    ).toMatchObject({ error: 'validation_failed' });
    const added = await as.admin('POST', '/v1/exception-codes', {
      code: 'LABEL_PRINTER_DOWN',
      title: 'The label printer is down',
      owner: 'warehouse-lead',
      sla: 'PT4H',
    });
    expect(added.status).toBe(201);
    const after = (await as.agent<ExceptionCode[]>('GET', '/v1/exception-codes')).body;
    expect(after.find((c) => c.code === 'LABEL_PRINTER_DOWN')).toMatchObject({ owner: 'warehouse-lead' });
    const { rows } = await db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = 'catalog-exception-codes'`);
    expect(rows[0].n).toBe(before.length + 1);
  });

  it('answers which work orders closed without closure evidence, as JSON and formula-safe CSV', async () => {
    const { body } = await open('=CASE-CSV');
    await t.rpc.request(Subjects.intake.command, {
      address: { workOrderId: body.id },
      command: { type: 'ReportClosure', body: { note: 'closed in the helpdesk' } },
      meta: {
        commandId: 'c0ffee00-0000-4000-8000-000000000001',
        actor: 'helpdesk',
        now: new Date().toISOString(),
        channel: 'helpdesk',
      },
    });
    const missing = await eventually(
      async () => {
        const r = await as.lead<ViewRow[]>('GET', '/v1/views/closures?evidence=missing&jobType=support-recovery');
        return r.body?.some((w) => w.workOrderId === body.id) ? r : undefined;
      },
      5000,
      'the closures view',
    );
    expect(missing.body.find((w) => w.workOrderId === body.id)).toMatchObject({
      externalRef: '=CASE-CSV',
      evidence: 'missing',
    });
    expect(missing.body.every((w) => w.evidence === 'missing')).toBe(true);
    const csv = await as.lead('GET', '/v1/views/closures?evidence=missing', undefined, { Accept: 'text/csv' });
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(/attachment; filename="workgate-closures.csv"/);
    const raw = new Uint8Array(
      await (
        await fetch(`${t.url}/v1/views/closures?evidence=missing`, {
          headers: { Authorization: `Bearer ${principals.keys.lead}`, Accept: 'text/csv' },
        })
      ).arrayBuffer(),
    );
    expect([...raw.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM for spreadsheets
    expect(csv.text).toContain("'=CASE-CSV");
    expect((await as.agent('GET', '/v1/views/closures')).status).toBe(403);
  });

  it('answers GET /v1 with the index of the API, and /favicon.ico, which every page names', async () => {
    const index = await anonymous('GET', '/v1');
    expect(index).toMatchObject({
      status: 200,
      body: { name: 'workgate', version: '1', docs: '/docs', openapi: '/docs-json', health: '/health', me: '/v1/me' },
    });
    expect(index.text).not.toMatch(/127\.0\.0\.1|nats:|postgres/i);
    const icon = await fetch(`${t.url}/favicon.ico`);
    const bytes = new Uint8Array(await icon.arrayBuffer());
    expect([icon.status, icon.headers.get('content-type'), icon.headers.get('cache-control')]).toEqual([
      200,
      'image/x-icon',
      'public, max-age=300',
    ]);
    expect([...bytes.slice(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO file
    for (const page of ['/', '/console', '/docs'])
      expect((await anonymous('GET', page)).text).toContain('<link rel="icon" href="/favicon.ico" />');
  });

  it('serves the OpenAPI document with the command schemas', async () => {
    const doc = await anonymous<OpenAPIObject>('GET', '/docs-json');
    expect(doc.status).toBe(200);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/v1/work-orders', '/v1/work-orders/{id}/actions', '/v1/events', '/v1/workflows']),
    );
  });
});
