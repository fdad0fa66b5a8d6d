import { AppendRequest, NewEvent } from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { seededRandom } from '../cli/seeded-random';
import { CATALOG_OWNER, HOUR } from './history-workflows';

/** An exception as a synthetic history raises it. */
export interface HistoryException {
  exceptionId: string;
  code: string;
  owner: string;
  dueAt: string;
  stepId: string | null;
  rationale: string;
}

/**
 * The streams of one synthetic work order as they are written: its clock, its event ids, each
 * stream's exact expected version (every stream here belongs to this work order), and the
 * appends so far in the order the services would make them. Its members are functions bound to
 * it, so a history reads them as names.
 */
export class WorkOrderStreams {
  readonly rnd: () => number;
  readonly id: string;
  readonly wo: string;
  readonly appends: AppendRequest[] = [];
  /** The work order's clock (ms). */
  t: number;
  /** Events written so far. */
  k = 0;
  private readonly versions = new Map<string, number>();

  constructor(
    seed: number,
    n: number,
    start: number,
    private readonly nowMs: number,
  ) {
    this.rnd = seededRandom(seed * 7919 + n);
    this.id = deterministicUuid('history', String(seed), String(n));
    this.wo = `workorder-${this.id}`;
    this.t = start;
  }

  readonly pick = <T>(xs: T[]): T => xs[Math.floor(this.rnd() * xs.length)];

  /** Moves the clock on by up to `maxHours` (at least a minute, never past now). */
  readonly tick = (maxHours: number): string => {
    this.t = Math.min(this.nowMs, this.t + Math.floor(this.rnd() * maxHours * HOUR) + 60_000);
    return new Date(this.t).toISOString();
  };

  readonly ev = (type: string, data: Record<string, unknown>, occurredAt: string): NewEvent => ({
    eventId: deterministicUuid('history-event', this.id, String(this.k++)),
    type,
    data,
    metadata: { actor: 'source:history', commandId: deterministicUuid('history-command', this.id, String(this.k)) },
    occurredAt,
  });

  readonly push = (streamId: string, ...events: NewEvent[]): void => {
    const expectedVersion = this.versions.get(streamId) ?? 0;
    this.versions.set(streamId, expectedVersion + events.length);
    this.appends.push({ streamId, expectedVersion, events });
  };

  readonly exception = (code: string, stepId: string | null, at: string): HistoryException => ({
    exceptionId: deterministicUuid('history-exception', this.id, String(this.k)),
    code,
    owner: CATALOG_OWNER[code],
    dueAt: new Date(Date.parse(at) + 8 * HOUR).toISOString(),
    stepId,
    rationale: `${code} on ${stepId ?? 'opening'}`,
  });

  readonly raise = (ref: HistoryException, at: string): void => {
    this.push(
      `exception-${ref.exceptionId}`,
      this.ev('ExceptionRaised', { ...ref, workOrderId: this.id, raisedBy: 'source:history', at }, at),
    );
  };

  /** The exception's SLA breached now and then, and most resolved: whether it was. */
  readonly settle = (ref: HistoryException): boolean => {
    const { push, ev } = this;
    const x = `exception-${ref.exceptionId}`;
    if (this.rnd() < 0.2)
      push(
        x,
        ev(
          'SlaBreached',
          { exceptionId: ref.exceptionId, code: ref.code, owner: ref.owner, dueAt: ref.dueAt, at: ref.dueAt },
          ref.dueAt,
        ),
      );
    if (this.rnd() < 0.75) {
      const at = this.tick(20);
      push(
        x,
        ev(
          'ExceptionResolved',
          {
            exceptionId: ref.exceptionId,
            resolution: 'fixed',
            evidence: [{ kind: 'note', ref: `fix-${this.k}` }],
            resolvedBy: ref.owner,
            at,
          },
          at,
        ),
      );
      push(
        this.wo,
        ev(
          'WorkOrderExceptionClosed',
          { workOrderId: this.id, exceptionId: ref.exceptionId, code: ref.code, resolvedBy: ref.owner },
          at,
        ),
      );
      return true;
    }
    return false;
  };
}

/**
 * How the work order ends: closed with its evidence when nothing is open (now and then reopened
 * and closed again), its closure reported by the source (evidence sometimes missing), stopped,
 * or still open. `open`: its exceptions still open.
 */
export function ending(streams: WorkOrderStreams, n: number, open: number): void {
  const { rnd, tick, push, ev, wo, id } = streams;
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
}
