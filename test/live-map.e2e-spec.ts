import { eventOf, LiveWorkflowMap, RecordedEvent, Subjects, ViewRow, WorkflowSummary } from '@workgate/contracts';
import { rebuildProjection } from '@workgate/event-store';
import { viewsProjection } from '../apps/ledger/views/views.projection';
import { seedDemo } from '../cli/demo';
import { SERVICE_ROLES } from './support/database';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { ledgerEvents, percentile, tally, Tally, WindowCounts } from './support/ledger-tally';
import { isNumber, isRecord, nullable } from './support/guards';

const DAY = 86_400_000;

/**
 * The live workflow map over ten demo days: for every shipped workflow, every number on the
 * map equals what the ledger's own events count for the same window (work orders opened in
 * [from, to), measured at asOf; durations within the map's 4% or 1 s), the first failure point
 * is the step blocked most, and the numbers are the same after the views are rebuilt from position 0.
 */
describe('the live workflow map', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({ lead: ['analyst', 'ops-lead'], agent: ['operator'] });
  let lead: ReturnType<typeof client>;
  let now: number;
  let window: { from: string; to: string; asOf: string };
  let qs: string;
  let ledger: Tally;

  beforeAll(async () => {
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    lead = client(t.url, principals.keys.lead);
    now = Date.now();
    const summary = await seedDemo(t.nc, { days: 10, perDay: 4, seed: 5, now });
    expect(summary.workOrders).toBeGreaterThan(30);
    await eventually(
      async () => {
        const { rows } = await t.db
          .appPool()
          .query(
            `SELECT (SELECT position FROM projection_checkpoints WHERE name = 'views') AS views, (SELECT max(position) FROM ledger_events) AS head`,
          );
        return rows[0].views === rows[0].head;
      },
      30_000,
      'the views to catch up',
    );
    // Most of the ten days: work orders opened before `from` or after `to` are left out.
    window = {
      from: new Date(now - 9 * DAY).toISOString(),
      to: new Date(now - 2 * DAY).toISOString(),
      asOf: new Date(Date.now()).toISOString(),
    };
    qs = new URLSearchParams(window).toString();
    ledger = tally(await ledgerEvents(t));
  }, 180_000);
  afterAll(() => t?.close());

  const get = async <T>(path: string): Promise<T> => {
    const r = await lead<T>('GET', path);
    expect({ path, status: r.status }).toEqual({ path, status: 200 });
    return r.body;
  };
  const view = (name: string, jobType: string) => get<ViewRow[]>(`/v1/views/${name}?jobType=${jobType}&${qs}`);
  const map = (jobType: string) => get<LiveWorkflowMap>(`/v1/workflows/${jobType}/map?${qs}`);

  /** Every ledger event of these types, oldest first. */
  async function events(types: string[]): Promise<RecordedEvent[]> {
    const out: RecordedEvent[] = [];
    for (let after = 0; ;) {
      const { events: got, next } = await t.rpc.request(Subjects.ledger.query, { types, after, limit: 1000 });
      out.push(...got);
      if (got.length < 1000) return out;
      after = next;
    }
  }

  /** Within 4% or 1 s of the exact duration: what the map reads from its duration buckets. */
  const isDuration = nullable(isNumber);
  const near = (got: unknown, exact: number | null) =>
    exact === null ? got === null : typeof got === 'number' && Math.abs(got - exact) <= Math.max(1, 0.04 * exact) + 0.5;

  /** The map's numbers by node id as counted here from the ledger's own events (never the views or the map's code). */
  function fromLedger(live: LiveWorkflowMap): Record<string, unknown> {
    const counts = new WindowCounts(ledger, live.jobType, window);
    const xs = counts.exceptions();
    const approvals = [...ledger.approvals.values()].filter((a) => counts.opened.includes(a.workOrder));
    const decisions = [...ledger.decisions.values()].filter((d) => counts.opened.includes(d.workOrder));
    const expected: Record<string, unknown> = {};
    for (const n of live.nodes) {
      if (n.kind === 'step') {
        const s = counts.step(n.id);
        expected[n.id] = {
          open: s.open,
          completed: s.completed,
          blocked: s.blocked,
          stalled: s.stalled,
          p50Seconds: percentile(s.seconds, 0.5),
          p95Seconds: percentile(s.seconds, 0.95),
          exceptions: [...s.codes]
            .sort(([x, a], [y, b]) => b - a || (x < y ? -1 : x > y ? 1 : 0))
            .map(([code, count]) => ({ code, count })),
        };
      } else if (n.kind === 'gate') {
        const at = approvals.filter((a) => a.gate === n.id);
        const by = (status: string) => at.filter((a) => a.status === status).length;
        const waits = at.flatMap((a) => (a.decidedAt === null ? [] : [(a.decidedAt - a.requestedAt) / 1000]));
        const p50 = percentile(waits, 0.5);
        expected[n.id] = {
          pending: by('requested'),
          approved: by('approved'),
          conditional: by('conditional'),
          rejected: by('rejected'),
          expired: by('expired'),
          p50WaitSeconds: p50 === null ? null : Math.round(p50),
        };
      } else if (n.kind === 'stop' || n.kind === 'run') {
        expected[n.id] = { decisions: decisions.filter((d) => d.rule === n.id).length };
      } else if (n.kind === 'exception') {
        const of = xs.filter((x) => x.code === n.id);
        expected[n.id] = {
          open: of.filter((x) => counts.isOpen(x)).length,
          overdue: of.filter((x) => counts.overdue(x)).length,
          escalated: of.filter((x) => counts.escalated(x)).length,
          count: of.length,
        };
      }
    }
    return expected;
  }

  /** The map's numbers with each step's durations checked against the exact ones (`expected`) and left out. */
  function withDurationsChecked(
    numbers: LiveWorkflowMap['numbers'],
    expected: Record<string, unknown>,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [id, n] of Object.entries(numbers)) {
      const e = expected[id];
      if (!isRecord(e) || !isDuration(e.p50Seconds) || !isDuration(e.p95Seconds)) {
        out[id] = n;
        continue;
      }
      const got: Record<string, unknown> = { ...n };
      expect({ id, p50: near(got.p50Seconds, e.p50Seconds), p95: near(got.p95Seconds, e.p95Seconds) }).toEqual({
        id,
        p50: true,
        p95: true,
      });
      out[id] = { ...got, p50Seconds: e.p50Seconds, p95Seconds: e.p95Seconds };
    }
    return out;
  }

  it("answers every number on the map of every shipped workflow as the ledger's events count it for the same window", async () => {
    const workflows = await get<WorkflowSummary[]>('/v1/workflows');
    expect(workflows.length).toBeGreaterThanOrEqual(5);
    let counted = 0;
    for (const { jobType } of workflows) {
      const live = await map(jobType);
      expect(live.window).toEqual(window);
      const expected = fromLedger(live);
      expect(withDurationsChecked(live.numbers, expected)).toEqual(expected);
      // Each failure point names a node of the map, with the notes its definition declares there.
      for (const p of live.failurePoints) {
        expect(live.nodes.map((n) => n.id)).toContain(p.at);
        expect(p.known).toEqual(live.knownFailures.filter((k) => k.at === p.at).map((k) => k.note));
      }
      counted += Object.values(live.numbers).filter((n) =>
        Object.values(n).some((v) => typeof v === 'number' && v > 0),
      ).length;
    }
    // The demo leaves numbers to compare: not a map of zeros.
    expect(counted).toBeGreaterThan(10);
  });

  it("puts the step blocked most first, counted from the ledger's own events of the window's work orders", async () => {
    const opened = new Map<string, { jobType: string; at: number }>();
    for (const e of await events(['WorkOrderOpened'])) {
      const d = eventOf(e, 'workorder', 'WorkOrderOpened')?.data;
      if (d) opened.set(d.workOrderId, { jobType: d.policy.jobType, at: Date.parse(e.occurredAt) });
    }
    const inWindow = (id: string) => {
      const o = opened.get(id);
      return o && o.at >= Date.parse(window.from) && o.at < Date.parse(window.to) ? o.jobType : undefined;
    };
    const blocks = new Map<string, Map<string, number>>();
    for (const e of await events(['StepBlocked'])) {
      const d = eventOf(e, 'workorder', 'StepBlocked')?.data;
      const jobType = d && inWindow(d.workOrderId);
      if (!d?.stepId || !jobType) continue;
      const steps = blocks.get(jobType) ?? new Map<string, number>();
      steps.set(d.stepId, (steps.get(d.stepId) ?? 0) + 1);
      blocks.set(jobType, steps);
    }
    expect(blocks.size).toBeGreaterThanOrEqual(2);
    for (const [jobType, steps] of blocks) {
      const live = await map(jobType);
      const most = Math.max(...steps.values());
      expect(live.failurePoints[0]).toMatchObject({ measure: 'blocked', value: most });
      expect(steps.get(live.failurePoints[0].at)).toBe(most);
      expect(live.failurePoints[0].message).toMatch(new RegExp(`^${live.failurePoints[0].at} was blocked`));
      // And every step's blocks on the map are the ledger's.
      for (const [stepId, n] of steps)
        expect({ stepId, n: live.numbers[stepId] }).toMatchObject({ stepId, n: { blocked: n } });
    }
  });

  it("counts the work orders stalled, and each once at the step its stalled spell began, as the ledger's events do", async () => {
    let stalled = 0;
    // Every shipped workflow: which ones stall in the window changes with the weekdays the seeded
    // days fall on (none of two on the last day of December), but some always do.
    for (const { jobType } of await get<WorkflowSummary[]>('/v1/workflows')) {
      const counts = new WindowCounts(ledger, jobType, window);
      const rates = await view('stall-rates', jobType);
      // A workflow the demo opened nothing of in the window has no row.
      if (counts.opened.length === 0) {
        expect([jobType, rates]).toEqual([jobType, []]);
        continue;
      }
      expect([jobType, rates[0]?.workOrders, rates[0]?.stalled]).toEqual([
        jobType,
        counts.opened.length,
        counts.stalled,
      ]);
      const steps = await view('steps', jobType);
      expect(steps.map((r) => [r.stepId, r.stalled])).toEqual(
        steps.map((r) => [r.stepId, counts.step(String(r.stepId)).stalled]),
      );
      // Each stalled work order once: at its step, unless its spell began with no step left.
      const atSteps = steps.reduce((sum, r) => sum + Number(r.stalled), 0);
      const atAStep = counts.opened.filter((wo) => wo.order.includes(counts.stalledSpell(wo)?.step ?? '')).length;
      expect([jobType, atSteps]).toEqual([jobType, atAStep]);
      expect(atSteps).toBeLessThanOrEqual(counts.stalled);
      stalled += counts.stalled;
    }
    // The demo stalls some: not a comparison of zeros.
    expect(stalled).toBeGreaterThan(0);
  });

  it('answers each view as CSV too, and refuses a principal without the analyst or ops-lead role', async () => {
    const csv = await lead('GET', `/v1/views/steps?jobType=support-recovery&${qs}`, undefined, { Accept: 'text/csv' });
    expect(csv.status).toBe(200);
    expect(csv.text.replace(/^\uFEFF/, '').split(/\r?\n/)[0]).toBe(
      'jobType,stepId,open,completed,blocked,stalled,p50Seconds,p95Seconds',
    );
    const agent = await client(t.url, principals.keys.agent)('GET', `/v1/workflows/support-recovery/map?${qs}`);
    expect(agent.status).toBe(403);
    const backwards = await lead('GET', `/v1/workflows/support-recovery/map?from=${window.to}&to=${window.from}`);
    expect(backwards.status).toBe(422);
  });

  it('has the same numbers after the views are rebuilt from position 0', async () => {
    const before = await Promise.all(['support-recovery', 'engagement-lifecycle'].map(map));
    const result = await rebuildProjection(t.db.ownerPool(), viewsProjection, { roles: SERVICE_ROLES });
    expect(result.differences).toEqual(Object.fromEntries(viewsProjection.tables.map((table) => [table, 0])));
    const after = await Promise.all(['support-recovery', 'engagement-lifecycle'].map(map));
    expect(after.map((m) => [m.numbers, m.failurePoints])).toEqual(before.map((m) => [m.numbers, m.failurePoints]));
  });
});
