import { ActionDecidedData, CommandMeta, DecisionResult, OpenedAnswer, WorkflowDefinition, WorkgateError, WorkOrderCommand, WorkOrderEvents, WorkOrderOpenedData } from '@workgate/contracts';
import { parseDuration } from '../../workflow/duration';
import {
  answerOf,
  DecisionContext,
  decideWorkOrder,
  evolveWorkOrder,
  initialWorkOrderState,
  OpenState,
  WorkOrderEvent,
  WorkOrderState,
} from './work-order.decider';

const definition: WorkflowDefinition = {
  jobType: 'support-recovery',
  version: 1,
  title: 'Support recovery',
  owner: 'support-lead',
  requiredInputs: [{ name: 'orderId' }, { name: 'orderPaid', equals: true }],
  systems: [{ name: 'shop', read: true, write: ['order.note'] }],
  steps: [
    { id: 'inspect', title: 'Inspect' },
    { id: 'update-order', title: 'Update', evidence: ['receipt'] },
  ],
  closure: { evidence: ['closure-note'] },
  exceptionCodes: ['PREREQ_MISSING', 'CUSTOMER_UNREACHABLE'],
};
const policy = { jobType: 'support-recovery', version: 1, sha256: 'a'.repeat(64) };
const catalog = new Map([
  ['PREREQ_MISSING', { owner: 'intake-lead', sla: 'PT4H' }],
  ['CUSTOMER_UNREACHABLE', { owner: 'support-lead', sla: 'PT24H' }],
  ['SAFETY_HOLD', { owner: 'safety-officer', sla: 'PT2H' }],
]);
const decision = (d: DecisionResult['decision']): DecisionResult => ({
  decision: d,
  reason: d === 'run' ? 'inside_boundary' : 'rule_matched',
  message: '',
  rule: d === 'run' ? null : 'r',
  decisionOwner: d === 'run' ? null : 'support-lead',
  policy,
  objectsNamed: 1,
  scopeChecks: { passed: 3, total: 3 },
  inputsSha256: 'b'.repeat(64),
});
const NOW = '2026-11-22T10:00:00.000Z';
let n = 0;
const meta = (commandId = `cmd-${++n}`): CommandMeta => ({ commandId, actor: 'op-1', now: NOW, channel: 'http' });
const ctx = (extra: Partial<DecisionContext> = {}): DecisionContext => ({ workOrderId: 'wo-1', definition, policy, catalog, durationMs: (iso) => parseDuration(iso), ...extra });

const open: WorkOrderCommand = { type: 'open', body: { jobType: 'support-recovery', externalRef: 'CASE-1', source: 'helpdesk', inputs: { orderId: '1001', orderPaid: true } } };

/** given(events) -> when(command) -> then(events) | thenThrows(code) */
function given(...commands: Array<[WorkOrderCommand, Partial<DecisionContext>?]>) {
  let state: WorkOrderState = initialWorkOrderState();
  for (const [c, extra] of commands) {
    for (const e of decideWorkOrder(c, state, meta(), ctx(extra))) state = evolveWorkOrder(state, e);
  }
  return {
    state,
    when(command: WorkOrderCommand, extra: Partial<DecisionContext> = {}, m: CommandMeta = meta()) {
      const run = () => decideWorkOrder(command, state, m, ctx(extra));
      return {
        then(types: string[], check?: (events: WorkOrderEvent[], after: OpenState) => void) {
          const events = run();
          expect(events.map((e) => e.type)).toEqual(types);
          const after = events.reduce(evolveWorkOrder, state) as OpenState;
          check?.(events, after);
        },
        thenThrows(code: string, details?: unknown) {
          let error: WorkgateError | undefined;
          try {
            run();
          } catch (e) {
            error = e as WorkgateError;
          }
          expect(error?.code).toBe(code);
          if (details !== undefined) expect(error?.details).toEqual(details);
        },
      };
    },
  };
}

describe('work order decider', () => {
  describe('open', () => {
    it('opens with every prerequisite passing', () =>
      given().when(open).then([WorkOrderEvents.Opened], ([e], s) => {
        expect(s.status).toBe('open');
        expect(answerOf(e, s)).toEqual({ id: 'wo-1', status: 'open', prerequisites: [{ name: 'orderId', ok: true }, { name: 'orderPaid', ok: true }], exceptions: [] });
      }));

    it('opens blocked with PREREQ_MISSING (owner and SLA from the catalog) when a prerequisite fails', () =>
      given()
        .when({ ...open, body: { ...open.body, inputs: { orderId: '', orderPaid: false } } } as WorkOrderCommand)
        .then([WorkOrderEvents.Opened, WorkOrderEvents.ExceptionRaised], ([e, raised], s) => {
          expect(s.status).toBe('blocked');
          const answer = answerOf(e, s) as OpenedAnswer;
          // The exception is also recorded on its own (the exceptions service reacts to that
          // event alone); a retry is still answered from the opening.
          expect(raised.data).toEqual({ workOrderId: 'wo-1', ...(e.data as WorkOrderOpenedData).exceptions[0] });
          expect(answerOf(s.handled.get(e.metadata.commandId)!, s)).toEqual(answer);
          expect(answer.prerequisites).toEqual([
            { name: 'orderId', ok: false, reason: 'orderId is missing' },
            { name: 'orderPaid', ok: false, reason: 'orderPaid must be true, got false' },
          ]);
          expect(answer.exceptions).toEqual([
            expect.objectContaining({ code: 'PREREQ_MISSING', owner: 'intake-lead', dueAt: '2026-11-22T14:00:00.000Z', stepId: null }),
          ]);
        }));

    it('refuses a second open of the same work order', () => given([open]).when(open).thenThrows('work_order_exists'));

    it('answers a retried command as the first time and records nothing', () => {
      const first = meta('same-command');
      const g = given();
      const events = decideWorkOrder(open, g.state, first, ctx());
      const state = events.reduce(evolveWorkOrder, g.state);
      expect(decideWorkOrder(open, state, first, ctx())).toEqual([]);
      expect(decideWorkOrder(open, g.state, first, ctx()).map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
    });
  });

  describe('request action', () => {
    it('records the request with its decision in one event; a wait asks its gate owner for an approval and blocks closure', () =>
      given([open]).when({ type: 'request-action', body: { system: 'payments', operation: 'refund', kind: 'write', objects: ['refund:7'] } }, { decision: decision('wait') }).then(
        [WorkOrderEvents.GateRequested, WorkOrderEvents.ActionDecided],
        ([gate, decided], s) => {
          const d = decided.data as ActionDecidedData;
          expect(d).toMatchObject({ action: { system: 'payments', operation: 'refund', kind: 'write', objects: ['refund:7'] }, facts: {} });
          const answer = answerOf(decided, s) as { decision: string; approvalId?: string; receiptId: string };
          expect(answer).toMatchObject({ decision: 'wait', receiptId: decided.eventId, approvalId: expect.any(String) });
          expect([...s.actions.values()][0]).toMatchObject({ pending: true });
          expect(gate.data).toEqual({
            workOrderId: 'wo-1',
            approvalId: d.approvalId,
            kind: d.gate,
            owner: 'support-lead',
            scope: 'original',
            source: { actionId: d.actionId },
            action: { system: 'payments', operation: 'refund', kind: 'write', objects: ['refund:7'] },
            policy: d.decision.policy,
          });
          // A retry's answer, from what the work order keeps: the same, without the recorded request.
          const kept = s.handled.get(decided.metadata.commandId)!;
          expect(answerOf(kept, s)).toEqual(answer);
          expect(kept.data).toEqual({ actionId: d.actionId, decision: d.decision, approvalId: d.approvalId });
        },
      ));
    it('records a run without an approval', () =>
      given([open]).when({ type: 'request-action', body: { system: 'shop', operation: 'order.note', kind: 'write' } }, { decision: decision('run') }).then(
        [WorkOrderEvents.ActionDecided],
        ([decided], s) => expect(answerOf(decided, s)).not.toHaveProperty('approvalId'),
      ));
    it('reads a ledger of an earlier version, whose requests were recorded before their decisions', () => {
      const g = given([open]);
      const m = meta('older-request');
      const events = decideWorkOrder({ type: 'request-action', body: { system: 'payments', operation: 'refund', kind: 'write' } }, g.state, m, ctx({ decision: decision('wait') }));
      const decided = events.find((e) => e.type === WorkOrderEvents.ActionDecided)!;
      const { actionId, workOrderId, action, facts } = decided.data as ActionDecidedData;
      // Earlier versions recorded a wait without its gate request, the request before the decision.
      const requested: WorkOrderEvent = { ...decided, type: WorkOrderEvents.ActionRequested, eventId: '00000000-0000-4000-8000-000000000001', data: { actionId, workOrderId, action, facts } };
      const s = [requested, decided].reduce(evolveWorkOrder, g.state) as OpenState;
      expect([...s.actions.values()]).toEqual([expect.objectContaining({ pending: true })]);
      // The work order reads the same either way.
      expect(s.approvals).toEqual((events.reduce(evolveWorkOrder, g.state) as OpenState).approvals);
      // The retried command is recognised by its decision, as before.
      expect(decideWorkOrder({ type: 'request-action', body: { system: 'payments', operation: 'refund', kind: 'write' } }, s, m, ctx({ decision: decision('wait') }))).toEqual([]);
    });
    it('refuses an unknown step', () =>
      given([open]).when({ type: 'request-action', body: { system: 'shop', operation: 'x', kind: 'read', stepId: 'nope' } }, { decision: decision('run') }).thenThrows('unknown_step'));
  });

  describe('approval outcomes', () => {
    const wait: [WorkOrderCommand, Partial<DecisionContext>] = [{ type: 'request-action', body: { system: 'payments', operation: 'refund', kind: 'write' } }, { decision: decision('wait') }];
    const approvalIdOf = (s: WorkOrderState) => [...(s as OpenState).actions.values()][0].approvalId!;
    it.each<['approved' | 'rejected' | 'expired', string]>([
      ['approved', 'run'],
      ['rejected', 'stop'],
      ['expired', 'stop'],
    ])('%s releases the waiting action as %s and unblocks closure', (outcome, decided) => {
      const g = given([open], wait);
      g.when({ type: 'resolve-approval', body: { approvalId: approvalIdOf(g.state), outcome } }).then([WorkOrderEvents.ApprovalResolved], ([e], s) => {
        expect(e.data).toMatchObject({ outcome, decision: decided });
        expect([...s.actions.values()][0].pending).toBe(false);
      });
    });
    it('applies an outcome once, and refuses an approval the work order does not know', () => {
      const g = given([open], wait);
      const approvalId = approvalIdOf(g.state);
      const resolved = decideWorkOrder({ type: 'resolve-approval', body: { approvalId, outcome: 'approved' } }, g.state, meta(), ctx()).reduce(evolveWorkOrder, g.state);
      expect(decideWorkOrder({ type: 'resolve-approval', body: { approvalId, outcome: 'rejected' } }, resolved, meta(), ctx())).toEqual([]);
      g.when({ type: 'resolve-approval', body: { approvalId: 'nope', outcome: 'approved' } }).thenThrows('not_found');
    });
  });

  describe('break-glass', () => {
    const bgDef = { ...definition, breakGlass: { allowed: true, postReviewDue: 'PT48H', reviewer: 'support-lead' } };
    const bg: WorkOrderCommand = { type: 'break-glass', body: { code: 'CUSTOMER_UNREACHABLE', rationale: 'urgent', action: { system: 'shop', operation: 'order.note', kind: 'write' } } };
    it('runs the action at once under an exception (owner, SLA) with a post-review due', () =>
      given([open]).when(bg, { definition: bgDef }).then([WorkOrderEvents.BreakGlassUsed], ([e], s) => {
        expect(e.data).toMatchObject({ code: 'CUSTOMER_UNREACHABLE', owner: 'support-lead', reviewer: 'support-lead', postReviewDueAt: '2026-11-24T10:00:00.000Z' });
        expect(answerOf(e, s)).toMatchObject({ decision: 'run', reason: 'break_glass', postReview: { owner: 'support-lead', dueAt: '2026-11-24T10:00:00.000Z' } });
        expect(s.status).toBe('blocked');
      }));
    it('is refused where the workflow does not allow it', () => given([open]).when(bg).thenThrows('break_glass_not_allowed'));
    it('needs a code the workflow allows', () =>
      given([open]).when({ ...bg, body: { ...(bg as { body: object }).body, code: 'SAFETY_HOLD' } } as WorkOrderCommand, { definition: bgDef }).thenThrows('unknown_exception_code'));
  });

  describe('stop', () => {
    it('stops with the reason; actions are refused until it is reopened', () => {
      const stopped = given([open], [{ type: 'stop', body: { reason: 'delegation d-1 timed out', ref: 'd-1' } }]);
      expect(stopped.state).toMatchObject({ status: 'stopped', stopReason: 'delegation d-1 timed out' });
      stopped.when({ type: 'request-action', body: { system: 'shop', operation: 'order.note', kind: 'write' } }, { decision: decision('run') }).thenThrows('work_order_stopped');
      stopped.when({ type: 'stop', body: { reason: 'again' } }).then([]);
      stopped.when({ type: 'reopen', body: { reason: 'delegate finished after all' } }).then([WorkOrderEvents.Reopened], (_e, s) => expect(s.status).toBe('open'));
    });
  });

  describe('exceptions resolved elsewhere', () => {
    it('closes the exception on the work order once, and unblocks it', () => {
      const blocked = given([open], [{ type: 'block-step', stepId: 'inspect', body: { code: 'CUSTOMER_UNREACHABLE', rationale: 'x' } }]);
      const exceptionId = [...(blocked.state as OpenState).exceptions.keys()][0];
      blocked.when({ type: 'close-exception', body: { exceptionId, resolvedBy: 'op-1' } }).then([WorkOrderEvents.ExceptionClosed], (_e, s) => {
        expect(s.status).toBe('open');
        expect(s.exceptions.get(exceptionId)?.open).toBe(false);
      });
      blocked.when({ type: 'close-exception', body: { exceptionId: 'nope' } }).thenThrows('not_found');
    });
  });

  describe('steps', () => {
    it('completes a step with its required evidence', () =>
      given([open]).when({ type: 'complete-step', stepId: 'update-order', body: { evidence: [{ kind: 'receipt', ref: 'r-1' }] } }).then([WorkOrderEvents.StepCompleted]));
    it('refuses a step without its required evidence, naming the kinds', () =>
      given([open]).when({ type: 'complete-step', stepId: 'update-order', body: { evidence: [] } }).thenThrows('step_evidence_required', [{ kind: 'receipt' }]));
    it('refuses completing a step twice and an unknown step', () => {
      const done: WorkOrderCommand = { type: 'complete-step', stepId: 'inspect', body: { evidence: [] } };
      given([open], [done]).when(done).thenThrows('step_already_completed');
      given([open]).when({ ...done, stepId: 'nope' } as WorkOrderCommand).thenThrows('unknown_step');
    });
    it('blocks a step with a catalog code allowed here: owner and SLA from the catalog', () =>
      given([open]).when({ type: 'block-step', stepId: 'inspect', body: { code: 'CUSTOMER_UNREACHABLE', rationale: 'no answer' } }).then([WorkOrderEvents.StepBlocked], ([e], s) => {
        expect(e.data).toMatchObject({ code: 'CUSTOMER_UNREACHABLE', owner: 'support-lead', dueAt: '2026-11-23T10:00:00.000Z', stepId: 'inspect' });
        expect(s.status).toBe('blocked');
      }));
    it.each([['FREE_TEXT'], ['SAFETY_HOLD']])('refuses exception code %s (outside the catalog or the workflow subset)', (code) =>
      given([open]).when({ type: 'block-step', stepId: 'inspect', body: { code, rationale: 'x' } }).thenThrows('unknown_exception_code'));
  });

  describe('close', () => {
    const steps: Array<[WorkOrderCommand]> = [
      [{ type: 'complete-step', stepId: 'inspect', body: { evidence: [] } }],
      [{ type: 'complete-step', stepId: 'update-order', body: { evidence: [{ kind: 'receipt', ref: 'r' }] } }],
    ];
    const close = (evidence = [{ kind: 'closure-note', ref: 'n-1' }], closureEvidenceId = 'CE-1'): WorkOrderCommand => ({ type: 'close', body: { closureEvidenceId, evidence } });

    it('closes with closure evidence and no blockers', () => given([open], ...steps).when(close()).then([WorkOrderEvents.Closed], (_e, s) => expect(s.status).toBe('closed')));
    it('refuses without closureEvidenceId', () => given([open], ...steps).when(close(undefined, '')).thenThrows('closure_evidence_required'));
    it('refuses without the required evidence kinds', () => given([open], ...steps).when(close([])).thenThrows('closure_evidence_required'));
    it('refuses with incomplete steps', () => given([open]).when(close()).thenThrows('open_blockers', ['step inspect is not completed', 'step update-order is not completed']));
    it('refuses with an open exception', () =>
      given([open], ...steps, [{ type: 'block-step', stepId: 'inspect', body: { code: 'CUSTOMER_UNREACHABLE', rationale: 'x' } }]).when(close()).thenThrows('open_blockers'));
    it('refuses with a pending approval', () =>
      given([open], ...steps, [{ type: 'request-action', body: { system: 'payments', operation: 'refund', kind: 'write' } }, { decision: decision('wait') }]).when(close()).thenThrows('open_blockers'));
    it('refuses closing twice', () => given([open], ...steps, [close()]).when(close()).thenThrows('work_order_closed'));

    it('records a closure reported by the source even without evidence, flagged', () =>
      given([open]).when({ type: 'report-closure', body: {} }).then([WorkOrderEvents.ClosureReported], ([e], s) => {
        expect(e.data).toMatchObject({ evidenceMissing: true, openBlockers: ['step inspect is not completed', 'step update-order is not completed'] });
        expect(s.status).toBe('closed');
      }));
    it('reopens a closed work order, and refuses reopening an open one', () => {
      given([open], [{ type: 'report-closure', body: {} }]).when({ type: 'reopen', body: { reason: 'customer called back' } }).then([WorkOrderEvents.Reopened], (_e, s) => {
        expect(s.status).toBe('open');
        expect(s.reopened).toBe(1);
      });
      given([open]).when({ type: 'reopen', body: { reason: 'x' } }).thenThrows('work_order_not_closed');
    });
    it('refuses actions and steps on a closed work order', () => {
      const closed = given([open], [{ type: 'report-closure', body: {} }]);
      closed.when({ type: 'request-action', body: { system: 'shop', operation: 'order.note', kind: 'write' } }, { decision: decision('run') }).thenThrows('work_order_closed');
      closed.when({ type: 'complete-step', stepId: 'inspect', body: { evidence: [] } }).thenThrows('work_order_closed');
    });
  });

  it('refuses commands on a work order that does not exist', () =>
    given().when({ type: 'close', body: { closureEvidenceId: 'x', evidence: [] } }).thenThrows('not_found'));
});
