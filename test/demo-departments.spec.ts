import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { demoEvents } from '../cli/demo';
import { demoApprovers } from '../cli/demo-approvals';
import { demoDays } from '../cli/demo-events';
import { checked, isString, shaped } from './support/guards';

/** A shipped workflow's department, read from its file. */
const departmentOf = (jobType: string): string =>
  checked(
    parse(readFileSync(join(__dirname, '..', 'workflows', `${jobType}.yaml`), 'utf8')),
    shaped({ department: isString }),
    `workflows/${jobType}.yaml`,
  ).department;

/**
 * The demo's months hold the IT operations and regulated-services work beside the rest: incidents
 * and access requests in each of the two months the review compares, with blocked steps,
 * break-glass, and grants that wait for two approvers.
 */
describe("the demo's departments", () => {
  const now = Date.parse('2026-11-28T20:00:00Z');
  const events = demoEvents({ days: demoDays(new Date(now)), perDay: 30, seed: 3, now });
  const monthStart = (back: number) => Date.UTC(2026, 10 - back, 1);
  const jobTypeOf = new Map(
    events
      .filter((e) => e.type === 'workgate.workorder.open')
      .map((e) => [`${e.source}/${e.subject}`, String(e.data.jobType)]),
  );
  const of = (jobType: string, type: string, from = 0, to = now) =>
    events.filter(
      (e) => e.type === type && jobTypeOf.get(`${e.source}/${e.subject}`) === jobType && e.time >= from && e.time < to,
    );

  it('opens work orders of six departments, incidents and access requests in each month the review compares', () => {
    const departments = new Set([...new Set(jobTypeOf.values())].map(departmentOf));
    expect([...departments].sort()).toEqual([
      'customer-support',
      'engineering',
      'field-service',
      'it-ops',
      'professional-services',
      'regulated-services',
    ]);
    for (const jobType of ['incident-response', 'access-request'])
      for (const back of [1, 2])
        expect([
          jobType,
          back,
          of(jobType, 'workgate.workorder.open', monthStart(back), monthStart(back - 1)).length > 20,
        ]).toEqual([jobType, back, true]);
  });

  it('blocks steps and goes through break-glass in both', () => {
    for (const jobType of ['incident-response', 'access-request']) {
      expect([jobType, of(jobType, 'workgate.step.blocked').length > 5]).toEqual([jobType, true]);
      expect([jobType, of(jobType, 'workgate.workorder.break_glass').length > 0]).toEqual([jobType, true]);
    }
  });

  it('asks for grants with an end date (two approvers) and production deploys (the change manager) within their approval timeouts', () => {
    const asked = (jobType: string, operation: string) =>
      of(jobType, 'workgate.action.requested').filter((e) => e.data.operation === operation);
    const grants = asked('access-request', 'access.grant');
    expect(grants.filter((e) => shaped({ endDate: isString })(e.data.facts)).length).toBeGreaterThan(0);
    // A grant that waits was asked within the 24 h its approval runs; one without an end date stops at once.
    for (const e of grants.filter((g) => shaped({ endDate: isString })(g.data.facts)))
      expect(now - e.time).toBeLessThan(24 * 60 * 60 * 1000);
    for (const e of asked('incident-response', 'deploy')) expect(now - e.time).toBeLessThan(4 * 60 * 60 * 1000);
  });
});

describe("the demo's approvers", () => {
  const twoOf = { owner: 'security-lead', required: 2, from: ['security-lead', 'compliance-officer', 'it-ops-lead'] };

  it('are as many distinct approvers as the approval needs, never its requester', () => {
    for (const at of [0, 0.4, 0.99]) {
      const approvers = demoApprovers({ ...twoOf, requestedBy: 'it-ops-lead' }, () => at);
      expect(approvers).toHaveLength(2);
      expect(new Set(approvers).size).toBe(2);
      expect(approvers).not.toContain('it-ops-lead');
    }
  });

  it('are the owner alone for an approval of one', () => {
    expect(demoApprovers({ owner: 'support-lead', requestedBy: 'helpdesk' }, () => 0.5)).toEqual(['support-lead']);
  });
});
