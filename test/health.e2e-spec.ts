import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePostgres, PrivateInstance } from '../cli/infra';
import { freePort, startNatsServer, TestNatsServer } from './support/nats-server';
import { writePrincipals } from './support/principals';
import { eventually, ServiceProcess, startBuiltWorkgate } from './support/processes';
import { checked, isRecord, isString, recordOf, shaped } from './support/guards';

const COMPONENTS = ['nats', 'postgres', 'gateway', 'intake', 'policy', 'approvals', 'ledger', 'exceptions'];
/** Far above the 2 s /health promises (docs/operations.md, Readiness), so a loaded machine never fails it; a hung answer does. */
const ANSWER_WITHIN_MS = 5000;

/**
 * `/health` as probes and operators see it, on a workgate process with a private Postgres and a
 * private nats-server (never the machine's shared ones: this file stops and freezes its own).
 * Anyone hears up/down per component; an ops-lead key hears the details. It answers within its
 * time-box, 503 naming the component, whether NATS is frozen (SIGSTOP) or Postgres is stopped.
 */
describe('/health', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wg-health-'));
  const principals = writePrincipals({ lead: ['ops-lead'], analyst: ['analyst', 'operator', 'admin'] });
  let databaseUrl: string;
  let postgres: PrivateInstance | undefined;
  let nats: TestNatsServer;
  let workgate: ServiceProcess;
  let url: string;

  /** One probe: it must answer within ANSWER_WITHIN_MS (a hung /health aborts and fails the test). */
  const probe = async (key?: string) => {
    const res = await fetch(`${url}/health`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
      signal: AbortSignal.timeout(ANSWER_WITHIN_MS),
    });
    const text = await res.text();
    return { status: res.status, text, body: JSON.parse(text) };
  };
  /** The report, whether it came as a 200 or inside a 503's error body. */
  const isReport = shaped({ status: isString, error: isRecord, details: recordOf(isRecord) });
  const report = (body: unknown) =>
    isReport(body)
      ? body
      : checked(isRecord(body) && Array.isArray(body.details) ? body.details[0] : body, isReport, 'the health report');

  beforeAll(async () => {
    // Postgres runs as its own system user when we are root: it must reach its data directory.
    chmodSync(dataDir, 0o755);
    databaseUrl = `postgres://root@127.0.0.1:${await freePort()}/workgate`;
    postgres = await ensurePostgres(databaseUrl, dataDir, () => undefined);
    nats = await startNatsServer();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    workgate = await startBuiltWorkgate({
      DATABASE_URL: databaseUrl,
      NATS_URL: nats.url,
      PORT: String(port),
      WORKGATE_DATA_DIR: join(dataDir, 'data'),
      WORKGATE_SIGNING_KEY: '',
      WORKGATE_PRINCIPALS: principals.path,
      LOG_LEVEL: 'info',
    });
    await eventually(async () => (await probe()).status === 200, 30_000, '/health 200');
  }, 180_000);

  afterAll(async () => {
    nats?.signal('SIGCONT');
    await workgate?.kill();
    await postgres?.stop().catch(() => undefined);
    await nats?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('says only up or down per component without a key, and with a key lacking ops-lead', async () => {
    const summary = Object.fromEntries(COMPONENTS.map((c) => [c, { status: 'up' }]));
    for (const key of [undefined, principals.keys.analyst]) {
      const { status, body, text } = await probe(key);
      expect(status).toBe(200);
      expect(body).toEqual({ status: 'ok', info: summary, error: {}, details: summary });
      expect(text).not.toContain(String(nats.port));
      expect(text).not.toContain('127.0.0.1');
    }
  });

  it("details every check to an ops-lead key: the NATS server, instance ids, the ledger's positions", async () => {
    const { status, body } = await probe(principals.keys.lead);
    expect(status).toBe(200);
    expect(Object.keys(body.details).sort()).toEqual([...COMPONENTS].sort());
    expect(body.details.nats).toMatchObject({ status: 'up', server: `127.0.0.1:${nats.port}` });
    for (const service of COMPONENTS.slice(2)) expect(body.details[service].instance).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.details.ledger).toMatchObject({ status: 'up', writer: 'active', problems: [] });
  });

  it('answers 503 naming NATS within its time-box while nats-server is frozen, and 200 once it resumes', async () => {
    nats.signal('SIGSTOP');
    try {
      const degraded = await eventually(
        async () => {
          const p = await probe();
          return p.status === 503 ? p : undefined;
        },
        20_000,
        '/health 503 with NATS frozen',
      );
      expect(report(degraded.body).error.nats).toEqual({ status: 'down' });
      // Every later probe answers too, still 503.
      for (let i = 0; i < 3; i++) expect((await probe()).status).toBe(503);
      expect(report((await probe(principals.keys.lead)).body).details.nats).toMatchObject({
        status: 'down',
        message: expect.stringMatching(/no answer/),
      });
    } finally {
      nats.signal('SIGCONT');
    }
    await eventually(async () => (await probe()).status === 200, 30_000, '/health 200 once NATS resumes');
  });

  it('answers 503 naming Postgres within its time-box while Postgres is stopped', async () => {
    await postgres!.stop();
    const degraded = await eventually(
      async () => {
        const p = await probe();
        return p.status === 503 && report(p.body).error.postgres ? p : undefined;
      },
      20_000,
      '/health 503 with Postgres stopped',
    );
    expect(report(degraded.body).error.postgres).toEqual({ status: 'down' });
    for (let i = 0; i < 3; i++) expect((await probe()).status).toBe(503);
    // Started again, so the process stops cleanly.
    postgres = await ensurePostgres(databaseUrl, dataDir, () => undefined);
  });
});
