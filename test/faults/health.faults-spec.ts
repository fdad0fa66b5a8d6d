import { startTestWorkgate, TestWorkgate } from '../support/workgate';

/**
 * `/health` answers within 2 s whatever NATS does: with nats-server frozen (SIGSTOP) it answers
 * 503 naming what does not answer, every time, and 200 again once the server resumes.
 */
describe('faults: /health with nats-server frozen', () => {
  let t: TestWorkgate;

  beforeAll(async () => {
    t = await startTestWorkgate();
  });
  afterAll(async () => {
    t?.nats.signal('SIGCONT');
    await t?.close();
  });

  const probe = async () => {
    const started = Date.now();
    const res = await fetch(`${t.url}/health`, { signal: AbortSignal.timeout(10_000) });
    return { status: res.status, ms: Date.now() - started, body: await res.json() };
  };

  it('answers 503 within 2 s for every probe during a 30 s freeze, and 200 after it', async () => {
    expect((await probe()).status).toBe(200);
    t.nats.signal('SIGSTOP');
    const probes: Array<{ status: number; ms: number }> = [];
    const until = Date.now() + 30_000;
    try {
      // The first second or two may still be answered from the last checks, which passed.
      await new Promise((r) => setTimeout(r, 3000));
      while (Date.now() < until) {
        const { status, ms, body } = await probe();
        probes.push({ status, ms });
        if (status === 503 && probes.length === 1)
          expect(JSON.stringify(body.details)).toMatch(/"nats":\{"status":"down"/);
        await new Promise((r) => setTimeout(r, 500));
      }
    } finally {
      t.nats.signal('SIGCONT');
    }
    console.log(
      `faults: /health during a 30 s SIGSTOP of nats-server: ${probes.length} probes, statuses ${[...new Set(probes.map((p) => p.status))].join('/')}, slowest ${Math.max(...probes.map((p) => p.ms))} ms`,
    );
    expect(probes.length).toBeGreaterThan(20);
    expect(probes.filter((p) => p.status !== 503 || p.ms > 2000)).toEqual([]);
    // Resumed: healthy again within a few checks.
    const deadline = Date.now() + 30_000;
    let last = await probe();
    while (last.status !== 200 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      last = await probe();
    }
    expect(last.status).toBe(200);
  }, 120_000);
});
