/// <reference lib="dom" />
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
// The receiver checks signatures with the Standard Webhooks reference library, not with workgate's code.
import { notifySubject } from '@workgate/contracts';
import { rebuildProjection } from '@workgate/event-store';
import { timersProjection } from '../apps/ledger/views/timers.projection';
import { viewsProjection } from '../apps/ledger/views/views.projection';
import type { CreatedWebhook, ExceptionCode, ExceptionView, StepAnswer, ViewRow } from '@workgate/contracts';
import { defined, ErrorBody, fieldProblemsOf } from './support/answers';
import { openSupportCase } from './support/fixtures';
import { SERVICE_ROLES } from './support/database';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { Receiver, verifiedPayload } from './support/webhook-receiver';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

const CHROMIUM = process.env.WORKGATE_CHROMIUM ?? '/usr/bin/chromium';
const ARTIFACTS = join(__dirname, 'artifacts');

/**
 * Escalation rules (docs/api.md, What the commands record): an exception whose code has `sla: PT2S, escalateAfter: PT2S,
 * escalateTo: duty-manager` is breached, then escalated once: recorded in the ledger, delivered as a
 * signed `exception.escalated` webhook, listed by `GET /v1/views/exceptions?escalated=true` (also
 * after a rebuild) and in duty-manager's console. A resolved exception is not escalated, and an
 * escalation due while workgate is down happens once it is back.
 */
describe('escalation of exceptions past their SLA', () => {
  let t: TestWorkgate;
  const receiver = new Receiver();
  const principals = writePrincipals({
    admin: ['admin'],
    helpdesk: ['integrator'],
    agent: ['operator'],
    lead: ['ops-lead', 'analyst'],
    'duty-manager': ['operator'],
  });
  let as: Record<string, ReturnType<typeof client>>;
  const secrets = new Map<string, string>();
  const ids = { escalates: '', resolved: '' };

  beforeAll(async () => {
    await receiver.start();
    // The seed catalog: CUSTOMER_UNREACHABLE escalates 2 s after a 2 s SLA, ADDRESS_INVALID 8 s after
    // (time for the last test to see the breach, resolve one and stop workgate before it is due).
    const catalog = join(mkdtempSync(join(tmpdir(), 'wg-catalog-')), 'codes.yaml');
    writeFileSync(
      catalog,
      readFileSync(join(__dirname, '..', 'config', 'exception-codes.yaml'), 'utf8')
        .replace(/(code: CUSTOMER_UNREACHABLE,.*sla: )PT24H/, '$1PT2S, escalateAfter: PT2S, escalateTo: duty-manager')
        .replace(/(code: ADDRESS_INVALID,.*sla: )PT8H/, '$1PT2S, escalateAfter: PT8S, escalateTo: duty-manager'),
    );
    t = await startTestWorkgate({
      env: {
        WORKGATE_PRINCIPALS: principals.path,
        WORKGATE_EXCEPTION_CODES: catalog,
        WORKGATE_WEBHOOK_ALLOW_PRIVATE: '1',
      },
    });
    as = clientsFor(t.url, principals.keys);
  });
  afterAll(async () => {
    await t?.close();
    await receiver.stop();
  });

  async function subscribe(path: string, events: string[], principalIds?: string[]): Promise<void> {
    const created = await as.admin<CreatedWebhook>('POST', '/v1/webhooks', {
      url: `${receiver.url}${path}`,
      events,
      ...(principalIds ? { principals: principalIds } : {}),
    });
    expect(created.status).toBe(201);
    secrets.set(path, created.body.secret);
  }

  /** Opens a work order and blocks its last step with `code`: the exception's id. */
  async function blocked(ref: string, code: string): Promise<string> {
    const workOrderId = await openSupportCase(as.helpdesk, ref);
    const step = await as.agent<StepAnswer>('POST', `/v1/work-orders/${workOrderId}/steps/confirm-customer/block`, {
      code,
      rationale: 'no answer on two calls',
    });
    expect(step.status).toBe(201);
    return defined(step.body.exception, 'the exception of the blocked step').exceptionId;
  }

  const exception = async (id: string) => (await as.agent<ExceptionView>('GET', `/v1/exceptions/${id}`)).body;
  /** Polls the exception until `done` holds of it. */
  const until = (id: string, what: string, done: (x: ExceptionView) => boolean) =>
    eventually(
      async () => {
        const r = await as.agent<ExceptionView>('GET', `/v1/exceptions/${id}`);
        return r.status === 200 && done(r.body);
      },
      20_000,
      what,
    );
  const resolve = (id: string) =>
    as.agent('POST', `/v1/exceptions/${id}/resolve`, { resolution: 'reached the customer by email' });
  const ledgerCount = async (id: string, type: string) =>
    (
      await t.db
        .appPool()
        .query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = $1 AND type = $2`, [
          `exception-${id}`,
          type,
        ])
    ).rows[0].n;
  const timerOf = async (id: string) =>
    (
      await t.db
        .appPool()
        .query<{ due_at: Date }>('SELECT due_at FROM view_timers WHERE stream_id = $1', [`exception-${id}`])
    ).rows;
  /** The verified payloads a path received. */
  const verified = (path: string) => receiver.at(path).map((r) => verifiedPayload(secrets.get(path)!, r));

  it('keeps escalateTo and escalateAfter on catalog entries, and refuses a bad one naming the field', async () => {
    const entry = { code: 'VENDOR_LATE', title: 'The vendor is late', owner: 'stores-lead', sla: 'PT4H' };
    const refused = async (body: Record<string, unknown>) => {
      const r = await as.admin<ErrorBody>('POST', '/v1/exception-codes', body);
      expect(r.status).toBe(422);
      expect(r.body.error).toBe('validation_failed');
      return fieldProblemsOf(r.body.details).map((d) => d.path);
    };
    expect(await refused({ ...entry, escalateTo: 'duty-manager', escalateAfter: 'soon' })).toEqual(['escalateAfter']);
    expect(await refused({ ...entry, escalateAfter: 'PT1H' })).toEqual(['escalateAfter']);
    expect(await refused({ ...entry, escalateTo: 'two words' })).toEqual(['escalateTo']);
    const added = await as.admin<ExceptionCode>('POST', '/v1/exception-codes', {
      ...entry,
      escalateTo: 'duty-manager',
    });
    expect(added).toMatchObject({ status: 201, body: { ...entry, escalateTo: 'duty-manager', escalateAfter: 'PT0S' } });
    const listed = (await as.agent<ExceptionCode[]>('GET', '/v1/exception-codes')).body;
    expect(listed.find((c) => c.code === 'CUSTOMER_UNREACHABLE')).toMatchObject({
      sla: 'PT2S',
      escalateTo: 'duty-manager',
      escalateAfter: 'PT2S',
    });
  });

  it('breaches, then escalates once to escalateTo: in the ledger, as a signed exception.escalated webhook and on NATS', async () => {
    const notices: Array<{ kind: string; to: string; ref?: string }> = [];
    const sub = t.nc.subscribe(notifySubject('duty-manager'), {
      callback: (_e, m) => notices.push(JSON.parse(new TextDecoder().decode(m.data))),
    });
    await subscribe('/escalated', ['exception.escalated'], ['duty-manager']);
    await subscribe('/exceptions', ['exception']);
    ids.escalates = await blocked('ESC-1', 'CUSTOMER_UNREACHABLE');
    ids.resolved = await blocked('ESC-2', 'CUSTOMER_UNREACHABLE');
    expect((await resolve(ids.resolved)).status).toBe(200);

    await until(ids.escalates, 'the escalation', (x) => !!x.escalation?.escalatedAt);
    const x = await exception(ids.escalates);
    expect(x).toMatchObject({ status: 'open', slaBreached: true, escalation: { to: 'duty-manager' } });
    const dueAt = Date.parse(x.dueAt);
    expect(Date.parse(x.escalation!.escalatesAt)).toBe(dueAt + 2000);
    expect(Date.parse(x.escalation!.escalatedAt!)).toBeGreaterThanOrEqual(dueAt + 2000);

    // Once: the timer is disarmed, and the ledger holds one breach and one escalation.
    await eventually(async () => (await timerOf(ids.escalates)).length === 0, 10_000, 'the timer to be disarmed');
    expect(await ledgerCount(ids.escalates, 'SlaBreached')).toBe(1);
    expect(await ledgerCount(ids.escalates, 'ExceptionEscalated')).toBe(1);
    // Resolved before its SLA: neither breached nor escalated.
    expect(await exception(ids.resolved)).toMatchObject({ status: 'resolved', slaBreached: false, escalation: null });
    expect(await ledgerCount(ids.resolved, 'ExceptionEscalated')).toBe(0);

    await eventually(async () => verified('/escalated').length > 0, 20_000, 'the exception.escalated webhook');
    const [payload] = verified('/escalated');
    expect(payload).toMatchObject({
      type: 'exception.escalated',
      data: {
        exceptionId: ids.escalates,
        code: 'CUSTOMER_UNREACHABLE',
        owner: 'support-lead',
        escalatedTo: 'duty-manager',
        dueAt: x.dueAt,
        message: expect.stringContaining('escalated to duty-manager'),
      },
    });
    await eventually(async () => verified('/exceptions').length >= 4, 20_000, 'the other exception notifications');
    const mine = verified('/exceptions').filter((p) => p.data.exceptionId === ids.escalates);
    const at = (type: string) =>
      Date.parse(
        defined(
          mine.find((p) => p.type === type),
          type,
        ).timestamp,
      );
    expect(at('exception.raised')).toBeLessThanOrEqual(at('exception.sla_breached'));
    expect(at('exception.sla_breached')).toBeLessThanOrEqual(at('exception.escalated'));
    expect(verified('/exceptions').filter((p) => p.type === 'exception.escalated')).toHaveLength(1);
    await eventually(async () => notices.length > 0, 10_000, 'the notification on workgate.notify.duty-manager');
    sub.unsubscribe();
    expect(notices).toEqual([
      expect.objectContaining({ kind: 'exception-escalated', to: 'duty-manager', ref: ids.escalates }),
    ]);
  });

  it('GET /v1/views/exceptions?escalated=true lists it, and so it stays after a rebuild of the views', async () => {
    const view = async (query: string) => {
      const r = await as.lead<ViewRow[]>('GET', `/v1/views/exceptions?${query}`);
      expect(r.status).toBe(200);
      return r.body;
    };
    const escalated = await eventually(async () => {
      const rows = await view('escalated=true');
      return rows.length > 0 && rows;
    });
    expect(escalated).toEqual([
      expect.objectContaining({
        exceptionId: ids.escalates,
        code: 'CUSTOMER_UNREACHABLE',
        owner: 'support-lead',
        status: 'open',
        slaBreached: true,
        escalated: true,
        escalatedTo: 'duty-manager',
        externalRef: 'ESC-1',
      }),
    ]);
    const { rows } = await t.db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE type = 'ExceptionEscalated'`);
    expect(escalated).toHaveLength(rows[0].n);
    expect(await view('escalated=false')).toEqual([
      expect.objectContaining({ exceptionId: ids.resolved, status: 'resolved', escalated: false, escalatedTo: null }),
    ]);
    expect(await view(`escalated=true&to=${encodeURIComponent(String(escalated[0].raisedAt))}`)).toEqual([]);
    expect((await as.lead('GET', '/v1/views/exceptions?escalated=maybe')).status).toBe(422);

    for (const p of [viewsProjection, timersProjection]) {
      const rebuilt = await rebuildProjection(t.db.ownerPool(), p, { roles: SERVICE_ROLES });
      expect(rebuilt.differences).toEqual(Object.fromEntries(p.tables.map((table) => [table, 0])));
    }
    expect(await view('escalated=true')).toEqual(escalated);
  });

  it("lists it in duty-manager's console Exceptions tab, marked escalated", async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${t.url}/console`);
      await page.getByLabel('API key').fill(principals.keys['duty-manager']);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('body[data-state="ready"]');
      await page.getByRole('link', { name: 'Exceptions' }).click();
      await page.waitForSelector('body[data-state="ready"]');
      const group = page.locator('.group', { has: page.getByRole('heading', { name: 'Escalated to you · 1 open' }) });
      const card = group.getByRole('article', { name: 'CUSTOMER_UNREACHABLE · ESC-1' });
      await card.waitFor();
      const text = await card.innerText();
      for (const expected of ['escalated', 'support-lead', 'to duty-manager', 'The customer could not be reached'])
        expect(text).toContain(expected);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'console-exceptions-escalated.png'), fullPage: true });
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it('escalates what fell due while workgate was down once it is back; one resolved after its breach never', async () => {
    const later = await blocked('ESC-3', 'ADDRESS_INVALID');
    const resolvedAfterBreach = await blocked('ESC-4', 'ADDRESS_INVALID');
    await until(later, 'the breach', (x) => x.slaBreached);
    await until(resolvedAfterBreach, 'the breach', (x) => x.slaBreached);
    const escalatesAt = defined((await exception(later)).escalation, 'the escalation rule').escalatesAt;
    // Breached with the rule: the timer is armed for the escalation, until the resolution disarms it.
    const rule = defined((await exception(resolvedAfterBreach)).escalation, 'the rule').escalatesAt;
    await eventually(
      async () => {
        const timers = await timerOf(resolvedAfterBreach);
        return timers.length === 1 && timers[0].due_at.toISOString() === rule;
      },
      10_000,
      'the timer armed for the escalation',
    );
    expect((await resolve(resolvedAfterBreach)).status).toBe(200);
    await eventually(async () => (await timerOf(resolvedAfterBreach)).length === 0, 10_000, 'the timer to be disarmed');

    let stoppedAt = 0;
    await t.restart(async () => {
      stoppedAt = Date.now();
      await eventually(async () => Date.now() > Date.parse(escalatesAt) + 500, 30_000, 'the escalation to fall due');
    });
    as = clientsFor(t.url, principals.keys);
    await until(later, 'the escalation after the restart', (x) => !!x.escalation?.escalatedAt);
    const { escalation } = await exception(later);
    expect(escalation).toMatchObject({ to: 'duty-manager', escalatesAt });
    expect(Date.parse(escalation!.escalatedAt!)).toBeGreaterThan(stoppedAt);
    expect(await exception(resolvedAfterBreach)).toMatchObject({
      status: 'resolved',
      slaBreached: true,
      escalation: { escalatedAt: null },
    });
    expect(await ledgerCount(resolvedAfterBreach, 'ExceptionEscalated')).toBe(0);
  });
});
