import { canaries, leaks, showing, SURFACES } from './canaries';
import { client } from '../support/principals';
import type { CanaryRig } from './canary-rig';
import { eventually } from '../support/processes';
import type {
  DeliveryPage,
  PostReviewView,
  ReadAllResult,
  Receipt,
  RecordedEvent,
  RejectionsPage,
} from '@workgate/contracts';

/** Every canary out of notifications, delivery pages, error bodies and logs, credentials out of the broad views; every recorded one in the ledger. */
export async function expectNoLeaks(rig: CanaryRig) {
  const { as, ok, ids, seen, notifications, url, principals } = rig;
  const proc = rig.process();
  // Notifications: the ones this run must have caused arrived (so the surface is not empty).
  await eventually(
    async () =>
      ['approval-requested', 'post-review-overdue', 'delegation-reminder', 'delegation-timed-out'].every((k) =>
        notifications.some((n) => JSON.parse(n).kind === k),
      ),
    10_000,
    'the notifications',
  );
  seen.notifications.push(...notifications.map((text) => ({ where: 'workgate.notify.>', text })));

  for (const id of ids.workOrders) {
    const page = ok(await as.analyst<DeliveryPage>('GET', `/v1/work-orders/${id}/delivery`), 200);
    const html = ok(
      await as.analyst<DeliveryPage>('GET', `/v1/work-orders/${id}/delivery`, undefined, { Accept: 'text/html' }),
      200,
    );
    expect(html.text).toMatch(/^<!doctype html>/);
    seen.delivery.push({ where: page.request, text: page.text }, { where: `${html.request} (HTML)`, text: html.text });
    if (id === ids.workOrders[1]) {
      // Masking keeps the page whole: the credential-shaped operation is redacted, its decision and policy stay.
      expect(
        page.body.decisions.map((d: { action: string; decision: string; policy: string }) => [
          d.action,
          d.decision,
          d.policy,
        ]),
      ).toEqual([
        ['write shop order.note', 'run', 'support-recovery v1'],
        ['write shop [redacted]', 'stop', 'support-recovery v1'],
        ['write payments refund', 'wait', 'support-recovery v1'],
      ]);
    }
  }
  const views = [
    ...ids.workOrders.map((id) => `/v1/work-orders/${id}`),
    '/v1/work-orders?limit=100',
    '/v1/views/exception-codes/top',
    '/v1/views/approvals',
    '/v1/views/post-reviews',
    ...ids.exceptions.map((id) => `/v1/exceptions/${id}`),
  ];
  for (const path of views) seen.views.push({ where: path, text: ok(await as.analyst('GET', path), 200).text });
  for (const id of ids.postReviews)
    seen.views.push({
      where: `/v1/post-reviews/${id}`,
      text: ok(await as['support-lead']<PostReviewView>('GET', `/v1/post-reviews/${id}`), 200).text,
    });
  // The views do show the free text they carry by design (so the credential check on those fields means something), masked where credential-shaped.
  for (const label of ['block rationale (plain, open)', 'approval condition (plain)', 'remediation title']) {
    expect({ label, shown: showing(seen.views).includes(canaries.find((c) => c.label === label)!.token) }).toEqual({
      label,
      shown: true,
    });
  }
  expect({ masked: showing(seen.views).includes('[redacted]') }).toEqual({ masked: true });
  // Receipts exist for decisions, steps and blocks (other answers' receipt ids are ledger positions only).
  for (const id of ids.receipts) {
    const receipt = await as.agent<Receipt>('GET', `/v1/receipts/${id}`);
    if (receipt.status !== 404) seen.receipts.push({ where: receipt.request, text: ok(receipt, 200).text });
  }
  expect(showing(seen.receipts)).toContain(canaries.find((c) => c.label === 'public evidence ref')!.token);

  // The ledger (ops lead) holds every recorded canary: they all got in, so their absence elsewhere means something.
  let ledger = '';
  for (const id of ids.workOrders)
    ledger += ok(await as.lead<RecordedEvent[]>('GET', `/v1/work-orders/${id}/events`), 200).text;
  // Approvals, exceptions, post-reviews and delegations keep theirs in their own streams: the export has them.
  for (let after = 0; ;) {
    const page = ok(await as.lead<ReadAllResult>('GET', `/v1/ledger/events?after=${after}&limit=1000`), 200);
    if (page.body.events.length === 0) break;
    ledger += page.text;
    after = page.body.next;
  }
  expect(
    canaries.filter((c) => c.recorded && !ledger.toLowerCase().includes(c.token.toLowerCase())).map((c) => c.label),
  ).toEqual([]);
  // The raw rejections (integrator) keep the refused payloads as they came.
  const { rejections } = ok(await as.helpdesk<RejectionsPage>('GET', '/v1/intake/rejections?limit=500'), 200).body;
  const raw = rejections.map((r) => Buffer.from(r.rawBase64, 'base64').toString('utf8')).join('\n');
  expect(canaries.filter((c) => c.rejected && !raw.includes(c.token)).map((c) => c.label)).toEqual([]);
  // Private evidence is still there for the ops lead's receipts.
  const leadReceipts = await Promise.all(
    ids.receipts.map(async (id) => (await client(url, principals.keys.lead)('GET', `/v1/receipts/${id}`)).text),
  );
  expect(leadReceipts.join('\n')).toContain(canaries.find((c) => c.label === 'private evidence ref')!.token);

  // Logs: everything the process wrote, through a clean shutdown.
  const exit = new Promise<number | null>((resolve) => proc.child.once('exit', (code) => resolve(code)));
  proc.child.kill('SIGTERM');
  expect(await exit).toBe(0);
  const logs = proc.output();
  expect(logs).toMatch(/"message":"ready/);
  expect(logs).toMatch(/Mapped \{\/v1\/work-orders, POST\} route/); // debug lines were captured
  expect(logs).toContain(':***@'); // the database password was there, masked
  seen.logs.push({ where: 'the process output', text: logs });

  expect(seen.errors.length).toBeGreaterThan(20);
  const found = SURFACES.flatMap((surface) => leaks(surface, seen[surface]));
  expect([...new Set(found)]).toEqual([]);
}
