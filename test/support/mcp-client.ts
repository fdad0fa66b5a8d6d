import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { arrayOf, checked, Guard, isBoolean, isRecord, isString, optional, shaped } from './guards';

/** The SDK's own client, connected to a work order's MCP gateway (`POST /mcp/work-orders/:id`) with a principal's key. */
export async function gatewayClient(baseUrl: string, workOrderId: string, key: string): Promise<Client> {
  const mcp = new Client({ name: 'coding-agent', version: '1' });
  await mcp.connect(
    new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp/work-orders/${workOrderId}`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    }),
  );
  return mcp;
}

/** A tool call's result as the tests read it: its text contents, its structured content and its `_meta`. */
export interface ToolAnswer {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

const isToolAnswer: Guard<ToolAnswer> = shaped({
  isError: optional(isBoolean),
  content: arrayOf(shaped({ type: isString, text: optional(isString) })),
  structuredContent: optional(isRecord),
  _meta: optional(isRecord),
});

/** Calls a tool with the SDK's client; its result, checked to be a tool result of the shape above. */
export async function callTool(mcp: Client, name: string, args: Record<string, unknown>): Promise<ToolAnswer> {
  return checked(await mcp.callTool({ name, arguments: args }), isToolAnswer, `the result of ${name}`);
}
