import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

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
