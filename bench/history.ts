import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppendRequest, NewEvent, WorkflowDefinition } from '@workgate/contracts';
import { definitionSha256, parseDefinitionText } from '@workgate/workflow';
import { seededRandom } from '../cli/seeded-random';
import { deterministicUuid } from '@workgate/domain';

/**
 * A synthetic ledger history in the shapes the services record (work orders, exceptions,
 * approvals, post-reviews, with action requests and decisions in between), for filling a
 * ledger fast: the views' rebuild test and `npm run bench:views`. Deterministic for a seed.
 * The realistic path (CloudEvents through intake) is `npm run seed:demo`; this one writes
 * straight to the ledger, a million events in under a minute.
 */

/** The shipped workflows (version 1 as shipped; version 2 the same with its last step dropped). */
function shipped(): WorkflowDefinition[] {
  let dir = __dirname;
  while (!existsSync(join(dir, 'workflows', 'support-recovery.yaml'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the workflows directory');
    dir = up;
  }
  return ['support-recovery', 'field-work-order', 'agent-delegation', 'engagement-lifecycle'].map(
    (jobType) =>
      parseDefinitionText(readFileSync(join(dir, 'workflows', `${jobType}.yaml`), 'utf8')) as WorkflowDefinition,
  );
}

const CODES: Record<string, string[]> = {
  'support-recovery': ['CUSTOMER_UNREACHABLE', 'ADDRESS_INVALID', 'PAYMENT_MISMATCH'],
  'field-work-order': ['PARTS_UNAVAILABLE', 'ACCESS_NOT_GRANTED', 'SAFETY_HOLD', 'EQUIPMENT_FAULT'],
  'agent-delegation': ['DELEGATE_UNRESPONSIVE', 'VERIFICATION_FAILED'],
  'engagement-lifecycle': ['SCOPE_CHANGE_REQUESTED', 'SECURITY_RISK_OPEN', 'CLIENT_APPROVAL_MISSING'],
};

/** The definition's known failures but those at `id` (a version without that step declares none there). */
function withoutFailuresAt(d: WorkflowDefinition, id: string | undefined): Pick<WorkflowDefinition, 'knownFailures'> {
  return d.knownFailures ? { knownFailures: d.knownFailures.filter((k) => k.at !== id) } : {};
}

const SHIPPED = shipped();
// The history numbers its own versions: 1 as shipped, 2 without the last step.
const DEFINITIONS = SHIPPED.flatMap((d) => [
  { ...d, version: 1 },
  { ...d, version: 2, steps: d.steps?.slice(0, -1), ...withoutFailuresAt(d, d.steps?.at(-1)?.id) },
]);
const SHA = new Map(DEFINITIONS.map((d) => [`${d.jobType}@${d.version}`, definitionSha256(d)]));
const JOB_TYPES = SHIPPED.map((d) => ({
  jobType: d.jobType,
  owner: d.owner,
  steps: (d.steps ?? []).map((s) => s.id),
  codes: CODES[d.jobType],
}));
const CATALOG_OWNER: Record<string, string> = {
  PREREQ_MISSING: 'intake-lead',
  CUSTOMER_UNREACHABLE: 'support-lead',
  ADDRESS_INVALID: 'support-lead',
  PAYMENT_MISMATCH: 'finance-lead',
  PARTS_UNAVAILABLE: 'stores-lead',
  ACCESS_NOT_GRANTED: 'facilities-lead',
  SAFETY_HOLD: 'safety-officer',
  EQUIPMENT_FAULT: 'maintenance-lead',
  DELEGATE_UNRESPONSIVE: 'agent-ops-lead',
  VERIFICATION_FAILED: 'agent-ops-lead',
  SCOPE_CHANGE_REQUESTED: 'engagement-lead',
  SECURITY_RISK_OPEN: 'security-lead',
  CLIENT_APPROVAL_MISSING: 'engagement-lead',
};

const HOUR = 3600 * 1000;

/** The workflow versions the history uses (publish them first). */
export function historyWorkflows(at: string): AppendRequest[] {
  return DEFINITIONS.map((definition) => {
    const sha256 = definitionSha256(definition);
    return {
      streamId: `workflow-${definition.jobType}`,
      expectedVersion: definition.version - 1,
      events: [
        {
          eventId: deterministicUuid('WorkflowPublished', sha256),
          type: 'WorkflowPublished',
          data: { jobType: definition.jobType, version: definition.version, sha256, definition },
          occurredAt: at,
        },
      ],
    };
  });
}

/**
 * One work order's history, as appends in the order the services would make them (each to its
 * own stream: `workorder-`, `exception-`, `approval-`, `postreview-`), with times from `start`.
 */
export function workOrderHistory(seed: number, n: number, start: number, nowMs: number): AppendRequest[] {
  const rnd = seededRandom(seed * 7919 + n);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)];
  const j = JOB_TYPES[n % JOB_TYPES.length];
  const version = rnd() < 0.7 ? 2 : 1;
  const steps = version === 1 ? j.steps : j.steps.slice(0, -1);
  const id = deterministicUuid('history', String(seed), String(n));
  const wo = `workorder-${id}`;
  const appends: AppendRequest[] = [];
  let t = start;
  const tick = (maxHours: number) => {
    t = Math.min(nowMs, t + Math.floor(rnd() * maxHours * HOUR) + 60_000);
    return new Date(t).toISOString();
  };
  let k = 0;
  const ev = (type: string, data: Record<string, unknown>, occurredAt: string): NewEvent => ({
    eventId: deterministicUuid('history-event', id, String(k++)),
    type,
    data,
    metadata: { actor: 'source:history', commandId: deterministicUuid('history-command', id, String(k)) },
    occurredAt,
  });
  // Exact expected versions, as the services append (every stream here belongs to this work order).
  const versions = new Map<string, number>();
  const push = (streamId: string, ...events: NewEvent[]) => {
    const expectedVersion = versions.get(streamId) ?? 0;
    versions.set(streamId, expectedVersion + events.length);
    appends.push({ streamId, expectedVersion, events });
  };
  const exception = (code: string, stepId: string | null, at: string) => {
    const exceptionId = deterministicUuid('history-exception', id, String(k));
    const ref = {
      exceptionId,
      code,
      owner: CATALOG_OWNER[code],
      dueAt: new Date(Date.parse(at) + 8 * HOUR).toISOString(),
      stepId,
      rationale: `${code} on ${stepId ?? 'opening'}`,
    };
    return ref;
  };
  const raise = (ref: ReturnType<typeof exception>, at: string) => {
    push(
      `exception-${ref.exceptionId}`,
      ev('ExceptionRaised', { ...ref, workOrderId: id, raisedBy: 'source:history', at }, at),
    );
  };
  const settle = (ref: ReturnType<typeof exception>) => {
    const x = `exception-${ref.exceptionId}`;
    if (rnd() < 0.2)
      push(
        x,
        ev(
          'SlaBreached',
          { exceptionId: ref.exceptionId, code: ref.code, owner: ref.owner, dueAt: ref.dueAt, at: ref.dueAt },
          ref.dueAt,
        ),
      );
    if (rnd() < 0.75) {
      const at = tick(20);
      push(
        x,
        ev(
          'ExceptionResolved',
          {
            exceptionId: ref.exceptionId,
            resolution: 'fixed',
            evidence: [{ kind: 'note', ref: `fix-${k}` }],
            resolvedBy: ref.owner,
            at,
          },
          at,
        ),
      );
      push(
        wo,
        ev(
          'WorkOrderExceptionClosed',
          { workOrderId: id, exceptionId: ref.exceptionId, code: ref.code, resolvedBy: ref.owner },
          at,
        ),
      );
      return true;
    }
    return false;
  };

  const opened = new Date(t).toISOString();
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
      const actionId = deterministicUuid('history-action', id, String(k));
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
              new Date(t).toISOString(),
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
          { workOrderId: id, stepId, evidence: [{ kind: 'receipt', ref: `r-${k}`, sha256: 'a'.repeat(64) }] },
          at,
        ),
      );
  }

  const end = rnd();
  const closeAt = tick(12);
  if (end < 0.7 && open === 0) {
    push(
      wo,
      ev(
        'WorkOrderClosed',
        { workOrderId: id, closureEvidenceId: `note-${n}`, evidence: [{ kind: 'closure-note', ref: `note-${n}` }] },
        closeAt,
      ),
    );
    if (rnd() < 0.05) {
      push(wo, ev('WorkOrderReopened', { workOrderId: id, reason: 'customer called back' }, tick(24)));
      push(
        wo,
        ev(
          'WorkOrderClosed',
          {
            workOrderId: id,
            closureEvidenceId: `note-${n}-2`,
            evidence: [{ kind: 'closure-note', ref: `note-${n}-2` }],
          },
          tick(12),
        ),
      );
    }
  } else if (end < 0.82) {
    const missing = rnd() < 0.5;
    push(
      wo,
      ev(
        'WorkOrderClosureReported',
        {
          workOrderId: id,
          source: 'helpdesk',
          closedAt: closeAt,
          evidence: missing ? [] : [{ kind: 'closure-note', ref: 'src' }],
          evidenceMissing: missing,
          openBlockers: [],
        },
        closeAt,
      ),
    );
  } else if (end < 0.84) {
    push(wo, ev('WorkOrderStopped', { workOrderId: id, reason: 'delegation timed out' }, closeAt));
  }
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
