import { stringify } from 'yaml';
import { assertDefinitionSize, definitionBytes } from './bounds';
import { validateDefinition } from './validate';
import { SHIPPED, SHIPPED_CONTEXT, shippedWorkflow } from './test-fixtures';

const problemsOf = (raw: unknown) => {
  const v = validateDefinition(raw, SHIPPED_CONTEXT);
  return v.ok ? [] : v.problems;
};
const steps = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `step-${i}`, title: `Step ${i}` }));
const rules = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `rule-${i}`, when: `facts.n == ${i}`, decision: 'run' }));
/** support-recovery without its known failures (they name the steps and rules these lists replace). */
const base = () => {
  const { knownFailures: _replaced, ...definition } = shippedWorkflow('support-recovery');
  return definition;
};
const withSteps = (n: number) => ({ ...base(), steps: steps(n) });
const withRules = (n: number) => ({ ...base(), rules: rules(n) });

describe('definition bounds (at most 256 KiB, 200 steps, 500 rules)', () => {
  it.each(SHIPPED)('the shipped %s workflow is well within them', (jobType) => {
    const definition = shippedWorkflow(jobType);
    expect(definitionBytes(definition)).toBeLessThan(16 * 1024);
    expect(() => assertDefinitionSize(definition)).not.toThrow();
    expect(problemsOf(definition)).toEqual([]);
  });

  it('takes 200 steps and 500 rules', () => {
    expect(problemsOf(withSteps(200))).toEqual([]);
    expect(problemsOf(withRules(500))).toEqual([]);
  });

  it('refuses 201 steps, naming the count and the limit', () => {
    expect(problemsOf(withSteps(201))).toEqual([
      { path: 'steps', message: 'holds 201 steps: a definition has at most 200 steps' },
    ]);
  });

  it('refuses 501 rules, naming the count and the limit', () => {
    expect(problemsOf(withRules(501))).toEqual([
      { path: 'rules', message: 'holds 501 rules: a definition has at most 500 rules' },
    ]);
  });

  it('refuses 15,616 steps and nothing else is walked (their ids are all the same, yet only the bound is named)', () => {
    const d = {
      ...shippedWorkflow('support-recovery'),
      steps: Array.from({ length: 15_616 }, () => ({ id: 'same', title: 'x' })),
    };
    expect(problemsOf(d)).toEqual([
      { path: 'steps', message: 'holds 15,616 steps: a definition has at most 200 steps' },
    ]);
  });

  it('measures text as its UTF-8 bytes and an object as its JSON', () => {
    expect(definitionBytes('é')).toBe(2);
    expect(definitionBytes({ a: 'é' })).toBe('{"a":"é"}'.length + 1);
  });

  it('takes a definition of exactly 256 KiB and refuses one byte more with 413 payload_too_large', () => {
    const text = (n: number) => {
      const base = stringify(shippedWorkflow('support-recovery'));
      return `${base}# ${'x'.repeat(n - Buffer.byteLength(base) - 3)}\n`;
    };
    expect(Buffer.byteLength(text(262_144))).toBe(262_144);
    expect(() => assertDefinitionSize(text(262_144))).not.toThrow();
    expect(() => assertDefinitionSize(text(262_145))).toThrow(
      expect.objectContaining({
        code: 'payload_too_large',
        message: 'the definition is 262,145 bytes: a definition is at most 262,144 bytes (256 KiB)',
      }),
    );
  });

  it('refuses an object over 256 KiB (a definition sent over NATS) the same way', () => {
    const big = { ...shippedWorkflow('support-recovery'), title: 'x'.repeat(300_000) };
    expect(() => assertDefinitionSize(big)).toThrow(expect.objectContaining({ code: 'payload_too_large' }));
  });
});
