import fc from 'fast-check';
import { FAILURE_MEASURES, NodeNumbers, WorkflowMap } from '@workgate/contracts';
import { rankFailurePoints } from './failure-points';
import { liveWorkflowMap, LiveMapRows } from './live-map';

const node = (id: string, kind: WorkflowMap['nodes'][number]['kind']) => ({ id, kind, label: id, detail: {} });
const map: WorkflowMap = {
  jobType: 'fix',
  version: 1,
  sha256: 'x',
  title: 'Fix',
  owner: 'lead',
  nodes: [
    node('inspect', 'step'),
    node('update-order', 'step'),
    node('refunds', 'gate'),
    node('no-change', 'stop'),
    node('fast', 'run'),
    node('ADDRESS_INVALID', 'exception'),
    node('shop', 'system'),
  ],
  edges: [],
  receiptPlan: [],
  knownFailures: [
    { at: 'update-order', note: 'addresses from the old shop fail validation' },
    { at: 'shop', note: 'the shop API times out at month end' },
  ],
};
/** The numbers of the step `update-order` in the steps view: its node shows them as they are. */
const updateOrder = { open: 1, completed: 5, blocked: 14, stalled: 0, p50Seconds: null, p95Seconds: null };
const rows = (over: Partial<LiveMapRows> = {}): LiveMapRows => ({
  steps: [
    {
      jobType: 'fix',
      stepId: 'inspect',
      open: 2,
      completed: 8,
      blocked: 3,
      stalled: 9,
      p50Seconds: 60,
      p95Seconds: 600,
    },
    { jobType: 'fix', stepId: 'update-order', ...updateOrder },
  ],
  stepExceptions: [
    { jobType: 'fix', stepId: 'inspect', code: 'ADDRESS_INVALID', count: 3 },
    { jobType: 'fix', stepId: 'update-order', code: 'CUSTOMER_UNREACHABLE', count: 5 },
    { jobType: 'fix', stepId: 'update-order', code: 'ADDRESS_INVALID', count: 9 },
  ],
  gates: [
    {
      jobType: 'fix',
      gate: 'refunds',
      pending: 1,
      approved: 2,
      conditional: 0,
      rejected: 40,
      expired: 1,
      p50WaitSeconds: 90,
    },
  ],
  rules: [
    { jobType: 'fix', rule: null, decision: 'run', decisions: 100 },
    { jobType: 'fix', rule: 'no-change', decision: 'stop', decisions: 50 },
    { jobType: 'fix', rule: 'fast', decision: 'run', decisions: 7 },
  ],
  exceptionCodes: [{ jobType: 'fix', code: 'ADDRESS_INVALID', count: 12, open: 4, overdue: 2, escalated: 0 }],
  ...over,
});
const window = { from: null, to: null, asOf: '2026-11-30T00:00:00.000Z' };

describe('the live map: numbers by node and failure points', () => {
  it('gives every step, gate, stop and run rule and exception code its numbers from the views, zeros where they have none', () => {
    const live = liveWorkflowMap(map, rows({ gates: [] }), window);
    expect(live.numbers['update-order']).toEqual({
      ...updateOrder,
      exceptions: [
        { code: 'CUSTOMER_UNREACHABLE', count: 5 },
        { code: 'ADDRESS_INVALID', count: 9 },
      ],
    });
    expect(live.numbers.refunds).toEqual({
      pending: 0,
      approved: 0,
      conditional: 0,
      rejected: 0,
      expired: 0,
      p50WaitSeconds: null,
    });
    expect(live.numbers['no-change']).toEqual({ decisions: 50 });
    expect(live.numbers.fast).toEqual({ decisions: 7 });
    expect(live.numbers.ADDRESS_INVALID).toEqual({ open: 4, overdue: 2, escalated: 0, count: 12 });
    expect(live.numbers.shop).toBeUndefined();
    expect(live.window).toEqual(window);
  });

  it('ranks one entry per node: blocked steps first (most blocks first), then stalls, refused and expired gates, stops, overdue exceptions', () => {
    const { failurePoints } = liveWorkflowMap(map, rows(), window);
    expect(failurePoints.map((p) => [p.at, p.measure, p.value, p.counts])).toEqual([
      ['update-order', 'blocked', 14, { blocked: 14 }],
      ['inspect', 'blocked', 3, { blocked: 3, stalled: 9 }],
      ['refunds', 'rejected', 40, { rejected: 40, expired: 1 }],
      ['no-change', 'stops', 50, { stops: 50 }],
      ['ADDRESS_INVALID', 'overdue', 2, { overdue: 2 }],
    ]);
  });

  it('says each in a sentence, with the known failures declared at its node', () => {
    const [first, ...rest] = liveWorkflowMap(map, rows(), window).failurePoints;
    expect(first).toEqual({
      at: 'update-order',
      measure: 'blocked',
      value: 14,
      counts: { blocked: 14 },
      message: 'update-order was blocked 14 times (ADDRESS_INVALID 9, CUSTOMER_UNREACHABLE 5)',
      known: ['addresses from the old shop fail validation'],
    });
    expect(rest.map((p) => p.message)).toEqual([
      'inspect was blocked 3 times (ADDRESS_INVALID 3); 9 work orders stalled there',
      '40 approvals were rejected at refunds; 1 approval expired undecided there',
      'no-change stopped 50 actions',
      '2 ADDRESS_INVALID exceptions are overdue',
    ]);
    expect(rest.every((p) => p.known.length === 0)).toBe(true);
  });

  it('has no failure point where nothing failed', () => {
    const quiet = rows({
      steps: [],
      stepExceptions: [],
      gates: [],
      rules: [{ jobType: 'fix', rule: 'fast', decision: 'run', decisions: 7 }],
      exceptionCodes: [],
    });
    expect(liveWorkflowMap(map, quiet, window).failurePoints).toEqual([]);
  });
});

describe('failure points, merged per node, on generated numbers', () => {
  const count = fc.nat({ max: 5 });
  const stepNumbers = fc.record({ blocked: count, stalled: count });
  const gateNumbers = fc.record({ rejected: count, expired: count });
  const generated = fc.record({
    steps: fc.array(stepNumbers, { minLength: 1, maxLength: 6 }),
    gates: fc.array(gateNumbers, { maxLength: 3 }),
  });
  const of = ({
    steps,
    gates,
  }: {
    steps: { blocked: number; stalled: number }[];
    gates: { rejected: number; expired: number }[];
  }) => {
    const m: WorkflowMap = {
      ...map,
      nodes: [...steps.map((_, i) => node(`s${i}`, 'step')), ...gates.map((_, i) => node(`g${i}`, 'gate'))],
      knownFailures: [],
    };
    const numbers: Record<string, NodeNumbers> = {};
    steps.forEach((s, i) => {
      numbers[`s${i}`] = { open: 0, completed: 0, p50Seconds: null, p95Seconds: null, exceptions: [], ...s };
    });
    gates.forEach((g, i) => {
      numbers[`g${i}`] = { pending: 0, approved: 0, conditional: 0, p50WaitSeconds: null, ...g };
    });
    return { points: rankFailurePoints(m, numbers), numbers };
  };

  it('lists each node at most once, with every measure above zero there and nothing else', () => {
    fc.assert(
      fc.property(generated, (g) => {
        const { points, numbers } = of(g);
        expect(new Set(points.map((p) => p.at)).size).toBe(points.length);
        const measureOf = { blocked: 'blocked', stalled: 'stalled', rejected: 'rejected', expired: 'expired' } as const;
        for (const [id, n] of Object.entries(numbers)) {
          const counts: Record<string, unknown> = { ...n };
          const above = Object.fromEntries(
            Object.entries(measureOf)
              .filter(([k]) => typeof counts[k] === 'number' && counts[k] > 0)
              .map(([k, m]) => [m, counts[k]]),
          );
          const point = points.find((p) => p.at === id);
          if (!Object.keys(above).length) expect(point).toBeUndefined();
          else expect(point?.counts).toEqual(above);
        }
      }),
    );
  });

  it('ranks by the first measure of each node, then the larger value, and the value is that measure', () => {
    fc.assert(
      fc.property(generated, (g) => {
        const { points } = of(g);
        const rank = (p: (typeof points)[number]) => FAILURE_MEASURES.indexOf(p.measure);
        for (const p of points) {
          const first = FAILURE_MEASURES.find((m) => (p.counts[m] ?? 0) > 0);
          expect([p.measure, p.value]).toEqual([first, p.counts[p.measure]]);
        }
        for (let i = 1; i < points.length; i++) {
          const [a, b] = [points[i - 1], points[i]];
          expect(rank(a) < rank(b) || (rank(a) === rank(b) && a.value >= b.value)).toBe(true);
        }
      }),
    );
  });
});
