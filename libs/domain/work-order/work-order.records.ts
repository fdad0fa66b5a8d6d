import { hash } from 'node:crypto';
import { canonicalize, DecisionResult, ExceptionRef, Facts } from '@workgate/contracts';

/** An exception as its work order sees it: open until its own stream resolves it. */
export interface ExceptionOnWorkOrder extends ExceptionRef {
  open: boolean;
}

export interface ActionOnWorkOrder {
  decision: DecisionResult['decision'];
  /** The approval a `wait` opened. */
  approvalId?: string;
  /** A `wait` is pending until its approval is decided. */
  pending: boolean;
  /** A tool call (it named its arguments' hash): its approval can cover later calls. */
  toolCall?: boolean;
  /** The hash of its arguments (a tool call's). */
  argumentsSha256?: string;
  /** Who asked for it: only they may record its result. */
  requestedBy?: string;
  /** A tool call's wait: the rule and owner that held it, and its facts and objects (SHA-256), which an approval of it is bound to. */
  heldBy?: { rule: string | null; owner: string | null; requestSha256: string };
  /** The SHA-256 of its recorded result (ActionPerformed). */
  performed?: string;
}

/** An approval of a tool call that covers later calls: the exact call once (with its arguments' hash), or every call of the tool. */
export interface ToolApproval {
  approvalId: string;
  system: string;
  operation: string;
  kind: 'read' | 'write';
  argumentsSha256?: string;
  /** The rule and owner that held the approved call: a later call is covered only when the same rule holds it for the same owner. */
  rule: string | null;
  owner: string | null;
  /** The approved call's facts and objects (SHA-256): an exact approval covers only the very same request. */
  requestSha256: string;
  decidedBy?: string;
  used: boolean;
}

/** The facts and objects of an action request (SHA-256 of their canonical JSON): what an exact tool-call approval is bound to beside the arguments. */
export function requestSha256(facts: Facts | undefined, objects: readonly string[] | undefined): string {
  return hash('sha256', canonicalize({ facts: facts ?? {}, objects: objects ?? [] }));
}
