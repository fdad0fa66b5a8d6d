import { Pool } from 'pg';
import { ReadAllResult, RecordedEvent } from '@workgate/contracts';
import { LedgerReader, ReadLimit } from './ledger-reader';
import { CommittedTail } from './committed-tail';
import type { CommittedEvent } from './ledger-writer';
import { foldSettingAside, isUnfoldable, ParkedEvent, recordParked } from './parked-events';
import { isRecordedEvent } from './receipt-verify';
import { inTransaction } from './pg';
import type { Projection } from './projection';

export type { Projection, TableName } from './projection';

/** Most committed events kept in memory for the next pages; past it the runner reads from the log. */
const RECENT_LIMIT = 10_000;

/**
 * Feeds projections from the log by position, page by page: each page's view rows and the
 * checkpoint are written in ONE transaction, so a view never skips or repeats an event. Positions
 * are gap-free and committed in order by the single writer, so a page read after position N sees
 * every committed event above N.
 */
export class ProjectionRunner {
  private running?: Promise<void>;
  private stopped = true;
  private wakeUp?: () => void;
  private readonly reader: LedgerReader;
  /** The writer's own commits, of the types some projection reads: pages within them need no read from Postgres. */
  private readonly tail: CommittedTail;
  private readonly typeSets: ReadonlyMap<Projection, ReadonlySet<string>>;
  /** Why the projections are paused (an error that is not an event's own, retried), or undefined. */
  private paused?: { error: string; since: string };

  constructor(
    private readonly pool: Pool,
    private readonly projections: Projection[],
    private readonly options: {
      window?: number;
      idleMs?: number;
      /**
       * After applying something, wait so the next page gathers more events: a millisecond per
       * event applied (each projection's page counts), up to this (default 100 ms).
       */
      gatherMs?: number;
      log?: (m: string) => void;
      /** Events set aside because they cannot be folded (also kept in projection_parked_events). */
      onParked?: (parked: ParkedEvent[]) => void;
      /** The signed frontier: no projection folds a row past it (docs/ledger.md, "Readers act only on signed rows"). */
      signedUpTo?: ReadLimit;
    } = {},
  ) {
    this.reader = new LedgerReader(pool, options.signedUpTo);
    this.typeSets = new Map(projections.map((p) => [p, new Set(p.types)]));
    const wanted = new Set(projections.flatMap((p) => p.types));
    this.tail = new CommittedTail(RECENT_LIMIT, (type) => wanted.has(type));
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.running = this.loop();
  }

  /** Something was committed: look again now. */
  wake(): void {
    this.wakeUp?.();
  }

  /**
   * The writer of this process committed these events (one commit, in position order): keep what
   * the projections read for their next pages, and look again now.
   */
  committed(events: CommittedEvent[]): void {
    this.tail.add(events);
    this.wake();
  }

  /** The projections' names, in the order they run. */
  get names(): string[] {
    return this.projections.map((p) => p.name);
  }

  /** Why the projections are paused (an error retried until it passes), or undefined while they run. */
  get pausedBy(): { error: string; since: string } | undefined {
    return this.paused;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.tail.clear();
    this.wakeUp?.();
    await this.running;
  }

  /**
   * Runs every projection until it has nothing newer; returns how many events were applied. The
   * next page is read while the current one is applied, so Postgres reading and Node folding
   * overlap (they run on different cores).
   */
  async catchUp(): Promise<number> {
    let applied = 0;
    const window = this.options.window ?? 5000;
    const scan = (p: Projection, after: number) => {
      const kept = this.fromRecent(this.typeSets.get(p)!, after, window);
      if (kept) return Promise.resolve(kept);
      const page = this.reader.scan(p.types, after, window);
      page.catch(() => undefined); // awaited below, or dropped when the checkpoint moved
      return page;
    };
    let slowest = Infinity;
    for (const p of this.projections) {
      let after = await this.checkpoint(p);
      let pending = scan(p, after);
      for (;;) {
        const page = await pending;
        if (page.next === after) break;
        pending = scan(p, page.next);
        if (await this.applyPage(p, after, page.events, page.next)) {
          applied += Math.max(1, page.events.length);
          after = page.next;
        } else {
          // Another runner moved the checkpoint: start again from where it is.
          after = await this.checkpoint(p);
          pending = scan(p, after);
          applied += 1;
        }
      }
      slowest = Math.min(slowest, after);
    }
    // What every projection has applied is not needed again.
    this.tail.dropThrough(slowest);
    return applied;
  }

  /**
   * The page (after, after + window] from the writer's commits kept in memory, as
   * `LedgerReader.scan` reads it from the log; undefined when they do not include the position
   * right after `after` (then the log is read, which also answers when nothing newer is committed).
   */
  private fromRecent(types: ReadonlySet<string>, after: number, window: number): ReadAllResult | undefined {
    const page = this.tail.page(after, window);
    if (!page) return undefined;
    const events: RecordedEvent[] = [];
    for (const e of page.events) {
      if (!types.has(e.type)) continue;
      const parsed: unknown = JSON.parse(e.json);
      if (!isRecordedEvent(parsed))
        throw new Error(`the recent events hold a text that is no recorded event: ${e.json.slice(0, 120)}`);
      events.push(parsed);
    }
    return { events, next: page.next };
  }

  private async checkpoint(p: Projection): Promise<number> {
    const { rows } = await this.pool.query<{ position: number }>(
      'SELECT position FROM projection_checkpoints WHERE name = $1',
      [p.name],
    );
    return rows[0]?.position ?? 0;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const applied = await this.catchUp();
        this.paused = undefined;
        // Under a steady stream of commits, pages of a few events each would cost the database
        // a dozen statements per commit; gathering for a moment makes them fewer and larger. The
        // wait grows with the page: from about an event per millisecond it reaches the bound, and
        // below that the pages stay small (more statements per event, views that trail the ledger
        // by milliseconds), so a write read back at once (docs/api.md, Conventions (read your writes)) does not wait for it.
        if (applied === 0) await this.idle();
        else await new Promise((resolve) => setTimeout(resolve, Math.min(this.options.gatherMs ?? 100, applied)));
      } catch (error) {
        const message = (error as Error).message;
        if (this.paused?.error !== message) this.paused = { error: message, since: new Date().toISOString() };
        this.options.log?.(`projections paused: ${message}`);
        await this.idle();
      }
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, this.options.idleMs ?? 250);
      this.wakeUp = done;
    });
  }

  /**
   * Applies one page and moves the checkpoint from `after` to `next` in one transaction; false if
   * the checkpoint was not at `after`. A page with events that cannot be folded is applied again
   * without them: they are set aside (kept with their error, reported) and the projection goes on.
   */
  private async applyPage(p: Projection, after: number, events: RecordedEvent[], next: number): Promise<boolean> {
    try {
      return await this.applyPageOnce(p, after, events, next, false);
    } catch (error) {
      if (!isUnfoldable(error)) throw error;
      return this.applyPageOnce(p, after, events, next, true);
    }
  }

  private applyPageOnce(
    p: Projection,
    after: number,
    events: RecordedEvent[],
    next: number,
    settingAside: boolean,
  ): Promise<boolean> {
    let parked: ParkedEvent[] = [];
    return inTransaction(this.pool, async (client) => {
      // The checkpoint row is locked for the transaction: two runners never apply the same page.
      const locked = await client.query<{ position: number }>(
        'SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE',
        [p.name],
      );
      if ((locked.rows[0]?.position ?? 0) !== after) return false; // nothing was written
      if (settingAside) {
        parked = await foldSettingAside(client, p, events);
        await recordParked(client, parked);
      } else if (events.length) {
        await p.apply(client, events);
      }
      await client.query(
        `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
        [p.name, next],
      );
      return true;
    }).then((moved) => {
      if (moved && parked.length) {
        for (const e of parked)
          this.options.log?.(`projection ${p.name} set aside ${e.eventType} at position ${e.position}: ${e.error}`);
        this.options.onParked?.(parked);
      }
      return moved;
    });
  }
}
