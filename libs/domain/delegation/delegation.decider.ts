import { DelegationCommandKind, DelegationPrompt, DelegationView, refuse } from '@workgate/contracts';
import { Aggregate, Clock, DomainEvent, versionedEventId } from '../aggregate';
import { deterministicUuid } from '../ids';

/** The timeout contract, in milliseconds. */
export interface TimeoutContract {
  initialWaitMs: number;
  reminderEveryMs: number;
  backoff: number;
  hardTimeoutMs: number;
}

/** Planning locations that are never shared with a delegate: a path with one of these as any of its segments (case-insensitive). */
export const PRIVATE_SEGMENTS: ReadonlySet<string> = new Set(['brain', 'task.md', '.private']);

/**
 * The segments of a path as a file system would read it: percent-decoding undone (repeatedly, so
 * `%252F` is a slash too), compatibility forms folded (NFKC: a full-width letter is the letter),
 * backslashes as slashes, empty and `.` segments dropped, `..` applied, trailing dots and spaces
 * of a segment dropped (Windows ignores them), lower case.
 */
export function pathSegments(path: string): string[] {
  let text = path;
  for (let i = 0; i < 5; i++) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      break;
    }
    if (decoded === text) break;
    text = decoded;
  }
  const segments: string[] = [];
  for (const raw of text.normalize('NFKC').replace(/\\/g, '/').split('/')) {
    const segment = raw.replace(/[. ]+$/, (tail) => (raw === tail ? tail : '')).toLowerCase();
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  return segments;
}

export const isPrivatePath = (path: string): boolean => pathSegments(path).some((s) => PRIVATE_SEGMENTS.has(s));

/**
 * Every missing part of a delegate prompt (objective and scope, artifacts, verification
 * commands, completion protocol), and the position of every artifact under a private planning path.
 */
export function checkPrompt(prompt: DelegationPrompt | undefined): { missing: string[]; privatePaths: string[] } {
  const p = prompt ?? {};
  const blank = (v: unknown) => typeof v !== 'string' || v.trim() === '';
  const missing: string[] = [];
  if (blank(p.objective)) missing.push('objective');
  if (blank(p.scope)) missing.push('scope');
  if (
    !Array.isArray(p.artifacts) ||
    p.artifacts.length === 0 ||
    p.artifacts.some((a) => blank(a?.path) || (a.access !== 'read' && a.access !== 'write'))
  ) {
    missing.push('artifacts (each with a path and access read or write)');
  }
  if (!Array.isArray(p.verification) || p.verification.length === 0 || p.verification.some(blank))
    missing.push('verification commands');
  if (blank(p.completion)) missing.push('completion protocol');
  // Named by position (`artifacts[1].path`), never by the path itself: a refusal does not repeat what was sent.
  const privatePaths = (p.artifacts ?? []).flatMap((a, i) =>
    typeof a?.path === 'string' && isPrivatePath(a.path) ? [`artifacts[${i}].path`] : [],
  );
  return { missing, privatePaths };
}

/** When reminders fall due: initial wait, then every interval growing by the back-off factor, all before the hard timeout. */
export function reminderTimes(createdAt: string, t: TimeoutContract): string[] {
  const start = Date.parse(createdAt);
  const times: string[] = [];
  let at = start + t.initialWaitMs;
  let every = t.reminderEveryMs;
  while (at < start + t.hardTimeoutMs && times.length < 100) {
    times.push(new Date(at).toISOString());
    at += every;
    every = Math.round(every * t.backoff);
  }
  return times;
}

/** A delegation's state: nothing yet, or what its view shows. */
export type DelegationState = { status: 'none' } | DelegationView;

export type DelegationCommand =
  | {
      type: 'Dispatch';
      dispatchId: string;
      workOrderId: string;
      recipient: string;
      owner: string;
      by: string;
      command: DelegationCommandKind;
      prompt: DelegationPrompt;
      timeouts: TimeoutContract;
    }
  | { type: 'Confirm'; by: string; note?: string }
  | { type: 'Tick' };

export type DelegationEvent = DomainEvent<'delegation'>;

export const initialDelegationState = (): DelegationState => ({ status: 'none' });

/**
 * Delegations under the timeout contract. Completion is confirmed by an operator, never by the
 * delegate itself. `Tick` fires what is due at `now` — reminders, then the hard timeout — with
 * event ids derived from the dispatch and the timer, so a timer fires once however many
 * instances tick, and after any restart.
 */
export function decideDelegation(
  command: DelegationCommand,
  state: DelegationState,
  { now }: Clock,
): DelegationEvent[] {
  if (command.type === 'Dispatch') {
    if (state.status !== 'none') return [];
    const { missing, privatePaths } = checkPrompt(command.prompt);
    if (missing.length)
      throw refuse('prompt_incomplete', `the delegate prompt is missing: ${missing.join(', ')}`, missing);
    if (privatePaths.length)
      throw refuse(
        'private_path',
        `artifacts under private planning paths are never shared: ${privatePaths.join(', ')}`,
        privatePaths,
      );
    const t = command.timeouts;
    if (!(t.initialWaitMs > 0 && t.reminderEveryMs > 0 && t.backoff >= 1 && t.hardTimeoutMs > t.initialWaitMs)) {
      throw refuse(
        'validation_failed',
        'the timeout contract needs initialWait > 0, reminderEvery > 0, backoff >= 1 and hardTimeout > initialWait',
      );
    }
    return [
      {
        type: 'DelegationDispatched',
        eventId: deterministicUuid('delegation', command.dispatchId, 'dispatched'),
        data: {
          dispatchId: command.dispatchId,
          dispatchCreatedAt: now,
          workOrderId: command.workOrderId,
          recipient: command.recipient,
          owner: command.owner,
          dispatchedBy: command.by,
          command: command.command,
          prompt: command.prompt,
          reminders: reminderTimes(now, t),
          timeoutAt: new Date(Date.parse(now) + t.hardTimeoutMs).toISOString(),
        },
      },
    ];
  }
  if (state.status === 'none') throw refuse('not_found', 'no such delegation');
  switch (command.type) {
    case 'Confirm':
      if (state.status === 'confirmed') return [];
      if (state.status === 'timed_out')
        throw refuse('delegation_timed_out', `delegation ${state.dispatchId} timed out at ${state.timeoutAt}`);
      if (command.by === state.recipient)
        throw refuse('delegate_cannot_confirm', 'completion is confirmed by an operator, never by the delegate');
      return [
        {
          type: 'DelegationConfirmed',
          eventId: deterministicUuid('delegation', state.dispatchId, 'confirmed'),
          data: {
            dispatchId: state.dispatchId,
            confirmedBy: command.by,
            at: now,
            ...(command.note ? { note: command.note } : {}),
          },
        },
      ];
    case 'Tick': {
      if (state.status !== 'dispatched') return [];
      const t = Date.parse(now);
      const events: DelegationEvent[] = [];
      for (let n = state.remindersSent; n < state.reminders.length && Date.parse(state.reminders[n]) <= t; n++) {
        events.push({
          type: 'DelegationReminderDue',
          eventId: deterministicUuid('delegation', state.dispatchId, 'reminder', String(n)),
          data: {
            dispatchId: state.dispatchId,
            n,
            dueAt: state.reminders[n],
            notify: state.owner,
            recipient: state.recipient,
            workOrderId: state.workOrderId,
            nextDueAt: state.reminders[n + 1] ?? state.timeoutAt,
          },
        });
      }
      if (Date.parse(state.timeoutAt) <= t) {
        events.push({
          type: 'DelegationTimedOut',
          eventId: deterministicUuid('delegation', state.dispatchId, 'timed-out'),
          data: {
            dispatchId: state.dispatchId,
            workOrderId: state.workOrderId,
            at: now,
            notify: state.owner,
            reason: `delegation ${state.dispatchId} timed out`,
          },
        });
      }
      return events;
    }
    default: {
      const never: never = command;
      throw new Error(`unknown command ${JSON.stringify(never)}`);
    }
  }
}

export function evolveDelegation(state: DelegationState, e: DelegationEvent): DelegationState {
  switch (e.type) {
    case 'DelegationDispatched': {
      const d = e.data;
      return {
        dispatchId: d.dispatchId,
        dispatchCreatedAt: d.dispatchCreatedAt,
        status: 'dispatched',
        workOrderId: d.workOrderId,
        recipient: d.recipient,
        owner: d.owner,
        command: d.command,
        reminders: d.reminders,
        remindersSent: 0,
        timeoutAt: d.timeoutAt,
      };
    }
    case 'DelegationReminderDue':
      return state.status === 'none' ? state : { ...state, remindersSent: Math.max(state.remindersSent, e.data.n + 1) };
    case 'DelegationConfirmed':
      return state.status === 'none' ? state : { ...state, status: 'confirmed' };
    case 'DelegationTimedOut':
      return state.status === 'none' ? state : { ...state, status: 'timed_out' };
    default: {
      const never: never = e;
      throw new Error(`unknown event ${JSON.stringify(never)}`);
    }
  }
}

/** The next time this delegation needs a tick (for the timer projection), or null when none. */
export function nextDue(state: DelegationState): string | null {
  if (state.status !== 'dispatched') return null;
  return state.reminders[state.remindersSent] ?? state.timeoutAt;
}

/** The delegation aggregate (`delegation-<dispatchId>`). */
export const delegations: Aggregate<DelegationState, DelegationCommand, DelegationEvent> = {
  stream: 'delegation',
  initial: initialDelegationState,
  evolve: evolveDelegation,
  decide: decideDelegation,
  eventId: versionedEventId('delegation'),
};
