import { eventOf, LiveWorkflowMap, RecordedEvent, Subjects, ViewRow, WorkflowSummary } from '@workgate/contracts';
import { rebuildProjection } from '@workgate/event-store';
import { viewsProjection } from '../apps/ledger/views/views.projection';
import { seedDemo } from '../cli/demo';
import { SERVICE_ROLES } from './support/database';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';

const DAY = 86_400_000;

/**
 * The live workflow map over ten demo days: for every shipped workflow, every number on the
 * map equals the evidence views' rows for the same window (work orders opened in [from, to),
 * measured at asOf), the first failure point is the step blocked most (counted here from the
 * ledger's own events), and the numbers are the same after the views are rebuilt from position 0.
 */
describe('the live workflow map', () => {
  let t: TestWorkgate;
  const principals = writePrincipals({ lead: ['analyst', 'ops-lead'], agent: ['operator'] });
  let lead: ReturnType<typeof client>;
  let now: number;
  let window: { from: string; to: string; asOf: string };
  let qs: string;

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

  /** What the views answer, as the map's numbers by node id (the views API read directly, not the map's code). */
  async function fromViews(live: LiveWorkflowMap): Promise<Record<string, unknown>> {
    const jt = live.jobType;
    const [steps, stepExceptions, gates, rules, codes] = await Promise.all(
      ['steps', 'step-exceptions', 'gates', 'rules', 'exception-codes'].map((v) => view(v, jt)),
    );
    const expected: Record<string, unknown> = {};
    for (const n of live.nodes) {
      if (n.kind === 'step') {
        const r = steps.find((s) => s.stepId === n.id);
        expected[n.id] = {
          open: r?.open ?? 0,
          completed: r?.completed ?? 0,
          blocked: r?.blocked ?? 0,
          stalled: r?.stalled ?? 0,
          p50Seconds: r?.p50Seconds ?? null,
          p95Seconds: r?.p95Seconds ?? null,
          exceptions: stepExceptions.filter((x) => x.stepId === n.id).map((x) => ({ code: x.code, count: x.count })),
        };
      } else if (n.kind === 'gate') {
        const r = gates.find((g) => g.gate === n.id);
        expected[n.id] = {
          pending: r?.pending ?? 0,
          approved: r?.approved ?? 0,
          conditional: r?.conditional ?? 0,
          rejected: r?.rejected ?? 0,
          expired: r?.expired ?? 0,
          p50WaitSeconds: r?.p50WaitSeconds ?? null,
        };
      } else if (n.kind === 'stop' || n.kind === 'run') {
        expected[n.id] = {
          decisions: rules.filter((r) => r.rule === n.id).reduce((sum, r) => sum + Number(r.decisions), 0),
        };
      } else if (n.kind === 'exception') {
        const r = codes.find((c) => c.code === n.id);
        expected[n.id] = {
          open: r?.open ?? 0,
          overdue: r?.overdue ?? 0,
          escalated: r?.escalated ?? 0,
          count: r?.count ?? 0,
        };
      }
    }
    return expected;
  }

  it('answers every number on the map of every shipped workflow as the views do for the same window', async () => {
    const workflows = await get<WorkflowSummary[]>('/v1/workflows');
    expect(workflows.length).toBeGreaterThanOrEqual(5);
    let counted = 0;
    for (const { jobType } of workflows) {
      const live = await map(jobType);
      expect(live.window).toEqual(window);
      expect(live.numbers).toEqual(await fromViews(live));
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

  it('counts stalls at steps as the stall-rates view counts stalled work orders, at most once each', async () => {
    for (const jobType of ['support-recovery', 'field-work-order']) {
      const rates = await view('stall-rates', jobType);
      const steps = await view('steps', jobType);
      const atSteps = steps.reduce((sum, r) => sum + Number(r.stalled), 0);
      expect(atSteps).toBeLessThanOrEqual(Number(rates[0]?.stalled ?? 0));
    }
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
