import { Evidence, refuse } from '@workgate/contracts';
import { deterministicUuid } from '../ids';

export interface CatalogCode {
  code: string;
  owner: string;
  /** SLA in milliseconds. */
  slaMs: number;
}

export interface RemediationTask {
  taskId: string;
  title: string;
  owner: string;
  due: string;
  closed: boolean;
  evidence?: Evidence;
}

export type ExceptionState =
  | { status: 'none' }
  | {
      status: 'open' | 'resolved';
      exceptionId: string;
      workOrderId: string;
      stepId: string | null;
      code: string;
      owner: string;
      dueAt: string;
      slaBreached: boolean;
      remediations: RemediationTask[];
    };

export type ExceptionCommand =
  | { type: 'RaiseException'; exceptionId: string; workOrderId: string; stepId: string | null; code: string; rationale: string; by: string; catalog: ReadonlyMap<string, CatalogCode>; allowed?: readonly string[] }
  | { type: 'ResolveException'; by: string; resolution: string; evidence: Evidence[] }
  | { type: 'AddRemediation'; taskId: string; title: string; owner: string; due: string; by: string }
  | { type: 'CloseRemediation'; taskId: string; evidence: Evidence; by: string }
  | { type: 'Tick' };

export type ExceptionEvent =
  | { type: 'ExceptionRaised'; eventId: string; data: { exceptionId: string; workOrderId: string; stepId: string | null; code: string; rationale: string; owner: string; dueAt: string; raisedBy: string; at: string } }
  | { type: 'ExceptionResolved'; eventId: string; data: { exceptionId: string; resolution: string; evidence: Evidence[]; resolvedBy: string; at: string } }
  | { type: 'SlaBreached'; eventId: string; data: { exceptionId: string; code: string; owner: string; dueAt: string; at: string } }
  | { type: 'RemediationAdded'; eventId: string; data: { exceptionId: string; task: RemediationTask; addedBy: string; at: string } }
  | { type: 'RemediationClosed'; eventId: string; data: { exceptionId: string; taskId: string; evidence: Evidence; closedBy: string; at: string } };

export const initialExceptionState = (): ExceptionState => ({ status: 'none' });

const blank = (s: unknown) => typeof s !== 'string' || s.trim() === '';

/**
 * Exceptions: a blocked step or failed prerequisite with a code from the catalog (free text is
 * refused), owner and SLA from the catalog, resolved with a resolution and evidence, an SLA
 * breach recorded once when due, and remediation tasks closed with evidence.
 */
export function decideException(command: ExceptionCommand, state: ExceptionState, now: string): ExceptionEvent[] {
  if (command.type === 'RaiseException') {
    if (state.status !== 'none') return [];
    const entry = command.catalog.get(command.code);
    if (!entry) throw refuse('unknown_exception_code', `"${command.code}" is not in the exception-code catalog`);
    if (command.allowed && !command.allowed.includes(command.code)) {
      throw refuse('unknown_exception_code', `"${command.code}" is not allowed here (allowed: ${command.allowed.join(', ') || 'none'})`);
    }
    if (blank(command.rationale)) throw refuse('validation_failed', 'an exception needs a rationale');
    return [
      {
        type: 'ExceptionRaised',
        eventId: deterministicUuid('exception', command.exceptionId, 'raised'),
        data: {
          exceptionId: command.exceptionId,
          workOrderId: command.workOrderId,
          stepId: command.stepId,
          code: command.code,
          rationale: command.rationale,
          owner: entry.owner,
          dueAt: new Date(Date.parse(now) + entry.slaMs).toISOString(),
          raisedBy: command.by,
          at: now,
        },
      },
    ];
  }
  if (state.status === 'none') throw refuse('not_found', 'no such exception');
  const id = state.exceptionId;
  switch (command.type) {
    case 'ResolveException':
      if (state.status === 'resolved') throw refuse('exception_resolved', `exception ${id} is already resolved`);
      if (blank(command.resolution)) throw refuse('validation_failed', 'a resolution is required');
      if (!Array.isArray(command.evidence) || command.evidence.length === 0) throw refuse('evidence_required', 'resolving an exception needs evidence');
      return [{ type: 'ExceptionResolved', eventId: deterministicUuid('exception', id, 'resolved'), data: { exceptionId: id, resolution: command.resolution, evidence: command.evidence, resolvedBy: command.by, at: now } }];
    case 'AddRemediation': {
      if (state.remediations.some((t) => t.taskId === command.taskId)) return [];
      if (blank(command.title) || blank(command.owner) || Number.isNaN(Date.parse(command.due))) {
        throw refuse('validation_failed', 'a remediation task needs a title, an owner and a due time');
      }
      const task: RemediationTask = { taskId: command.taskId, title: command.title, owner: command.owner, due: new Date(command.due).toISOString(), closed: false };
      return [{ type: 'RemediationAdded', eventId: deterministicUuid('exception', id, 'remediation', command.taskId), data: { exceptionId: id, task, addedBy: command.by, at: now } }];
    }
    case 'CloseRemediation': {
      const task = state.remediations.find((t) => t.taskId === command.taskId);
      if (!task) throw refuse('not_found', `exception ${id} has no remediation task ${command.taskId}`);
      if (task.closed) throw refuse('remediation_closed', `remediation task ${command.taskId} is already closed`);
      if (!command.evidence?.kind || !command.evidence?.ref) throw refuse('evidence_required', 'closing a remediation task needs closure evidence');
      return [{ type: 'RemediationClosed', eventId: deterministicUuid('exception', id, 'remediation-closed', command.taskId), data: { exceptionId: id, taskId: command.taskId, evidence: command.evidence, closedBy: command.by, at: now } }];
    }
    case 'Tick':
      if (state.status !== 'open' || state.slaBreached || Date.parse(now) < Date.parse(state.dueAt)) return [];
      return [{ type: 'SlaBreached', eventId: deterministicUuid('exception', id, 'sla-breached'), data: { exceptionId: id, code: state.code, owner: state.owner, dueAt: state.dueAt, at: now } }];
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

export function evolveException(state: ExceptionState, e: ExceptionEvent): ExceptionState {
  if (e.type === 'ExceptionRaised') {
    const d = e.data;
    return { status: 'open', exceptionId: d.exceptionId, workOrderId: d.workOrderId, stepId: d.stepId, code: d.code, owner: d.owner, dueAt: d.dueAt, slaBreached: false, remediations: [] };
  }
  if (state.status === 'none') return state;
  switch (e.type) {
    case 'ExceptionResolved':
      return { ...state, status: 'resolved' };
    case 'SlaBreached':
      return { ...state, slaBreached: true };
    case 'RemediationAdded':
      return { ...state, remediations: [...state.remediations, e.data.task] };
    case 'RemediationClosed':
      return { ...state, remediations: state.remediations.map((t) => (t.taskId === e.data.taskId ? { ...t, closed: true, evidence: e.data.evidence } : t)) };
  }
}

/**
 * The time a drift check of the raise at `occurredAt` is made as of: the first raise of the code,
 * from that one on and within one window after it, that closes a window holding `threshold`
 * raises (the raise checked among them); `occurredAt` itself when none does. Raises can be recorded
 * out of their time order (on different work orders, handled concurrently), so the check of the
 * last one recorded may not be of the latest one in time: checked only as of its own time, the
 * later raises recorded before it would not count, and no check would see them all. A check made
 * late (a consumer catching up) still finds the window of its own time, not a later one.
 */
export function driftCheckedAt(raisedAt: string[], occurredAt: string, windowMs: number, threshold: number): string {
  const t = Date.parse(occurredAt);
  const times = raisedAt.map((at) => Date.parse(at));
  const ends = raisedAt.filter((_, i) => times[i] >= t && times[i] < t + windowMs).sort((a, b) => Date.parse(a) - Date.parse(b));
  for (const end of ends) {
    const e = Date.parse(end);
    if (times.filter((x) => x <= e && x > e - windowMs).length >= threshold) return end;
  }
  return occurredAt;
}

/**
 * A repeating code is a drift signal, not a human failure: when a code was raised at least
 * `threshold` times within `windowMs` before `now`, it answers the id of the signal for that
 * window (one per code and window, so raising it again is harmless), else null.
 */
export function driftSignal(code: string, raisedAt: string[], now: string, windowMs: number, threshold: number): string | null {
  const t = Date.parse(now);
  const recent = raisedAt.filter((at) => Date.parse(at) <= t && Date.parse(at) > t - windowMs).length;
  if (recent < threshold) return null;
  return deterministicUuid('drift', code, String(Math.floor(t / windowMs)));
}
