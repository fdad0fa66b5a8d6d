import { LedgerWriter } from '@workgate/event-store';
import { history, historyWorkflows } from './history';

/**
 * Fills the ledger at `url` through its writer with the shipped workflows and 30 days of their
 * work orders (`history`), sized so the ledger ends near `targetEvents` (about 1 work order per
 * 9.8 events: an action request is one event), 256 appends in flight. Shows its progress on a
 * terminal. Answers the events appended and the seconds it took.
 */
export async function fillWithHistory(url: string, targetEvents: number): Promise<{ events: number; seconds: number }> {
  const writer = new LedgerWriter(url, { role: 'workgate_ledger' });
  await writer.start();
  const started = Date.now();
  let events = 0;
  for (const a of historyWorkflows(new Date(Date.now() - 31 * 86_400_000).toISOString())) await writer.append(a);
  const source = history(42, Math.ceil(targetEvents / 9.8), Date.now());
  let done = false;
  let shown = 0;
  await Promise.all(
    Array.from({ length: 256 }, async () => {
      while (!done) {
        const r = source.next();
        if (r.done) {
          done = true;
          break;
        }
        for (const a of r.value) {
          await writer.append(a);
          events += a.events.length;
        }
        if (process.stderr.isTTY && events - shown > 20_000) {
          shown = events;
          process.stderr.write(`\rfilling the ledger: ${events.toLocaleString('en-US')} events…`);
        }
      }
    }),
  );
  if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
  await writer.stop();
  return { events, seconds: (Date.now() - started) / 1000 };
}
