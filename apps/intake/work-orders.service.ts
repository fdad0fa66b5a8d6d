import { Injectable } from '@nestjs/common';
import {
  AppendRequest,
  CommandReply,
  DecidedCommandRequest,
  Receipt,
  ReceiptRequest,
  refuse,
  requireUuid,
  WorkOrderAnswer,
} from '@workgate/contracts';
import {
  answerOf,
  WorkOrder,
  WorkOrderCommand,
  WorkOrderContext,
  WorkOrderEvent,
  workOrderOutcomesOf,
  workOrders,
  WorkOrderState,
} from '@workgate/domain';
import { CompiledWorkflow } from '@workgate/workflow';
import { decisionDuration, decisions } from './intake.metrics';
import { LedgerReads } from './ledger-commits';
import { receiptOf, receiptWorkOrderOf } from './receipts';
import { resolveId, WorkOrderRequest } from './work-order-requests';
import { Decision, Handled, Step, WorkOrderStore } from './work-order.store';
import { WorkflowVersions } from './workflow-versions';

export { workOrderIdFor } from './work-order-requests';

/** Commands run in order: the replies of those recorded, and the error that stopped the rest. */
export interface InOrder {
  replies: CommandReply[];
  error?: unknown;
}

/** What a caller in this process is told when its command is decided, before the commit. */
type Decided = DecidedCommandRequest['decided'];

/** The answer to a command: from the event that answers it, or the work order as it stands when it recorded nothing. */
export function answerFor(state: WorkOrder, commandId: string): WorkOrderAnswer {
  const handled = state.handled.get(commandId);
  return handled ? answerOf(handled, state) : { id: state.id, status: state.status };
}

/** The events of a command, decided on `state` with `ctx`. */
function decision(command: WorkOrderCommand, state: WorkOrderState, ctx: WorkOrderContext): Decision {
  return { events: workOrders.decide(command, state, ctx) };
}

/**
 * Runs work-order commands: the store loads the work order and commits, the domain decides, over
 * the workflow version the work order runs on; the answer comes after the commit, with its
 * position, so every id in it exists. A retried command (same command id) answers as the first
 * time and writes nothing.
 */
@Injectable()
export class WorkOrdersService {
  constructor(
    private readonly store: WorkOrderStore,
    private readonly workflows: WorkflowVersions,
    private readonly ledger: LedgerReads,
  ) {}

  /**
   * Runs a command; `id` is the work order it addresses when the caller already resolved it.
   * `decided`, when given, is told the answer as soon as it is decided, before its commit (the
   * reply waits for the commit).
   */
  async execute(req: WorkOrderRequest, id = resolveId(req), decided?: Decided): Promise<CommandReply> {
    const arrived = performance.now();
    const handled = await this.store.handle(id, this.step(id, req, decided));
    measure(req, handled, arrived);
    return this.reply(req, handled);
  }

  /** Consecutive commands on one work order, recorded together where they decide together (see WorkOrderStore.handleInOrder). */
  async executeInOrder(id: string, reqs: WorkOrderRequest[]): Promise<InOrder> {
    const arrived = performance.now();
    const { handled, error } = await this.store.handleInOrder(
      id,
      reqs.map((req) => this.step(id, req)),
    );
    handled.forEach((h, i) => measure(reqs[i], h, arrived));
    return { replies: handled.map((h, i) => this.reply(reqs[i], h)), error };
  }

  /**
   * An approval's decision or an exception's resolution committed with the outcome it causes on its
   * work order (see WorkOrderStore.commitWith): the position answered covers both.
   */
  commitWithOutcome(id: string, also: AppendRequest): Promise<number> {
    const now = new Date().toISOString();
    const reqs = workOrderOutcomesOf(also).map((o): WorkOrderRequest => ({
      address: { workOrderId: id },
      command: o.command,
      meta: { commandId: o.commandId, actor: o.actor, now: o.occurredAt ?? now, channel: o.channel },
    }));
    return this.store.commitWith(
      id,
      reqs.map((req) => this.step(id, req)),
      also,
    );
  }

  /** A decision or step receipt, with its inclusion proof when the ledger has one. */
  async receipt(req: ReceiptRequest): Promise<Receipt> {
    const receiptId = requireUuid(req?.receiptId, 'receipt');
    const e = await this.ledger.event(receiptId);
    const workOrderId = e && receiptWorkOrderOf(e);
    if (!e || !workOrderId) throw refuse('not_found', 'no receipt has that id');
    const { state } = await this.existing(workOrderId);
    return receiptOf(e, state, req, await this.ledger.proof(e.position));
  }

  /** An existing work order and the workflow version it runs on, or `not_found`. */
  async existing(id: string): Promise<{ state: WorkOrder; workflow: CompiledWorkflow }> {
    const { state } = await this.store.load(id);
    if (state.status === 'none') throw refuse('not_found', `no work order ${id}`);
    return { state, workflow: await this.workflows.version(state.policy) };
  }

  private reply(req: WorkOrderRequest, handled: Handled): CommandReply {
    return { answer: answerFor(handled.state, req.meta.commandId), position: handled.position };
  }

  /** The command as the store runs it: decided on the state the store finds, with the context the work order needs. */
  private step(id: string, req: WorkOrderRequest, decided?: Decided): Step {
    return {
      opens: req.command.type === 'OpenWorkOrder',
      decide: (state) => {
        const ctx = this.contextNow(id, req, state);
        return ctx
          ? decision(req.command, state, ctx)
          : this.context(id, req, state).then((c) => decision(req.command, state, c));
      },
      ...(decided ? { told: (after: WorkOrder) => decided(answerFor(after, req.meta.commandId)) } : {}),
    };
  }

  /** The context of a command on an existing work order when everything it needs is at hand (the common case: no promise). */
  private contextNow(id: string, req: WorkOrderRequest, state: WorkOrderState): WorkOrderContext | undefined {
    if (state.status === 'none') return undefined;
    const workflow = this.workflows.known(state.policy);
    const catalog = this.workflows.knownCatalog();
    return workflow && catalog ? { meta: req.meta, workflow, catalog, workOrderId: id } : undefined;
  }

  /** What a command on `state` is decided with: the version the work order runs on (to open one: the current one), the catalog, time. */
  private async context(id: string, req: WorkOrderRequest, state: WorkOrderState): Promise<WorkOrderContext> {
    let workflow: CompiledWorkflow;
    if (state.status !== 'none') workflow = await this.workflows.version(state.policy);
    else if (req.command.type === 'OpenWorkOrder') workflow = await this.workflows.currentOf(req.command.jobType);
    else throw refuse('not_found', 'no such work order');
    return { meta: req.meta, workflow, catalog: await this.workflows.catalog(), workOrderId: id };
  }
}

/** The metrics of a recorded command: each decision it recorded, and how long an action request took to be decided and committed. */
function measure(req: WorkOrderRequest, handled: { events: WorkOrderEvent[] }, arrived: number): void {
  if (handled.events.length === 0) return;
  for (const e of handled.events)
    if (e.type === 'ActionDecided')
      decisions.inc({ decision: e.data.decision.decision, reason: e.data.decision.reason });
  if (req.command.type === 'RequestAction') decisionDuration.observe((performance.now() - arrived) / 1000);
}
