/**
 * Notices (core NATS, no reply) a service sends after a commit and before it answers, so a command
 * that follows the answer is decided with what was written: a new workflow version, a changed
 * exception code. The ledger's own events follow later and say the same. Each notice is declared
 * once here, its subject beside its payload type and the check a received payload must pass.
 */
import { isPlainObject } from './json-problems';

/** A notice's subject and payload; `NoticeBus` (libs/messaging) publishes and receives it typed. */
export interface NoticeContract<T> {
  readonly subject: string;
  /** Whether a received payload is this notice's: one that is not is dropped, never handed on half-read. */
  readonly accepts: (payload: unknown) => payload is T;
}

export function notice<T>(subject: string, accepts: (payload: unknown) => payload is T): NoticeContract<T> {
  return { subject, accepts };
}

export type PayloadOf<C> = C extends NoticeContract<infer T> ? T : never;

/** A workflow version policy has just written: intake opens new work orders on it from now on. */
export interface WorkflowPublishedNotice {
  jobType: string;
  version: number;
  sha256: string;
}

/** An exception code the catalog has just added or changed: intake reads the catalog again. */
export interface ExceptionCodeDefinedNotice {
  code: string;
}

/** A ledger instance has just become the writer: requests in flight to the ledger are sent again. */
export interface LedgerWriterActiveNotice {
  instance: string;
  position: number;
}

export const Notices = {
  /** From policy, after its `WorkflowPublished` commit; to intake. */
  workflowPublished: notice(
    'workgate.notice.workflow-published',
    (p): p is WorkflowPublishedNotice =>
      isPlainObject(p) &&
      typeof p.jobType === 'string' &&
      typeof p.version === 'number' &&
      Number.isInteger(p.version) &&
      typeof p.sha256 === 'string',
  ),
  /** From exceptions, after its `ExceptionCodeDefined` commit; to intake. */
  exceptionCodeDefined: notice(
    'workgate.notice.exception-code-defined',
    (p): p is ExceptionCodeDefinedNotice => isPlainObject(p) && typeof p.code === 'string',
  ),
  /**
   * From the ledger, once it holds the writer's lock and serves appends; to every service. A writer
   * that died took the requests in flight to it along: each process sends its ledger requests in
   * flight again (docs/ledger.md, Single writer).
   */
  ledgerWriterActive: notice(
    'workgate.notice.ledger-writer-active',
    (p): p is LedgerWriterActiveNotice =>
      isPlainObject(p) &&
      typeof p.instance === 'string' &&
      typeof p.position === 'number' &&
      Number.isInteger(p.position),
  ),
} as const;
