import { ActionRequest } from '@workgate/contracts';
import { decideAction, evolveWorkOrder, initialWorkOrderState, openWorkOrder, WorkOrder } from '@workgate/domain';
import { CompiledWorkflow, compileWorkflow, decide } from '@workgate/workflow';
import { machineLine, median, saveResults, table } from './stats';
import { shippedDefinition } from './history-workflows';
import { ROOT } from './workgate-process';

/**
 * `npm run bench:policy`: run/wait/stop decisions per second under the shipped support-recovery
 * workflow, in-process: the boundary and the rules alone (`libs/workflow`), and the one verdict a
 * work order's action request gets (`decideAction`: the prerequisite gate, scope changes and
 * overlays around them). Medians of BENCH_REPS runs of BENCH_SECONDS.
 */
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

/** A realistic mix: address fixes that run, refunds that wait, unnamed systems and after-cutoff fixes that stop. */
const REQUESTS: Array<{ action: ActionRequest; facts: Record<string, unknown> }> = [
  {
    action: {
      system: 'shop',
      operation: 'order.note',
      kind: 'write',
      objects: ['order:1001', 'customer:77', 'address:1001'],
    },
    facts: { orderFulfilled: false, addressValidated: true },
  },
  {
    action: { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] },
    facts: { orderFulfilled: false, amount: 42.5 },
  },
  { action: { system: 'crm', operation: 'contact.update', kind: 'write' }, facts: {} },
  { action: { system: 'shop', operation: 'order.note', kind: 'write' }, facts: { orderFulfilled: true } },
  { action: { system: 'warehouse', operation: 'notify', kind: 'write' }, facts: { orderFulfilled: false } },
  { action: { system: 'shop', operation: 'order', kind: 'read' }, facts: {} },
];

/** Decisions per second of `one(n)`, called in a tight loop on one core after a warm-up. */
function measure(one: (n: number) => unknown): { rate: number; micros: number } {
  for (let i = 0; i < 20_000; i++) one(i);
  const until = Date.now() + SECONDS * 1000;
  let n = 0;
  const started = process.hrtime.bigint();
  while (Date.now() < until) for (let i = 0; i < 1000; i++, n++) one(n);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { rate: n / seconds, micros: (seconds * 1e6) / n };
}

/** An open work order of the workflow, as the decider sees it. */
function openedOn(workflow: CompiledWorkflow): WorkOrder {
  const meta = { commandId: 'bench-open', actor: 'bench', now: new Date().toISOString(), channel: 'bench' };
  const events = openWorkOrder(
    {
      jobType: 'support-recovery',
      source: 'bench',
      externalRef: 'B-1',
      inputs: { caseId: 'C-1', orderId: '1001', orderPaid: true },
    },
    initialWorkOrderState(),
    {
      meta,
      workflow,
      catalog: new Map(),
      workOrderId: 'wo-1',
    },
  );
  const state = events.reduce(evolveWorkOrder, initialWorkOrderState());
  if (state.status === 'none') throw new Error('the work order did not open');
  return state;
}

function main(): void {
  const def = shippedDefinition(ROOT, 'support-recovery');
  const workflow = compileWorkflow(def);
  const wo = openedOn(workflow);
  if (wo.status !== 'open') throw new Error('the benchmark work order should be open');
  const workOrder = { id: wo.id, jobType: 'support-recovery', inputs: wo.inputs };
  const meta = { commandId: 'bench', actor: 'bench', now: new Date().toISOString(), channel: 'bench' };
  const runs: Record<'rules' | 'verdict', Array<{ rate: number; micros: number }>> = { rules: [], verdict: [] };
  for (let rep = 1; rep <= REPS; rep++) {
    const a = measure((n) => decide(workflow, { ...REQUESTS[n % REQUESTS.length], workOrder }));
    runs.rules.push(a);
    const b = measure((n) =>
      decideAction(
        workflow,
        wo,
        REQUESTS[n % REQUESTS.length].action,
        REQUESTS[n % REQUESTS.length].facts,
        meta,
        'action',
      ),
    );
    runs.verdict.push(b);
    process.stderr.write(
      `run ${rep}/${REPS}: boundary and rules ${Math.round(a.rate).toLocaleString('en-US')}/s, the one verdict ${Math.round(b.rate).toLocaleString('en-US')}/s\n`,
    );
  }
  const med = (k: 'rules' | 'verdict', f: 'rate' | 'micros') => median(runs[k].map((r) => r[f]));
  const rows: Array<Array<string | number>> = [
    ['boundary and rules (libs/workflow), one core', med('rules', 'rate'), med('rules', 'micros').toFixed(1)],
    [
      'the one verdict of a work order (decideAction), one core',
      med('verdict', 'rate'),
      med('verdict', 'micros').toFixed(1),
    ],
  ];
  process.stdout.write(
    `policy decisions, support-recovery v1, mixed run/wait/stop requests; median of ${REPS} runs x ${SECONDS}s\n${machineLine()}\n\n${table(['path', 'decisions/s', 'µs each'], rows)}\n`,
  );
  saveResults('policy', { reps: REPS, seconds: SECONDS, runs }, [
    {
      stage: 'policy decisions',
      measure: `boundary and rules, in-process, decisions/s (${med('rules', 'micros').toFixed(1)} µs each)`,
      value: Math.round(med('rules', 'rate')),
    },
    {
      stage: 'policy decisions',
      measure: `the one verdict of a work order, in-process, decisions/s (${med('verdict', 'micros').toFixed(1)} µs each)`,
      value: Math.round(med('verdict', 'rate')),
    },
  ]);
}

main();
