/** Request/reply over NATS: each subject declared once with the types of its request and its reply. */
import { WireError } from './errors';

/** A request/reply subject; `RpcClient.request` and the batching client infer both types from it. */
export interface RpcContract<Req, Res> {
  readonly subject: string;
  /** Never set: carries the request and reply types. */
  readonly types?: (request: Req) => Res;
}

export function rpc<Req, Res>(subject: string): RpcContract<Req, Res> {
  return { subject };
}

export type RequestOf<C> = C extends RpcContract<infer Req, unknown> ? Req : never;
export type ReplyOf<C> = C extends RpcContract<never, infer Res> ? Res : never;

/** The body of a batch request and its reply: one envelope per item, in order. */
export interface BatchRequest<T> {
  items: T[];
  /** With tracing on: each item's W3C `traceparent` (null: none), so each is handled in its own caller's trace. */
  traceparents?: Array<string | null>;
}

/** The reply envelope of every request/reply exchange. */
export type Reply<T> = { ok: true; data: T } | { ok: false; error: WireError };

export interface BatchReply<R> {
  results: Array<Reply<R>>;
}

/**
 * The reply of a write: its answer, and the ledger position of the commit that recorded it (a
 * write that recorded nothing new: the position of what it found recorded, or 0). A reader who
 * waits for that position sees the write.
 */
export interface Written<T> {
  answer: T;
  position: number;
}

/** A request that carries nothing. */
export type Empty = Record<string, never>;
