import {
  EvidenceInput,
  evidenceList,
  evidenceProblems,
  ExceptionRef,
  ExceptionRaisedData,
  ExceptionView,
  RemediationTask,
  refuse,
} from '@workgate/contracts';
import { Aggregate, Clock, DomainEvent, versionedEventId } from '../aggregate';
import { deterministicUuid } from '../ids';
import { dueTime } from '@workgate/workflow';

/** A catalog entry as deciders need it: the code's owner and its SLA in milliseconds. */
export interface CatalogCode {
  code: string;
  owner: string;
  slaMs: number;
}

/** An exception's state: nothing yet, or what its view shows, with the evidence that closed each remediation. */
export type ExceptionState =
  { status: 'none' } | (Omit<ExceptionView, 'remediations'> & { remediations: RemediationTask[] });

export type ExceptionCommand =
  /** An exception its work order recorded (code, owner and SLA already taken from the catalog there). */
  | { type: 'RaiseException'; exception: ExceptionRef; workOrderId: string; by: string }
  | { type: 'ResolveException'; by: string; resolution?: string; evidence?: EvidenceInput }
  | { type: 'AddRemediation'; taskId: string; title: string; owner: string; due: string; by: string }
  | { type: 'CloseRemediation'; taskId: string; evidence: EvidenceInput; by: string }
  /** A timer fell due: the SLA, then the escalation. `escalation` is the code's rule in the catalog now (kept at the breach). */
  | { type: 'Tick'; escalation?: EscalationRule };

/** A catalog code's escalation rule: to whom, and how long after the SLA due time. */
export interface EscalationRule {
  to: string;
  afterMs: number;
}

export type ExceptionEvent = DomainEvent<'exception'>;

export const initialExceptionState = (): ExceptionState => ({ status: 'none' });

const blank = (s: unknown) => typeof s !== 'string' || s.trim() === '';
const eventId = (exceptionId: string, ...what: string[]) => deterministicUuid('exception', exceptionId, ...what);

/**
 * Exceptions: a blocked step or failed prerequisite with a code from the catalog (its work order
 * checked the code and took owner and SLA from the catalog), resolved with a resolution and
 * evidence, an SLA breach recorded once when due, and remediation tasks closed with evidence.
 */
export function decideException(command: ExceptionCommand, state: ExceptionState, { now }: Clock): ExceptionEvent[] {
  if (command.type === 'RaiseException') {
    if (state.status !== 'none') return [];
    const { exceptionId, code, rationale, owner, dueAt, stepId } = command.exception;
    if (blank(rationale)) throw refuse('validation_failed', 'an exception needs a rationale');
    const data: ExceptionRaisedData = {
      exceptionId,
      workOrderId: command.workOrderId,
      stepId: stepId ?? null,
      code,
      rationale,
      owner,
      dueAt,
      raisedBy: command.by,
      at: now,
    };
    return [{ type: 'ExceptionRaised', eventId: eventId(exceptionId, 'raised'), data }];
  }
  if (state.status === 'none') throw refuse('not_found', 'no such exception');
  const id = state.exceptionId;
  switch (command.type) {
    case 'ResolveException':
      if (state.status === 'resolved') throw refuse('exception_resolved', `exception ${id} is already resolved`);
      {
        const evidence = evidenceList(command.evidence);
        if (blank(command.resolution) && evidence.length === 0) {
          throw refuse('evidence_required', 'resolving an exception needs a resolution, evidence, or both', [
            { path: 'resolution', message: 'is required when there is no evidence' },
            { path: 'evidence', message: 'is required when there is no resolution' },
          ]);
        }
        const resolution = blank(command.resolution) ? {} : { resolution: command.resolution!.trim() };
        return [
          {
            type: 'ExceptionResolved',
            eventId: eventId(id, 'resolved'),
            data: { exceptionId: id, ...resolution, evidence, resolvedBy: command.by, at: now },
          },
        ];
      }
    case 'AddRemediation': {
      if (state.remediations.some((t) => t.taskId === command.taskId)) return [];
      if (blank(command.title) || blank(command.owner))
        throw refuse('validation_failed', 'a remediation task needs a title, an owner and a due time');
      const due = dueTime(command.due, now);
      if (!due.ok) throw refuse('validation_failed', `due ${due.problem}`, [{ path: 'due', message: due.problem }]);
      const task: RemediationTask = {
        taskId: command.taskId,
        title: command.title,
        owner: command.owner,
        due: due.at,
        closed: false,
      };
      return [
        {
          type: 'RemediationAdded',
          eventId: eventId(id, 'remediation', command.taskId),
          data: { exceptionId: id, task, addedBy: command.by, at: now },
        },
      ];
    }
    case 'CloseRemediation': {
      const task = state.remediations.find((t) => t.taskId === command.taskId);
      if (!task) throw refuse('not_found', `exception ${id} has no remediation task ${command.taskId}`);
      if (task.closed) throw refuse('remediation_closed', `remediation task ${command.taskId} is already closed`);
      const evidence = evidenceList(command.evidence);
      const problems = evidenceProblems(evidence, 'closing a remediation task');
      if (problems.length) throw refuse('evidence_required', `${problems[0].path}: ${problems[0].message}`, problems);
      return [
        {
          type: 'RemediationClosed',
          eventId: eventId(id, 'remediation-closed', command.taskId),
          data: { exceptionId: id, taskId: command.taskId, evidence, closedBy: command.by, at: now },
        },
      ];
    }
    case 'Tick':
      return state.status === 'open' ? tick(state, command.escalation, now) : [];
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

type RaisedException = Exclude<ExceptionState, { status: 'none' }>;

/**
 * An open exception's timers: past its due time the SLA breach (recorded once, with the escalation
 * rule its code then has), past the rule's time the escalation (once). Both in one tick when due.
 */
function tick(state: RaisedException, rule: EscalationRule | undefined, now: string): ExceptionEvent[] {
  const id = state.exceptionId;
  const events: ExceptionEvent[] = [];
  let escalation = state.escalation;
  if (!state.slaBreached) {
    if (Date.parse(now) < Date.parse(state.dueAt)) return [];
    const escalates = rule && {
      escalateTo: rule.to,
      escalateAt: new Date(Date.parse(state.dueAt) + rule.afterMs).toISOString(),
    };
    const { code, owner, dueAt } = state;
    events.push({
      type: 'SlaBreached',
      eventId: eventId(id, 'sla-breached'),
      data: { exceptionId: id, code, owner, dueAt, at: now, ...escalates },
    });
    escalation = escalates ? { to: escalates.escalateTo, escalatesAt: escalates.escalateAt, escalatedAt: null } : null;
  }
  if (escalation && escalation.escalatedAt === null && Date.parse(now) >= Date.parse(escalation.escalatesAt)) {
    const { workOrderId, stepId, code, owner, dueAt } = state;
    events.push({
      type: 'ExceptionEscalated',
      eventId: eventId(id, 'escalated'),
      data: {
        exceptionId: id,
        workOrderId,
        stepId,
        code,
        owner,
        escalatedTo: escalation.to,
        dueAt,
        escalateAt: escalation.escalatesAt,
        at: now,
      },
    });
  }
  return events;
}

export function evolveException(state: ExceptionState, e: ExceptionEvent): ExceptionState {
  if (e.type === 'ExceptionRaised') {
    const { exceptionId, workOrderId, stepId, code, owner, dueAt } = e.data;
    return {
      status: 'open',
      exceptionId,
      workOrderId,
      stepId,
      code,
      owner,
      dueAt,
      slaBreached: false,
      escalation: null,
      remediations: [],
    };
  }
  if (state.status === 'none') return state;
  switch (e.type) {
    case 'ExceptionResolved':
      return { ...state, status: 'resolved' };
    case 'SlaBreached': {
      const { escalateTo, escalateAt } = e.data;
      const escalation =
        escalateTo && escalateAt ? { to: escalateTo, escalatesAt: escalateAt, escalatedAt: null } : null;
      return { ...state, slaBreached: true, escalation };
    }
    case 'ExceptionEscalated':
      return state.escalation ? { ...state, escalation: { ...state.escalation, escalatedAt: e.data.at } } : state;
    case 'RemediationAdded':
      return { ...state, remediations: [...state.remediations, e.data.task] };
    case 'RemediationClosed':
      return {
        ...state,
        remediations: state.remediations.map((t) =>
          t.taskId === e.data.taskId ? { ...t, closed: true, evidence: evidenceList(e.data.evidence) } : t,
        ),
      };
    default: {
      const never: never = e;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

/** The exception aggregate (`exception-<id>`). */
export const exceptions: Aggregate<ExceptionState, ExceptionCommand, ExceptionEvent> = {
  stream: 'exception',
  initial: initialExceptionState,
  evolve: evolveException,
  decide: decideException,
  eventId: versionedEventId('exception'),
};
