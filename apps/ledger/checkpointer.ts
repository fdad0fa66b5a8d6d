import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { headers as natsHeaders, NatsConnection } from 'nats';
import { Streams, WorkgateError } from '@workgate/contracts';
import { WorkgateConfig } from '@workgate/config';
import { isSignedCheckpointRow, verifyLedger, WriterAdmission } from '@workgate/event-store';
import { counter, NATS_CONNECTION } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';
import {
  checkpointFiles,
  historyProblem,
  keptRefusal,
  lastKeptCheckpoint,
  lastPublishedCheckpoint,
  lostTail,
  SignedTree,
} from './checkpoint-history';
import { LedgerStore } from './ledger-store';

const refusals = counter({
  name: 'workgate_checkpoint_refusals_total',
  help: 'Checkpoints the ledger refused to sign: the history is not consistent with the last one signed',
});

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Signs checkpoints of the ledger's Merkle tree (C2SP signed notes) on a cadence when the tree
 * grew, and on request; each is kept in `ledger_checkpoints`, appended to a file under the data
 * directory and published on JetStream `CHECKPOINTS`, so copies live outside the ledger table.
 *
 * It never signs a history inconsistent with the last checkpoint signed: the ledger must still hold
 * that checkpoint's last leaf at its position (the chain makes it depend on every earlier event),
 * the stored tree must still give its root, the leaves written since must lead from it to the
 * writer's root, and no row may stand past what the writer wrote. Otherwise it refuses, says why
 * (log, metric, health) and keeps refusing, across restarts, until an operator removes the
 * refusal file after restoring the ledger.
 *
 * It also decides, when the writer takes the lock and before it writes, whether the writer may
 * extend the ledger it found: every event past the last checkpoint signed must be covered by a
 * writer's commit signature (and hash to its content); the writer refuses otherwise.
 */
@Injectable()
export class Checkpointer implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('checkpoints');
  private readonly file: string;
  private readonly refusalFile: string;
  /** Present once this data directory's writer has signed commits of the ledger: no unsigned tail is adopted again. */
  private readonly signedFile: string;
  private readonly everyMs: number;
  private last?: SignedTree;
  private loaded = false;
  private refusal?: { reason: string; since: string };
  private signing?: Promise<SignedTree>;
  private timer?: NodeJS.Timeout;
  /** Rows up to here were recomputed from their content before a checkpoint was signed over them. */
  private contentChecked = 0;

  constructor(
    private readonly store: LedgerStore,
    @Inject(WorkgateConfig) config: WorkgateConfig,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {
    const files = checkpointFiles(config.WORKGATE_DATA_DIR, config.DATABASE_URL);
    this.file = files.checkpoints;
    this.refusalFile = files.refusal;
    this.signedFile = files.commitsSigned;
    this.everyMs = parseDuration(config.WORKGATE_CHECKPOINT_EVERY) ?? 10_000;
    if (existsSync(this.refusalFile)) this.refusal = keptRefusal(readFileSync(this.refusalFile, 'utf8'));
    store.admitWith(() => this.admit());
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.onCadence(), this.everyMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Why checkpoints are refused, if they are. */
  get refused(): { reason: string; since: string } | undefined {
    return this.refusal;
  }

  /**
   * The newest checkpoint signed (signing one now when the tree has grown and this is the writer).
   * A signing under way when asked may predate the events the caller needs (up to position
   * `covering`): then one more is signed.
   */
  async latest(covering = 0): Promise<SignedTree> {
    if (this.refusal) throw new WorkgateError('unavailable', `checkpoints are refused: ${this.refusal.reason}`);
    if (this.store.writer.isActive) {
      const signed = await this.sign();
      return signed.size >= covering ? signed : this.sign();
    }
    await this.load();
    if (this.last) return this.last;
    throw new WorkgateError('unavailable', 'no checkpoint has been signed yet');
  }

  private async onCadence(): Promise<void> {
    if (!this.store.writer.isActive || this.refusal) return;
    // Signs when the tree grew; either way checks the history since the last one (a forged row is found within a period).
    await this.sign().catch((error: unknown) => this.logger.warn(`no checkpoint signed: ${messageOf(error)}`));
  }

  /** One signing at a time: a request during one waits for it. */
  private sign(): Promise<SignedTree> {
    this.signing ??= this.signNow().finally(() => (this.signing = undefined));
    return this.signing;
  }

  private async signNow(): Promise<SignedTree> {
    await this.load();
    if (this.refusal) throw new WorkgateError('unavailable', `checkpoints are refused: ${this.refusal.reason}`);
    const { size, root } = this.store.writer.currentTree();
    const last = this.last;
    // Checked even when nothing was written since: rows may have been added or changed around the writer.
    const problem = await historyProblem(this.store, last, size, root);
    if (problem) {
      this.refuse(problem);
      throw new WorkgateError('unavailable', `checkpoints are refused: ${problem}`);
    }
    if (last && last.size === size) return last;
    const altered = await this.alteredRow(last?.size ?? 0, size);
    if (altered) {
      this.refuse(altered);
      throw new WorkgateError('unavailable', `checkpoints are refused: ${altered}`);
    }
    const { rows } = await this.store.pool.query<{ hash: string; signature: Buffer | null }>(
      'SELECT e.hash, s.signature FROM ledger_events e LEFT JOIN ledger_commit_signatures s USING (position) WHERE e.position = $1',
      [size],
    );
    // The writer's signature of its last commit covers every event since the last checkpoint (the chain hash covers them).
    if (size > 0 && !(rows[0]?.signature && this.store.signer.verifyCommit(size, rows[0].hash, rows[0].signature))) {
      const problem = `position ${size} carries no valid writer signature: the ledger writer did not write it`;
      this.refuse(problem);
      throw new WorkgateError('unavailable', `checkpoints are refused: ${problem}`);
    }
    const signed: SignedTree = {
      size,
      root,
      lastLeaf: size > 0 ? rows[0].hash : null,
      note: this.store.signer.signTree(size, root),
      signedAt: new Date().toISOString(),
    };
    await this.store.ledgerPool.query(
      'INSERT INTO ledger_checkpoints (tree_size, root_hash, last_leaf, note, signed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (tree_size) DO NOTHING',
      [signed.size, signed.root, signed.lastLeaf, signed.note, signed.signedAt],
    );
    this.keepOutside(signed);
    this.last = signed;
    return signed;
  }

  /**
   * Whether the writer, holding the lock and before it writes, may extend the ledger: every event
   * past the last checkpoint signed hashes to its content and is covered by a commit signature of
   * this ledger's key, and the history is consistent with that checkpoint. A ledger written before
   * commits were signed (no signature at all, none ever made from this data directory) has its
   * tail past the last checkpoint adopted: the writer signs its head.
   */
  private async admit(): Promise<WriterAdmission> {
    // Read afresh at every admission: a standby instance may have loaded it long before it takes over.
    await this.load(true);
    const from = this.last?.size ?? 0;
    const { size, root } = this.store.writer.currentTree();
    // A lost tail (a truncation, a standby promoted without it) is named by the positions gone, before any walk.
    const lost = lostTail(size, from);
    if (lost) return { ok: false, reason: `ledger ${this.store.signer.origin}: ${lost}` };
    const earlier =
      !existsSync(this.signedFile) &&
      (await this.store.pool.query('SELECT 1 FROM ledger_commit_signatures LIMIT 1')).rows.length === 0;
    const walked = await verifyLedger(this.store.pool, {
      after: from,
      ...(earlier ? {} : { signatures: { from, verify: this.store.signer.verifyCommit } }),
    });
    const problem = walked.ok ? await historyProblem(this.store, this.last, size, root) : walked.problem;
    // The writer logs the refusal at error level and counts it (the same way as rows appearing around it while it runs).
    if (problem) return { ok: false, reason: `ledger ${this.store.signer.origin}: ${problem}` };
    const adopt = earlier && walked.headPosition > from;
    if (adopt)
      this.logger.warn(
        `adopting positions ${from + 1} to ${walked.headPosition}, written before commits were signed and after the last checkpoint: the writer signs them now`,
      );
    try {
      // Written once: its presence is what counts (the time is when this data directory first admitted the writer).
      if (!existsSync(this.signedFile)) {
        mkdirSync(join(this.signedFile, '..'), { recursive: true });
        writeFileSync(this.signedFile, `${new Date().toISOString()}\n`, { flag: 'wx' });
      }
    } catch (error) {
      this.logger.warn(`cannot keep ${this.signedFile}: ${(error as Error).message}`);
    }
    return { ok: true, adopt };
  }

  /**
   * Why a row it is about to sign over does not verify (its content does not hash to its chain
   * hash, or it does not chain on), or undefined: every row past the last checkpoint signed, up to
   * `size`, is recomputed from its content once, before the first checkpoint over it.
   */
  private async alteredRow(from: number, size: number): Promise<string | undefined> {
    const after = Math.max(from, this.contentChecked);
    if (size <= after) return undefined;
    const walked = await verifyLedger(this.store.pool, { after, until: size });
    if (!walked.ok) return walked.problem;
    this.contentChecked = size;
    return undefined;
  }

  private refuse(reason: string): void {
    this.refusal = { reason, since: new Date().toISOString() };
    refusals.inc();
    this.logger.error(`refusing to sign checkpoints: ${reason}. Restore the ledger, then remove ${this.refusalFile}`);
    try {
      mkdirSync(join(this.refusalFile, '..'), { recursive: true });
      writeFileSync(this.refusalFile, JSON.stringify(this.refusal));
    } catch (error) {
      this.logger.error(`cannot keep the refusal in ${this.refusalFile}: ${(error as Error).message}`);
    }
  }

  /**
   * The last checkpoint signed: the latest of the table's, the file's and the one on CHECKPOINTS
   * (any may have been tampered with, or lost with a database's tail), and the one this process signed.
   */
  private async load(fresh = false): Promise<void> {
    if (this.loaded && !fresh) return;
    const { rows } = await this.store.pool.query<{
      tree_size: number;
      root_hash: Buffer;
      last_leaf: string | null;
      note: string;
      signed_at: Date;
    }>(
      'SELECT tree_size, root_hash, last_leaf, note, signed_at FROM ledger_checkpoints ORDER BY tree_size DESC LIMIT 1000',
    );
    // Only a row whose note this key signed, for that size and root, vouches for the events up to it.
    const row = rows.find((r) => isSignedCheckpointRow(r, this.store.signer.verifierKey));
    const fromTable = row && {
      size: row.tree_size,
      root: row.root_hash,
      lastLeaf: row.last_leaf,
      note: row.note,
      signedAt: row.signed_at.toISOString(),
    };
    const key = this.store.signer.verifierKey;
    const fromFile = lastKeptCheckpoint(this.file, key);
    const published = await lastPublishedCheckpoint(await this.nc.jetstreamManager(), key, this.store.pool);
    this.last = [this.last, fromTable, fromFile, published]
      .filter((c): c is SignedTree => !!c)
      .sort((a, b) => b.size - a.size)[0];
    this.loaded = true;
  }

  /** A copy in the data directory and one on JetStream; neither failing stops the signing. */
  private keepOutside(signed: SignedTree): void {
    try {
      mkdirSync(join(this.file, '..'), { recursive: true });
      appendFileSync(
        this.file,
        `${JSON.stringify({ size: signed.size, lastLeaf: signed.lastLeaf, note: signed.note, signedAt: signed.signedAt })}\n`,
      );
    } catch (error) {
      this.logger.warn(`cannot keep checkpoint ${signed.size} in ${this.file}: ${(error as Error).message}`);
    }
    const h = natsHeaders();
    h.set('Nats-Msg-Id', `${this.store.signer.origin}:${signed.size}`);
    h.set('Content-Type', 'text/plain; charset=utf-8');
    this.nc
      .jetstream()
      .publish(Streams.checkpoints.subjects[0], Buffer.from(signed.note), { headers: h })
      .catch((error: unknown) => this.logger.warn(`cannot publish checkpoint ${signed.size}: ${messageOf(error)}`));
  }
}
