import { createHash } from 'node:crypto';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { McpError, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { McpServerConfig, WorkgateError } from '@workgate/contracts';
import { maskSecrets } from '@workgate/domain';
import { mcpServerVariables, withMcpVariables } from '@workgate/workflow';

/**
 * `${WORKGATE_MCP_NAME}` in a value: read from workgate's environment (secrets never stand in a
 * workflow; validation refuses any other name). A server that reads one that is not set is not
 * started (`start`).
 */
const fromEnvironment = (value: string) => withMcpVariables(value);

/** How much of a server's stderr a refusal repeats: its last lines, the reason it stopped. */
const STDERR_TAIL_LINES = 5;
const STDERR_TAIL_CHARS = 600;

/** The last lines a process wrote to stderr, kept while it starts. */
class StderrTail {
  private lines: string[] = [];

  add(line: string): void {
    this.lines.push(line);
    if (this.lines.length > STDERR_TAIL_LINES) this.lines.shift();
  }

  /** The tail, credential-shaped text and the values the server was given as its environment masked. */
  text(secrets: string[]): string {
    let text = this.lines.join(' | ');
    for (const secret of secrets) if (secret.length >= 4) text = text.split(secret).join('[redacted]');
    text = maskSecrets(text);
    return text.length > STDERR_TAIL_CHARS ? `…${text.slice(-STDERR_TAIL_CHARS)}` : text;
  }
}

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

  async call(
    system: string,
    config: McpServerConfig,
    name: string,
    args: Record<string, unknown>,
  ): Promise<Awaited<ReturnType<Client['callTool']>>> {
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
    const what = config.command ? 'its command could not start' : 'its server could not be reached';
    // A server that cannot start answers every call with this: which system, and why (never a secret).
    const cannotStart = (cause: string) => {
      const message = `system ${system}: ${what}: ${cause}`;
      this.logger.warn(message);
      return new WorkgateError('unavailable', message);
    };
    const unset = mcpServerVariables(config).filter((name) => !process.env[name]);
    if (unset.length) throw cannotStart(`${unset.join(', ')} ${unset.length === 1 ? 'is' : 'are'} not set`);
    if (config.command) {
      const env = Object.fromEntries(Object.entries(config.env ?? {}).map(([k, v]) => [k, fromEnvironment(v)]));
      const transport = new StdioClientTransport({
        command: fromEnvironment(config.command),
        args: (config.args ?? []).map(fromEnvironment),
        env: { ...getDefaultEnvironment(), ...env },
        stderr: 'pipe',
      });
      const tail = new StderrTail();
      transport.stderr?.on('data', (chunk: Buffer) => {
        for (const line of chunk.toString().split('\n')) {
          if (!line.trim()) continue;
          tail.add(line.trim());
          log.log(line.trim());
        }
      });
      try {
        await client.connect(transport);
      } catch (error) {
        // What the process wrote before it stopped reaches this tail a moment after its exit.
        await new Promise((r) => setImmediate(r));
        const stderr = tail.text(Object.values(env));
        const reason =
          error instanceof McpError ? 'it stopped before it answered' : maskSecrets((error as Error).message);
        throw cannotStart(stderr ? `${reason} (stderr: ${stderr})` : reason);
      }
    } else {
      const headers = Object.fromEntries(Object.entries(config.headers ?? {}).map(([k, v]) => [k, fromEnvironment(v)]));
      try {
        await client.connect(
          new StreamableHTTPClientTransport(new URL(fromEnvironment(config.url!)), { requestInit: { headers } }),
        );
      } catch (error) {
        let message = maskSecrets((error as Error).message);
        for (const secret of Object.values(headers))
          if (secret.length >= 4) message = message.split(secret).join('[redacted]');
        throw cannotStart(message);
      }
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
