/** What the work-order service's and store's integration specifications share. */
import { randomUUID } from 'node:crypto';
import {
  ActionAnswer,
  CommitRequest,
  isWorkgateError,
  ReadStreamRequest,
  RequestActionDto,
  RpcContract,
  Subjects,
  WorkOrderAnswer,
  WorkgateError,
  WorkOrderCommand,
  workOrderStream,
} from '@workgate/contracts';
import type { NatsConnection } from 'nats';
import { NoticeBus, RpcClient } from '@workgate/messaging';
import { startTestWorkgate, TestWorkgate } from '../../test/support/workgate';
import { LedgerCommits, LedgerReads } from './ledger-commits';
import { StreamStartAsks } from './stream-start-asks';
import { requestOf, WorkOrderRequest, workOrderIdFor } from './work-order-requests';
import { WorkOrderStore } from './work-order.store';
import { WorkflowVersions } from './workflow-versions';
import { WorkOrdersService } from './work-orders.service';

export const SOURCE = 'helpdesk';

const isObject = (x: unknown): x is object => typeof x === 'object' && x !== null;
const isCommit = (x: unknown): x is CommitRequest => isObject(x) && 'appends' in x && Array.isArray(x.appends);
const isRead = (x: unknown): x is ReadStreamRequest => isObject(x) && 'streamId' in x && typeof x.streamId === 'string';
const parsed = (bytes: Uint8Array): unknown => JSON.parse(Buffer.from(bytes).toString());

/** The items of a batch request that are what `is` says. */
function itemsOf<T>(body: unknown, is: (x: unknown) => x is T): T[] {
  if (!isObject(body) || !('items' in body) || !Array.isArray(body.items)) return [];
  const items: unknown[] = body.items;
  return items.filter(is);
}

/** Requests over NATS to the running services, keeping every commit that reaches the ledger. */
export class CountingRpc extends RpcClient {
  readonly commits: CommitRequest[][] = [];
  /** The stream reads of each request on read-stream-batch. */
  readonly readBatches: ReadStreamRequest[][] = [];

  override request<Req, Res>(
    contract: RpcContract<Req, Res>,
    payload: Req,
    options?: { timeoutMs?: number },
  ): Promise<Res> {
    if (contract.subject === Subjects.ledger.appendBatch.subject) this.commits.push(itemsOf(payload, isCommit));
    return super.request(contract, payload, options);
  }

  override requestEncoded<Req, Res>(
    contract: RpcContract<Req, Res>,
    bytes: Uint8Array,
    options?: { timeoutMs?: number },
  ): Promise<Res> {
    if (contract.subject === Subjects.ledger.readStreamBatch.subject)
      this.readBatches.push(itemsOf(parsed(bytes), isRead));
    if (contract.subject === Subjects.ledger.appendBatch.subject) this.commits.push(itemsOf(parsed(bytes), isCommit));
    return super.requestEncoded(contract, bytes, options);
  }
}

/** A CountingRpc whose reads of work orders together (read-stream-batch) are refused with `refusal`. */
export class BatchReadsRefused extends CountingRpc {
  constructor(
    nc: NatsConnection,
    private readonly refusal: WorkgateError,
  ) {
    super(nc, 5000, false);
  }

  override requestEncoded<Req, Res>(
    contract: RpcContract<Req, Res>,
    bytes: Uint8Array,
    options?: { timeoutMs?: number },
  ): Promise<Res> {
    if (contract.subject === Subjects.ledger.readStreamBatch.subject) return Promise.reject(this.refusal);
    return super.requestEncoded(contract, bytes, options);
  }
}

/** The service and its store as intake wires them, over `rpc`. */
export function workOrdersOver(rpc: RpcClient, workflows: WorkflowVersions) {
  const reads = new LedgerReads(rpc);
  const store = new WorkOrderStore(new LedgerCommits(rpc), reads, new StreamStartAsks(rpc));
  return { store, service: new WorkOrdersService(store, workflows, reads) };
}

/**
 * The service and its store over the real ledger, policy, approvals and exceptions services over
 * NATS (no intake, no gateway), started before a specification's tests and closed after
 * them; the commits are counted from each test's start.
 */
export function serviceOverLedger() {
  let t: TestWorkgate | undefined;
  let started: { rpc: CountingRpc; workflows: WorkflowVersions; service: WorkOrdersService } | undefined;
  const on = () => {
    if (!t || !started) throw new Error('the workgate has not started');
    return { t, ...started };
  };
  beforeAll(async () => {
    t = await startTestWorkgate({ without: ['intake', 'gateway'] });
    const rpc = new CountingRpc(t.nc, 5000, false);
    const workflows = new WorkflowVersions(rpc, new NoticeBus(t.nc));
    started = { rpc, workflows, service: workOrdersOver(rpc, workflows).service };
  });
  afterAll(async () => {
    started?.workflows.onApplicationShutdown();
    await t?.close();
  });
  beforeEach(() => on().rpc.commits.splice(0));

  const stream = (streamId: string) => on().rpc.request(Subjects.ledger.readStream, { streamId });
  return {
    get t() {
      return on().t;
    },
    get rpc() {
      return on().rpc;
    },
    get workflows() {
      return on().workflows;
    },
    get service() {
      return on().service;
    },
    /** A stream as the ledger holds it. */
    stream,
    /** The types of a work order's events, in order. */
    types: async (ref: string) => (await stream(workOrderStream(idOf(ref)))).events.map((e) => e.type),
  };
}

/** A command as a source sends it (its route's body), as intake runs it. */
export const request = (ref: string, command: WorkOrderCommand, actor = `source:${SOURCE}`): WorkOrderRequest =>
  requestOf({
    address: { source: SOURCE, externalRef: ref },
    command,
    meta: { commandId: randomUUID(), actor, now: new Date().toISOString(), channel: SOURCE },
  });
export const open = (ref: string, inputs: Record<string, unknown> = { caseId: ref, orderId: '1', orderPaid: true }) =>
  request(ref, {
    type: 'OpenWorkOrder',
    body: { jobType: 'support-recovery', inputs, source: SOURCE, externalRef: ref },
  });
export const act = (ref: string, body: RequestActionDto) => request(ref, { type: 'RequestAction', body });
export const note: RequestActionDto = {
  system: 'shop',
  operation: 'order.note',
  kind: 'write',
  objects: ['order:1'],
  facts: { orderFulfilled: false, addressValidated: true },
};
export const refund: RequestActionDto = {
  system: 'payments',
  operation: 'refund',
  kind: 'write',
  facts: { amount: 20 },
};
export const read: RequestActionDto = { system: 'shop', operation: 'order', kind: 'read' };
export const idOf = (ref: string) => workOrderIdFor(SOURCE, ref);

/** An action's answer: the answer of an action request, else a failed expectation. */
export function actionAnswer(answer: WorkOrderAnswer): ActionAnswer {
  if (!('decision' in answer) || !('rule' in answer))
    throw new Error(`not an action's answer: ${JSON.stringify(answer)}`);
  return answer;
}

/** What a settled command came to: its decision, or the code it was refused with. */
export function outcomeOf(s: PromiseSettledResult<{ answer: WorkOrderAnswer }>): string | undefined {
  if (s.status === 'fulfilled') return actionAnswer(s.value.answer).decision;
  return isWorkgateError(s.reason) ? s.reason.code : undefined;
}
