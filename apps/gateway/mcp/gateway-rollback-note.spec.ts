import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { DownstreamServers } from './downstream-servers';
import { GatewayBackend, gatewayMcpServer, McpSystem } from './gateway-mcp-server';

const REPO: McpSystem = {
  name: 'repo',
  mcp: { command: 'repo-server' },
  read: true,
  write: ['push'],
  rollback: 'required',
};
const TOOLS: Tool[] = [{ name: 'push', inputSchema: { type: 'object' } }];

/** A tool call to a system with `rollback: required`: the note travels in `_meta`, never to the tool. */
describe('the MCP gateway: a rollback note rides in the call _meta', () => {
  let client: Client;
  let asked: Array<Parameters<GatewayBackend['decide']>[1]>;
  let forwarded: unknown[];

  beforeEach(async () => {
    asked = [];
    forwarded = [];
    const backend: GatewayBackend = {
      systems: async () => [REPO],
      // The backend decides as workgate would for this system: without a note, stop.
      decide: async (_wo, action) => {
        asked.push(action);
        return action.rollbackNote
          ? { decision: 'run', reason: 'inside_boundary', message: 'inside', receiptId: 'r-1', actionId: 'a-1' }
          : {
              decision: 'stop',
              reason: 'rollback_note_required',
              message: 'writes to repo need a rollback note: say how to undo it',
              receiptId: 'r-2',
              actionId: 'a-2',
              decisionOwner: 'eng-lead',
            };
      },
      recordResult: async () => undefined,
    };
    const downstream: Pick<DownstreamServers, 'tools' | 'call'> = {
      tools: async () => TOOLS,
      call: async (_system: string, _config: unknown, _name: string, args: unknown) => {
        forwarded.push(args);
        return { content: [{ type: 'text', text: 'pushed' }] };
      },
    };
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await gatewayMcpServer('wo-1', backend, downstream, () => undefined).connect(serverSide);
    client = new Client({ name: 'agent', version: '1' });
    await client.connect(clientSide);
  });
  afterEach(() => client.close());

  const push = (meta?: Record<string, unknown>) =>
    client
      .callTool({ name: 'repo__push', arguments: { branch: 'main' }, ...(meta ? { _meta: meta } : {}) })
      .then((a) => CallToolResultSchema.parse(a));

  it('without a note the call stops, and the agent is told where the note goes', async () => {
    const answer = await push();
    expect(answer.isError).toBe(true);
    expect(answer.content).toEqual([
      {
        type: 'text',
        text: 'stop: rollback_note_required: writes to repo need a rollback note: say how to undo it; call again with the note in the request\'s _meta as "workgate/rollbackNote" (decided by eng-lead)',
      },
    ]);
    expect(asked).toEqual([expect.not.objectContaining({ rollbackNote: expect.anything() })]);
    expect(forwarded).toEqual([]);
  });

  it('with the note in _meta the decision is asked with it, and the tool sees only its arguments', async () => {
    const answer = await push({ 'workgate/rollbackNote': 'git revert the pushed commit' });
    expect(answer.isError).toBeUndefined();
    expect(asked).toEqual([expect.objectContaining({ rollbackNote: 'git revert the pushed commit' })]);
    expect(forwarded).toEqual([{ branch: 'main' }]);
  });

  it.each([
    [42, '_meta "workgate/rollbackNote" must be a string'],
    ['x'.repeat(2001), '_meta "workgate/rollbackNote" must be at most 2000 characters'],
  ])('a note that is not a string of at most 2000 characters is refused before any decision', async (note, message) => {
    const answer = await push({ 'workgate/rollbackNote': note });
    expect(answer.isError).toBe(true);
    expect(answer._meta).toEqual({ 'workgate/refusal': { error: 'validation_failed', message } });
    expect(asked).toEqual([]);
  });
});
