import { Subjects } from '@workgate/contracts';
import { TestDatabase } from './support/database';
import { eventually } from './support/processes';
import { client } from './support/principals';
import { GATEWAY_PRINCIPALS, onWorkgate, openSupportRecovery } from './support/suite';
import { startTestWorkgate } from './support/workgate';
import type { ExceptionCode, OpenedAnswer, PublishWorkflowResult, ViewRow, WorkflowVersion } from '@workgate/contracts';

import type { OpenAPIObject } from '@nestjs/swagger';

/**
 * The HTTP edge: its refusals (each writes nothing to the ledger), the exception-code catalog, the
 * closures view, the API's index and its OpenAPI document. A workgate of its own: the refusals
 * count the whole ledger and the catalog's whole stream.
 */
describe('gateway: the HTTP edge', () => {
  const suite = onWorkgate(GATEWAY_PRINCIPALS, (principals) =>
    startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } }),
  );
  const { as, principals } = suite;
  let db: TestDatabase;
  let anonymous: ReturnType<typeof client>;

  beforeAll(() => {
    db = suite.t.db;
    anonymous = client(suite.t.url);
  });

  const open = openSupportRecovery(as);

  describe('refusals', () => {
    it('401 without or with a wrong key, 403 with the wrong role', async () => {
      expect(await anonymous('GET', '/v1/workflows')).toMatchObject({ status: 401, body: { error: 'unauthorized' } });
      expect(await client(suite.t.url, 'nope')('GET', '/v1/workflows')).toMatchObject({ status: 401 });
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
    await suite.t.rpc.request(Subjects.intake.command, {
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
        await fetch(`${suite.t.url}/v1/views/closures?evidence=missing`, {
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
    const icon = await fetch(`${suite.t.url}/favicon.ico`);
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
