import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, JetStreamClient, JetStreamManager, NatsConnection } from 'nats';
import {
  ApprovalEvents,
  DecideApprovalRequest,
  ExceptionEvents,
  LedgerHealthDetails,
  PostReviewEvents,
  RecordedEvent,
  Streams,
  Subjects,
  WorkOrderCommand,
} from '@workgate/contracts';
import { RpcClient } from '@workgate/messaging';
import { INTAKE_DURABLE } from '../apps/intake/intake.processor';
import { seededRandom } from './seeded-random';

/**
 * A month of work for the shipped workflows, through the real paths: work events as CloudEvents
 * on JetStream (`workgate.events.<source>`, with their own times), then what people do today
 * over the services' NATS API: owners resolve most exceptions, approvers decide about half of
 * the pending approvals, reviewers complete some post-reviews. The scenarios follow the seeds:
 * support cases whose refunds wait for the owner and whose addresses fail validation; field work
 * orders short of parts or site access, with a safety hold now and then; delegated agent tasks
 * that go quiet; engagements waiting on client approval; and source systems that close work
 * without closure evidence.
 */

export interface DemoOptions {
  days: number;
  perDay: number;
  seed: number;
  /** Defaults to now; the month ends here. */
  now?: number;
}

export interface DemoSummary {
  workOrders: number;
  events: number;
  exceptionsResolved: number;
  approvalsDecided: number;
  postReviewsCompleted: number;
}

type Ce = { source: string; subject: string; type: string; time: number; data: Record<string, unknown> };

interface Scenario {
  jobType: string;
  source: string;
  weight: number;
  inputs: (n: number) => Record<string, unknown>;
  /** A required input to drop when the prerequisite check should fail. */
  fragileInput: string;
  steps: Array<{ id: string; evidence: string[] }>;
  closure: string[];
  /** Exception codes, each with the step that raises it (where the workflow says it fails) and its probability. */
  codes: Array<[string, string, number]>;
  /** Actions asked before some steps: [stepId, action, probability]. */
  actions: Array<
    [
      string,
      {
        system: string;
        operation: string;
        kind: 'read' | 'write';
        facts?: Record<string, unknown>;
        rollbackNote?: string;
      },
      number,
    ]
  >;
  breakGlass?: { code: string; action: { system: string; operation: string; kind: 'write' }; p: number };
  /** A lifecycle stage's artifact recorded by the source, with its probability. */
  artifact?: { stageId: string; kind: string; p: number };
}

const CLIENTS = [
  'Northwind Trading Co.',
  'Contoso Retail',
  'Fabrikam Logistics',
  'Tailspin Travel',
  'Wingtip Outfitters',
  'Adventure Works',
];
const PROJECTS = [
  'Support email triage agent',
  'Invoice matching assistant',
  'Field dispatch copilot',
  'Returns desk agent',
];
/** The engagement's stages after discovery, with the artifact each produces. */
const ENGAGEMENT_STAGES: Array<[string, string]> = [
  ['proposal', 'pilot-proposal'],
  ['contract', 'signed-agreement'],
  ['delivery', 'launch-readiness-checklist'],
  ['support', 'health-scorecard'],
];

const SCENARIOS: Scenario[] = [
  {
    jobType: 'support-recovery',
    source: 'helpdesk',
    weight: 45,
    inputs: (n) => ({ caseId: `CS-${10000 + n}`, orderId: `SO-${50000 + n}`, orderPaid: true }),
    fragileInput: 'orderPaid',
    steps: [
      { id: 'inspect-case', evidence: [] },
      { id: 'validate-address', evidence: [] },
      { id: 'update-order', evidence: ['receipt'] },
      { id: 'notify-warehouse', evidence: ['receipt'] },
      { id: 'confirm-customer', evidence: ['receipt'] },
    ],
    closure: ['closure-note'],
    codes: [
      ['ADDRESS_INVALID', 'validate-address', 0.14],
      ['CUSTOMER_UNREACHABLE', 'confirm-customer', 0.08],
      ['PAYMENT_MISMATCH', 'inspect-case', 0.03],
    ],
    actions: [
      [
        'update-order',
        {
          system: 'shop',
          operation: 'order.note',
          kind: 'write',
          facts: { orderFulfilled: false, addressValidated: true },
        },
        0.6,
      ],
      ['confirm-customer', { system: 'payments', operation: 'refund', kind: 'write' }, 0.18],
    ],
    breakGlass: {
      code: 'CUSTOMER_UNREACHABLE',
      action: { system: 'payments', operation: 'refund', kind: 'write' },
      p: 0.03,
    },
  },
  {
    jobType: 'field-work-order',
    source: 'cmms',
    weight: 30,
    inputs: (n) => ({
      assetId: `PUMP-${100 + (n % 40)}`,
      siteId: `SITE-${n % 7}`,
      permitNumber: `PTW-${7000 + n}`,
      partsReserved: true,
      accessGranted: true,
    }),
    fragileInput: 'accessGranted',
    steps: [
      { id: 'lockout-tagout', evidence: ['loto-photo'] },
      { id: 'inspect', evidence: ['inspection-form'] },
      { id: 'repair', evidence: ['parts-record'] },
      { id: 'test-run', evidence: ['test-log'] },
      { id: 'restore', evidence: ['handover-signature'] },
    ],
    closure: ['closure-report', 'handover-signature'],
    codes: [
      ['PARTS_UNAVAILABLE', 'repair', 0.16],
      ['ACCESS_NOT_GRANTED', 'lockout-tagout', 0.06],
      ['EQUIPMENT_FAULT', 'test-run', 0.05],
      ['SAFETY_HOLD', 'inspect', 0.02],
    ],
    actions: [
      // scada is rollback: required: an isolation says how it is undone.
      [
        'lockout-tagout',
        {
          system: 'scada',
          operation: 'isolate',
          kind: 'write',
          rollbackNote: 'de-isolate: reopen the isolation valve',
        },
        0.25,
      ],
      ['repair', { system: 'inventory', operation: 'parts.issue', kind: 'write', facts: { partsCost: 1800 } }, 0.5],
      ['repair', { system: 'inventory', operation: 'parts.issue', kind: 'write', facts: { partsCost: 7400 } }, 0.1],
    ],
    breakGlass: { code: 'EQUIPMENT_FAULT', action: { system: 'scada', operation: 'isolate', kind: 'write' }, p: 0.02 },
  },
  {
    jobType: 'agent-delegation',
    source: 'agent-hub',
    weight: 15,
    inputs: (n) => ({ objective: `Fix flaky test #${n}`, repository: 'git@example.com:shop/web.git' }),
    fragileInput: 'repository',
    steps: [
      { id: 'dispatch', evidence: [] },
      { id: 'await-confirmation', evidence: [] },
      { id: 'verify', evidence: ['verification-log'] },
      { id: 'review', evidence: ['review-note'] },
    ],
    closure: ['verification-log', 'operator-confirmation'],
    codes: [
      ['DELEGATE_UNRESPONSIVE', 'await-confirmation', 0.12],
      ['VERIFICATION_FAILED', 'verify', 0.08],
    ],
    actions: [
      ['verify', { system: 'ci', operation: 'pipeline.run', kind: 'write' }, 0.7],
      [
        'review',
        {
          system: 'repo',
          operation: 'branch.push',
          kind: 'write',
          facts: { branch: 'main' },
          rollbackNote: 'git revert the pushed commits',
        },
        0.04,
      ],
    ],
  },
  {
    jobType: 'engagement-lifecycle',
    source: 'crm',
    weight: 10,
    inputs: (n) => ({
      client: CLIENTS[n % CLIENTS.length],
      sponsor: `sponsor-${n % 5}`,
      project: PROJECTS[n % PROJECTS.length],
    }),
    fragileInput: 'sponsor',
    steps: [],
    closure: ['acceptance-record'],
    // Its stages and gates are not steps: the discovery brief arrives from the CRM; the later
    // stages move as their gates are decided (advanceEngagements).
    codes: [],
    actions: [['', { system: 'email', operation: 'send', kind: 'write' }, 0.2]],
    artifact: { stageId: 'discovery', kind: 'requirements-brief', p: 0.9 },
  },
];

const MINUTE = 60_000;

/** Actions the shipped workflows send to their owner for approval. */
const waitsForOwner = (a: Record<string, unknown>) =>
  ['refund', 'isolate', 'send'].includes(String(a.operation)) ||
  (a.operation === 'parts.issue' && Number((a.facts as { partsCost?: number } | undefined)?.partsCost) > 5000);

/**
 * How far back work may still wait for its owner's approval: inside the shortest timeout of the
 * workflows whose actions wait for one (field work, PT8H), so the owners decide it before it expires.
 */
const OWNER_WINDOW_MS = 7 * 60 * MINUTE;

/** The CloudEvents of one work order, in time order. */
function workOrderEvents(s: Scenario, n: number, start: number, now: number, r: () => number): Ce[] {
  const ref = `${s.source.toUpperCase()}-${start.toString(36)}-${n}`;
  const events: Ce[] = [];
  let t = start;
  const later = (maxMinutes: number) =>
    (t = Math.min(now - MINUTE, t + MINUTE + Math.floor(r() * maxMinutes * MINUTE)));
  const push = (type: string, data: Record<string, unknown>) =>
    events.push({ source: s.source, subject: ref, type, time: later(90), data });
  const evidence = (kinds: string[], tag: string) => kinds.map((kind) => ({ kind, ref: `${kind}:${ref}:${tag}` }));

  const inputs = s.inputs(n);
  const prereqFails = r() < 0.06;
  if (prereqFails) delete inputs[s.fragileInput];
  events.push({
    source: s.source,
    subject: ref,
    type: 'workgate.workorder.open',
    time: t,
    data: { jobType: s.jobType, inputs },
  });
  if (prereqFails) {
    // The source system gives up and closes the case itself, without closure evidence.
    if (r() < 0.9) push('workgate.workorder.closure_reported', { note: 'closed in the source system' });
    return events;
  }

  // An engagement's brief asks for its discovery gate, which its owner decides within 72 h: older
  // engagements in the demo closed in the CRM before a brief arrived.
  const gateMissed = s.jobType === 'engagement-lifecycle' && start < now - GATE_WINDOW_MS;
  if (gateMissed) {
    if (r() < 0.9) push('workgate.workorder.closure_reported', { note: 'the client did not go ahead' });
    return events;
  }
  if (s.artifact && r() < s.artifact.p) {
    push('workgate.stage.artifact_recorded', {
      stageId: s.artifact.stageId,
      artifact: { kind: s.artifact.kind, ref: `${s.artifact.kind}:${ref}` },
    });
  }
  if (s.jobType === 'engagement-lifecycle') {
    for (const [stepId, action, p] of s.actions)
      if (!stepId && r() < p && (!waitsForOwner(action) || start >= now - OWNER_WINDOW_MS))
        push('workgate.action.requested', action);
    return events; // an engagement closes only after its stages (advanceEngagements)
  }
  const steps = s.steps.length ? s.steps : [{ id: '', evidence: [] }];
  for (const step of steps) {
    for (const [stepId, action, p] of s.actions) {
      // An owner decides within the workflow's approval timeout: only recent work still waits for one.
      if (stepId === step.id && r() < p && (!waitsForOwner(action) || start >= now - OWNER_WINDOW_MS))
        push('workgate.action.requested', { ...action, ...(stepId ? { stepId } : {}) });
    }
    if (s.breakGlass && r() < s.breakGlass.p) {
      push('workgate.workorder.break_glass', {
        code: s.breakGlass.code,
        rationale: 'urgent: the customer or the site could not wait',
        action: s.breakGlass.action,
      });
      return events; // the break-glass exception stays open until its owner resolves it
    }
    for (const [code, raisedAt, p] of s.codes) {
      if (raisedAt === step.id && r() < p) {
        push('workgate.step.blocked', {
          stepId: step.id,
          code,
          rationale: `${code.toLowerCase().replace(/_/g, ' ')} at ${step.id}`,
        });
        // Blocked: either it waits for the exception's owner, or the source closes it anyway.
        if (r() < 0.75) push('workgate.workorder.closure_reported', { note: 'closed by the source while blocked' });
        return events;
      }
    }
    if (!step.id) continue;
    if (r() < 0.02) return events; // still in progress
    push('workgate.step.completed', { stepId: step.id, evidence: evidence(step.evidence, step.id) });
  }
  if (events.some((e) => e.type === 'workgate.action.requested' && waitsForOwner(e.data))) return events; // waits for its approval
  const end = r();
  if (end < 0.85)
    push('workgate.workorder.close', { closureEvidenceId: `closure:${ref}`, evidence: evidence(s.closure, 'closure') });
  else if (end < 0.93)
    push('workgate.workorder.closure_reported', { note: 'closed in the source system', evidence: [] });
  if (end < 0.85 && r() < 0.04) {
    push('workgate.workorder.reopen', { reason: 'the customer reported the problem again' });
    push('workgate.workorder.close', {
      closureEvidenceId: `closure2:${ref}`,
      evidence: evidence(s.closure, 'closure-2'),
    });
  }
  return events;
}

/** Every CloudEvent of the month, in time order. */
export function demoEvents(options: DemoOptions): Ce[] {
  const now = options.now ?? Date.now();
  const r = seededRandom(options.seed);
  const total = SCENARIOS.reduce((sum, s) => sum + s.weight, 0);
  const all: Ce[] = [];
  let n = 0;
  for (let d = options.days; d >= 1; d--) {
    const dayStart = now - d * 24 * 60 * MINUTE;
    // Busier on weekdays.
    const weekday = new Date(dayStart).getUTCDay() % 6 !== 0;
    const count = Math.round(options.perDay * (weekday ? 1.15 : 0.5) * (0.8 + r() * 0.4));
    for (let i = 0; i < count; i++) {
      let pick = r() * total;
      const s = SCENARIOS.find((x) => (pick -= x.weight) < 0) ?? SCENARIOS[0];
      const start = dayStart + Math.floor((7 + r() * 11) * 60 * MINUTE);
      all.push(...workOrderEvents(s, n++, Math.min(start, now - 2 * 60 * MINUTE), now, r));
    }
  }
  return all.sort((a, b) => a.time - b.time);
}

async function publishAll(js: JetStreamClient, events: Ce[], progress: (done: number) => void): Promise<void> {
  const window = 256;
  for (let i = 0; i < events.length; i += window) {
    await Promise.all(
      events.slice(i, i + window).map((e) => {
        const id = randomUUID();
        const h = natsHeaders();
        h.set('Content-Type', 'application/cloudevents+json');
        const body = {
          specversion: '1.0',
          id,
          source: e.source,
          type: e.type,
          subject: e.subject,
          time: new Date(e.time).toISOString(),
          datacontenttype: 'application/json',
          data: e.data,
        };
        return js.publish(`workgate.events.${e.source}`, JSON.stringify(body), {
          msgID: `${e.source}:${id}`,
          headers: h,
        });
      }),
    );
    progress(Math.min(events.length, i + window));
  }
}

/**
 * Polls `check` until it answers `'done'`, or the same value for 1.5 s (nothing moves any more);
 * throws after `timeoutMs`.
 */
async function settle(
  check: () => Promise<number | 'done'>,
  what: string,
  { pollMs = 250, timeoutMs = 120_000 } = {},
): Promise<void> {
  const until = Date.now() + timeoutMs;
  let last: number | undefined;
  let stableSince = Date.now();
  for (;;) {
    const value = await check();
    if (value === 'done') return;
    if (value !== last) {
      last = value;
      stableSince = Date.now();
    } else if (Date.now() - stableSince > 1500) return;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Waits until what the commands so far caused is recorded: the ledger's relay has published its
 * head to LEDGER and every consumer of it has acked all it was given (a reaction acks only after
 * its own commit), with the head unmoved since the check before, in two checks running. Where that
 * never holds (a reaction that keeps retrying, a standby ledger answering the health request, a
 * durable no running service reads) the head unmoved for 1.5 s is taken as quiet, as `settle`
 * does. Due timers are not waited for (they fire from the views, on their own ticks).
 */
async function untilRecorded(rpc: RpcClient, jsm: JetStreamManager): Promise<void> {
  let last: number | undefined;
  let quietChecks = 0;
  const consumersIdle = async () =>
    (await jsm.consumers.list(Streams.ledger.name).next()).every((c) => c.num_pending + c.num_ack_pending === 0);
  await settle(
    async () => {
      const ledger = (await rpc.request(Subjects.health('ledger'), {})).details as LedgerHealthDetails | undefined;
      const head = ledger?.headPosition ?? -1;
      const idle = ledger?.publishedPosition === head && (await consumersIdle().catch(() => false));
      quietChecks = idle && head === last ? quietChecks + 1 : 0;
      last = head;
      return quietChecks >= 2 ? 'done' : head;
    },
    'the reactions to the commands',
    { pollMs: 50 },
  );
}

async function allOf(rpc: RpcClient, types: string[]): Promise<RecordedEvent[]> {
  const out: RecordedEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await rpc.request(Subjects.ledger.query, { types, after, limit: 1000 });
    out.push(...page.events);
    if (page.events.length < 1000) return out;
    after = page.next;
  }
}

/** How far back today's engagement work reaches: inside the 72 h an engagement gate waits before it expires. */
const GATE_WINDOW_MS = 70 * 60 * MINUTE;

const REFUND_RECOMMENDATIONS = { system: 'support-desk', operation: 'refund.recommend', kind: 'write' as const };

/**
 * Today's engagement work, in rounds until nothing moves: the current stage's artifact is
 * recorded, its gate decided by its owner (the delivery's security review often conditional on
 * an open risk), an engagement in delivery sometimes asked for refund recommendations (a scope
 * change whose refund requests stop with `scope_not_approved`), and a supported engagement closed
 * with its acceptance record.
 */
async function advanceEngagements(
  rpc: RpcClient,
  jsm: JetStreamManager,
  r: () => number,
  summary: DemoSummary,
  log: (m: string) => void,
): Promise<void> {
  const recorded = await allOf(rpc, ['StageArtifactRecorded']);
  const ids = [...new Set(recorded.map((e) => (e.data as { workOrderId: string }).workOrderId))];
  // This work happened over the last days, not all in this minute: each command on an engagement
  // is dated between its previous move and now, so the gates still waiting have the ages real ones
  // have (an hour to nearly the 72 h their approvals run before they expire).
  const clock = new Map<string, number>();
  for (const e of recorded)
    clock.set(
      (e.data as { workOrderId: string }).workOrderId,
      Math.max(Date.parse(e.occurredAt), Date.now() - GATE_WINDOW_MS),
    );
  const dated = (workOrderId: string) => {
    const last = clock.get(workOrderId) ?? Date.now() - GATE_WINDOW_MS;
    const at = Math.round(last + (Date.now() - last) * (0.1 + 0.4 * r()));
    clock.set(workOrderId, at);
    return new Date(at).toISOString();
  };
  const command = (workOrderId: string, actor: string, body: WorkOrderCommand) =>
    rpc
      .request(Subjects.intake.command, {
        address: { workOrderId },
        command: body,
        meta: { commandId: randomUUID(), actor, now: dated(workOrderId), channel: 'demo' },
      })
      .catch(() => undefined);
  const asked = new Set<string>();
  for (let round = 1; round <= 24; round++) {
    let moved = 0;
    for (const id of ids) {
      const h = await rpc.request(Subjects.intake.get, { workOrderId: id }).catch(() => undefined);
      if (!h || h.status === 'closed') continue;
      const current = h.stages.find((s) => s.id === h.stage);
      if (!current) continue;
      if (current.id === 'delivery' && current.artifact && !asked.has(id) && r() < 0.3) {
        asked.add(id);
        await command(id, 'crm', {
          type: 'ChangeScope',
          body: { add: [REFUND_RECOMMENDATIONS], reason: 'the client asks whether the pilot can recommend refunds' },
        });
        await command(id, 'consultant', {
          type: 'RequestAction',
          body: { ...REFUND_RECOMMENDATIONS, facts: { ticket: `T-${round}` } },
        });
        moved++;
      }
      if (!current.artifact) {
        const kind = ENGAGEMENT_STAGES.find(([stageId]) => stageId === current.id)?.[1];
        if (!kind || r() < 0.25) continue;
        await command(id, 'consultant', {
          type: 'RecordStageArtifact',
          stageId: current.id,
          body: { artifact: { kind, ref: `${kind}:${id.slice(0, 8)}` } },
        });
        moved++;
      } else if (current.gate.status === 'requested' && current.gate.approvalId && r() < 0.97) {
        const approval = await rpc
          .request(Subjects.approvals.get, { approvalId: current.gate.approvalId })
          .catch(() => undefined);
        if (!approval?.requestedAction) continue;
        const p = r();
        const decision: Pick<DecideApprovalRequest, 'decision' | 'conditions' | 'note'> =
          current.id === 'delivery' && p < 0.5
            ? { decision: 'conditional', conditions: ['R-03'] }
            : p < 0.92
              ? { decision: 'approve' }
              : { decision: 'reject', note: 'revise and resubmit' };
        await rpc
          .request(Subjects.approvals.decide, {
            approvalId: approval.approvalId,
            by: approval.owner,
            permittedAction: approval.requestedAction,
            ...decision,
          })
          .then(() => summary.approvalsDecided++)
          .catch(() => undefined);
        moved++;
      } else if ((current.gate.status === 'rejected' || current.gate.status === 'expired') && r() < 0.7) {
        const kind = ENGAGEMENT_STAGES.find(([stageId]) => stageId === current.id)?.[1] ?? 'requirements-brief';
        await command(id, 'consultant', {
          type: 'RecordStageArtifact',
          stageId: current.id,
          body: { artifact: { kind, ref: `${kind}:${id.slice(0, 8)}:revised` } },
        });
        moved++;
      } else if (current.id === 'support' && current.gate.status === 'approved' && r() < 0.7) {
        await command(id, 'consultant', {
          type: 'CloseWorkOrder',
          body: {
            closureEvidenceId: `acceptance:${id.slice(0, 8)}`,
            evidence: [{ kind: 'acceptance-record', ref: `acceptance:${id}` }],
          },
        });
        moved++;
      }
    }
    // Gates open and outcomes reach the work orders through the ledger: wait for it to go quiet.
    await untilRecorded(rpc, jsm);
    log(`engagements: round ${round}, ${moved} moves`);
    if (moved === 0) return;
  }
}

/** Publishes the month, waits until intake has committed it, then does today's human work. */
export async function seedDemo(
  nc: NatsConnection,
  options: DemoOptions,
  log: (m: string) => void = () => undefined,
): Promise<DemoSummary> {
  const rpc = new RpcClient(nc, 15_000, false);
  const r = seededRandom(options.seed + 1);
  const events = demoEvents(options);
  const workOrders = new Set(events.map((e) => `${e.source}/${e.subject}`)).size;
  log(`publishing ${events.length} work events for ${workOrders} work orders over ${options.days} days`);
  await publishAll(nc.jetstream(), events, (done) => log(`published ${done}/${events.length}`));

  const jsm = await nc.jetstreamManager();
  await settle(
    async () => {
      // Intake acks a work event only after its commit.
      const info = await jsm.consumers.info('WORK_EVENTS', INTAKE_DURABLE);
      return info.num_pending + info.num_ack_pending === 0 ? 'done' : -info.num_pending - info.num_ack_pending;
    },
    'intake to commit the work events',
    { pollMs: 100 },
  );
  log('intake has committed every work event');

  // Reactions raise exceptions, approvals and post-reviews from what was committed: wait until the ledger is quiet.
  await settle(async () => (await rpc.request(Subjects.ledger.head, {})).position, 'the reactions to the work events');

  const summary: DemoSummary = {
    workOrders,
    events: events.length,
    exceptionsResolved: 0,
    approvalsDecided: 0,
    postReviewsCompleted: 0,
  };
  for (const e of await allOf(rpc, [ExceptionEvents.Raised])) {
    const d = e.data as { exceptionId: string; owner: string; code: string };
    if (r() < 0.7) {
      await rpc
        .request(Subjects.exceptions.resolve, {
          exceptionId: d.exceptionId,
          by: d.owner,
          resolution: `handled: ${d.code.toLowerCase().replace(/_/g, ' ')}`,
          evidence: [{ kind: 'note', ref: `resolution:${d.exceptionId}` }],
        })
        .then(() => summary.exceptionsResolved++)
        .catch(() => undefined);
    }
  }
  for (const e of await allOf(rpc, [ApprovalEvents.Requested])) {
    const d = e.data as { approvalId: string; owner: string };
    const approval = await rpc.request(Subjects.approvals.get, { approvalId: d.approvalId }).catch(() => undefined);
    // Lifecycle gates move with their engagements (below); security reviews of other moves stay pending.
    if (
      !approval?.requestedAction ||
      approval.status !== 'requested' ||
      approval.requestedAction.system === 'lifecycle' ||
      r() < 0.05
    )
      continue;
    const approve = r() < 0.85;
    await rpc
      .request(Subjects.approvals.decide, {
        approvalId: d.approvalId,
        by: d.owner,
        decision: approve ? 'approve' : 'reject',
        ...(approve ? { permittedAction: approval.requestedAction } : {}),
        note: approve ? 'within policy' : 'not this time',
      })
      .then(() => summary.approvalsDecided++)
      .catch(() => undefined);
  }
  await advanceEngagements(rpc, jsm, r, summary, log);
  for (const e of await allOf(rpc, [PostReviewEvents.Created])) {
    const d = e.data as { postReviewId: string; reviewer: string };
    if (r() < 0.5) continue;
    await rpc
      .request(Subjects.approvals.completePostReview, {
        postReviewId: d.postReviewId,
        by: d.reviewer,
        outcome: 'justified; the workflow needs a faster path for this case',
        remediation: {
          title: 'add a fast lane for this case to the workflow',
          owner: d.reviewer,
          due: new Date(Date.now() + 14 * 24 * 60 * MINUTE).toISOString(),
        },
      })
      .then(() => summary.postReviewsCompleted++)
      .catch(() => undefined);
  }
  return summary;
}
