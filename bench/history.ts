import { AppendRequest } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { ending, WorkOrderStreams } from './history-streams';
import { HOUR, JOB_TYPES, SHA } from './history-workflows';

export { historyWorkflows } from './history-workflows';

/**
 * A synthetic ledger history in the shapes the services record (work orders, exceptions,
 * approvals, post-reviews, with action requests and decisions in between), for filling a
 * ledger fast: the views' rebuild test and `npm run bench:views`. Deterministic for a seed.
 * The realistic path (CloudEvents through intake) is `npm run seed:demo`; this one writes
 * straight to the ledger, a million events in under a minute.
 */

/**
 * One work order's history, as appends in the order the services would make them (each to its
 * own stream: `workorder-`, `exception-`, `approval-`, `postreview-`), with times from `start`.
 */
export function workOrderHistory(seed: number, n: number, start: number, nowMs: number): AppendRequest[] {
  const streams = new WorkOrderStreams(seed, n, start, nowMs);
  const { rnd, pick, id, wo, appends, tick, ev, push, exception, raise, settle } = streams;
  const j = JOB_TYPES[n % JOB_TYPES.length];
  const version = rnd() < 0.7 ? 2 : 1;
  const steps = version === 1 ? j.steps : j.steps.slice(0, -1);

  const opened = new Date(streams.t).toISOString();
  const prereq = rnd() < 0.08 ? exception('PREREQ_MISSING', null, opened) : undefined;
  push(
    wo,
    ev(
      'WorkOrderOpened',
      {
        workOrderId: id,
        source: pick(['helpdesk', 'crm', 'field-app', 'agent-hub']),
        externalRef: `H-${seed}-${n}`,
        policy: { jobType: j.jobType, version, sha256: SHA.get(`${j.jobType}@${version}`)! },
        owner: j.owner,
        inputs: { caseId: `C-${n}`, orderId: `O-${n}`, orderPaid: true, note: 'x'.repeat(Math.floor(rnd() * 200)) },
        prerequisites: [{ name: 'caseId', ok: !prereq }],
        status: prereq ? 'blocked' : 'open',
        exceptions: prereq ? [prereq] : [],
      },
      opened,
    ),
    ...(prereq ? [ev('WorkOrderExceptionRaised', { ...prereq, workOrderId: id }, opened)] : []),
  );
  let open = 0;
  if (prereq) {
    raise(prereq, opened);
    if (!settle(prereq)) open += 1;
  }

  for (const stepId of steps) {
    // Action requests and their decisions: most of the ledger's volume.
    for (let a = Math.floor(rnd() * 3); a > 0; a--) {
      const at = tick(2);
      const actionId = deterministicUuid('history-action', id, String(streams.k));
      const action = {
        system: pick(['shop', 'payments', 'helpdesk', 'warehouse']),
        operation: pick(['order.note', 'refund', 'case.note', 'notify']),
        kind: pick(['read', 'write']),
        stepId,
      };
      const decision = rnd() < 0.08 ? 'wait' : rnd() < 0.1 ? 'stop' : 'run';
      const approvalId = deterministicUuid('history-approval', actionId);
      const gate = {
        workOrderId: id,
        approvalId,
        kind: 'approval',
        owner: j.owner,
        scope: 'original',
        source: { actionId },
        action,
        policy: { jobType: j.jobType, version },
      };
      push(
        wo,
        ...(decision === 'wait' ? [ev('GateRequested', gate, at)] : []),
        ev(
          'ActionDecided',
          {
            actionId,
            workOrderId: id,
            action,
            facts: { orderFulfilled: rnd() < 0.5, addressValidated: true },
            workOrder: { status: 'open' },
            decision: {
              decision,
              reason: 'rule_matched',
              message: `rule r: ${decision}`,
              rule: 'r',
              decisionOwner: decision === 'run' ? null : j.owner,
              policy: { jobType: j.jobType, version, sha256: SHA.get(`${j.jobType}@${version}`)! },
              objectsNamed: 0,
              scopeChecks: { passed: 3, total: 3 },
              inputsSha256: 'h',
            },
            ...(decision === 'wait' ? { approvalId, gate: 'approval' } : {}),
          },
          at,
        ),
      );
      if (decision === 'wait') {
        push(
          `approval-${approvalId}`,
          ev(
            'ApprovalRequested',
            {
              approvalId,
              workOrderId: id,
              actionId,
              owner: j.owner,
              requestedBy: 'source:history',
              requestedAt: at,
              expiresAt: new Date(Date.parse(at) + 24 * HOUR).toISOString(),
              scopeHash: 'h',
            },
            at,
          ),
        );
        if (rnd() < 0.85) {
          const decided = tick(30);
          const granted = rnd() < 0.8;
          push(
            `approval-${approvalId}`,
            ev(
              granted ? 'ApprovalGranted' : 'ApprovalRejected',
              { approvalId, decidedBy: j.owner, at: decided },
              decided,
            ),
          );
          push(
            wo,
            ev(
              'ApprovalResolved',
              {
                workOrderId: id,
                actionId,
                approvalId,
                outcome: granted ? 'approved' : 'rejected',
                decision: granted ? 'run' : 'stop',
                reason: 'x',
                decidedBy: j.owner,
              },
              decided,
            ),
          );
        }
      }
    }
    if (rnd() < 0.12) {
      const at = tick(4);
      const ref = exception(pick(j.codes), stepId, at);
      push(wo, ev('StepBlocked', { ...ref, workOrderId: id }, at));
      raise(ref, at);
      if (rnd() < 0.1) {
        const taskId = deterministicUuid('history-task', ref.exceptionId);
        push(
          `exception-${ref.exceptionId}`,
          ev(
            'RemediationAdded',
            {
              exceptionId: ref.exceptionId,
              task: { taskId, title: 'fix the cause', owner: ref.owner, due: tick(48), closed: false },
              addedBy: ref.owner,
              at,
            },
            at,
          ),
        );
        if (rnd() < 0.5)
          push(
            `exception-${ref.exceptionId}`,
            ev(
              'RemediationClosed',
              {
                exceptionId: ref.exceptionId,
                taskId,
                evidence: { kind: 'note', ref: 'done' },
                closedBy: ref.owner,
                at: tick(24),
              },
              new Date(streams.t).toISOString(),
            ),
          );
      }
      if (!settle(ref)) {
        open += 1;
        break; // stays blocked
      }
    }
    if (rnd() < 0.03) {
      const at = tick(2);
      const ref = exception(pick(j.codes), null, at);
      const postReviewId = deterministicUuid('history-post-review', ref.exceptionId);
      const dueAt = new Date(Date.parse(at) + 48 * HOUR).toISOString();
      push(
        wo,
        ev(
          'BreakGlassUsed',
          {
            ...ref,
            workOrderId: id,
            actionId: deterministicUuid('bg', postReviewId),
            action: { system: 'payments', operation: 'refund', kind: 'write' },
            facts: {},
            postReviewId,
            reviewer: j.owner,
            postReviewDueAt: dueAt,
          },
          at,
        ),
      );
      raise(ref, at);
      push(
        `postreview-${postReviewId}`,
        ev(
          'PostReviewCreated',
          { postReviewId, workOrderId: id, exceptionId: ref.exceptionId, reviewer: j.owner, dueAt, at },
          at,
        ),
      );
      if (rnd() < 0.6) {
        const done = tick(72);
        push(
          `postreview-${postReviewId}`,
          ev(
            'PostReviewCompleted',
            {
              postReviewId,
              completedBy: j.owner,
              outcome: 'justified',
              remediation: { taskId: deterministicUuid('t', postReviewId), title: 'x', owner: j.owner, due: done },
              at: done,
            },
            done,
          ),
        );
      }
      if (!settle(ref)) open += 1;
    }
    const at = tick(6);
    if (rnd() < 0.92)
      push(
        wo,
        ev(
          'StepCompleted',
          { workOrderId: id, stepId, evidence: [{ kind: 'receipt', ref: `r-${streams.k}`, sha256: 'a'.repeat(64) }] },
          at,
        ),
      );
  }

  ending(streams, n, open);
  return appends;
}

/** Work orders spread over the `days` before `nowMs`, their appends interleaved as concurrent work would be. */
export function* history(seed: number, workOrders: number, nowMs: number, days = 30): Generator<AppendRequest[]> {
  const span = days * 24 * HOUR;
  for (let n = 0; n < workOrders; n++) {
    const start = nowMs - span + Math.floor((n / workOrders) * span);
    yield workOrderHistory(seed, n, start, nowMs);
  }
}
