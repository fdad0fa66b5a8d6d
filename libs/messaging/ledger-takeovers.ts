import { Logger, OnApplicationShutdown } from '@nestjs/common';
import { Notices } from '@workgate/contracts';
import { Listening, NoticeBus } from './notice-bus';
import { RpcClient } from './rpc-client';

/** Every request to the ledger over NATS: its subjects' common prefix. */
const LEDGER_REQUESTS = 'workgate.ledger.';

/**
 * A ledger writer that dies takes the requests in flight to it along, and nothing answers them
 * until their time-out. When another instance becomes the writer it says so
 * (`workgate.notice.ledger-writer-active`), and this process sends its ledger requests in flight
 * again at once: a takeover costs the takeover's time, not a request's time-out. Reads are safe to
 * repeat; so are appends, whose event ids make a repeat of a committed one answer as the first
 * did (docs/ledger.md, Single writer).
 */
export class LedgerTakeovers implements OnApplicationShutdown {
  private readonly logger = new Logger('ledger-takeovers');
  private readonly listening: Listening;

  constructor(notices: NoticeBus, rpc: RpcClient) {
    this.listening = notices.subscribe(Notices.ledgerWriterActive, (notice) => {
      const sent = rpc.resendInFlight(LEDGER_REQUESTS);
      if (sent > 0)
        this.logger.log(
          `ledger instance ${notice.instance} took over the writer at position ${notice.position}: ${sent} request(s) in flight sent again`,
        );
    });
  }

  onApplicationShutdown(): void {
    this.listening.stop();
  }
}
