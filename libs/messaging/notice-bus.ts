import { Logger } from '@nestjs/common';
import { headers, NatsConnection, Subscription } from 'nats';
import {
  EventData,
  eventOf,
  EventType,
  inboxSubject,
  InboxMessage,
  LedgerHeaders,
  ledgerEventSubject,
  NoticeContract,
  Notification,
  notifySubject,
  RecordedEvent,
  Streams,
  StreamType,
} from '@workgate/contracts';
import { decodeJson, encodeJson } from './wire';

/** A committed ledger event as the relay publishes it, typed by the ledger's event map. */
export type LedgerEvent<S extends StreamType, T extends EventType<S>> = RecordedEvent & {
  type: T;
  data: EventData<S, T>;
};

/** Something a service listens to until it stops. */
export interface Listening {
  stop(): void;
}

/**
 * The messaging adapter for what is told to every instance (core NATS, no queue group, no reply):
 * the notices declared in `libs/contracts/notices.ts`, and the ledger relay's committed events.
 * Payloads leave and arrive typed by their declaration; one that is not what its declaration
 * says is dropped with a warning.
 */
export class NoticeBus {
  private readonly logger = new Logger('notices');

  constructor(private readonly nc: NatsConnection) {}

  publish<T>(notice: NoticeContract<T>, payload: T): void {
    this.nc.publish(notice.subject, encodeJson(payload));
  }

  /**
   * Puts a delegated task in its recipient's durable inbox (`workgate.inbox.<recipient>`), once per
   * dispatch id (`Nats-Msg-Id`), with its command in a header for consumers that filter on it.
   */
  async deliver(recipient: string, message: InboxMessage): Promise<void> {
    const h = headers();
    h.set('Workgate-Command', message.command);
    await this.nc.jetstream().publish(inboxSubject(recipient), encodeJson(message), {
      msgID: message.dispatchId,
      headers: h,
      expect: { streamName: Streams.inbox.name },
    });
  }

  /** Tells a principal on `workgate.notify.<principal>` (nobody may be listening: nothing waits for it). */
  notify(notification: Notification): void {
    this.nc.publish(notifySubject(notification.to), encodeJson(notification));
  }

  /** Hands each notice received to `handle`, in the order they arrive. */
  subscribe<T>(notice: NoticeContract<T>, handle: (payload: T) => void): Listening {
    return this.listen(notice.subject, (data) => {
      const payload = parsed(data);
      if (!notice.accepts(payload)) throw new Error('the payload is not the notice its subject declares');
      handle(payload);
    });
  }

  /** Hands each event of one type the ledger relay publishes (from any instance) to `handle`. */
  onLedgerEvent<S extends StreamType, T extends EventType<S>>(
    stream: S,
    type: T,
    handle: (event: LedgerEvent<S, T>) => void,
  ): Listening {
    return this.listen(ledgerEventSubject(stream, type), (data) => {
      const event = eventOf(decodeJson<RecordedEvent>(data), stream, type);
      if (!event) throw new Error(`not a ${type} of a ${stream} stream`);
      handle(event);
    });
  }

  private listen(subject: string, receive: (data: Uint8Array) => void): Listening {
    const subscription: Subscription = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) return;
        try {
          receive(msg.data);
        } catch (error) {
          const position = msg.headers?.get(LedgerHeaders.position);
          this.logger.warn(
            `ignored a message on ${subject}${position ? ` (${position})` : ''}: ${(error as Error).message}`,
          );
        }
      },
    });
    return {
      stop: () => {
        if (!this.nc.isClosed()) subscription.unsubscribe();
      },
    };
  }
}

function parsed(data: Uint8Array): unknown {
  try {
    return decodeJson<unknown>(data);
  } catch {
    return undefined;
  }
}
