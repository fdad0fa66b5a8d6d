import fc from 'fast-check';
import { compileWorkflow } from '../definition/compile';
import { decide } from './decide';
import { ActionRequest, DecisionInput, WorkflowDefinition } from '../definition/definition';
import { shippedWorkflow } from '../definition/test-fixtures';

const base: WorkflowDefinition = {
  jobType: 'test-job',
  version: 3,
  title: 'Test',
  owner: 'test-owner',
  systems: [
    { name: 'shop', read: true, write: ['order.note', 'customer.reply'] },
    { name: 'payments', read: true, write: [] },
    { name: 'vault', read: false, write: ['deposit'] },
  ],
  rules: [
    {
      id: 'refunds-wait',
      when: 'action.system == "payments" && action.operation == "refund"',
      decision: 'wait',
      owner: 'finance-lead',
    },
    { id: 'vip-waits', when: 'has(facts.vip) && facts.vip == true', decision: 'wait' },
    {
      id: 'fulfilled-stops',
      when: 'action.operation == "order.note" && facts.orderFulfilled == true',
      decision: 'stop',
      reason: 'already fulfilled',
    },
    { id: 'fix-runs', when: 'action.operation == "order.note" && facts.orderFulfilled == false', decision: 'run' },
  ],
};
const wf = compileWorkflow(base);
const act = (
  system: string,
  operation: string,
  kind: 'read' | 'write' = 'write',
  extra: Partial<ActionRequest> = {},
): ActionRequest => ({ system, operation, kind, ...extra });

describe('decide: every reason, first match wins', () => {
  it.each<[string, DecisionInput, string, string, string | null, string | null, number]>([
    [
      'a system the definition does not name stops',
      { action: act('crm', 'note') },
      'stop',
      'system_not_named',
      null,
      'test-owner',
      0,
    ],
    [
      'a read of an unreadable system stops',
      { action: act('vault', 'balance', 'read') },
      'stop',
      'read_not_allowed',
      null,
      'test-owner',
      1,
    ],
    [
      'a write outside the write list with no wait rule stops',
      { action: act('payments', 'chargeback') },
      'stop',
      'write_not_allowed',
      null,
      'test-owner',
      1,
    ],
    [
      'a write outside a non-empty write list stops, 2 of 3 checks passed',
      { action: act('shop', 'order.delete') },
      'stop',
      'write_not_allowed',
      null,
      'test-owner',
      2,
    ],
    [
      'a write outside the write list waits when a matching rule says wait',
      { action: act('payments', 'refund') },
      'wait',
      'rule_matched',
      'refunds-wait',
      'finance-lead',
      1,
    ],
    [
      'the first matching rule wins (vip before fulfilled)',
      { action: act('shop', 'order.note'), facts: { vip: true, orderFulfilled: true } },
      'wait',
      'rule_matched',
      'vip-waits',
      'test-owner',
      3,
    ],
    [
      'a stop rule stops with its stated reason',
      { action: act('shop', 'order.note'), facts: { orderFulfilled: true } },
      'stop',
      'rule_matched',
      'fulfilled-stops',
      'test-owner',
      3,
    ],
    [
      'a run rule runs',
      { action: act('shop', 'order.note'), facts: { orderFulfilled: false } },
      'run',
      'rule_matched',
      'fix-runs',
      null,
      3,
    ],
    [
      'inside the boundary with no rule matching runs',
      { action: act('shop', 'customer.reply') },
      'run',
      'inside_boundary',
      null,
      null,
      3,
    ],
    [
      'a read inside the boundary runs',
      { action: act('payments', 'status', 'read') },
      'run',
      'inside_boundary',
      null,
      null,
      3,
    ],
    [
      'a CEL error fails closed and names the rule',
      { action: act('shop', 'order.note'), facts: {} },
      'stop',
      'rule_error',
      'fulfilled-stops',
      'test-owner',
      3,
    ],
  ])('%s', (_name, input, decision, reason, rule, owner, passed) => {
    const d = decide(wf, input);
    expect(d).toMatchObject({ decision, reason, rule, decisionOwner: owner, scopeChecks: { passed, total: 3 } });
    expect(d.policy).toEqual({ jobType: 'test-job', version: 3, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(d.inputsSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('states the stop reason and the CEL error in the message', () => {
    expect(decide(wf, { action: act('shop', 'order.note'), facts: { orderFulfilled: true } }).message).toBe(
      'already fulfilled',
    );
    expect(decide(wf, { action: act('shop', 'order.note'), facts: {} }).message).toMatch(
      /fulfilled-stops.*could not be evaluated/,
    );
  });

  it('names a missing fact and how to send it', () => {
    expect(decide(wf, { action: act('shop', 'order.note'), facts: {} }).message).toBe(
      'rule "fulfilled-stops" could not be evaluated: the fact "orderFulfilled" is missing: send it in the request\'s facts ({"facts": {"orderFulfilled": ...}})',
    );
  });

  it('counts the distinct objects named, the system included', () => {
    const d = decide(wf, {
      action: act('shop', 'order.note', 'write', { objects: ['order:1001', 'customer:7', 'order:1001', 'address:1'] }),
      facts: { orderFulfilled: false },
    });
    expect(d.objectsNamed).toBe(4);
  });

  it('hashes the inputs canonically: key order does not matter, content does', () => {
    const a = decide(wf, { action: act('shop', 'customer.reply'), facts: { a: 1, b: 2 } });
    const b = decide(wf, {
      action: { kind: 'write', operation: 'customer.reply', system: 'shop' },
      facts: { b: 2, a: 1 },
    });
    const c = decide(wf, { action: act('shop', 'customer.reply'), facts: { a: 1, b: 3 } });
    expect(a.inputsSha256).toBe(b.inputsSha256);
    expect(c.inputsSha256).not.toBe(a.inputsSha256);
  });

  it('fails closed when a rule takes longer than its time budget', () => {
    let t = 0;
    const slowClock = () => (t += 100);
    expect(decide(wf, { action: act('shop', 'customer.reply') }, slowClock)).toMatchObject({
      decision: 'stop',
      reason: 'rule_error',
      rule: 'refunds-wait',
    });
  });

  it('does not take a pause of the process for a slow rule: a rule over its budget once, then within it, decides as usual', () => {
    // Each reading of the clock: the first rule's first evaluation spans a 100 ms pause, every later one 1 ms.
    const readings = [0, 100];
    let t = 100;
    const pausedOnce = () => readings.shift() ?? ++t;
    const input = { action: act('shop', 'order.note'), facts: { orderFulfilled: false } };
    expect(decide(wf, input, pausedOnce)).toMatchObject({
      decision: 'run',
      reason: 'rule_matched',
      rule: 'fix-runs',
    });
    expect(readings).toEqual([]);
  });

  it('a rule that yields a non-boolean fails closed', () => {
    const odd = compileWorkflow({ ...base, rules: [{ id: 'not-bool', when: 'facts.n + 1', decision: 'run' }] });
    expect(decide(odd, { action: act('shop', 'customer.reply'), facts: { n: 1 } })).toMatchObject({
      decision: 'stop',
      reason: 'rule_error',
      rule: 'not-bool',
    });
  });
});

describe('the shipped support-recovery workflow', () => {
  const sr = compileWorkflow(shippedWorkflow('support-recovery'));
  const facts = { orderFulfilled: false, addressValidated: true };

  it('runs the address fix before cutoff, naming the objects and passing every scope check', () => {
    const d = decide(sr, {
      action: act('shop', 'order.note', 'write', { objects: ['order:1001', 'customer:77', 'shipping-address:1001'] }),
      facts,
    });
    expect(d).toMatchObject({
      decision: 'run',
      rule: 'address-fix-before-cutoff',
      objectsNamed: 4,
      scopeChecks: { passed: 3, total: 3 },
    });
  });
  it('makes refunds wait for the support lead', () => {
    expect(decide(sr, { action: act('payments', 'refund'), facts })).toMatchObject({
      decision: 'wait',
      decisionOwner: 'support-lead',
    });
  });
  it('stops a write to a system it does not name', () => {
    expect(decide(sr, { action: act('crm', 'contact.update'), facts })).toMatchObject({
      decision: 'stop',
      reason: 'system_not_named',
      decisionOwner: 'support-lead',
    });
  });
});

describe('property: the boundary always holds', () => {
  const rulesArb = fc.array(
    fc.record({
      id: fc.stringMatching(/^[a-z][a-z0-9-]{0,10}$/),
      when: fc.constantFrom(
        'true',
        'false',
        'action.kind == "write"',
        'facts.x == 1',
        'has(facts.y)',
        'action.operation != ""',
      ),
      decision: fc.constantFrom<'run' | 'wait' | 'stop'>('run', 'wait', 'stop'),
    }),
    { maxLength: 6 },
  );
  const systemArb = fc.record({
    name: fc.constantFrom('shop', 'payments', 'warehouse', 'crm'),
    read: fc.boolean(),
    write: fc.uniqueArray(fc.constantFrom<string>('a', 'b', 'c'), { maxLength: 3 }),
  });

  it('never runs an action on a system the definition does not name, whatever the rules say', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(systemArb, { selector: (s) => s.name, maxLength: 4 }),
        rulesArb,
        fc.constantFrom('shop', 'payments', 'warehouse', 'crm', 'ledger', 'email'),
        fc.constantFrom<string>('a', 'b', 'c', 'd'),
        fc.constantFrom<'read' | 'write'>('read', 'write'),
        fc.dictionary(fc.constantFrom('x', 'y'), fc.integer()),
        (systems, rules, system, operation, kind, facts) => {
          const compiled = compileWorkflow({
            ...base,
            systems,
            rules: rules.map((r, i) => ({ ...r, id: `${r.id}-${i}` })),
          });
          const d = decide(compiled, { action: { system, operation, kind }, facts });
          if (!systems.some((s) => s.name === system)) {
            expect(d.decision).toBe('stop');
            expect(d.reason).toBe('system_not_named');
          }
          if (d.decision === 'run') {
            const named = systems.find((s) => s.name === system)!;
            expect(kind === 'read' ? named.read : named.write.includes(operation)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
