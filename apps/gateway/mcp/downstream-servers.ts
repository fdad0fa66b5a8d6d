import { createHash } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { McpServerConfig, WorkgateError } from '@workgate/contracts';

/**
 * `${WORKGATE_MCP_NAME}` in a value: read from workgate's environment (secrets never stand in a
 * workflow; validation refuses any other name); one that is not set stays as written.
 */
const fromEnvironment = (value: string) => value.replace(/\$\{(WORKGATE_MCP_[A-Za-z0-9_]+)\}/g, (whole, name: string) => process.env[name] ?? whole);

interface Downstream {
  client: Promise<Client>;
  tools?: Promise<Tool[]>;
}

/**
 * The MCP servers that workflows name as systems, started once per configuration and reused by
 * every work order; one that dies (its process exits, its connection closes) is started again on
 * the next call; all are stopped with workgate. Their stderr goes to the log.
 */
@Injectable()
export class DownstreamServers implements OnApplicationShutdown {
  private readonly logger = new Logger('mcp-servers');
  private readonly servers = new Map<string, Downstream>();
  private closing = false;

  /** The server's tools (listed once per start). */
  tools(system: string, config: McpServerConfig): Promise<Tool[]> {
    const downstream = this.downstream(system, config);
    if (!downstream.tools) {
      const tools = downstream.client.then(async (c) => (await c.listTools()).tools);
      downstream.tools = tools;
      // A listing that failed is asked again next time.
      tools.catch(() => downstream.tools === tools && (downstream.tools = undefined));
    }
    return downstream.tools;
  }

  async call(system: string, config: McpServerConfig, name: string, args: Record<string, unknown>): Promise<Awaited<ReturnType<Client['callTool']>>> {
    const downstream = this.downstream(system, config);
    const client = await downstream.client;
    try {
      return await client.callTool({ name, arguments: args });
    } catch (error) {
      // A server reached by URL says nothing when it goes away: a failed call starts afresh next time.
      if (config.url && !(error instanceof McpError)) this.forget(downstream, client);
      throw error;
    }
  }

  private forget(downstream: Downstream, client: Client): void {
    for (const [key, d] of this.servers) if (d === downstream) this.servers.delete(key);
    void client.close().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    const all = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(all.map((d) => d.client.then((c) => c.close()).catch(() => undefined)));
  }

  private downstream(system: string, config: McpServerConfig): Downstream {
    if (this.closing) throw new WorkgateError('unavailable', 'workgate is stopping');
    const key = createHash('sha256').update(JSON.stringify(config)).digest('hex');
    let downstream = this.servers.get(key);
    if (!downstream) {
      downstream = { client: this.start(system, config, key) };
      this.servers.set(key, downstream);
      // A server that cannot start is tried again on the next call.
      downstream.client.catch(() => this.servers.get(key) === downstream && this.servers.delete(key));
    }
    return downstream;
  }

  private async start(system: string, config: McpServerConfig, key: string): Promise<Client> {
    const client = new Client({ name: 'workgate-gateway', version: '1' });
    const log = new Logger(`mcp:${system}`);
    if (config.command) {
      const transport = new StdioClientTransport({
        command: fromEnvironment(config.command),
        args: (config.args ?? []).map(fromEnvironment),
        env: { ...getDefaultEnvironment(), ...Object.fromEntries(Object.entries(config.env ?? {}).map(([k, v]) => [k, fromEnvironment(v)])) },
        stderr: 'pipe',
      });
      transport.stderr?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) if (line.trim()) log.log(line.trim());
      });
      await client.connect(transport);
    } else {
      const headers = Object.fromEntries(Object.entries(config.headers ?? {}).map(([k, v]) => [k, fromEnvironment(v)]));
      await client.connect(new StreamableHTTPClientTransport(new URL(fromEnvironment(config.url!)), { requestInit: { headers } }));
    }
    client.onclose = () => {
      if (this.closing) return;
      // Started again on the next call.
      this.servers.delete(key);
      log.warn(`the MCP server of system ${system} stopped; it starts again on the next call`);
    };
    if (this.closing) {
      // Started while workgate was stopping: nobody would stop it later.
      await client.close().catch(() => undefined);
      throw new WorkgateError('unavailable', 'workgate is stopping');
    }
    this.logger.log(`started the MCP server of system ${system}`);
    return client;
  }
}
