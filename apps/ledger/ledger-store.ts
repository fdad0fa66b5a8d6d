import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Pool } from 'pg';
import { LedgerHead } from '@workgate/contracts';
import { dbRoles, WorkgateConfig } from '@workgate/config';
import {
  CheckpointSigner,
  CommittedEvent,
  createPool,
  LedgerReader,
  LedgerWriter,
  lastSignedCheckpointSize,
  loadSigningKey,
  ProjectionRunner,
  signerFromKey,
  SignedFrontier,
  WriterAdmission,
} from '@workgate/event-store';
import { counter } from '@workgate/messaging';
import { timersProjection } from './views/timers.projection';
import { viewsProjection } from './views/views.projection';

const writerRefusals = counter({
  name: 'workgate_ledger_writer_refusals_total',
  help: 'Times the ledger writer refused to write: at start, an event past the last signed checkpoint that no writer signature covers or a history inconsistent with that checkpoint; while running, rows written around it',
});

type HeadListener = (head: LedgerHead, events: CommittedEvent[]) => void;
type ActiveListener = (active: boolean) => void;

/** The ledger's Postgres side: one writer (active or standby), a read pool and a reader. */
@Injectable()
export class LedgerStore implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ledger');
  /** Reads (the services' role). */
  readonly pool: Pool;
  /** The projections' role: the only one that writes the views. */
  readonly viewsPool: Pool;
  /** The ledger writer's role, for what it adds besides events (signed checkpoints). */
  readonly ledgerPool: Pool;
  readonly reader: LedgerReader;
  readonly writer: LedgerWriter;
  /** Views fed from the log; they run on the active writer and are woken by its commits. */
  readonly projections: ProjectionRunner;
  /** Signs checkpoints of the head with the ledger's Ed25519 key. */
  readonly signer: CheckpointSigner;
  /** The highest position a valid writer commit signature covers, as the database shows it. */
  readonly frontier: SignedFrontier;
  private readonly headListeners: HeadListener[] = [];
  private readonly activeListeners: ActiveListener[] = [];
  /** Set on shutdown: giving up the writer lock then is no standby. */
  private stopping = false;
  /** Decides whether the writer may extend the ledger it found (the checkpointer knows the last checkpoint signed). */
  private admission?: () => Promise<WriterAdmission>;

  constructor(@Inject(WorkgateConfig) config: WorkgateConfig) {
    // Each kind of access logs in as its own role: reading, writing the views, adding to the ledger.
    const roles = dbRoles(config);
    this.pool = createPool(config.DATABASE_URL, { role: roles.app, max: 4, applicationName: 'workgate-ledger' });
    this.viewsPool = createPool(config.DATABASE_URL, {
      role: roles.views,
      max: 2,
      applicationName: 'workgate-projections',
    });
    this.ledgerPool = createPool(config.DATABASE_URL, {
      role: roles.ledger,
      max: 1,
      applicationName: 'workgate-checkpoints',
    });
    this.signer = signerFromKey(
      loadSigningKey(config.WORKGATE_SIGNING_KEY, config.WORKGATE_DATA_DIR),
      config.WORKGATE_LEDGER_ORIGIN,
    );
    this.frontier = new SignedFrontier(this.pool, this.signer.verifyCommit, () =>
      lastSignedCheckpointSize(this.pool, this.signer.verifierKey),
    );
    // Every reader of this service reads up to the signed frontier only: the views, the relay's read-back, every read served.
    const signedUpTo = () => this.signedUpTo();
    this.reader = new LedgerReader(this.pool, signedUpTo);
    this.projections = new ProjectionRunner(this.viewsPool, [viewsProjection, timersProjection], {
      log: (m) => this.logger.warn(m),
      signedUpTo,
    });
    this.writer = new LedgerWriter(config.DATABASE_URL, {
      role: roles.ledger,
      signCommit: (position, hash) => this.signer.signCommit(position, hash),
      admit: () => this.admission?.() ?? Promise.resolve({ ok: true }),
      onCommitted: (head, events) => {
        this.projections.committed(events);
        this.headListeners.forEach((l) => l(head, events));
      },
      onActiveChange: (active) => {
        // A ledger the writer refuses may hold rows it did not write: no view folds them.
        if (active && !this.writer.refusing) this.projections.start();
        else void this.projections.stop();
        if (!this.stopping)
          this.logger.log(
            active ? 'this instance is the ledger writer' : 'this instance is not the ledger writer (standby)',
          );
        this.activeListeners.forEach((l) => l(active));
      },
      log: (m) => this.logger.log(m),
      logError: (m) => this.logger.error(m),
      onRefuse: () => writerRefusals.inc(),
    });
  }

  /**
   * The last position readers read: on the active writer its own head (every commit it made is
   * signed, and it adopted nothing it could not verify), elsewhere, or while the writer refuses,
   * the signed frontier read from the database.
   */
  signedUpTo(): number | Promise<number> {
    return this.writer.isActive && !this.writer.refusing
      ? this.writer.currentHead().position
      : this.frontier.position();
  }

  onCommitted(listener: HeadListener): void {
    this.headListeners.push(listener);
  }

  /** Who decides, once the writer holds the lock and before it writes, whether it may extend the ledger. */
  admitWith(admission: () => Promise<WriterAdmission>): void {
    this.admission = admission;
  }

  onActiveChange(listener: ActiveListener): void {
    this.activeListeners.push(listener);
  }

  onModuleInit(): void {
    // Not awaited: a standby keeps serving reads while it waits for the writer lock.
    void this.writer.start();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.projections.stop();
    await this.writer.stop();
    await Promise.all([this.pool.end(), this.viewsPool.end(), this.ledgerPool.end()]);
  }
}
