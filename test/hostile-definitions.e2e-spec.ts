import { Subjects } from '@workgate/contracts';
import type { ActionAnswer, OpenedAnswer, SimulateResult } from '@workgate/contracts';
import { draftWith, NOTES, zeros } from '../bench/hostile-definitions';
import { client, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import type { ErrorBody } from './support/answers';

/**
 * Bounded rules (docs/policy.md, Bounded rules): what an analyst or an admin sends cannot hold the
 * service. Each hostile request gets a clear 4xx, and `/health` answers while it is in flight.
 */
describe('hostile definitions and simulations', () => {
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    analyst: ['analyst'],
    admin: ['admin'],
  });
  let t: SharedTestWorkgate;

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    await t.rpc.request(Subjects.policy.publish, { definition: NOTES });
    const helpdesk = client(t.url, principals.keys.helpdesk);
    const agent = client(t.url, principals.keys.agent);
    // Recorded requests for the simulations to replay, with a list of 1,000 items in their facts.
    for (let i = 0; i < 3; i++) {
      const opened = await helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'hostile-notes',
        externalRef: `H-${i}`,
        source: 'helpdesk',
        inputs: {},
      });
      const acted = await agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
        system: 'shop',
        operation: 'order.note',
        kind: 'write',
        facts: { vip: false, items: Array.from({ length: 1000 }, () => 7) },
      });
      expect(acted.status).toBe(201);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  /** `/health` asked every 100 ms while `hostile` is in flight; every answer's status. */
  async function healthDuring<T>(hostile: Promise<T>): Promise<{ answer: T; health: number[] }> {
    const health: number[] = [];
    let done = false;
    const settled = hostile.finally(() => (done = true));
    do {
      // Answered at all: a frozen event loop would leave this without an answer for many seconds.
      const res = await fetch(`${t.url}/health`, { signal: AbortSignal.timeout(20_000) });
      health.push(res.status);
      await new Promise((r) => setTimeout(r, 100));
    } while (!done);
    return { answer: await settled, health };
  }

  it('refuses a draft whose loops over literal lists cost more than a rule may, naming the rule', async () => {
    const analyst = client(t.url, principals.keys.analyst);
    const draft = draftWith(`${zeros(900)}.all(a, ${zeros(900)}.all(b, a == b))`);
    const { answer, health } = await healthDuring(
      analyst<ErrorBody>('POST', '/v1/workflows/hostile-notes/simulate', { definition: draft }),
    );
    expect({ status: answer.status, error: answer.body.error, details: answer.body.details }).toEqual({
      status: 422,
      error: 'invalid_definition',
      details: [
        {
          path: 'rules[0].when',
          message: 'loops over its literal lists for 3,242,701 steps: a rule may take at most 100,000',
        },
      ],
    });
    expect(health.length).toBeGreaterThan(0);
    expect(health.every((s) => s === 200)).toBe(true);
  });

  it('stops a rule whose loops over the facts cost more than its budget: the simulation says rule_error', async () => {
    const analyst = client(t.url, principals.keys.analyst);
    const draft = draftWith('facts.items.all(a, facts.items.all(b, a == b))');
    const { answer, health } = await healthDuring(
      analyst<SimulateResult>('POST', '/v1/workflows/hostile-notes/simulate', { definition: draft }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.evaluated).toBe(3);
    expect(answer.body.changed.map((c) => c.after)).toEqual(
      Array.from({ length: 3 }, () => ({ decision: 'stop', rule: 'expensive', reason: 'rule_error' })),
    );
    expect(health.every((s) => s === 200)).toBe(true);
  });

  it.each([
    ['a YAML publish of 200,000 [', 'admin', '/v1/workflows', '['.repeat(200_000), 'application/yaml'],
    [
      'a simulated draft of 200,000 [',
      'analyst',
      '/v1/workflows/hostile-notes/simulate',
      JSON.stringify({ definition: `jobType: hostile-notes\nsteps: ${'['.repeat(200_000)}` }),
      'application/json',
    ],
  ] as const)('refuses %s with 422 naming the depth limit', async (_what, who, path, body, type) => {
    const caller = client(t.url, principals.keys[who]);
    const { answer, health } = await healthDuring(caller<ErrorBody>('POST', path, body, { 'Content-Type': type }));
    expect({ status: answer.status, error: answer.body.error, message: answer.body.message }).toEqual({
      status: 422,
      error: 'invalid_definition',
      message: 'the definition is nested deeper than 64 levels',
    });
    expect(health.every((s) => s === 200)).toBe(true);
  });
});
