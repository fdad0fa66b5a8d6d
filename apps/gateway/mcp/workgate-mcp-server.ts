import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError } from '@modelcontextprotocol/sdk/types.js';
import { SCHEMA_VALIDATOR } from './schema-validator';
import { WorkgateApi } from './workgate-api';
import { runTool, WORKGATE_TOOLS } from './workgate-tools';

/** An MCP server offering workgate's tools, each a call of `api` (the `/v1` API with the caller's key). */
export function workgateMcpServer(api: WorkgateApi, version: string): Server {
  const server = new Server(
    { name: 'workgate', version },
    {
      capabilities: { tools: {} },
      jsonSchemaValidator: SCHEMA_VALIDATOR,
      instructions:
        'workgate decides what you may do inside a work order: before touching a system, call request_action and act only on `run`; on `wait`, call wait_for_approval; on `stop`, do not act. Delegate with send_message, then stop and wait for the operator to confirm completion.',
    },
  );
  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: WORKGATE_TOOLS.map(({ name, title, description, inputSchema, annotations }) => ({
      name,
      title,
      description,
      inputSchema,
      ...(annotations ? { annotations } : {}),
    })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const tool = WORKGATE_TOOLS.find((t) => t.name === request.params.name);
    if (!tool)
      throw new McpError(
        ErrorCode.InvalidParams,
        `no tool named ${request.params.name} (tools: ${WORKGATE_TOOLS.map((t) => t.name).join(', ')})`,
      );
    return runTool(tool, request.params.arguments ?? {}, api, extra.signal);
  });
  return server;
}
