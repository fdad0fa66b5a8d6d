import { Injectable } from '@nestjs/common';
import {
  CommitRequest,
  CommitResult,
  isWorkgateError,
  InProcessSubjects,
  ReadStreamRequest,
  Receipt,
  RecordedEvent,
  WorkgateError,
  ReadStreamResult,
  Subjects,
} from '@workgate/contracts';
import { PreparedCommit, prepareCommit } from '@workgate/event-store';
import { BatchingRpcClient, RpcClient } from '@workgate/messaging';

/** Stream reads of one turn asked together at most (their answer stays under NATS's payload limit at FIRST_PAGE events each). */
const READS_PER_REQUEST = 64;

/**
 * How a commit reaches the ledger writer, one way each: in this process (the writer's route is
 * here, or on another thread of it), checked and put in canonical JSON here and handed over as
 * text (a thread clones text far more cheaply than object trees, and the writer does not
 * canonicalize again); otherwise over NATS as `append-batch`, checked there. Concurrent commits
 * travel together either way: one hand-off per burst (in-process: per pass of the event loop, as
 * HTTP commands each arrive in an I/O callback of their own), not one per command.
 */
@Injectable()
export class LedgerCommits {
  private readonly overNats: BatchingRpcClient<CommitRequest, CommitResult>;
  private readonly inProcess: BatchingRpcClient<PreparedCommit, CommitResult>;

  constructor(private readonly rpc: RpcClient) {
    this.overNats = new BatchingRpcClient(rpc, Subjects.ledger.appendBatch, { timeoutMs: 15_000 });
    this.inProcess = new BatchingRpcClient(rpc, InProcessSubjects.ledgerCommitPreparedBatch, {
      timeoutMs: 15_000,
      gather: 'phase',
    });
  }

  commit(request: CommitRequest): Promise<CommitResult> {
    if (!this.rpc.answersInProcess(InProcessSubjects.ledgerCommitPreparedBatch.subject))
      return this.overNats.call(request);
    let prepared: PreparedCommit;
    try {
      prepared = prepareCommit(request);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return this.inProcess.call(prepared);
  }
}

/**
 * Work orders this instance does not hold are read together: the first pages of the loads of one
 * turn (a JetStream batch's work orders) cost one round trip and one query, not one each.
 */
@Injectable()
export class LedgerReads {
  private readonly firstPages: BatchingRpcClient<ReadStreamRequest, ReadStreamResult>;

  constructor(readonly rpc: RpcClient) {
    this.firstPages = new BatchingRpcClient(rpc, Subjects.ledger.readStreamBatch, { maxBatch: READS_PER_REQUEST });
  }

  firstPage(request: ReadStreamRequest): Promise<ReadStreamResult> {
    return this.firstPages.call(request);
  }

  /** A recorded event by its id, or undefined when the ledger has none. */
  event(eventId: string): Promise<RecordedEvent | undefined> {
    return this.rpc.request(Subjects.ledger.getEvent, { eventId }).catch((error: unknown) => {
      if (isWorkgateError(error) && error.code === 'not_found') return undefined;
      throw error;
    });
  }

  /** The event's inclusion proof against a signed checkpoint, or why there is none. */
  proof(position: number): Promise<Pick<Receipt, 'proof' | 'proofUnavailable'>> {
    return this.rpc.request(Subjects.ledger.prove, { position }).then(
      (proof) => ({ proof }),
      (error: WorkgateError) => ({ proofUnavailable: error.message }),
    );
  }
}
