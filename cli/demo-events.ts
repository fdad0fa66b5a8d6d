import { isRecord } from '@workgate/contracts';
import { seededRandom } from './seeded-random';
import { Ce, Scenario, SCENARIOS } from './demo-scenarios';

/** The work events of `days` days for the shipped workflows (the CloudEvents `seedDemo` publishes), from a seed. */
export interface DemoOptions {
  days: number;
  perDay: number;
  seed: number;
  /** Defaults to now; the days end here. */
  now?: number;
}

export const MINUTE = 60_000;

/**
 * Days back to the first of the month before last: last month whole (the month the console's
 * review opens on), the whole month it is compared with, and this month to date.
 */
export function demoDays(now: Date): number {
  return Math.ceil((now.getTime() - Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)) / (24 * 60 * MINUTE));
}

export interface DemoSummary {
  workOrders: number;
  events: number;
  exceptionsResolved: number;
  approvalsDecided: number;
  postReviewsCompleted: number;
}

/** Actions the shipped workflows send to their owner (or their approvers) for approval. */
const waitsForOwner = (a: Record<string, unknown>) =>
  ['refund', 'isolate', 'send', 'deploy', 'config.change'].includes(String(a.operation)) ||
  (a.operation === 'parts.issue' && isRecord(a.facts) && Number(a.facts.partsCost) > 5000) ||
  (a.operation === 'access.grant' && isRecord(a.facts) && a.facts.endDate !== undefined);

/** How far back today's engagement work reaches: inside the 72 h an engagement gate waits before it expires. */
export const GATE_WINDOW_MS = 70 * 60 * MINUTE;

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
  // An owner decides within the workflow's approval timeout: only recent work still asks for what waits for one.
  const asks = (action: Record<string, unknown>) =>
    !waitsForOwner(action) || start >= now - s.ownerWindowHours * 60 * MINUTE;

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
      if (!stepId && r() < p && asks(action)) push('workgate.action.requested', action);
    return events; // an engagement closes only after its stages (advanceEngagements)
  }
  const steps = s.steps.length ? s.steps : [{ id: '', evidence: [] }];
  for (const step of steps) {
    for (const [stepId, action, p] of s.actions) {
      if (stepId === step.id && r() < p && asks(action))
        push('workgate.action.requested', { ...action, ...(stepId ? { stepId } : {}) });
    }
    if (s.breakGlass && r() < s.breakGlass.p) {
      push('workgate.workorder.break_glass', {
        code: s.breakGlass.code,
        rationale: s.breakGlass.rationale ?? 'urgent: the customer or the site could not wait',
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

/** Every CloudEvent of the days, in time order. */
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
