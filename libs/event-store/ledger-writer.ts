import { Client } from 'pg';
import type { AppendRequest, AppendResult, CommitRequest, CommitResult, LedgerHead } from '@workgate/contracts';
import { WorkgateError } from '@workgate/contracts';
import { BatchPlan, commitFailure, Known, lookupRecorded, Pending, planBatch } from './commit-plan';
import { CommitQueue } from './commit-queue';
import { GENESIS_HASH } from './hash';
import { insertLedgerRows, isUniqueViolation } from './ledger-rows';
import { createClient } from './pg';
import { commitOf, prepareAppend, PreparedCommit, prepareCommit } from './validate';
import { adoptHead, endsAt, readHead, tryWriterLock, WRITER_LOCK_KEY } from './writer-admission';
import { StreamVersions } from './stream-versions';
import { LedgerWriterOptions, writerSettings, WriterSettings } from './writer-options';
import { WriterTree } from './writer-tree';

export type { CommittedEvent } from './commit-plan';

/**
 * The single writer of the evidence ledger: it holds a Postgres advisory lock on its own connection
 * and writes through it, so the lock and the writes live and die together. Appends are group-
 * committed: collected while the previous commit is in flight (or for `lingerMs`), version-checked
 * against a stream cache, hashed in position order, written in one INSERT ... SELECT unnest(...)
 * (one transaction, one fsync), then answered. Positions are assigned here: gap-free.
 */
export class LedgerWriter {
  private readonly opts: WriterSettings;
  private client?: Client;
  private active = false;
  private stopping = false;
  private head: LedgerHead = { position: 0, hash: GENESIS_HASH };
  private readonly tree: WriterTree;
  /** Set when the ledger holds rows this writer did not write: it writes nothing more until an operator acts. */
  private foreign?: string;
  /** Its head when it found rows written around it while it ran: it resumes when the ledger ends there again. */
  private around?: LedgerHead;
  /** After a lost connection: when to compete for the lock again (cleared by `stop`). */
  private restartTimer?: NodeJS.Timeout;
  private readonly versions: StreamVersions;
  private acquiring?: Promise<void>;
  private readonly queue: CommitQueue;

  constructor(
    private readonly connectionString: string,
    options: LedgerWriterOptions = {},
  ) {
    this.opts = writerSettings(options);
    this.tree = new WriterTree(this.opts.merkleTree);
    this.versions = new StreamVersions(this.opts.streamCacheSize);
    this.queue = new CommitQueue(
      this.opts,
      (batch) => this.flush(batch),
      () => this.stopping,
    );
  }

  get isActive(): boolean {
    return this.active;
  }

  /** Once the group commit in flight has its answer: Postgres shows its rows before `currentHead` moves. */
  settled = (): Promise<void> => this.queue.inFlight.catch(() => undefined);
  currentHead = (): LedgerHead => ({ ...this.head });

  /** The tree of every event written so far: its size (= the head position) and root. */
  currentTree(): { size: number; root: Buffer } {
    return this.tree.current();
  }

  /** Why this writer refuses to write (rows appeared that it did not write), if it does. */
  get refusing(): string | undefined {
    return this.foreign;
  }

  /** Resolves once this instance is the writer; waits as a standby while another instance holds the lock. */
  start(): Promise<void> {
    this.stopping = false;
    this.acquiring ??= this.acquire().finally(() => (this.acquiring = undefined));
    return this.acquiring;
  }

  /** Appends events to one stream; resolves after the commit that records them. */
  append(request: AppendRequest): Promise<AppendResult> {
    return this.prepared(() => commitOf(prepareAppend(request))).then((r) => r.results[0]);
  }

  /** Appends a command's events to every stream it touches, each at its expected version: all in one commit, or none. */
  commit(request: CommitRequest): Promise<CommitResult> {
    return this.prepared(() => prepareCommit(request));
  }

  /** Commits what `prepare` makes of a request, or refuses what it throws. */
  private prepared(prepare: () => PreparedCommit): Promise<CommitResult> {
    try {
      return this.commitPrepared(prepare());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /**
   * Commits what `prepareCommit` made of a request (checked, canonical JSON computed), for callers
   * of the same process that prepared it themselves; never for anything read from outside.
   */
  commitPrepared(commit: PreparedCommit): Promise<CommitResult> {
    if (!this.active)
      return Promise.reject(new WorkgateError('unavailable', 'this ledger instance is not the writer (standby)'));
    if (!this.foreign) return this.queue.push(commit);
    const refused = new WorkgateError('unavailable', `the ledger writer refuses to write: ${this.foreign}`);
    if (!this.around) return Promise.reject(refused);
    return this.resumeIfRestored().then(() => (this.foreign ? Promise.reject(refused) : this.queue.push(commit)));
  }

  /**
   * Refusing because rows were written around it (past its signed head, so nobody read them), it
   * resumes once the ledger ends at its head again. Tried at each append and by the health check.
   */
  async resumeIfRestored(): Promise<void> {
    const ours = this.around;
    if (!ours || !this.client || !(await endsAt(this.client, ours)) || this.around !== ours) return;
    this.around = this.foreign = undefined;
    this.opts.log?.(`the ledger writer resumes at position ${ours.position}: the rows written around it are gone`);
  }

  /** Finishes the commit in flight, refuses what is still queued, releases the lock. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.queue.cancelLinger();
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.queue.inFlight;
    this.queue.failQueued(new WorkgateError('unavailable', 'the ledger writer is shutting down'));
    this.setActive(false);
    const client = this.client;
    this.client = undefined;
    if (client) {
      await this.tree.flush(client);
      await client.query('SELECT pg_advisory_unlock($1)', [WRITER_LOCK_KEY]).catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    await this.acquiring?.catch(() => undefined);
  }

  private async acquire(): Promise<void> {
    while (!this.stopping) {
      try {
        if (!this.client) {
          const client = createClient(this.connectionString, {
            role: this.opts.role,
            applicationName: 'workgate-ledger-writer',
          });
          client.on('error', (error) => this.lostConnection(client, error));
          await client.connect();
          this.client = client;
        }
        if (await tryWriterLock(this.client)) {
          this.head = await readHead(this.client);
          // The tree over rows without nodes is computed for admission and stored only once admitted:
          // nodes over rows an operator must remove (a refused ledger) are never written.
          await this.tree.load(this.client, this.head.position, false, this.opts.log);
          await this.admit(this.client);
          if (!this.foreign && !this.stopping)
            await this.tree.load(this.client, this.head.position, true, this.opts.log);
          if (this.stopping) break; // checked last: nothing is awaited between here and active
          this.versions.clear();
          this.setActive(true);
          this.opts.log?.(`ledger writer active at position ${this.head.position}`);
          return;
        }
      } catch (error) {
        if (!this.stopping) this.opts.log?.(`ledger writer cannot take the lock yet: ${(error as Error).message}`);
        await this.dropClient();
      }
      await new Promise((r) => setTimeout(r, this.opts.standbyPollMs));
    }
    await this.dropClient(); // stopped first: a connection made after `stop` looked goes, its lock with it
  }

  /** Whether this writer may extend the ledger it found; refuses (until an operator acts) when not. */
  private async admit(client: Client): Promise<void> {
    const admission = (await this.opts.admit?.()) ?? { ok: true };
    if (this.stopping) return;
    if (!admission.ok) return this.refuse(admission.reason);
    if (admission.adopt && this.head.position > 0 && this.opts.signCommit)
      await adoptHead(client, this.head, this.opts.signCommit(this.head.position, this.head.hash));
  }

  /** Refuses every append from now on, loudly (error log and `onRefuse`), the same way whatever the cause. */
  private refuse(reason: string): void {
    this.foreign = reason;
    this.opts.logError?.(`the ledger writer refuses to write: ${reason}. Restore the ledger, then restart`);
    this.opts.onRefuse?.(reason);
  }

  private lostConnection(client: Client, error: Error): void {
    if (client !== this.client) return;
    this.opts.log?.(`ledger writer lost its connection: ${error.message}`);
    this.setActive(false);
    void this.dropClient();
    // Back off so a healthy standby can take over; one retry pending at a time, cancelled by `stop`.
    clearTimeout(this.restartTimer);
    if (!this.stopping) {
      this.restartTimer = setTimeout(() => {
        this.restartTimer = undefined;
        void this.start();
      }, this.opts.standbyPollMs).unref();
    }
  }

  private async dropClient(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private setActive(active: boolean): void {
    if (this.active === active) return;
    this.active = active;
    this.opts.onActiveChange?.(active);
  }

  private async flush(batch: Pending[]): Promise<void> {
    const client = this.client;
    if (!client || !this.active) {
      for (const p of batch) p.reject(new WorkgateError('unavailable', 'the ledger writer is not active'));
      return;
    }
    try {
      await this.writeBatch(client, batch);
    } catch (error) {
      // The single INSERT either committed whole or not at all. Reload what we believe so the
      // next batch starts from the truth; callers may retry (event ids make retries harmless).
      this.versions.clear();
      const failure = commitFailure(error, this.opts.logError);
      for (const p of batch) p.reject(failure);
      const found = this.client === client ? await readHead(client).catch(() => this.head) : this.head;
      // A row this writer did not write (inserted around it): never chain onto it unnoticed.
      if (found.position !== this.head.position && !this.foreign) {
        this.around = { ...this.head };
        this.refuse(
          `the ledger holds position ${found.position}, past this writer's head ${this.head.position}: rows were written around the writer`,
        );
      }
    }
  }

  /**
   * Fast path: when every stream of the batch is either in the version cache or expected not to
   * exist, skip the lookup and let the unique constraints on (stream_id, stream_version) and
   * event_id catch the rare surprise (a replayed event id, a stream created before a restart);
   * the batch is then redone with the lookup. The INSERT is one statement: a refused batch wrote nothing.
   */
  private async writeBatch(client: Client, batch: Pending[]): Promise<void> {
    if (this.versions.cover(batch)) {
      const plan = this.plan(batch, new Map(), new Map());
      // A refusal may really be the replay of an accepted append: only the lookup can tell.
      if (plan.rejected.length === 0) {
        try {
          await this.write(client, plan);
          return;
        } catch (error) {
          if (!isUniqueViolation(error)) throw error;
        }
      }
    }
    const { existing, dbVersions, streams } = await lookupRecorded(client, batch);
    // What the database says wins over the cache (the cache may predate a takeover) and stays in it.
    this.versions.adopt(streams, dbVersions);
    await this.write(client, this.plan(batch, existing, dbVersions));
  }

  /** Version-checks and hashes a batch in position order; writes nothing. */
  private plan(batch: Pending[], existing: Map<string, Known>, dbVersions: Map<string, number>): BatchPlan {
    return planBatch(batch, existing, dbVersions, { head: this.head, versions: this.versions.versions });
  }

  /**
   * Inserts a planned batch (one statement: all or nothing), with the tiles the commit before it
   * grew, then answers every caller. The batch's leaves are hashed into the tree while Postgres
   * writes the rows: nobody waits for the tree.
   */
  private async write(client: Client, plan: BatchPlan): Promise<void> {
    const wrote = plan.rows.positions.length > 0;
    if (wrote) {
      const inserted = insertLedgerRows(
        client,
        plan.rows,
        'ledger_events',
        this.tree.pendingTiles,
        this.opts.signCommit?.(plan.head.position, plan.head.hash),
      );
      const grown = this.tree.grow(plan.rows.hashes);
      await inserted;
      grown.keep();
      this.head = plan.head;
      this.versions.remember(plan.batchVersions);
    }
    for (const { p, error } of plan.rejected) p.reject(error);
    for (const { p, result } of plan.answers) p.resolve(result);
    if (wrote) this.opts.onCommitted?.(this.currentHead(), plan.committed);
  }
}
