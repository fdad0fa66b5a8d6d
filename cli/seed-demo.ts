import { connect } from 'nats';
import { loadConfigOrExit } from '@workgate/config';
import { seedDemo } from './demo';

/**
 * `npm run seed:demo [-- --days 30 --per-day 40 --seed 1]`: publishes a realistic month of work
 * for the shipped workflows through the real intake path of a running workgate (`npm start`),
 * then resolves, decides and reviews part of it, so the views and the dashboard have something
 * true to show.
 */
function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  if (at < 0) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`--${name} needs a whole number above 0\n`);
    process.exit(2);
  }
  return value;
}

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const options = { days: option('days', 30), perDay: option('per-day', 40), seed: option('seed', 1) };
  const nc = await connect({ servers: config.NATS_URL, name: 'workgate-seed-demo' }).catch((error: Error) => {
    process.stderr.write(
      `cannot reach NATS at ${config.NATS_URL} (${error.message}); start workgate first: npm start\n`,
    );
    process.exit(1);
  });
  const started = Date.now();
  const tty = process.stderr.isTTY;
  try {
    const summary = await seedDemo(nc, options, (m) => {
      if (m.startsWith('published ') && tty) process.stderr.write(`\r${m}`);
      else if (!m.startsWith('published ')) process.stderr.write(`${tty ? '\r\x1b[K' : ''}${m}\n`);
    });
    process.stdout.write(
      `demo data in ${((Date.now() - started) / 1000).toFixed(1)}s: ${summary.workOrders} work orders, ${summary.events} work events; ` +
        `${summary.exceptionsResolved} exceptions resolved, ${summary.approvalsDecided} approvals decided, ${summary.postReviewsCompleted} post-reviews completed\n` +
        `open the dashboard at http://127.0.0.1:${config.PORT}/ with an analyst or ops-lead key (npm run principal -- <id> analyst,ops-lead)\n`,
    );
  } finally {
    await nc.close();
  }
}

main().catch((error: Error) => {
  process.stderr.write(`seed:demo failed: ${error.message}\n`);
  process.exit(1);
});
