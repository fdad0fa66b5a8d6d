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

/** How long a start waits for a forming JetStream cluster to place its streams. */
const CLUSTER_PATIENCE_MS = 60_000;

/**
 * Whether a JetStream API error says the cluster is still forming (its meta leader not elected, or
 * too few peers known for the replicas asked): worth waiting out at a start, not a fault.
 */
export function isClusterForming(error: unknown): boolean {
  return (
    error instanceof Error &&
    /no suitable peers for placement|temporarily unavailable|insufficient resources/i.test(error.message)
  );
}

/**
 * Creates (or brings up to date) WORK_EVENTS, LEDGER, INBOX and CHECKPOINTS; safe to call from
 * every service at every start. On a JetStream cluster that is still forming (a whole fleet
 * started at once) it waits, saying so on `log`, for up to a minute.
 */
export async function ensureStreams(
  nc: NatsConnection,
  options: StreamOptions & { log?: (message: string) => void } = {},
): Promise<JetStreamManager> {
  const jsm = await nc.jetstreamManager();
  const until = Date.now() + CLUSTER_PATIENCE_MS;
  for (const config of streamConfigs(options)) {
    for (let pause = 250; ; pause = Math.min(pause * 2, 2000)) {
      try {
        await ensureStream(jsm, config);
        break;
      } catch (error) {
        if (!isClusterForming(error) || Date.now() >= until) throw error;
        options.log?.(`waiting for the JetStream cluster to place ${config.name}: ${(error as Error).message}`);
        await new Promise((r) => setTimeout(r, pause));
      }
    }
  }
  return jsm;
}

async function ensureStream(jsm: JetStreamManager, config: Partial<StreamConfig> & { name: string }): Promise<void> {
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
      return;
    } catch (error) {
      if (!isNotFound(error)) throw error;
      try {
        await jsm.streams.add(config);
        return;
      } catch (addError) {
        // Another service created it a moment ago: look again.
        if (attempt >= 2) throw addError;
      }
    }
  }
}
