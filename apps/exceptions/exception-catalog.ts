import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { CatalogEvents, ExceptionCode, Notices, Written } from '@workgate/contracts';
import { deterministicUuid, DomainEvent } from '@workgate/domain';
import { CommandStream, handle, ledgerStream, NoticeBus, patiently, RpcClient } from '@workgate/messaging';
import { ConfigFiles, WorkgateConfig } from '@workgate/config';
import { readCatalog, readCatalogEntries } from './catalog-entries';

const DEFINED = CatalogEvents.CodeDefined;
const REFRESH_MS = 2000;
/** The catalog's one stream: `catalog-exception-codes`. */
const CATALOG = 'exception-codes';

/** The catalog as read: each code's latest entry, and how many entries were recorded (the stream's version). */
interface Catalog {
  byCode: Map<string, ExceptionCode>;
  defined: number;
}

/**
 * The catalog's stream. Every entry is recorded under an id its decision fixes: a seeded code's by
 * the code alone, a later one's by the code and the stream version it makes.
 */
const catalog: CommandStream<Catalog, DomainEvent<'catalog'>>['def'] = {
  stream: 'catalog',
  initial: () => ({ byCode: new Map(), defined: 0 }),
  evolve: ({ byCode, defined }, e) => ({ byCode: byCode.set(e.data.code, e.data), defined: defined + 1 }),
  eventId: (id, version, type) => deterministicUuid('catalog', id, String(version), type),
};

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
  private readonly stream: CommandStream<Catalog, DomainEvent<'catalog'>>;

  constructor(
    @Inject(WorkgateConfig) private readonly config: WorkgateConfig,
    rpc: RpcClient,
    private readonly notices: NoticeBus,
  ) {
    this.stream = ledgerStream(rpc, catalog, 'exceptions');
  }

  async onModuleInit(): Promise<void> {
    // The ledger may still be starting (services start in any order), or admitting its writer (it
    // answers reads before appends): wait for it, saying so.
    const waiting = { log: (m: string) => this.logger.warn(m) };
    await patiently('read the exception-code catalog from the ledger', () => this.refresh(true), waiting);
    if (this.version === 0)
      await patiently('seed the exception-code catalog in the ledger', () => this.seed(), waiting);
    this.logger.log(`exception-code catalog: ${this.codes.length} codes`);
  }

  /** Records the configured codes in a catalog that has none yet (another instance may just have). */
  private async seed(): Promise<void> {
    const seedCodes = readCatalog(ConfigFiles.text(this.config.WORKGATE_EXCEPTION_CODES));
    await handle(
      this.stream,
      CATALOG,
      ({ defined }) =>
        defined > 0
          ? []
          : seedCodes.map((c) => ({
              eventId: deterministicUuid('catalog-seed', c.code),
              type: DEFINED,
              data: { ...c },
            })),
      { actor: 'seed', opens: true },
    );
    await this.refresh(true);
  }

  private async refresh(force = false): Promise<void> {
    if (!force && Date.now() - this.loadedAt < REFRESH_MS) return;
    const { state, version } = await this.stream.load(CATALOG);
    this.codes = [...state.byCode.values()].sort((a, b) => a.code.localeCompare(b.code));
    this.version = version;
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
    const { position } = await handle(
      this.stream,
      CATALOG,
      ({ defined }) => [
        {
          eventId: deterministicUuid('catalog', checked.code, String(defined + 1)),
          type: DEFINED,
          data: { ...checked },
        },
      ],
      { actor },
    );
    await this.refresh(true);
    this.notices.publish(Notices.exceptionCodeDefined, { code: checked.code });
    return { answer: checked, position };
  }
}
