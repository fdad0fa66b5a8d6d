import { randomUUID } from 'node:crypto';
import { duplicateKeyProblem, JsonShape, jsonValueProblems, objectMembers } from '@workgate/contracts';

/**
 * `node dist/bench/json-keys.bench.js`: what refusing a repeated key costs per JSON body, next to
 * the value check every body already gets (`jsonValueProblems`). 2,000 typical bodies (work
 * orders, action requests, CloudEvents with times and URLs in their strings), each run of a
 * variant parses and checks every body BENCH_ROUNDS times (100); the variants alternate A/B
 * BENCH_REPS times (5) on one core, and the median of each is printed.
 */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);
const REPS = Number(process.env.BENCH_REPS ?? 5);

function body(i: number): string {
  const at = new Date(Date.UTC(2026, 10, 26, 14, 0, i % 60)).toISOString();
  switch (i % 4) {
    case 0:
      return JSON.stringify({
        jobType: 'support-recovery',
        externalRef: `CASE-${i}`,
        source: 'helpdesk',
        inputs: {
          caseId: `C-${i}`,
          orderId: String(1000 + i),
          orderPaid: i % 2 === 0,
          customer: { id: i, email: `c${i}@example.com` },
        },
      });
    case 1:
      return JSON.stringify({
        system: 'payments',
        operation: 'refund',
        kind: 'write',
        objects: [`order:${i}`, `customer:${i}`],
        facts: { amount: 42.5, currency: 'EUR', orderFulfilled: false, requestedAt: at },
        stepId: 'refund',
      });
    case 2:
      return JSON.stringify({
        specversion: '1.0',
        id: randomUUID(),
        source: 'helpdesk',
        type: 'workgate.step.completed',
        subject: `CASE-${i}`,
        time: at,
        datacontenttype: 'application/json',
        data: {
          stepId: 'verify',
          evidence: [{ kind: 'screenshot', ref: `https://files.example.com:8443/e/${i}.png` }],
          note: 'checked: ok',
        },
      });
    default:
      return JSON.stringify({
        decision: 'approved',
        rationale: `refund ${i} checked against the order: amount matches, 2 items`,
        conditions: [{ text: 'send the receipt', due: 'P2D' }],
      });
  }
}

const BODIES = Array.from({ length: 2000 }, (_, i) => body(i));
const PARSED = new Map(BODIES.map((text): [string, unknown] => [text, JSON.parse(text)]));
const MEMBERS = new Map(BODIES.map((text) => [text, objectMembers(PARSED.get(text))]));

/** Milliseconds for ROUNDS passes over every body. */
function run(check: (text: string) => number): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) for (const text of BODIES) sink += check(text);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (sink < 0) console.log(sink);
  return ms;
}

const variants: Record<string, (text: string) => number> = {
  // A: the gateway's check as it was: parse, then the value check.
  'A parse + value check': (text) => jsonValueProblems(JSON.parse(text)).length,
  // B: the gateway's check now: the value check counts members as it walks; the text is scanned for colons.
  'B parse + value check + repeated keys': (text) => {
    const shape: JsonShape = { keys: 0 };
    const value: unknown = JSON.parse(text);
    return jsonValueProblems(value, '', 20, shape).length + (duplicateKeyProblem(text, shape.keys) ? 1 : 0);
  },
  // C: intake's: members counted by a walk of their own.
  'C parse + value check + repeated keys (own walk, intake)': (text) => {
    const value: unknown = JSON.parse(text);
    return jsonValueProblems(value).length + (duplicateKeyProblem(text, objectMembers(value)) ? 1 : 0);
  },
  // D and E: each check alone, on bodies parsed beforehand: the value check, and the text's scan for repeated keys.
  'D value check alone': (text) => jsonValueProblems(PARSED.get(text)).length,
  'E repeated-key check alone (members known)': (text) => (duplicateKeyProblem(text, MEMBERS.get(text)!) ? 1 : 0),
};

const times: Record<string, number[]> = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (const check of Object.values(variants)) run(check); // warm-up
for (let rep = 0; rep < REPS; rep++) for (const [name, check] of Object.entries(variants)) times[name].push(run(check));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(times[Object.keys(variants)[0]]);
const perBody = (ms: number) => ((ms * 1000) / (ROUNDS * BODIES.length)).toFixed(3);
console.log(`${BODIES.length} bodies x ${ROUNDS} rounds, ${REPS} alternated runs each, median (runs in ms)`);
for (const [name, list] of Object.entries(times)) {
  const m = median(list);
  console.log(
    `${name.padEnd(58)} ${m.toFixed(0).padStart(6)} ms  ${perBody(m)} µs/body  x${(m / base).toFixed(3)}  [${list.map((x) => x.toFixed(0)).join(', ')}]`,
  );
}
