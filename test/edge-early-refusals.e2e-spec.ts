import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writePrincipals } from './support/principals';
import { volume } from './support/volume';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { arrayOf, isNumber, isString, parsed, recordOf, shaped } from './support/guards';

const MIB = 1024 * 1024;
/** 5 rounds in `npm test`, 20 in the faults tier (test/support/volume.ts). */
const ROUNDS = volume(5, 20);
const TRIES_PER_ROUND = 3;

/** What one try got (test/support/refused-bodies.mjs): a readable answer, or the socket error that took it. */
type Outcome = { status: number; error: unknown } | { failed: string };
const isOutcome = (value: unknown): value is Outcome =>
  shaped({ status: isNumber })(value) || shaped({ failed: isString })(value);

/** Runs test/support/refused-bodies.mjs against `url`; what every try of every kind got. */
async function sendBodies(
  url: string,
  kinds: Record<string, { bytes: number; key?: string }>,
): Promise<Record<string, Outcome[]>> {
  const settings = join(mkdtempSync(join(tmpdir(), 'wg-refused-')), 'settings.json');
  writeFileSync(settings, JSON.stringify({ url, rounds: ROUNDS, triesPerRound: TRIES_PER_ROUND, kinds }));
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(__dirname, 'support', 'refused-bodies.mjs'), settings],
    {
      timeout: 120_000,
    },
  );
  return parsed(stdout, recordOf(arrayOf(isOutcome)), 'the outcomes of refused-bodies.mjs');
}

const REFUSALS: Record<number, string> = { 401: 'unauthorized', 413: 'payload_too_large', 429: 'rate_limited' };

/** The tries that did not get a readable refusal with one of `statuses` and its error code. */
const unreadable = (outcomes: Outcome[], statuses: number[]) =>
  outcomes.filter((o) => !('status' in o && statuses.includes(o.status) && REFUSALS[o.status] === o.error));

/**
 * docs/api.md, Conventions (before the body): a request refused before its body is read is answered so that the client can
 * read it. The gateway answers a 2 MiB (or 8 MiB) body's 413 (an anonymous 1 MiB body's 401, a 429 once an
 * address's bytes are spent) from the headers while the client is still sending; Node's own
 * `fetch` (undici), in a process of its own, must read every one of them, never a socket error
 * (docs/operations.md, Hostile traffic).
 */
describe('early refusals are readable by a client still sending its body', () => {
  const principals = writePrincipals({ helpdesk: ['integrator'] });
  let t: TestWorkgate;
  beforeAll(async () => {
    // A workgate of its own: this file spends the loopback address's 10 MiB a minute of anonymous
    // bodies, which on the shared workgate the worker's next file would find spent (429, not 401).
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
  });
  afterAll(() => t?.close());

  it(`answers ${ROUNDS} rounds of 2 MiB bodies (anonymous and keyed) and anonymous 1 MiB and keyed 8 MiB bodies readably`, async () => {
    const outcomes = await sendBodies(`${t.url}/v1/work-orders`, {
      anonymous2MiB: { bytes: 2 * MIB },
      keyed2MiB: { bytes: 2 * MIB, key: principals.keys.helpdesk },
      anonymous1MiB: { bytes: MIB },
      // More than loopback's socket buffers hold at once here: the client is surely still sending when it is answered.
      keyed8MiB: { bytes: 8 * MIB, key: principals.keys.helpdesk },
    });
    const failed = Object.entries(outcomes).flatMap(([kind, list]) =>
      list.flatMap((o) => ('failed' in o ? [`${kind}: ${o.failed}`] : [])),
    );
    expect(failed).toEqual([]);
    expect(outcomes.keyed2MiB).toHaveLength(ROUNDS * TRIES_PER_ROUND);
    expect(unreadable(outcomes.keyed2MiB, [413])).toEqual([]);
    expect(unreadable(outcomes.anonymous2MiB, [413])).toEqual([]);
    expect(unreadable(outcomes.keyed8MiB, [413])).toEqual([]);
    // 1 MiB is within the limit: without a key, 401 until the address's 10 MiB a minute are spent, then 429.
    expect(unreadable(outcomes.anonymous1MiB, [401, 429])).toEqual([]);
    expect(outcomes.anonymous1MiB.map((o) => ('status' in o ? o.status : 0))).toEqual(
      expect.arrayContaining([401, 429]),
    );
  }, 180_000);
});
