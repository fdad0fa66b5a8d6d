import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { workgateApi } from '../apps/gateway/mcp/workgate-api';
import { workgateMcpServer } from '../apps/gateway/mcp/workgate-mcp-server';

/**
 * `WORKGATE_API_KEY=<api key> npm run mcp [-- --url http://127.0.0.1:3000]`: workgate's MCP tools
 * over stdio, for agents that start their tools as processes. Each tool calls the `/v1` API of the
 * workgate at `--url` (or WORKGATE_URL) with the key: its principal's roles apply. `--key` works
 * too, but a process list shows it.
 * Nothing but MCP messages goes to stdout.
 */
async function main(): Promise<void> {
  const arg = (name: string) => {
    const at = process.argv.indexOf(name);
    return at >= 0 ? process.argv[at + 1] : undefined;
  };
  const key = arg('--key') ?? process.env.WORKGATE_API_KEY;
  const url = (arg('--url') ?? process.env.WORKGATE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  if (!key) {
    process.stderr.write(
      'usage: WORKGATE_API_KEY=<api key> npm run mcp [-- --url <workgate URL>] (or --key <api key>, which a process list shows; WORKGATE_URL)\n',
    );
    process.exit(2);
  }
  const server = workgateMcpServer(workgateApi(url, `Bearer ${key}`), '1');
  await server.connect(new StdioServerTransport());
  process.stderr.write(`workgate MCP server on stdio, calling ${url}\n`);
}

main().catch((error: Error) => {
  process.stderr.write(`workgate MCP server failed: ${error.message}\n`);
  process.exit(1);
});
