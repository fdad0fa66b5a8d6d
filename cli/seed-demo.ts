import { connect } from 'nats';
import { loadConfigOrExit } from '@workgate/config';
import { Subjects } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { seedDemo } from './demo';
import { DemoKey, issueDemoKeys, namedPeople } from './demo-keys';
import { demoDays } from './demo-events';
import { untilKeyWorks } from './principal';

/**
 * `npm run seed:demo [-- --days <n> --per-day 30 --seed 1]`: publishes work for the shipped
 * workflows through the real intake path of a running workgate (`npm start`), from the first day
 * of the month before last (or `--days` back) to now, then resolves, decides and reviews part of
 * it, so the views, the dashboard and the monthly review (last month, the one the console opens
 * on, against the month before) have something true to show. Then it gives everyone the workflows
 * name (owners, reviewers, escalation) and a demo ops lead and admin an API key in the principals
 * file, and prints the keys once, each with its roles and where it is used.
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
  const now = new Date();
  const options = {
    days: option('days', demoDays(now)),
    perDay: option('per-day', 30),
    seed: option('seed', 1),
    now: now.getTime(),
  };
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
        `from ${new Date(now.getTime() - options.days * DAY_MS).toISOString().slice(0, 10)} to now\n`,
    );
    const url = process.env.WORKGATE_URL ?? `http://127.0.0.1:${config.PORT}`;
    const keys = issueDemoKeys(config.WORKGATE_PRINCIPALS, await peopleNamed(new RpcClient(nc, 15_000, false)));
    process.stdout.write(keyTable(keys, config.WORKGATE_PRINCIPALS));
    const first = keys.find((k) => k.key);
    if (first?.key) {
      const works = await untilKeyWorks(url, first.key);
      process.stdout.write(
        works === 'works'
          ? `the keys work now: the console is at ${url}/console, the dashboard at ${url}/\n`
          : `workgate at ${url} does not accept the keys yet: does it read ${config.WORKGATE_PRINCIPALS} (WORKGATE_PRINCIPALS)?\n`,
      );
    }
  } finally {
    await nc.close();
  }
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** Everyone the published workflows and the exception codes name. */
async function peopleNamed(rpc: RpcClient): Promise<string[]> {
  const workflows = await rpc.request(Subjects.policy.list, {});
  const definitions = await Promise.all(
    workflows.map(async ({ jobType }) => (await rpc.request(Subjects.policy.get, { jobType })).definition),
  );
  return namedPeople([...definitions, ...(await rpc.request(Subjects.exceptions.listCodes, {}))]);
}

/**
 * The keys as a table, one principal a line (id, roles, key), with where each is used beneath it;
 * those the file held already say so instead of a key.
 */
function keyTable(keys: DemoKey[], path: string): string {
  const width = Math.max(...keys.map((k) => k.id.length));
  const roles = Math.max(...keys.map((k) => k.roles.join(', ').length));
  const lines = keys.flatMap((k) => [
    `  ${k.id.padEnd(width)}  ${k.roles.join(', ').padEnd(roles)}  ${k.key ?? '(in the file already: its key is unchanged)'}`,
    `    ${k.use}`,
  ]);
  return [
    `API keys for the demo's people (shown once; ${path} keeps only their sha256).`,
    "A principal's id must equal the name a workflow gives its owner: each approves what waits for that name.",
    'Paste a key into the console (/console) or send it as Authorization: Bearer <key>.',
    ...lines,
    '',
  ].join('\n');
}

main().catch((error: Error) => {
  process.stderr.write(`seed:demo failed: ${error.message}\n`);
  process.exit(1);
});
