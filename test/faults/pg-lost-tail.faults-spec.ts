import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, NatsConnection } from 'nats';
import { loadConfig, WorkgateConfig } from '@workgate/config';
import { ledgerStreamTail } from '@workgate/messaging';
import { RunningWorkgate, startWorkgate } from '../../cli/workgate';
import { migrate } from '../../libs/event-store';
import { checked, isNumber, isString, shaped } from '../support/guards';
import { startNatsServer, TestNatsServer } from '../support/nats-server';
import {
  nodeRole,
  nodeUrl,
  onNode,
  PgNode,
  PgPair,
  promoteNode,
  startNode,
  startPgPair,
  stopNode,
} from '../support/pg-pair';
import { client, writePrincipals } from '../support/principals';
import { eventually } from '../support/processes';
import { runVerify } from '../support/verify-cli';

const ROOT = join(__dirname, '..', '..');
const inputs = { caseId: 'c', orderId: 'o', orderPaid: true };

/** What a node holds of the ledger: its last position, and the signatures and checkpoints made over it. */
async function ledgerOn(n: PgNode) {
  const [row] = await onNode<{ head: number; signatures: number; checkpoints: number; lastSigned: number }>(
    n,
    `SELECT (SELECT coalesce(max(position), 0)::int FROM ledger_events) AS head,
            (SELECT count(*)::int FROM ledger_commit_signatures) AS signatures,
            (SELECT coalesce(max(position), 0)::int FROM ledger_commit_signatures) AS "lastSigned",
            (SELECT count(*)::int FROM ledger_checkpoints) AS checkpoints`,
  );
  return row;
}

/** `npm run verify` as an operator runs it where the ledger runs: its DATABASE_URL and data directory (the key from there). */
function verifyWithEnv(config: WorkgateConfig): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [join(ROOT, 'dist', 'cli', 'verify.js')], {
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: config.DATABASE_URL, WORKGATE_DATA_DIR: config.WORKGATE_DATA_DIR },
    });
    return { code: 0, out };
  } catch (error) {
    const e = error as { status: number; stdout: string };
    return { code: e.status, out: e.stdout };
  }
}

/**
 * A primary and an asynchronous streaming standby behind a host list (docs/operations.md, Running a
 * fleet). The standby stops receiving; the primary goes on and the writer signs a later checkpoint
 * (kept in the data directory and on JetStream CHECKPOINTS); the primary is killed and the standby
 * promoted without that tail. The ledger started on it refuses to write, `/health` and `npm run
 * verify` name the positions lost, and nothing is signed over the fork.
 */
describe('faults: failover to an asynchronous standby that lacks the tail', () => {
  const principals = writePrincipals({ helpdesk: ['integrator', 'operator'], lead: ['ops-lead'] });
  const dataDir = mkdtempSync(join(tmpdir(), 'wg-lost-tail-data-'));
  let pair: PgPair;
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let config: WorkgateConfig;
  let workgate: RunningWorkgate | undefined;
  const start = (c = config) =>
    startWorkgate(c, {
      port: 0,
      ledgerThread: config.WORKGATE_LEDGER_THREAD === 'on',
      intakeThread: config.WORKGATE_INTAKE_THREAD === 'on',
    });
  const url = () => workgate?.url ?? '';
  const open = (ref: string) =>
    client(url(), principals.keys.helpdesk)('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: ref,
      source: 'lost-tail',
      inputs,
    });
  const checkpoint = async () =>
    checked(
      (await client(url(), principals.keys.lead)('GET', '/v1/ledger/checkpoint')).body,
      shaped({ treeSize: isNumber, note: isString, verifierKey: isString }),
      'a signed checkpoint',
    );
  const health = async (key?: string) => {
    const res = await fetch(`${url()}/health`, key ? { headers: { authorization: `Bearer ${key}` } } : {});
    return { status: res.status, text: JSON.stringify(await res.json()) };
  };

  beforeAll(async () => {
    pair = await startPgPair('wg-pg-lost-tail-', (p) => migrate(nodeUrl(p)));
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    const { primary, standby } = pair;
    config = loadConfig({
      DATABASE_URL: `postgres://root@127.0.0.1:${standby.port},127.0.0.1:${primary.port}/postgres?target_session_attrs=read-write&connect_timeout=2`,
      NATS_URL: nats.url,
      LOG_LEVEL: 'silent',
      WORKGATE_WORKFLOWS_DIR: join(ROOT, 'workflows'),
      WORKGATE_PATTERNS_DIR: join(ROOT, 'patterns'),
      WORKGATE_DATA_DIR: dataDir,
      WORKGATE_PRINCIPALS: principals.path,
      // Checkpoints are signed when the test asks for them only.
      WORKGATE_CHECKPOINT_EVERY: 'PT1H',
    });
    workgate = await start();
  }, 180_000);

  afterAll(async () => {
    await workgate?.close();
    await nc?.close();
    await nats?.stop();
    pair?.remove();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses to write on the promoted standby, names the positions lost, and signs nothing over the fork', async () => {
    const { primary, standby } = pair;
    for (const ref of ['A-1', 'A-2', 'A-3']) expect((await open(ref)).status).toBe(201);
    const first = await checkpoint();
    // Asynchronous: no standby is waited for at commit.
    expect(await onNode(primary, 'SHOW synchronous_standby_names')).toEqual([{ synchronous_standby_names: '' }]);
    expect(await onNode(primary, 'SELECT sync_state FROM pg_stat_replication')).toEqual([{ sync_state: 'async' }]);
    const [{ lsn }] = await onNode<{ lsn: string }>(primary, 'SELECT pg_current_wal_lsn()::text AS lsn');
    await eventually(
      async () => (await onNode<{ ok: boolean }>(standby, `SELECT pg_last_wal_replay_lsn() >= '${lsn}' AS ok`))[0].ok,
      30_000,
      'the standby to replay the first checkpoint',
    );

    // The standby stops receiving: no primary to stream from.
    await onNode(standby, "ALTER SYSTEM SET primary_conninfo = ''");
    await onNode(standby, 'SELECT pg_reload_conf()');
    await eventually(
      async () => (await onNode(primary, 'SELECT 1 FROM pg_stat_replication')).length === 0,
      30_000,
      'the standby to stop streaming',
    );
    const kept = await ledgerOn(standby);
    const n = kept.head;
    expect(n).toBeGreaterThanOrEqual(first.treeSize);

    // The primary goes on: more work, a later checkpoint, its copies outside the database.
    for (const ref of ['B-1', 'B-2', 'B-3']) expect((await open(ref)).status).toBe(201);
    const second = await checkpoint();
    const m = second.treeSize;
    expect(m).toBeGreaterThan(n + 1);
    const onPrimary = await ledgerOn(primary);
    expect(onPrimary).toMatchObject({ head: m, lastSigned: m });
    expect(await ledgerOn(standby)).toEqual(kept);
    const file = readdirSync(dataDir).find((f) => f.endsWith('-checkpoints.jsonl'));
    const lines = readFileSync(join(dataDir, String(file)), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ size: m, note: second.note });
    const jsm = await nc.jetstreamManager();
    const published = await jsm.streams.getMessage('CHECKPOINTS', { last_by_subj: 'workgate.checkpoints' });
    expect(published.string()).toBe(second.note);
    await eventually(async () => (await ledgerStreamTail(jsm)).position === m, 10_000, 'LEDGER to hold position m');

    // The primary dies hard; the standby, without positions n+1..m, is promoted.
    stopNode(primary, 'immediate');
    const promoted = Date.now();
    promoteNode(standby);
    expect(await nodeRole(standby)).toBe('primary');
    const gone = `positions ${n + 1} to ${m} are gone`;
    const lead = principals.keys.lead;
    const namedOnHealth = (what: string) =>
      eventually(
        async () => {
          const h = await health(lead);
          // The writer's refusal, and the relay's pause saying it (not a foreign LEDGER stream).
          if (h.text.includes(gone) && h.text.includes('the relay to LEDGER is paused since')) return h;
          throw new Error(`/health says ${h.text}`);
        },
        30_000,
        what,
      );
    // The running writer lost its connection: it takes the lock again through the host list, on the promoted standby.
    await namedOnHealth('the running writer to refuse on the promoted standby');
    const refusedMs = Date.now() - promoted;
    // And a writer started afresh on it, with the same data directory, refuses too.
    await workgate?.close();
    workgate = await start();
    const named = await namedOnHealth('the restarted writer to refuse');
    expect(named.status).toBe(503);
    expect(named.text).toMatch(/the ledger writer refuses to write: ledger workgate\/ledger-/);
    expect(named.text).toMatch(/the relay to LEDGER is paused since \S+: the ledger writer refuses to write \(ledger /);
    expect(named.text).not.toContain('does not belong to this ledger');
    expect(named.text).toContain(
      `the tree has ${n} leaves, fewer than the ${m} of the last checkpoint signed: ${gone}`,
    );
    // Anonymous callers learn only that the ledger is down.
    const anonymous = await health();
    expect(anonymous.status).toBe(503);
    expect(anonymous.text).toContain('"ledger":{"status":"down"}');
    expect(anonymous.text).not.toContain(gone);

    // Appends are refused naming the refusal; no checkpoint is signed.
    const refused = await open('C-1');
    expect(refused).toMatchObject({
      status: 503,
      body: { error: 'unavailable', message: expect.stringContaining(gone) },
    });
    const noCheckpoint = await client(url(), lead)('GET', '/v1/ledger/checkpoint');
    expect(noCheckpoint.status).toBe(503);

    // verify, where the ledger runs (its data directory's copy), and with the note from CHECKPOINTS: both name them.
    const verified = verifyWithEnv(config);
    expect(verified.code).toBe(1);
    expect(verified.out).toContain(`checkpoint kept in ${join(dataDir, String(file))}: ${m} events`);
    expect(verified.out).toContain(
      `ledger BROKEN at position ${n + 1}: the ledger ends at ${n}, but the checkpoint of ${m} events kept in`,
    );
    expect(verified.out).toContain(`${gone}, its tail was truncated`);
    const withNote = runVerify(config.DATABASE_URL, second.verifierKey, published.string());
    expect(withNote.code).toBe(1);
    expect(withNote.out).toContain(
      `ledger BROKEN at position ${n + 1}: the ledger ends at ${n}, but the kept checkpoint covers ${m} events: ${gone}`,
    );

    // Another ledger instance of the fleet (the same key, a data directory of its own that never signed
    // checkpoint m) finds that checkpoint on CHECKPOINTS, and refuses too.
    await workgate?.close();
    const otherDir = mkdtempSync(join(tmpdir(), 'wg-lost-tail-other-'));
    const signingKey = readFileSync(join(dataDir, 'ledger-signing-key.pem'), 'utf8');
    workgate = await start({ ...config, WORKGATE_DATA_DIR: otherDir, WORKGATE_SIGNING_KEY: signingKey });
    await namedOnHealth('a writer with another data directory to refuse');
    expect(await open('C-2')).toMatchObject({ status: 503, body: { message: expect.stringContaining(gone) } });
    await workgate.close();
    workgate = undefined;
    rmSync(otherDir, { recursive: true, force: true });

    // Nothing was written, signed or relayed after the failover.
    expect(await ledgerOn(standby)).toEqual(kept);
    expect((await ledgerStreamTail(jsm)).position).toBe(m);
    console.log(
      `faults: lost tail: checkpoint ${first.treeSize} replicated; standby cut off at position ${n} (${kept.signatures} commit signatures, ${kept.checkpoints} checkpoint rows); ` +
        `the primary went on to ${m} (${onPrimary.signatures} signatures, ${onPrimary.checkpoints} checkpoint rows; checkpoint ${m} also in the data directory and on CHECKPOINTS). ` +
        `Promoted: the running writer refused ${refusedMs} ms after the promotion started; after the restart the new primary still holds ${n}, ${kept.signatures} signatures, ${kept.checkpoints} checkpoint rows.\n` +
        `  append: ${refused.status} ${JSON.stringify(refused.body)}\n  verify (exit ${verified.code}): ${verified.out.split('\n').slice(0, 2).join(' | ')}`,
    );

    // Restored: the old primary, which still holds the tail, serves again (the promoted node stopped); the
    // checkpoint refusal kept in the data directory is removed; the writer goes on from m.
    stopNode(standby);
    startNode(primary);
    const refusalFile = readdirSync(dataDir).find((f) => f.endsWith('-checkpoints-refused.json'));
    expect(readFileSync(join(dataDir, String(refusalFile)), 'utf8')).toContain(gone);
    rmSync(join(dataDir, String(refusalFile)));
    workgate = await start();
    const resumed = await eventually(
      async () => {
        const res = await open('D-1');
        return res.status === 503 ? undefined : res;
      },
      60_000,
      'a write accepted on the restored primary',
    );
    expect(resumed.status).toBe(201);
    const third = await checkpoint();
    expect(third.treeSize).toBeGreaterThan(m);
    const restored = verifyWithEnv(config);
    expect(restored).toMatchObject({ code: 0, out: expect.stringContaining('ledger OK') });
    await eventually(async () => (await health(lead)).status === 200, 60_000, '/health 200 on the restored primary');
    console.log(
      `faults: lost tail restored from the old primary: writes go on, checkpoint ${third.treeSize} signed, verify: ${restored.out.split('\n').slice(0, 3).join(' | ')}`,
    );
  });
});
