import { createHash } from 'node:crypto';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema, Tool } from '@modelcontextprotocol/sdk/types.js';
import { canonicalize, isWorkgateError, SystemBoundary } from '@workgate/contracts';
import { DownstreamServers } from './downstream-servers';
import { SCHEMA_VALIDATOR } from './schema-validator';
import { ApiRefusal } from './workgate-api';

type Json = Record<string, any>;
type ToolResult = { content: Array<Json>; structuredContent?: Json; isError?: boolean; _meta?: Json };

const SEPARATOR = '__';
/** The longest system or tool name a decision records (as `/v1` requests). */
const MAX_NAME = 200;
const sha256 = (value: unknown) =>
  createHash('sha256')
    .update(canonicalize(value ?? {}))
    .digest('hex');

/** What the gateway asks workgate: the work order's MCP systems, a decision, a result to record. */
export interface GatewayBackend {
  systems(workOrderId: string): Promise<SystemBoundary[]>;
  /**
   * The decision, answered once it is recorded. `decided`, when given, may be told the verdict
   * earlier, while it commits (never a verdict that is not the one being committed).
   */
  decide(
    workOrderId: string,
    action: { system: string; operation: string; kind: 'read' | 'write'; argumentsSha256: string },
    decided?: (verdict: Json) => void,
  ): Promise<Json>;
  recordResult(
    workOrderId: string,
    actionId: string,
    result: { resultSha256: string; isError: boolean },
  ): Promise<void>;
}

/**
 * A tool error: the text for the agent, the decision (or refusal) in `_meta` under `workgate/` (not
 * as structured content, which the downstream tool's output schema describes).
 */
const decisionError = (text: string, decision: Json): ToolResult => ({
  isError: true,
  content: [{ type: 'text', text }],
  _meta: { 'workgate/decision': decision },
});

const refusalResult = (error: unknown): ToolResult => {
  const refusal =
    error instanceof ApiRefusal
      ? error.body
      : isWorkgateError(error)
        ? { error: error.code, message: error.message }
        : error instanceof Error
          ? { error: 'unavailable', message: error.message || 'the call failed' }
          : (error as { error: string; message: string });
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
 * run). A write is forwarded only once its decision is recorded.
 */
export function gatewayMcpServer(
  workOrderId: string,
  backend: GatewayBackend,
  downstream: DownstreamServers,
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
        for (const tool of await downstream.tools(system.name, system.mcp!)) {
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
    const args = (request.params.arguments ?? {}) as Json;
    const argumentsSha256 = sha256(args);
    if (systemName.length > MAX_NAME || toolName.length > MAX_NAME) {
      return refusalResult({
        error: 'validation_failed',
        message: `a tool name is at most ${MAX_NAME} characters on each side of "${SEPARATOR}"`,
      });
    }
    try {
      const system = (await backend.systems(workOrderId)).find((s) => s.name === systemName);
      const tool = system
        ? (await downstream.tools(system.name, system.mcp!)).find((t) => t.name === toolName)
        : undefined;
      // A tool nobody marks read-only writes; a system the workflow does not name is decided (and stopped) all the same.
      const kind = tool?.annotations?.readOnlyHint === true ? 'read' : 'write';
      const forward = () => downstream.call(system!.name, system!.mcp!, toolName, args) as Promise<ToolResult>;
      let early: Promise<ToolResult> | undefined;
      let answered = false;
      const readEarly = (told: Json) => {
        // Told after the decision was given up on (its time-out): nobody would await the read.
        if (early || answered || told.decision !== 'run') return;
        early = forward();
        early.catch(() => undefined); // dropped unless the recorded verdict is run: awaited below then
      };
      const verdict = await backend
        .decide(
          workOrderId,
          { system: systemName, operation: toolName, kind, argumentsSha256 },
          kind === 'read' && tool ? readEarly : undefined,
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
            : `${verdict.reason}: ${verdict.message}`;
        return decisionError(`stop: ${why}${verdict.decisionOwner ? ` (decided by ${verdict.decisionOwner})` : ''}`, {
          ...decided,
          decisionOwner: verdict.decisionOwner,
        });
      }
      const result = await (early ?? forward());
      let resultSha256: string;
      try {
        resultSha256 = sha256(result);
      } catch (error) {
        // The call ran: its answer goes back, with the reason its result is not recorded.
        log(
          `the result of action ${verdict.actionId} cannot be hashed and is not recorded: ${(error as Error).message}`,
        );
        return {
          ...result,
          _meta: {
            ...(result._meta ?? {}),
            'workgate/receiptId': verdict.receiptId,
            'workgate/argumentsSha256': argumentsSha256,
          },
        };
      }
      // Recorded beside the decision; the answer does not wait for that commit.
      backend
        .recordResult(workOrderId, verdict.actionId, { resultSha256, isError: result.isError === true })
        .catch((error: Error) => log(`the result of action ${verdict.actionId} is not recorded: ${error.message}`));
      return {
        ...result,
        _meta: {
          ...(result._meta ?? {}),
          'workgate/receiptId': verdict.receiptId,
          'workgate/argumentsSha256': argumentsSha256,
          'workgate/resultSha256': resultSha256,
        },
      };
    } catch (error) {
      return refusalResult(error);
    }
  });
  return server;
}
