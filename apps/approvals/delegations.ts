import { Inject, Injectable } from '@nestjs/common';
import { headers as natsHeaders, NatsConnection } from 'nats';
import {
  DelegationEvents,
  delegationStream,
  DelegationView,
  DispatchRequest,
  encodeNotification,
  inboxSubject,
  InboxMessage,
  ledgerSubject,
  notifySubject,
  RecordedEvent,
  Streams,
  Subjects,
  WorkflowVersion,
  WorkgateError,
} from '@workgate/contracts';
import {
  decideDelegation,
  DelegationCommand,
  DelegationEvent,
  DelegationState,
  deterministicUuid,
  evolveDelegation,
  initialDelegationState,
  TimeoutContract,
} from '@workgate/domain';
import { AggregateStore, DeadLetterSink, encodeJson, LedgerReaction, LedgerReactions, NATS_CONNECTION, Outcome, RpcClient } from '@workgate/messaging';
import { parseDuration } from '@workgate/workflow';

const DEFAULT_CONTRACT = { initialWait: 'PT30M', reminderEvery: 'PT15M', backoff: 2, hardTimeout: 'PT4H' };

/** Delegations as aggregates over the ledger (`delegation-<dispatchId>`). */
@Injectable()
export class DelegationsStore extends AggregateStore<DelegationState, DelegationCommand, DelegationEvent> {
  constructor(rpc: RpcClient) {
    super(rpc, {
      streamOf: delegationStream,
      initial: initialDelegationState,
      evolve: evolveDelegation,
      decide: decideDelegation,
      eventId: (id, version, type) => deterministicUuid('delegation', id, String(version), type),
    });
  }

  /** Dispatches under the work order's workflow contract (overridden by the request's timeouts). */
  async dispatch(req: DispatchRequest): Promise<DelegationView> {
    const workOrder = await this.rpc.request<{ jobType: string; workflow: { version: number }; status: string }>(Subjects.intake.get, { workOrderId: req.workOrderId });
    if (workOrder.status === 'closed') throw new WorkgateError('work_order_closed', `work order ${req.workOrderId} is closed`);
    const def = await this.rpc.request<WorkflowVersion>(Subjects.policy.get, { jobType: workOrder.jobType, version: workOrder.workflow.version });
    const c = { ...DEFAULT_CONTRACT, ...def.definition.delegation, ...req.timeouts };
    const ms = (name: string, iso: string | undefined) => {
      const v = parseDuration(iso);
      if (!v) throw new WorkgateError('validation_failed', `timeouts.${name} must be an ISO 8601 duration`);
      return v;
    };
    const timeouts: TimeoutContract = {
      initialWaitMs: ms('initialWait', c.initialWait),
      reminderEveryMs: ms('reminderEvery', c.reminderEvery),
      backoff: Number(c.backoff),
      hardTimeoutMs: ms('hardTimeout', c.hardTimeout),
    };
    const dispatchId = req.dispatchId;
    const state = await this.execute(
      dispatchId,
      { type: 'Dispatch', dispatchId, workOrderId: req.workOrderId, recipient: req.recipient, owner: def.definition.owner, by: req.by, command: req.command, prompt: req.prompt, timeouts },
      req.by,
    );
    return delegationView(state);
  }
}

export function delegationView(state: DelegationState): DelegationView {
  if (state.status === 'none') throw new WorkgateError('not_found', 'no such delegation');
  const { status, dispatchId, dispatchCreatedAt, workOrderId, recipient, owner, command, reminders, remindersSent, timeoutAt } = state;
  return { dispatchId, dispatchCreatedAt, status, workOrderId, recipient, owner, command, reminders, remindersSent, timeoutAt };
}

/**
 * After commit: a dispatched delegation is delivered to the recipient's durable inbox
 * (`workgate.inbox.<recipient>`, Nats-Msg-Id = dispatch id); reminders and the hard timeout
 * notify the owner that completion was not confirmed.
 */
@Injectable()
export class DelegationReactions extends LedgerReactions {
  constructor(@Inject(NATS_CONNECTION) nc: NatsConnection, sink: DeadLetterSink) {
    super(nc, sink, 'approvals');
  }

  protected reactions(): LedgerReaction[] {
    return [
      { durable: 'approvals-inbox-delivery', subject: ledgerSubject('delegation-x', DelegationEvents.Dispatched), react: (e) => this.deliver(e) },
      { durable: 'approvals-notify-reminders', subject: ledgerSubject('delegation-x', DelegationEvents.ReminderDue), react: (e) => this.remind(e) },
      { durable: 'approvals-notify-timeouts', subject: ledgerSubject('delegation-x', DelegationEvents.TimedOut), react: (e) => this.timedOut(e) },
    ];
  }

  private async deliver(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { dispatchId: string; dispatchCreatedAt: string; recipient: string; command: InboxMessage['command']; workOrderId: string; dispatchedBy: string; prompt: InboxMessage['prompt'] };
    const message: InboxMessage = { dispatchId: d.dispatchId, dispatchCreatedAt: d.dispatchCreatedAt, command: d.command, workOrderId: d.workOrderId, from: d.dispatchedBy, prompt: d.prompt };
    const h = natsHeaders();
    h.set('Workgate-Command', d.command);
    await this.nc.jetstream().publish(inboxSubject(d.recipient), encodeJson(message), { msgID: d.dispatchId, headers: h, expect: { streamName: Streams.inbox.name } });
    return { kind: 'ack' };
  }

  private async remind(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { dispatchId: string; notify: string; n: number; workOrderId: string; recipient: string };
    this.nc.publish(
      notifySubject(d.notify),
      encodeNotification({ kind: 'delegation-reminder', to: d.notify, at: e.occurredAt, workOrderId: d.workOrderId, ref: d.dispatchId, message: `delegation ${d.dispatchId} to ${d.recipient}: completion not confirmed yet (reminder ${d.n + 1})` }),
    );
    return { kind: 'ack' };
  }

  private async timedOut(e: RecordedEvent): Promise<Outcome> {
    const d = e.data as { dispatchId: string; notify: string; workOrderId: string; reason: string };
    this.nc.publish(
      notifySubject(d.notify),
      encodeNotification({ kind: 'delegation-timed-out', to: d.notify, at: e.occurredAt, workOrderId: d.workOrderId, ref: d.dispatchId, message: `${d.reason}: remote completion was not confirmed; the work order is stopped` }),
    );
    return { kind: 'ack' };
  }
}

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
