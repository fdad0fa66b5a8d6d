import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as Nest from '@nestjs/common';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate, workgateModule } from './support/workgate';
import type { OpenedAnswer } from '@workgate/contracts';
import { callTool } from './support/mcp-client';

type ToolResult = {
  isError?: boolean;
  content: Array<{ type: string; text?: string }>;
  _meta?: Record<string, unknown>;
};

const FILESYSTEM_SERVER = 'node_modules/@modelcontextprotocol/server-filesystem/dist/index.js';

/** A workflow whose systems are the given MCP servers; every tool of theirs runs. */
const workflow = (jobType: string, systems: Array<{ name: string; mcp: Record<string, unknown> }>) => ({
  jobType,
  version: 1,
  title: jobType,
  owner: 'files-owner',
  systems: systems.map((s) => ({ ...s, read: true, write: [] })),
  steps: [{ id: 'work', title: 'Work' }],
});

/**
 * An MCP system whose command cannot start (a variable not set, a command that is not there, a
 * process that exits at once) answers, through the SDK's own client, a tool error naming the system
 * and the cause — never a bare "Connection closed" — and the gateway logs it at warn.
 */
describe('the MCP gateway when a system cannot start', () => {
  const principals = writePrincipals({ agent: ['integrator', 'operator'], admin: ['admin'] });
  const dir = mkdtempSync(join(tmpdir(), 'wg-unstartable-'));
  const warnings: string[] = [];
  let t: TestWorkgate;
  const clients: Client[] = [];

  /** An SDK client on the MCP endpoint of a new work order of `jobType`. */
  async function connect(jobType: string): Promise<Client> {
    const opened = await client(t.url, principals.keys.agent)<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType,
      externalRef: `${jobType}-1`,
      source: 'agent',
      inputs: { task: 'look around' },
    });
    expect(opened.status).toBe(201);
    const mcp = new Client({ name: 'coding-agent', version: '1' });
    await mcp.connect(
      new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/work-orders/${opened.body.id}`), {
        requestInit: { headers: { Authorization: `Bearer ${principals.keys.agent}` } },
      }),
    );
    clients.push(mcp);
    return mcp;
  }
  const publish = async (definition: unknown) =>
    expect((await client(t.url, principals.keys.admin)('POST', '/v1/workflows', definition)).status).toBe(201);
  const textOf = (r: ToolResult) => r.content.map((c) => c.text ?? '').join('\n');

  beforeAll(async () => {
    // The shipped agent-files workflow reads ${WORKGATE_MCP_FILES_DIR}: not set here, as for a new user.
    delete process.env.WORKGATE_MCP_FILES_DIR;
    process.env.WORKGATE_MCP_UNSTARTABLE_DIR = dir;
    process.env.WORKGATE_MCP_UNSTARTABLE_TOKEN = 'tok-canary-5521977';
    jest.spyOn(workgateModule<typeof Nest>('@nestjs/common').Logger.prototype, 'warn').mockImplementation(function (
      message: unknown,
    ) {
      warnings.push(String(message));
    });
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await t?.close();
    delete process.env.WORKGATE_MCP_UNSTARTABLE_DIR;
    delete process.env.WORKGATE_MCP_UNSTARTABLE_TOKEN;
    jest.restoreAllMocks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the variable that is not set, as a JSON-RPC error on tools/list and a tool error on tools/call, and logs it at warn', async () => {
    const mcp = await connect('agent-files');
    const expected = 'system files: its command could not start: WORKGATE_MCP_FILES_DIR is not set';
    await expect(mcp.listTools()).rejects.toThrow(expected);
    const called = await callTool(mcp, 'files__read_text_file', { path: 'hello.txt' });
    expect(called.isError).toBe(true);
    expect(textOf(called)).toBe(`unavailable: ${expected}`);
    expect(called._meta?.['workgate/refusal']).toEqual({ error: 'unavailable', message: expected });
    expect(warnings).toContain(expected);
  });

  it('names a command that is not there (the spawn error)', async () => {
    await publish(workflow('no-such-command', [{ name: 'tracker', mcp: { command: 'workgate-no-such-command-41' } }]));
    const mcp = await connect('no-such-command');
    const called = await callTool(mcp, 'tracker__search', {});
    expect({ isError: called.isError, text: textOf(called) }).toEqual({
      isError: true,
      text: 'unavailable: system tracker: its command could not start: spawn workgate-no-such-command-41 ENOENT',
    });
  });

  it('names a process that stops at once, with the tail of its stderr, secrets masked', async () => {
    const script =
      "process.stderr.write('starting\\ncannot open the store: token ' + process.env.API_TOKEN + ' refused (Bearer sk_live_4eC39HqLyjWDarjtT1zdp7dc)\\n'); process.exit(3)";
    await publish(
      workflow('stops-at-once', [
        {
          name: 'store',
          mcp: { command: 'node', args: ['-e', script], env: { API_TOKEN: '${WORKGATE_MCP_UNSTARTABLE_TOKEN}' } },
        },
      ]),
    );
    const mcp = await connect('stops-at-once');
    const expected =
      'system store: its command could not start: it stopped before it answered (stderr: starting | cannot open the store: token [redacted] refused ([redacted]))';
    await expect(mcp.listTools()).rejects.toThrow(expected);
    const called = await callTool(mcp, 'store__get', {});
    expect(textOf(called)).toBe(`unavailable: ${expected}`);
    expect(warnings).toContain(expected);
    expect(warnings.join('\n')).not.toMatch(/tok-canary-5521977|sk_live_4eC39/);
  });

  it('lists the tools of the systems that start, and names the others', async () => {
    await publish(
      workflow('one-of-two', [
        { name: 'files', mcp: { command: 'node', args: [FILESYSTEM_SERVER, '${WORKGATE_MCP_UNSTARTABLE_DIR}'] } },
        { name: 'tracker', mcp: { command: 'workgate-no-such-command-41' } },
      ]),
    );
    const mcp = await connect('one-of-two');
    const listed = await mcp.listTools();
    expect(listed.tools.map((tool) => tool.name)).toContain('files__list_directory');
    expect(listed._meta).toEqual({
      'workgate/unavailable': ['system tracker: its command could not start: spawn workgate-no-such-command-41 ENOENT'],
    });
  });
});
