import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ActionRequest, DecisionResult, Subjects, WorkflowDefinition } from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { compileWorkflow, decide, parseDefinitionText } from '@workgate/workflow';
import { closedLoop, machineLine, median, saveResults, table } from './stats';
import { ROOT, startWorkgateProcess } from './workgate-process';

/**
 * `npm run bench:policy`: run/wait/stop decisions per second under the shipped support-recovery
 * workflow, in-process (the pure decider) and over NATS request/reply (64 in flight) against the
 * policy service running in its own process. Medians of BENCH_REPS runs of BENCH_SECONDS.
 */
const REPS = Number(process.env.BENCH_REPS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const IN_FLIGHT = 64;

/** A realistic mix: address fixes that run, refunds that wait, unnamed systems and after-cutoff fixes that stop. */
const REQUESTS: Array<{ action: ActionRequest; facts: Record<string, unknown> }> = [
  { action: { system: 'shop', operation: 'order.note', kind: 'write', objects: ['order:1001', 'customer:77', 'address:1001'] }, facts: { orderFulfilled: false, addressValidated: true } },
  { action: { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] }, facts: { orderFulfilled: false, amount: 42.5 } },
  { action: { system: 'crm', operation: 'contact.update', kind: 'write' }, facts: {} },
  { action: { system: 'shop', operation: 'order.note', kind: 'write' }, facts: { orderFulfilled: true } },
  { action: { system: 'warehouse', operation: 'notify', kind: 'write' }, facts: { orderFulfilled: false } },
  { action: { system: 'shop', operation: 'order', kind: 'read' }, facts: {} },
];
const workOrder = { id: 'wo-1', jobType: 'support-recovery', inputs: { caseId: 'C-1', orderId: '1001', orderPaid: true } };

function inProcess(): { rate: number; p50: number; p99: number } {
  const def = parseDefinitionText(readFileSync(join(ROOT, 'workflows', 'support-recovery.yaml'), 'utf8')) as WorkflowDefinition;
  const compiled = compileWorkflow(def);
  for (let i = 0; i < 20_000; i++) decide(compiled, { ...REQUESTS[i % REQUESTS.length], workOrder }); // warm-up
  const until = Date.now() + SECONDS * 1000;
  let n = 0;
  const started = process.hrtime.bigint();
  while (Date.now() < until) {
    for (let i = 0; i < 1000; i++, n++) decide(compiled, { ...REQUESTS[n % REQUESTS.length], workOrder });
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const perDecisionMs = (seconds * 1000) / n;
  return { rate: n / seconds, p50: perDecisionMs, p99: perDecisionMs };
}

async function overNats(rpc: RpcClient) {
  return closedLoop(IN_FLIGHT, 1000, SECONDS * 1000, async (w, n) => {
    await rpc.request<DecisionResult>(Subjects.policy.decide, { jobType: 'support-recovery', ...REQUESTS[(w + n) % REQUESTS.length], workOrder });
  });
}

async function main(): Promise<void> {
  const workgate = await startWorkgateProcess('policy');
  const { rpc } = workgate;
  try {
    const runs: Record<string, Array<{ rate: number; p50: number; p99: number }>> = { inprocess: [], nats: [] };
    for (let rep = 1; rep <= REPS; rep++) {
      const a = inProcess();
      runs.inprocess.push(a);
      const b = await overNats(rpc);
      runs.nats.push(b);
      process.stderr.write(`run ${rep}/${REPS}: in-process ${Math.round(a.rate).toLocaleString('en-US')}/s, over NATS ${Math.round(b.rate).toLocaleString('en-US')}/s\n`);
    }
    const med = (s: string, k: 'rate' | 'p50' | 'p99') => median(runs[s].map((r) => r[k]));
    const rows: Array<Array<string | number>> = [
      ['in-process decider (one core, sequential)', med('inprocess', 'rate'), `${(med('inprocess', 'p50') * 1000).toFixed(1)} µs (mean)`, '-'],
      [`policy service over NATS (${IN_FLIGHT} in flight)`, med('nats', 'rate'), med('nats', 'p50'), med('nats', 'p99')],
    ];
    process.stdout.write(`policy decisions, support-recovery v1, mixed run/wait/stop requests; median of ${REPS} runs x ${SECONDS}s\n${machineLine()}\n\n${table(['path', 'decisions/s', 'p50 ms', 'p99 ms'], rows)}\n`);
    saveResults('policy', { reps: REPS, seconds: SECONDS, runs }, [
      { stage: 'policy decisions', measure: `in-process decider, decisions/s (${(med('inprocess', 'p50') * 1000).toFixed(1)} µs each)`, value: Math.round(med('inprocess', 'rate')) },
      { stage: 'policy decisions', measure: `policy service over NATS, ${IN_FLIGHT} in flight, decisions/s (p99 ${med('nats', 'p99').toFixed(1)} ms)`, value: Math.round(med('nats', 'rate')) },
    ]);
  } finally {
    await workgate.stop();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exit(1);
  },
);
