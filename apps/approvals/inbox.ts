import { NatsConnection } from 'nats';
import { inboxSubject, InboxMessage, Streams } from '@workgate/contracts';

/** The recipient's inbox, for visibility only (presence is never completion). */
export async function readInbox(nc: NatsConnection, recipient: string, filter: 'delegate_task' | 'execute' | 'all', since?: string): Promise<InboxMessage[]> {
  const consumer = await nc.jetstream().consumers.get(Streams.inbox.name, {
    filterSubjects: inboxSubject(recipient),
    ...(since ? { opt_start_time: new Date(since).toISOString() } : {}),
  });
  const out: InboxMessage[] = [];
  const batch = await consumer.fetch({ max_messages: 500, expires: 1000 });
  for await (const m of batch) {
    const message = JSON.parse(new TextDecoder().decode(m.data)) as InboxMessage;
    if (filter === 'all' || message.command === filter) out.push(message);
    if (m.info.pending === 0) break;
  }
  return out;
}
