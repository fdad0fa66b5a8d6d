import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  JSONRPCMessage,
  JSONRPCMessageSchema,
  MessageExtraInfo,
  RequestId,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/sdk/types.js';

/** The most messages one POST may carry (a JSON-RPC batch, as protocol versions before 2025-06-18 allow). */
const MAX_BATCH = 100;

type Answer = { status: number; body?: unknown };

const refusal = (status: number, code: number, message: string): Answer => ({
  status,
  body: { jsonrpc: '2.0', error: { code, message }, id: null },
});

/** Whether a Content-Type is JSON (application/json or a `+json` type, any parameters). */
const isJson = (contentType: string | undefined) => {
  const type = (contentType ?? '').split(';')[0].trim().toLowerCase();
  return type === 'application/json' || (type.startsWith('application/') && type.endsWith('+json'));
};

const isRequest = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId; method: string } =>
  'method' in m && 'id' in m;
const isResponse = (m: JSONRPCMessage): m is JSONRPCMessage & { id: RequestId } =>
  ('result' in m || 'error' in m) && 'id' in m;

/**
 * MCP's streamable HTTP transport, in its stateless JSON-response form (no sessions, no SSE), for
 * one long-lived SDK `Server` that answers every HTTP request addressed to it. The SDK's own
 * transport serves one request per instance and wraps Node's request and response in web-standard
 * ones per call; this one hands each POST's messages to the server and writes its answers as JSON.
 *
 * Requests from different callers may carry the same JSON-RPC id: each is given an id of its own
 * on the way in and its caller's id back on the way out. Notifications a request handler sends
 * (progress, logs) have no stream to go to here and are dropped, as in the SDK's JSON mode.
 */
export class JsonResponseTransport implements Transport {
  onmessage?: (message: JSONRPCMessage, extra?: MessageExtraInfo) => void;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  private lastId = 0;
  private readonly waiting = new Map<RequestId, { callerId: RequestId; answer: (message: JSONRPCMessage) => void }>();

  async start(): Promise<void> {}

  async send(message: JSONRPCMessage): Promise<void> {
    if (!isResponse(message)) return;
    const waiting = this.waiting.get(message.id);
    if (!waiting) return;
    this.waiting.delete(message.id);
    waiting.answer({ ...message, id: waiting.callerId });
  }

  async close(): Promise<void> {
    for (const [id, waiting] of this.waiting) {
      this.waiting.delete(id);
      waiting.answer({
        jsonrpc: '2.0',
        id: waiting.callerId,
        error: { code: -32000, message: 'workgate is stopping' },
      });
    }
    this.onclose?.();
  }

  /** Answers one POST: the HTTP status and, when it carried requests, their responses. */
  async exchange(req: FastifyRequest): Promise<Answer> {
    const accept = req.headers.accept ?? '';
    if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
      return refusal(406, -32000, 'Not Acceptable: Client must accept both application/json and text/event-stream');
    }
    if (!isJson(req.headers['content-type']))
      return refusal(415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
    const body: unknown = req.body;
    const batch = Array.isArray(body);
    const raw = batch ? body : [body];
    if (raw.length === 0 || raw.length > MAX_BATCH)
      return refusal(400, -32600, `Invalid Request: a batch holds 1 to ${MAX_BATCH} messages`);
    const messages: JSONRPCMessage[] = [];
    for (const item of raw) {
      const parsed = JSONRPCMessageSchema.safeParse(item);
      if (!parsed.success) return refusal(400, -32700, 'Parse error: Invalid JSON-RPC message');
      messages.push(parsed.data);
    }
    const initializing = messages.some((m) => isRequest(m) && m.method === 'initialize');
    if (initializing && messages.length > 1)
      return refusal(400, -32600, 'Invalid Request: Only one initialization request is allowed');
    const version = req.headers['mcp-protocol-version'];
    if (!initializing && typeof version === 'string' && !SUPPORTED_PROTOCOL_VERSIONS.includes(version)) {
      return refusal(
        400,
        -32000,
        `Bad Request: Unsupported protocol version: ${version} (supported versions: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
      );
    }
    const extra: MessageExtraInfo = { requestInfo: { headers: req.headers } };
    const answers: Array<Promise<JSONRPCMessage>> = [];
    for (const message of messages) {
      if (!isRequest(message)) {
        this.onmessage?.(message, extra);
        continue;
      }
      answers.push(
        new Promise((answer) => {
          const id = ++this.lastId;
          this.waiting.set(id, { callerId: message.id, answer });
          this.onmessage?.({ ...message, id }, extra);
        }),
      );
    }
    if (answers.length === 0) return { status: 202 };
    const responses = await Promise.all(answers);
    return { status: 200, body: batch ? responses : responses[0] };
  }
}

/** An SDK server on a JsonResponseTransport: what answers the POSTs of one MCP endpoint. */
export class JsonMcpEndpoint {
  private readonly transport = new JsonResponseTransport();
  private readonly connected: Promise<void>;

  constructor(readonly server: Server) {
    this.connected = server.connect(this.transport);
  }

  async handle(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    await this.connected;
    const { status, body } = await this.transport.exchange(req);
    if (reply.raw.destroyed) return;
    if (body === undefined) {
      void reply.code(status).send();
      return;
    }
    void reply.code(status).type('application/json').send(JSON.stringify(body));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
