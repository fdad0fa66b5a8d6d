import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import {
  CATALOG_STREAM,
  CatalogEvents,
  eventOf,
  ExceptionCode,
  Notices,
  Subjects,
  WorkgateError,
  Written,
} from '@workgate/contracts';
import { deterministicUuid } from '@workgate/domain';
import { foldStream, NoticeBus, pagesOver, patiently, retryOnConflict, RpcClient } from '@workgate/messaging';
import { ConfigFiles, WorkgateConfig } from '@workgate/config';
import { readCatalog, readCatalogEntries } from './catalog-entries';

const DEFINED = CatalogEvents.CodeDefined;
const REFRESH_MS = 2000;

/**
 * The exception-code catalog, kept in the ledger (`catalog-exception-codes`, one
 * `ExceptionCodeDefined` event per code added or changed): seeded from WORKGATE_EXCEPTION_CODES
 * on the first start, managed over the API afterwards. Every instance reads it back from the
 * ledger (at most every 2 s), so all agree.
 */
@Injectable()
export class ExceptionCatalog implements OnModuleInit {
  private codes: ExceptionCode[] = [];
  private version = 0;
  private loadedAt = 0;
  private readonly logger = new Logger('exceptions');

  constructor(
    @Inject(WorkgateConfig) private readonly config: WorkgateConfig,
    private readonly rpc: RpcClient,
    private readonly notices: NoticeBus,
  ) {}

  async onModuleInit(): Promise<void> {
    // The ledger may still be starting (services start in any order), or admitting its writer (it
    // answers reads before appends): wait for it, saying so.
    const waiting = { log: (m: string) => this.logger.warn(m) };
    await patiently('read the exception-code catalog from the ledger', () => this.refresh(true), waiting);
    if (this.version === 0)
      await patiently('seed the exception-code catalog in the ledger', () => this.seed(), waiting);
    this.logger.log(`exception-code catalog: ${this.codes.length} codes`);
  }

  private async seed(): Promise<void> {
    const seedCodes = readCatalog(ConfigFiles.text(this.config.WORKGATE_EXCEPTION_CODES));
    try {
      await this.rpc.request(Subjects.ledger.append, {
        streamId: CATALOG_STREAM,
        expectedVersion: 'no_stream',
        events: seedCodes.map((c) => ({
          eventId: deterministicUuid('catalog-seed', c.code),
          type: DEFINED,
          data: { ...c },
          metadata: { actor: 'seed', producer: 'exceptions' },
        })),
      });
    } catch (error) {
      if ((error as WorkgateError).code !== 'version_conflict') throw error; // another instance seeded it
    }
    await this.refresh(true);
  }

  private async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.loadedAt < REFRESH_MS) return;
    const stream = await foldStream(
      pagesOver(this.rpc),
      CATALOG_STREAM,
      new Map<string, ExceptionCode>(),
      (byCode, recorded) => {
        const e = eventOf(recorded, 'catalog', DEFINED);
        return e ? byCode.set(e.data.code, e.data) : byCode;
      },
    );
    this.codes = [...stream.state.values()].sort((a, b) => a.code.localeCompare(b.code));
    this.version = stream.version;
    this.loadedAt = Date.now();
  }

  /** The codes as last read (refreshed in the background when stale). */
  list(): ExceptionCode[] {
    if (Date.now() - this.loadedAt >= REFRESH_MS) void this.refresh().catch(() => undefined);
    return this.codes;
  }

  async current(): Promise<ExceptionCode[]> {
    await this.refresh();
    return this.codes;
  }

  /** Adds a code or changes one (title, owner, SLA); refuses a malformed entry with every problem. */
  async define(entry: ExceptionCode, actor: string): Promise<Written<ExceptionCode>> {
    const [checked] = readCatalogEntries([entry], (_, field) => field);
    return retryOnConflict(async () => {
      await this.refresh(true);
      const appended = await this.rpc.request(Subjects.ledger.append, {
        streamId: CATALOG_STREAM,
        expectedVersion: this.version,
        events: [
          {
            eventId: deterministicUuid('catalog', checked.code, String(this.version + 1)),
            type: DEFINED,
            data: { ...checked },
            metadata: { actor, producer: 'exceptions' },
          },
        ],
      });
      await this.refresh(true);
      this.notices.publish(Notices.exceptionCodeDefined, { code: checked.code });
      return { answer: checked, position: appended.positions[0] };
    });
  }
}
