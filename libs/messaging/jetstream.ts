import {
  DiscardPolicy,
  JetStreamManager,
  nanos,
  NatsConnection,
  RetentionPolicy,
  StorageType,
  StreamConfig,
} from 'nats';
import { isPlainObject, LedgerHeaders, Streams } from '@workgate/contracts';

export interface StreamOptions {
  /** Replicas per stream: 1 on one server, 3 on a cluster. */
  replicas?: number;
  /** Window in which a repeated Nats-Msg-Id is dropped by the server. */
  duplicateWindowMs?: number;
}

/** The evidence-carrying streams: messages can be neither deleted nor purged. */
export function streamConfigs(options: StreamOptions = {}): Array<Partial<StreamConfig> & { name: string }> {
  const common = {
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: options.replicas ?? 1,
    duplicate_window: nanos(options.duplicateWindowMs ?? 2 * 60_000),
    deny_delete: true,
    deny_purge: true,
    allow_rollup_hdrs: false,
  };
  return [
    { ...common, name: Streams.workEvents.name, subjects: [...Streams.workEvents.subjects] },
    { ...common, name: Streams.ledger.name, subjects: [...Streams.ledger.subjects] },
    { ...common, name: Streams.inbox.name, subjects: [...Streams.inbox.subjects] },
    { ...common, name: Streams.checkpoints.name, subjects: [...Streams.checkpoints.subjects] },
  ];
}

/**
 * The last message the relay put in `LEDGER`: its stream sequence, the ledger position it carries,
 * its event id (`Nats-Msg-Id`, '' when missing) and the chain hash the event carries (the ledger's
 * identity at that position; '' when missing). Position 0 and no event id while the stream is empty.
 */
export async function ledgerStreamTail(
  jsm: JetStreamManager,
): Promise<{ seq: number; position: number; eventId?: string; hash?: string }> {
  const { state } = await jsm.streams.info(Streams.ledger.name);
  if (state.messages === 0) return { seq: state.last_seq, position: 0 };
  const last = await jsm.streams.getMessage(Streams.ledger.name, { seq: state.last_seq });
  return {
    seq: state.last_seq,
    position: Number(last.header.get(LedgerHeaders.position)),
    eventId: last.header.get('Nats-Msg-Id'),
    hash: chainHashOf(last.string()),
  };
}

/** The `hash` a relayed event's JSON carries, or '' when it is not a relayed event. */
function chainHashOf(json: string): string {
  try {
    const event: unknown = JSON.parse(json);
    return isPlainObject(event) && typeof event.hash === 'string' ? event.hash : '';
  } catch {
    return '';
  }
}

/** Whether a JetStream API error says the stream or consumer does not exist. */
export function isNotFound(error: unknown): boolean {
  return error instanceof Error && /not found/i.test(error.message);
}

/** Creates (or brings up to date) WORK_EVENTS, LEDGER, INBOX and CHECKPOINTS; safe to call from every service at every start. */
export async function ensureStreams(nc: NatsConnection, options: StreamOptions = {}): Promise<JetStreamManager> {
  const jsm = await nc.jetstreamManager();
  for (const config of streamConfigs(options)) {
    for (let attempt = 0; ; attempt++) {
      try {
        const info = await jsm.streams.info(config.name);
        const c = info.config;
        const differs =
          c.deny_delete !== true ||
          c.deny_purge !== true ||
          c.duplicate_window !== config.duplicate_window ||
          JSON.stringify(c.subjects) !== JSON.stringify(config.subjects);
        if (differs) await jsm.streams.update(config.name, { ...c, ...config });
        break;
      } catch (error) {
        if (!isNotFound(error)) throw error;
        try {
          await jsm.streams.add(config);
          break;
        } catch (addError) {
          // Another service created it a moment ago: look again.
          if (attempt >= 2) throw addError;
        }
      }
    }
  }
  return jsm;
}
