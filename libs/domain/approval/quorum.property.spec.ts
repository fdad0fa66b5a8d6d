import fc from 'fast-check';
import { WorkgateError } from '@workgate/contracts';
import {
  ApprovalCommand,
  ApprovalState,
  decideApproval,
  evolveApproval,
  initialApprovalState,
} from './approval.decider';
import { evidence, refund, request, T0 } from './approval.fixtures';

/**
 * An approval of several approvers (docs/policy.md, Two-person approvals), checked against a
 * reference written for reading, not speed, over generated sequences of decisions: distinct
 * approvers, the same one again, the requester, someone not named, rejections, conditional
 * decisions and their conditions closing, expiry. `npm test` runs 500 cases; the faults tier sets
 * WORKGATE_PROPERTY_RUNS (10,000).
 */
const RUNS = Number(process.env.WORKGATE_PROPERTY_RUNS ?? 500);

const REQUESTER = request.requestedBy; // agent-7
const OWNER = request.owner; // support-lead
const PEOPLE = ['ana', 'ben', 'cy', 'dee', REQUESTER, OWNER];
const EXPIRES = Date.parse(T0) + 3_600_000;

type Step =
  | { kind: 'decide'; by: string; decision: 'approve' | 'reject' | 'conditional'; conditions: number }
  | { kind: 'close'; by: string; condition: number }
  | { kind: 'expire'; afterMs: number };

interface Model {
  status: 'requested' | 'conditional' | 'approved' | 'rejected' | 'expired';
  /** Who decided, in order, and what. */
  votes: Array<{ by: string; decision: string }>;
  /** Every condition named, in order: its owner (who named it) and whether it is closed. */
  conditions: Array<{ owner: string; closed: boolean }>;
  approvers?: string[];
}

/** What must happen, read straight off the contract: a refusal's code, or the approval after the step. */
function reference(m: Model, step: Step, required: number, from: string[]): Model | string {
  if (step.kind === 'expire') {
    if (m.status !== 'requested') return m;
    return step.afterMs < EXPIRES - Date.parse(T0) ? 'not_due' : { ...m, status: 'expired' };
  }
  if (step.kind === 'close') {
    if (m.status !== 'conditional') return 'approval_not_conditional';
    const c = m.conditions[step.condition];
    if (!c) return 'not_found';
    if (step.by === REQUESTER) return 'self_approval';
    if (step.by !== OWNER && step.by !== c.owner) return 'not_owner';
    if (c.closed) return 'condition_closed';
    const conditions = m.conditions.map((x, i) => (i === step.condition ? { ...x, closed: true } : x));
    const done = conditions.every((x) => x.closed);
    return {
      ...m,
      conditions,
      ...(done
        ? { status: 'approved', approvers: m.votes.filter((v) => v.decision !== 'reject').map((v) => v.by) }
        : {}),
    };
  }
  if (m.status !== 'requested') return 'approval_decided';
  if (step.by === REQUESTER) return 'self_approval';
  if (!from.includes(step.by)) return 'not_owner';
  if (m.votes.some((v) => v.by === step.by)) return 'already_decided';
  const votes = [...m.votes, { by: step.by, decision: step.decision }];
  if (step.decision === 'reject') return { ...m, votes, status: 'rejected' };
  const conditions = [
    ...m.conditions,
    ...Array.from({ length: step.decision === 'conditional' ? step.conditions : 0 }, () => ({
      owner: step.by,
      closed: false,
    })),
  ];
  const yes = votes.filter((v) => v.decision !== 'reject');
  if (yes.length < required) return { ...m, votes, conditions };
  if (conditions.some((c) => !c.closed)) return { ...m, votes, conditions, status: 'conditional' };
  return { ...m, votes, conditions, status: 'approved', approvers: yes.map((v) => v.by) };
}

function commandOf(step: Step, state: ApprovalState): { command: ApprovalCommand; now: string } {
  if (step.kind === 'expire')
    return { command: { type: 'ExpireApproval' }, now: new Date(Date.parse(T0) + step.afterMs).toISOString() };
  if (step.kind === 'close') {
    const named = state.status === 'none' ? [] : (state.decisions ?? []).flatMap((d) => d.conditions ?? []);
    const conditionId = named[step.condition]?.conditionId ?? `c${step.condition + 1}`;
    return { command: { type: 'CloseCondition', by: step.by, conditionId, evidence }, now: T0 };
  }
  const conditions = Array.from({ length: step.conditions }, (_, i) => `condition ${i + 1} of ${step.by}`);
  return {
    command: {
      type: 'DecideApproval',
      by: step.by,
      decision: step.decision,
      ...(step.decision === 'reject' ? {} : { permittedAction: refund }),
      ...(step.decision === 'conditional' ? { conditions } : {}),
    },
    now: T0,
  };
}

const person = fc.constantFrom(...PEOPLE);
const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('decide' as const),
      by: person,
      decision: fc.constantFrom('approve' as const, 'approve' as const, 'reject' as const, 'conditional' as const),
      conditions: fc.integer({ min: 1, max: 2 }),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('close' as const), by: person, condition: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('expire' as const), afterMs: fc.nat(2 * 3_600_000) }) },
);
const setup = fc
  .subarray(['ana', 'ben', 'cy', REQUESTER, OWNER], { minLength: 1 })
  .chain((from) => fc.record({ from: fc.constant(from), required: fc.integer({ min: 1, max: from.length }) }));

describe('approval of several approvers against its reference', () => {
  it('decides every generated sequence as the contract says', () => {
    fc.assert(
      fc.property(setup, fc.array(step, { maxLength: 12 }), ({ from, required }, steps) => {
        const expiresAt = new Date(EXPIRES).toISOString();
        let state = decideApproval({ ...request, expiresAt, required, from }, initialApprovalState(), {
          now: T0,
        }).reduce(evolveApproval, initialApprovalState());
        let model: Model = { status: 'requested', votes: [], conditions: [] };
        for (const s of steps) {
          const expected = reference(model, s, required, from);
          const { command, now } = commandOf(s, state);
          let outcome: string;
          try {
            const events = decideApproval(command, state, { now });
            state = events.reduce(evolveApproval, state);
            outcome = 'ok';
            const granted = events.find((e) => e.type === 'ApprovalGranted');
            if (granted?.type === 'ApprovalGranted')
              expect(granted.data.approvers).toEqual(typeof expected === 'string' ? undefined : expected.approvers);
          } catch (error) {
            if (!(error instanceof WorkgateError)) throw error;
            outcome = error.code;
          }
          if (typeof expected === 'string') {
            expect(outcome).toBe(expected);
            continue;
          }
          expect(outcome).toBe('ok');
          expect(state.status).toBe(expected.status);
          const decisions = state.status === 'none' ? [] : (state.decisions ?? []);
          expect(decisions.map((d) => ({ by: d.by, decision: d.decision }))).toEqual(expected.votes);
          model = expected;
        }
      }),
      { numRuns: RUNS },
    );
  });
});
