import { NatsConnection } from 'nats';
import { RecordedEvent, Streams } from '@workgate/contracts';
import { Outcome, RunningConsumer, runPullConsumer } from './pull-consumer';
import { decodeJson } from './wire';

export interface LedgerReaction {
  /** Durable consumer name. */
  durable: string;
  /** LEDGER subject filter, e.g. `ledger.workorder.ActionDecided`. */
  subject: string;
  /** Reacts to one committed ledger event; resolves after its own commit. */
  react(event: RecordedEvent): Promise<Outcome>;
}

/**
 * Services react to what the ledger committed through durable consumers of the LEDGER stream:
 * the log is the source, a reaction is acked only after its own commit, and reactions are
 * idempotent (deterministic ids), so a redelivery records nothing twice.
 */
export function runLedgerReaction(
  nc: NatsConnection,
  reaction: LedgerReaction,
  deadLetter: Parameters<typeof runPullConsumer>[1]['deadLetter'],
  log?: (m: string) => void,
): Promise<RunningConsumer> {
  return runPullConsumer(nc, {
    stream: Streams.ledger.name,
    durable: reaction.durable,
    filterSubject: reaction.subject,
    batch: 128,
    concurrency: 2,
    handle: (messages) =>
      Promise.all(
        messages.map(async (m): Promise<Outcome> => {
          let event: RecordedEvent;
          try {
            event = decodeJson<RecordedEvent>(m.data);
          } catch {
            return { kind: 'reject', reason: 'not a ledger event' };
          }
          try {
            return await reaction.react(event);
          } catch (error) {
            return { kind: 'retry', reason: (error as Error).message };
          }
        }),
      ),
    deadLetter,
    log,
  });
}
