import { createHash } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema,
  CompatibilityCallToolResult as ToolResult,
  ListToolsRequestSchema,
  Tool,
} from '@modelcontextprotocol/sdk/types.js';
import {
  canonicalize,
  Decision,
  isPlainObject,
  isWorkgateError,
  MAX_ROLLBACK_NOTE,
  McpServerConfig,
  SystemBoundary,
} from '@workgate/contracts';
import { DownstreamServers } from './downstream-servers';
import { SCHEMA_VALIDATOR } from './schema-validator';
import { ApiRefusal } from './workgate-api';

const SEPARATOR = '__';
/** The longest system or tool name a decision records (as `/v1` requests). */
const MAX_NAME = 200;
const sha256 = (value: unknown) =>
  createHash('sha256')
    .update(canonicalize(value ?? {}))
    .digest('hex');

/** A system of the workflow reached over MCP. */
export type McpSystem = SystemBoundary & { mcp: McpServerConfig };

/** What the gateway reads of a decision on a tool call (the RequestAction answer). */
export interface ActionVerdict {
  decision: Decision;
  reason: string;
  message?: string;
  receiptId: string;
  actionId: string;
  /** The approval a `wait` waits for. */
  approvalId?: string;
  decisionOwner?: string | null;
}

/** Why a call was refused, as the agent is told it (the API's error body). */
interface Refusal {
  error: string;
  message: string;
  details?: unknown[];
}

/** What the gateway asks workgate: the work order's MCP systems, a decision, a result to record. */
export interface GatewayBackend {
  systems(workOrderId: string): Promise<McpSystem[]>;
  /**
   * The decision, answered once it is recorded. `decided`, when given, may be told the verdict
   * earlier, while it commits (never a verdict that is not the one being committed).
   */
  decide(
    workOrderId: string,
    action: {
      system: string;
      operation: string;
      kind: 'read' | 'write';
      argumentsSha256: string;
      rollbackNote?: string;
    },
    decided?: (verdict: ActionVerdict) => void,
  ): Promise<ActionVerdict>;
  recordResult(
    workOrderId: string,
    actionId: string,
    result: { resultSha256: string; isError: boolean },
  ): Promise<void>;
  /** Keeps the arguments of a call that waits (RFC 8785 JSON, by its hash) for its approval's card. */
  keepArguments?(argumentsSha256: string, canonical: string): Promise<void>;
}

/** Where a tool call carries its rollback note: the request's `_meta`, beside the arguments the tool sees. */
export const ROLLBACK_NOTE_META = 'workgate/rollbackNote';
const ROLLBACK_NOTE_HINT = `; call again with the note in the request's _meta as "${ROLLBACK_NOTE_META}"`;

/** The call's rollback note (absent: none), or why it is refused. */
function rollbackNoteOf(meta: Record<string, unknown> | undefined): string | undefined | Refusal {
  const note = meta?.[ROLLBACK_NOTE_META];
  if (note === undefined) return undefined;
  if (typeof note !== 'string')
    return { error: 'validation_failed', message: `_meta "${ROLLBACK_NOTE_META}" must be a string` };
  if (note.length > MAX_ROLLBACK_NOTE)
    return {
      error: 'validation_failed',
      message: `_meta "${ROLLBACK_NOTE_META}" must be at most ${MAX_ROLLBACK_NOTE} characters`,
    };
  return note;
}

/**
 * A tool error: the text for the agent, the decision (or refusal) in `_meta` under `workgate/` (not
 * as structured content, which the downstream tool's output schema describes).
 */
const decisionError = (text: string, decision: Record<string, unknown>): ToolResult => ({
  isError: true,
  content: [{ type: 'text', text }],
  _meta: { 'workgate/decision': decision },
});

const isRefusal = (value: unknown): value is Refusal =>
  isPlainObject(value) && typeof value.error === 'string' && typeof value.message === 'string';

const refusalOf = (error: unknown): Refusal =>
  error instanceof ApiRefusal
    ? error.body
    : isWorkgateError(error)
      ? { error: error.code, message: error.message }
      : error instanceof Error
        ? { error: 'unavailable', message: error.message || 'the call failed' }
        : isRefusal(error)
          ? error
          : { error: 'internal', message: 'the call failed' };

const refusalResult = (refusal: Refusal): ToolResult => {
  return {
    isError: true,
    content: [{ type: 'text', text: `${refusal.error}: ${refusal.message}` }],
    _meta: { 'workgate/refusal': refusal },
  };
};

/**
 * The MCP gateway of one work order: it offers the tools of the workflow's MCP systems as
 * `<system>__<tool>` and decides every call before it reaches the downstream server: operation =
 * the tool's name, kind = read when the tool says `readOnlyHint`, else write. `run` forwards the
 * call and records the SHA-256 of its result next to its decision; `wait` and `stop` answer a tool
 * error naming the approval and its owner, or the reason, and the downstream server never sees the
 * call. A read that is decided `run` is forwarded as soon as it is decided, while its decision
 * commits, and answered once both are done: its result never reaches the agent before its decision
 * is recorded, and is dropped if the decision is not recorded, or is decided again otherwise after a
 * concurrent change to the work order (only then has the server seen a read that is not recorded as
 * run). A write is forwarded only once its decision is recorded. A write to a system with
 * `rollback: required` carries its rollback note in the request's `_meta` as `workgate/rollbackNote`
 * (never in the arguments, which reach the tool); without one it stops and the agent is told where.
 */
export function gatewayMcpServer(
  workOrderId: string,
  backend: GatewayBackend,
  downstream: Pick<DownstreamServers, 'tools' | 'call'>,
  log: (m: string) => void,
): Server {
  const server = new Server(
    { name: `workgate-work-order-${workOrderId}`, version: '1' },
    { capabilities: { tools: {} }, jsonSchemaValidator: SCHEMA_VALIDATOR },
  );

  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools: Tool[] = [];
    const unavailable: string[] = [];
    for (const system of await backend.systems(workOrderId)) {
      try {
        for (const tool of await downstream.tools(system.name, system.mcp)) {
          tools.push({
            ...tool,
            name: `${system.name}${SEPARATOR}${tool.name}`,
            description: `[${system.name}, decided by workgate] ${tool.description ?? ''}`.trim(),
          });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        unavailable.push(isWorkgateError(error) ? message : `system ${system.name}: ${message}`);
      }
    }
    // Nothing to offer: the agent is told why (a JSON-RPC error); otherwise what can be used, with the systems that cannot named.
    if (unavailable.length > 0 && tools.length === 0)
      throw Object.assign(new Error(unavailable.join('; ')), { data: { 'workgate/unavailable': unavailable } });
    return unavailable.length > 0 ? { tools, _meta: { 'workgate/unavailable': unavailable } } : { tools };
  });

  server.setRequestHandler(CallToolRequestSchema, async (request): Promise<ToolResult> => {
    const name = request.params.name;
    const at = name.indexOf(SEPARATOR);
    const systemName = at > 0 ? name.slice(0, at) : name;
    const toolName = at > 0 ? name.slice(at + SEPARATOR.length) : name;
    const args = request.params.arguments ?? {};
    const argumentsSha256 = sha256(args);
    if (systemName.length > MAX_NAME || toolName.length > MAX_NAME) {
      return refusalResult({
        error: 'validation_failed',
        message: `a tool name is at most ${MAX_NAME} characters on each side of "${SEPARATOR}"`,
      });
    }
    const note = rollbackNoteOf(request.params._meta);
    if (typeof note === 'object') return refusalResult(note);
    try {
      const system = (await backend.systems(workOrderId)).find((s) => s.name === systemName);
      const tool = system
        ? (await downstream.tools(system.name, system.mcp)).find((t) => t.name === toolName)
        : undefined;
      // A tool nobody marks read-only writes; a system the workflow does not name is decided (and stopped) all the same.
      const kind = tool?.annotations?.readOnlyHint === true ? 'read' : 'write';
      const forward = (to: McpSystem): Promise<ToolResult> => downstream.call(to.name, to.mcp, toolName, args);
      let early: Promise<ToolResult> | undefined;
      let answered = false;
      const readEarly = (to: McpSystem) => (told: ActionVerdict) => {
        // Told after the decision was given up on (its time-out): nobody would await the read.
        if (early || answered || told.decision !== 'run') return;
        early = forward(to);
        early.catch(() => undefined); // dropped unless the recorded verdict is run: awaited below then
      };
      const verdict = await backend
        .decide(
          workOrderId,
          { system: systemName, operation: toolName, kind, argumentsSha256, ...(note ? { rollbackNote: note } : {}) },
          kind === 'read' && system && tool ? readEarly(system) : undefined,
        )
        .finally(() => (answered = true));
      const decided = {
        decision: verdict.decision,
        reason: verdict.reason,
        message: verdict.message,
        receiptId: verdict.receiptId,
        actionId: verdict.actionId,
        argumentsSha256,
      };
      if (verdict.decision === 'wait') {
        // The approver's card shows these arguments; the agent is answered once they are kept.
        await backend
          .keepArguments?.(argumentsSha256, canonicalize(args))
          .catch((error: Error) => log(`the arguments of action ${verdict.actionId} are not kept: ${error.message}`));
        return decisionError(
          `wait: ${verdict.message}. Approval ${verdict.approvalId} must be decided by ${verdict.decisionOwner}; call again once it is approved.`,
          {
            ...decided,
            approvalId: verdict.approvalId,
            decisionOwner: verdict.decisionOwner,
          },
        );
      }
      if (verdict.decision !== 'run' || !system || !tool) {
        const why =
          verdict.decision === 'run'
            ? `${name} is no tool of this work order's MCP systems`
            : `${verdict.reason}: ${verdict.message}${verdict.reason === 'rollback_note_required' ? ROLLBACK_NOTE_HINT : ''}`;
        return decisionError(`stop: ${why}${verdict.decisionOwner ? ` (decided by ${verdict.decisionOwner})` : ''}`, {
          ...decided,
          decisionOwner: verdict.decisionOwner,
        });
      }
      const result = await (early ?? forward(system));
      /** The answer as the agent gets it: the downstream result, with its receipt in `_meta`. */
      const withReceipt = (recorded: Record<string, string>): ToolResult => ({
        ...result,
        _meta: {
          ...(result._meta ?? {}),
          'workgate/receiptId': verdict.receiptId,
          'workgate/argumentsSha256': argumentsSha256,
          ...recorded,
        },
      });
      let resultSha256: string;
      try {
        resultSha256 = sha256(result);
      } catch (error) {
        // The call ran: its answer goes back, with the reason its result is not recorded.
        log(
          `the result of action ${verdict.actionId} cannot be hashed and is not recorded: ${(error as Error).message}`,
        );
        return withReceipt({});
      }
      // Recorded beside the decision; the answer does not wait for that commit.
      backend
        .recordResult(workOrderId, verdict.actionId, { resultSha256, isError: result.isError === true })
        .catch((error: Error) => log(`the result of action ${verdict.actionId} is not recorded: ${error.message}`));
      return withReceipt({ 'workgate/resultSha256': resultSha256 });
    } catch (error) {
      return refusalResult(refusalOf(error));
    }
  });
  return server;
}
