import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { CallToolResultSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';
import { DownstreamServers } from './downstream-servers';
import { ActionVerdict, GatewayBackend, gatewayMcpServer, McpSystem } from './gateway-mcp-server';

const FILES: McpSystem = {
  name: 'files',
  mcp: { command: 'files-server' },
  read: true,
  write: ['write_file'],
};
const TOOLS: Tool[] = [
  { name: 'read_file', inputSchema: { type: 'object' }, annotations: { readOnlyHint: true } },
  { name: 'write_file', inputSchema: { type: 'object' } },
];

/** A decision the test records (or fails) when it chooses, after telling the gateway a verdict or not. */
interface PendingDecision {
  action: Parameters<GatewayBackend['decide']>[1];
  /** What the gateway gave to be told the verdict early. */
  tell?: (verdict: ActionVerdict) => void;
  record(verdict: ActionVerdict): void;
  fail(error: Error): void;
}

/**
 * The gateway of one work order with the SDK's own client on an in-memory link, a backend whose
 * decisions are recorded when the test says so, and a downstream server that logs what reaches it:
 * what the agent is answered, and when, against what was decided and recorded.
 */
describe('the MCP gateway: a read decided run is forwarded while its decision commits', () => {
  let client: Client;
  let log: string[];
  let pending: PendingDecision[];
  /** What the backend tells the gateway before the commit: a verdict, or nothing (intake across NATS). */
  let toldFirst: ActionVerdict | undefined;

  const run: ActionVerdict = {
    decision: 'run',
    reason: 'within_boundary',
    message: 'within the boundary',
    receiptId: 'r-1',
    actionId: 'a-1',
  };
  const stop: ActionVerdict = {
    decision: 'stop',
    reason: 'work_order_stopped',
    message: 'the work order is stopped',
    receiptId: 'r-2',
    actionId: 'a-2',
    decisionOwner: 'ops',
  };

  beforeEach(async () => {
    log = [];
    pending = [];
    toldFirst = run;
    const backend: GatewayBackend = {
      systems: async () => [FILES],
      decide: (_workOrderId, action, decided) =>
        new Promise((resolve, reject) => {
          log.push(`decide ${action.operation}`);
          if (toldFirst && decided) decided(toldFirst);
          pending.push({
            action,
            tell: decided,
            record: (verdict) => {
              log.push(`recorded ${verdict.decision}`);
              resolve(verdict);
            },
            fail: reject,
          });
        }),
      recordResult: async () => undefined,
    };
    const downstream: Pick<DownstreamServers, 'tools' | 'call'> = {
      tools: async () => TOOLS,
      call: async (_system: string, _config: unknown, name: string) => {
        log.push(`forwarded ${name}`);
        return { content: [{ type: 'text', text: `${name} done` }] };
      },
    };
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await gatewayMcpServer('wo-1', backend, downstream, () => undefined).connect(serverSide);
    client = new Client({ name: 'agent', version: '1' });
    await client.connect(clientSide);
  });
  afterEach(() => client.close());

  /** Calls a tool; resolves to the answer, logging when it arrives. */
  const call = (name: string) =>
    client.callTool({ name: `files__${name}`, arguments: { path: '/tmp/a' } }).then((answer) => {
      log.push('answered');
      return answer;
    });
  const decisionAsked = async () => {
    while (pending.length === 0) await new Promise((r) => setImmediate(r));
    // Whatever the gateway does once told, it has done by the next turn.
    await new Promise((r) => setImmediate(r));
    return pending[0];
  };

  it('forwards a read told run before its decision is recorded, and answers only once it is', async () => {
    const answer = call('read_file');
    const decision = await decisionAsked();
    expect(log).toEqual(['decide read_file', 'forwarded read_file']);
    decision.record(run);
    const result = CallToolResultSchema.parse(await answer);
    expect(log).toEqual(['decide read_file', 'forwarded read_file', 'recorded run', 'answered']);
    expect(result.content).toEqual([{ type: 'text', text: 'read_file done' }]);
    expect(result._meta?.['workgate/receiptId']).toBe('r-1');
  });

  it('forwards a write only once its decision is recorded', async () => {
    const answer = call('write_file');
    const decision = await decisionAsked();
    expect(log).toEqual(['decide write_file']);
    decision.record(run);
    await answer;
    expect(log).toEqual(['decide write_file', 'recorded run', 'forwarded write_file', 'answered']);
  });

  it('drops the result of a read told run when its decision is recorded otherwise (decided again): the agent gets the stop', async () => {
    const answer = call('read_file');
    (await decisionAsked()).record(stop);
    const result = await answer;
    expect(result.isError).toBe(true);
    expect(CallToolResultSchema.parse(result).content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(/^stop: work_order_stopped/),
    });
    expect(JSON.stringify(result)).not.toContain('read_file done');
  });

  it('drops the result of a read told run when its decision cannot be recorded: the agent gets the refusal', async () => {
    const answer = call('read_file');
    (await decisionAsked()).fail(Object.assign(new Error('the ledger is away'), { code: 'unavailable' }));
    const result = await answer;
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result)).not.toContain('read_file done');
  });

  it('forwards nothing when told run after it gave up on the decision (its time-out): nobody would await the read', async () => {
    toldFirst = undefined;
    const answer = call('read_file');
    const decision = await decisionAsked();
    decision.fail(Object.assign(new Error('no answer within 15000 ms'), { code: 'timeout' }));
    expect((await answer).isError).toBe(true);
    decision.tell!(run);
    await new Promise((r) => setImmediate(r));
    expect(log.filter((l) => l.startsWith('forwarded'))).toEqual([]);
  });

  it('forwards nothing before the decision when told wait or stop, nor when told nothing', async () => {
    const tolds: Array<ActionVerdict | undefined> = [
      { ...stop, decision: 'wait', approvalId: 'ap-1' },
      stop,
      undefined,
    ];
    for (const told of tolds) {
      toldFirst = told;
      log = [];
      pending = [];
      const answer = call('read_file');
      const decision = await decisionAsked();
      expect(log).toEqual(['decide read_file']);
      decision.record(told ?? run);
      await answer;
      expect(log.filter((l) => l.startsWith('forwarded'))).toEqual(told ? [] : ['forwarded read_file']);
    }
  });
});
