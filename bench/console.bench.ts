/**
 * The console's approvals page with a long queue (docs/performance.md, "The console"): 500 approvals
 * wait for one approver; headless Chromium (the e2e specs' driver) signs in again and again, and each
 * run reports the API requests sent before the first card showed and the time from pressing Sign in
 * to the first card, then the requests and the time "Load more" takes to show the next page's cards.
 * Prints the median of the runs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startWorkgateProcess } from './workgate-process';
import { expectShape, isString, objectOf, optional } from '@workgate/contracts';

const WAITING = Number(process.env.BENCH_APPROVALS ?? 500);
const RUNS = Number(process.env.BENCH_REPS ?? 7);
const CHROMIUM = process.env.WORKGATE_CHROMIUM ?? '/usr/bin/chromium';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'wg-bench-console-'));
  const keys = { agent: randomBytes(24).toString('hex'), owner: randomBytes(24).toString('hex') };
  const entry = (id: string, roles: string, key: string) =>
    `  - id: ${id}\n    roles: [${roles}]\n    apiKeySha256: ${createHash('sha256').update(key).digest('hex')}\n`;
  const principals = join(dir, 'principals.yaml');
  writeFileSync(
    principals,
    `principals:\n${entry('agent', 'integrator, operator', keys.agent)}${entry('support-lead', 'approver', keys.owner)}`,
  );
  const workgate = await startWorkgateProcess('console', 'one', {
    WORKGATE_PRINCIPALS: principals,
    WORKGATE_RATE_LIMIT_PER_MINUTE: '10000000',
  });
  const post = async (path: string, body: unknown): Promise<{ id?: string; decision?: string }> => {
    const res = await fetch(`${workgate.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${keys.agent}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return expectShape(
      await res.json(),
      objectOf({ id: optional(isString), decision: optional(isString) }),
      'an answer',
    );
  };
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    // 500 waiting approvals, 10 per work order: the support-recovery refunds wait for support-lead.
    for (let w = 0; w < WAITING / 10; w++) {
      const opened = await post('/v1/work-orders', {
        jobType: 'support-recovery',
        externalRef: `BENCH-${w}`,
        source: 'bench',
        inputs: { caseId: `C-${w}`, orderId: String(w), orderPaid: true },
      });
      for (let i = 0; i < 10; i++) {
        const asked = await post(`/v1/work-orders/${opened.id}/actions`, {
          system: 'payments',
          operation: 'refund',
          kind: 'write',
          objects: [`order:${w * 10 + i}`],
          facts: { amount: 10 + i },
        });
        if (asked.decision !== 'wait') throw new Error(`a refund was decided ${asked.decision}, not wait`);
      }
    }
    const requests: number[] = [];
    const millis: number[] = [];
    const moreRequests: number[] = [];
    const moreMillis: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
      await page.goto(`${workgate.url}/console`);
      let sent = 0;
      page.on('request', (r) => {
        if (new URL(r.url()).pathname.startsWith('/v1/')) sent++;
      });
      await page.getByLabel('API key').fill(keys.owner);
      const started = performance.now();
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForSelector('#approvals-list article', { timeout: 60_000 });
      millis.push(performance.now() - started);
      requests.push(sent);
      // The next page: "Load more" reads it with one request and adds its cards under the first page's.
      await page.waitForSelector('body[data-state="ready"]');
      const shown = await page.locator('#approvals-list article').count();
      const before = sent;
      const more = performance.now();
      await page.getByRole('button', { name: 'Load more' }).click();
      await page.locator('#approvals-list article').nth(shown).waitFor({ timeout: 60_000 });
      moreMillis.push(performance.now() - more);
      moreRequests.push(sent - before);
      await page.close();
    }
    console.log(
      JSON.stringify({
        bench: 'console',
        approvalsWaiting: WAITING,
        runs: RUNS,
        requestsBeforeFirstCard: median(requests),
        signInToFirstCardMs: Math.round(median(millis)),
        allMs: millis.map(Math.round),
        requestsForNextPage: median(moreRequests),
        loadMoreToNextCardsMs: Math.round(median(moreMillis)),
      }),
    );
  } finally {
    await browser.close();
    await workgate.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
