import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { demoEvents } from '../cli/demo';
import { arrayOf, checked, isString, optional, shaped } from './support/guards';

/** Each shipped workflow's steps and the codes its `knownFailures` say a step raises ("… (CODE)"). */
function declared(jobType: string): { steps: string[]; raisedAt: Map<string, string> } {
  const d = checked(
    parse(readFileSync(join(__dirname, '..', 'workflows', `${jobType}.yaml`), 'utf8')),
    shaped({
      steps: optional(arrayOf(shaped({ id: isString }))),
      knownFailures: optional(arrayOf(shaped({ at: isString, note: isString }))),
    }),
    `workflows/${jobType}.yaml`,
  );
  const steps = (d.steps ?? []).map((s) => s.id);
  const raisedAt = new Map<string, string>();
  for (const k of d.knownFailures ?? []) {
    const code = /\(([A-Z_]+)\)$/.exec(k.note)?.[1];
    if (code && steps.includes(k.at)) raisedAt.set(code, k.at);
  }
  return { steps, raisedAt };
}

describe("the demo month's blocked steps", () => {
  const events = demoEvents({ days: 30, perDay: 40, seed: 7, now: Date.parse('2026-11-30T00:00:00Z') });
  const blocked = events.filter((e) => e.type === 'workgate.step.blocked');
  const jobTypeOf = new Map(
    events
      .filter((e) => e.type === 'workgate.workorder.open')
      .map((e) => [`${e.source}/${e.subject}`, String(e.data.jobType)]),
  );

  it('raises each code at the step the workflow says raises it, and each code at one step only', () => {
    expect(blocked.length).toBeGreaterThan(50);
    const seen = new Map<string, Set<string>>();
    for (const e of blocked) {
      const jobType = jobTypeOf.get(`${e.source}/${e.subject}`)!;
      const { steps, raisedAt } = declared(jobType);
      const [stepId, code] = [String(e.data.stepId), String(e.data.code)];
      expect(steps).toContain(stepId);
      if (raisedAt.has(code)) expect(`${code} at ${stepId}`).toBe(`${code} at ${raisedAt.get(code)}`);
      const key = `${jobType} ${code}`;
      seen.set(key, (seen.get(key) ?? new Set()).add(stepId));
    }
    for (const [key, at] of seen) expect(`${key} at ${[...at].join(', ')}`).not.toMatch(/,/);
    // ADDRESS_INVALID is validated in validate-address, not while the case is inspected.
    expect([...seen.get('support-recovery ADDRESS_INVALID')!]).toEqual(['validate-address']);
  });
});
