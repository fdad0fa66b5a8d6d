/// <reference lib="dom" />
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { notifySubject } from '@workgate/contracts';
import { rebuildProjection } from '@workgate/event-store';
import { timersProjection } from '../apps/ledger/views/timers.projection';
import { viewsProjection } from '../apps/ledger/views/views.projection';
import type { ViewRow } from '@workgate/contracts';
import { defined } from './support/answers';
import { SERVICE_ROLES } from './support/database';
import { escalationSuite } from './support/escalation-suite';
import { eventually } from './support/processes';
import { closeContexts, launchChromium } from './support/console-page';

const ARTIFACTS = join(__dirname, 'artifacts');

/**
 * Escalation rules (docs/api.md, What the commands record): an exception whose code has `sla: PT2S, escalateAfter: PT2S,
 * escalateTo: duty-manager` is breached, then escalated once: recorded in the ledger, delivered as a
 * signed `exception.escalated` webhook (checked with the Standard Webhooks reference library, not
 * with workgate's code), listed by `GET /v1/views/exceptions?escalated=true` (also after a rebuild)
 * and in duty-manager's console. A resolved exception is not escalated.
 */
describe('escalation of exceptions past their SLA', () => {
  const { suite, subscribe, blocked, exception, until, resolve, ledgerCount, timerOf, verified } = escalationSuite();
  const { as } = suite;
  const ids = { escalates: '', resolved: '' };

  it('breaches, then escalates once to escalateTo: in the ledger, as a signed exception.escalated webhook and on NATS', async () => {
    const notices: Array<{ kind: string; to: string; ref?: string }> = [];
    const sub = suite.t.nc.subscribe(notifySubject('duty-manager'), {
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
    const { rows } = await suite.t.db
      .appPool()
      .query(`SELECT count(*)::int AS n FROM ledger_events WHERE type = 'ExceptionEscalated'`);
    expect(escalated).toHaveLength(rows[0].n);
    expect(await view('escalated=false')).toEqual([
      expect.objectContaining({ exceptionId: ids.resolved, status: 'resolved', escalated: false, escalatedTo: null }),
    ]);
    expect(await view(`escalated=true&to=${encodeURIComponent(String(escalated[0].raisedAt))}`)).toEqual([]);
    expect((await as.lead('GET', '/v1/views/exceptions?escalated=maybe')).status).toBe(422);

    for (const p of [viewsProjection, timersProjection]) {
      const rebuilt = await rebuildProjection(suite.t.db.ownerPool(), p, { roles: SERVICE_ROLES });
      expect(rebuilt.differences).toEqual(Object.fromEntries(p.tables.map((table) => [table, 0])));
    }
    expect(await view('escalated=true')).toEqual(escalated);
  });

  it("lists it in duty-manager's console Exceptions tab, marked escalated", async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(`${suite.t.url}/console`);
      await page.getByLabel('API key').fill(suite.principals.keys['duty-manager']);
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
      await closeContexts(browser);
    }
  });
});
