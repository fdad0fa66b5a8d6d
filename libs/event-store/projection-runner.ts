import { Pool, PoolClient } from 'pg';
import { ReadAllResult, RecordedEvent } from '@workgate/contracts';
import { LedgerReader } from './ledger-reader';
import type { CommittedEvent } from './ledger-writer';
import { inTransaction } from './pg';

/** Most committed events kept in memory for the next pages; past it the runner reads from the log. */
const RECENT_LIMIT = 10_000;

/** Maps a view table's name to the table actually written (a rebuild writes fresh copies). */
export type TableName = (table: string) => string;

/** A view fed from the ledger: the event types it reads and how a page of them changes its rows. */
export interface Projection {
  name: string;
  types: string[];
  /** The tables it writes, and nothing else: a rebuild makes fresh copies of exactly these. */
  tables: string[];
  /** Applies a page of events (in position order) inside the runner's transaction. */
  apply(client: PoolClient, events: RecordedEvent[], table?: TableName): Promise<void>;
}

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
  /**
   * Events this process's writer committed and handed over, gap-free in position order: the pages
   * they cover are read from here, not from Postgres (the writer's own commits, already serialised).
   */
  private recent: CommittedEvent[] = [];
  private readonly typeSets = new Map<Projection, ReadonlySet<string>>();

  constructor(
    private readonly pool: Pool,
    private readonly projections: Projection[],
    private readonly options: {
      window?: number;
      idleMs?: number;
      /** After applying something, wait this long so the next page gathers more events (default 100 ms). */
      gatherMs?: number;
      log?: (m: string) => void;
    } = {},
  ) {
    this.reader = new LedgerReader(pool);
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
   * The writer of this process committed these events (in position order, right after the ones it
   * handed over before): keep them for the next pages, and look again now. Events that do not
   * follow the kept ones without a gap, or past RECENT_LIMIT, replace them: pages before the first
   * one kept are read from the log.
   */
  committed(events: CommittedEvent[]): void {
    if (events.length > 0) {
      const last = this.recent[this.recent.length - 1];
      if (!last || events[0].position !== last.position + 1 || this.recent.length + events.length > RECENT_LIMIT) this.recent = [];
      for (const e of events) this.recent.push(e);
    }
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.recent = [];
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
      const kept = this.fromRecent(this.typeSet(p), after, window);
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
    let done = 0;
    while (done < this.recent.length && this.recent[done].position <= slowest) done++;
    if (done > 0) this.recent = this.recent.slice(done);
    return applied;
  }

  private typeSet(p: Projection): ReadonlySet<string> {
    let types = this.typeSets.get(p);
    if (!types) this.typeSets.set(p, (types = new Set(p.types)));
    return types;
  }

  /**
   * The page (after, after + window] from the events kept in memory, as `LedgerReader.scan` reads
   * it from the log; undefined when they do not hold the event right after `after` (then the log
   * is read, which also answers when nothing newer is committed).
   */
  private fromRecent(types: ReadonlySet<string>, after: number, window: number): ReadAllResult | undefined {
    const first = this.recent[0]?.position;
    if (first === undefined || after + 1 < first || after + 1 > first + this.recent.length - 1) return undefined;
    const start = after + 1 - first;
    const end = Math.min(this.recent.length, start + window);
    const events: RecordedEvent[] = [];
    for (let i = start; i < end; i++) {
      const e = this.recent[i];
      if (types.has(e.type)) events.push(JSON.parse(e.json) as RecordedEvent);
    }
    return { events, next: this.recent[end - 1].position };
  }

  private async checkpoint(p: Projection): Promise<number> {
    const { rows } = await this.pool.query('SELECT position FROM projection_checkpoints WHERE name = $1', [p.name]);
    return rows[0]?.position ?? 0;
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      try {
        const applied = await this.catchUp();
        // Under a steady stream of commits, pages of a few events each would cost the database
        // a dozen statements per commit; gathering for a moment makes them fewer and larger.
        if (applied === 0) await this.idle();
        else await new Promise((resolve) => setTimeout(resolve, this.options.gatherMs ?? 100));
      } catch (error) {
        this.options.log?.(`projections paused: ${(error as Error).message}`);
        await this.idle();
      }
    }
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.options.idleMs ?? 250);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  /** Applies one page and moves the checkpoint from `after` to `next` in one transaction; false if the checkpoint was not at `after`. */
  private applyPage(p: Projection, after: number, events: RecordedEvent[], next: number): Promise<boolean> {
    // Asynchronous commit: a crash may lose the last pages applied, each whole with its checkpoint,
    // and they are applied again from the ledger; the ledger's own commits always wait for the disk.
    return inTransaction(this.pool, async (client) => {
      // The checkpoint row is locked for the transaction: two runners never apply the same page.
      const locked = await client.query('SELECT position FROM projection_checkpoints WHERE name = $1 FOR UPDATE', [p.name]);
      if ((locked.rows[0]?.position ?? 0) !== after) return false; // nothing was written
      if (events.length) await p.apply(client, events);
      await client.query(
        `INSERT INTO projection_checkpoints (name, position, updated_at) VALUES ($1, $2, now())
         ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
        [p.name, next],
      );
      return true;
    }, { asynchronousCommit: true });
  }
}
