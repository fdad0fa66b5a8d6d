import { Injectable } from '@nestjs/common';
import { LedgerHealthDetails } from '@workgate/contracts';
import { Checkpointer } from './checkpointer';
import { LedgerRelay } from './ledger-relay';
import { LedgerStore } from './ledger-store';
import { UnsignedRows } from './unsigned-rows';

/** How long a projection or the relay may stay behind the head without moving before it counts as stalled. */
const STALL_MS = 30_000;
/** Events the relay may be behind the head before it counts as lagging (the events it keeps in memory). */
export const RELAY_LAG_LIMIT = 10_000;

/**
 * What the ledger reports on its health subject: the head, how far the relay and each projection
 * have come, events set aside, and why any of it is not well. Read from Postgres (checkpoints and
 * parked events: any instance answers the same) and from the active writer's own state.
 */
@Injectable()
export class LedgerHealth {
  /** Per projection (and the relay): the position last seen and when it last moved. */
  private readonly progress = new Map<string, { position: number; since: number }>();
  private readonly unsigned = new UnsignedRows();

  constructor(
    private readonly store: LedgerStore,
    private readonly relay: LedgerRelay,
    private readonly checkpoints: Checkpointer,
  ) {}

  async details(now = Date.now()): Promise<LedgerHealthDetails> {
    const [head, checkpoints, parked] = await Promise.all([
      this.store.reader.head(),
      this.store.pool.query<{ name: string; position: number }>('SELECT name, position FROM projection_checkpoints'),
      this.store.pool.query<{ projection: string; n: number }>(
        'SELECT projection, count(*)::int AS n FROM projection_parked_events GROUP BY projection',
      ),
    ]);
    const active = this.store.writer.isActive;
    // A writer that met rows written around it goes on once they are removed.
    if (active && this.store.writer.refusing) await this.store.writer.resumeIfRestored().catch(() => undefined);
    const problems: string[] = [];
    // Read after the head: the signature of every commit up to it is visible by then (written by the same statement).
    const unsigned = this.unsigned.check(head.position, await this.store.frontier.position());
    if (unsigned) problems.push(unsigned);
    const projections: LedgerHealthDetails['projections'] = {};
    for (const name of this.store.projections.names) {
      const position = checkpoints.rows.find((r) => r.name === name)?.position ?? 0;
      const setAside = parked.rows.find((r) => r.projection === name)?.n ?? 0;
      projections[name] = { position, lag: Math.max(0, head.position - position), parked: setAside };
      if (setAside)
        problems.push(
          `projection ${name} set aside ${setAside} event(s) it cannot fold (npm run views:rebuild folds them again)`,
        );
      if (active && this.stalled(`projection:${name}`, position, head.position, now))
        problems.push(
          `projection ${name} has not moved for ${STALL_MS / 1000} s, ${head.position - position} events behind`,
        );
    }
    const refused = this.checkpoints.refused;
    if (refused) problems.push(`refusing to sign checkpoints since ${refused.since}: ${refused.reason}`);
    if (active && this.store.writer.refusing)
      problems.push(`the ledger writer refuses to write: ${this.store.writer.refusing}`);
    const paused = active ? this.store.projections.pausedBy : undefined;
    if (paused) problems.push(`projections paused since ${paused.since}: ${paused.error}`);
    const publishedPosition = active ? this.relay.publishedPosition : undefined;
    const relayPaused = active ? this.relay.paused : undefined;
    problems.push(...relayProblems(relayPaused, publishedPosition, head.position));
    // A paused relay does not move: said once, as paused, not again as stalled.
    if (
      publishedPosition !== undefined &&
      !relayPaused &&
      this.stalled('relay', publishedPosition, head.position, now)
    ) {
      problems.push(
        `the relay to LEDGER has not moved for ${STALL_MS / 1000} s, ${head.position - publishedPosition} events behind`,
      );
    }
    return {
      writer: active ? 'active' : 'standby',
      headPosition: head.position,
      ...(publishedPosition !== undefined
        ? { publishedPosition, relayLag: Math.max(0, head.position - publishedPosition) }
        : {}),
      ...(relayPaused ? { relayPaused } : {}),
      projections,
      ...(paused ? { paused } : {}),
      problems,
    };
  }

  /** Behind the head, and at the same position for longer than STALL_MS. */
  private stalled(key: string, position: number, head: number, now: number): boolean {
    const seen = this.progress.get(key);
    if (!seen || seen.position !== position) {
      this.progress.set(key, { position, since: now });
      return false;
    }
    return position < head && now - seen.since > STALL_MS;
  }
}

/**
 * What is wrong with the relay to LEDGER: paused (it publishes nothing, so no reaction runs:
 * approval and exception outcomes, timers' consequences, webhooks) or more than RELAY_LAG_LIMIT
 * events behind the head.
 */
export function relayProblems(
  paused: { reason: string; since: string } | undefined,
  published: number | undefined,
  head: number,
): string[] {
  if (paused) return [`the relay to LEDGER is paused since ${paused.since}: ${paused.reason}`];
  if (published !== undefined && head - published > RELAY_LAG_LIMIT)
    return [`the relay to LEDGER is ${head - published} events behind the head (more than ${RELAY_LAG_LIMIT})`];
  return [];
}
