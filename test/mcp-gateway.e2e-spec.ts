import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { ActionAnswer, OpenedAnswer, Receipt, RecordedEvent } from '@workgate/contracts';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { callTool, gatewayClient } from './support/mcp-client';
import { defined, eventsOfType, firstOfType, found } from './support/answers';
import { arrayOf, checked, isRecord, isString, isUnknown, optional, shaped } from './support/guards';

type ToolResult = {
  isError?: boolean;
  structuredContent?: unknown;
  content: Array<{ type: string; text?: string }>;
  _meta?: WorkgateMeta;
};
/** What the gateway writes under `workgate/` into a tool result's `_meta`, beside the downstream server's own keys. */
interface WorkgateMeta {
  /** Why a call was held or stopped. */
  'workgate/decision'?: Partial<ActionAnswer> & { argumentsSha256?: string };
  'workgate/receiptId'?: string;
  'workgate/argumentsSha256'?: string;
  'workgate/resultSha256'?: string;
  [key: string]: unknown;
}
const isWorkgateMeta = (value: unknown): value is WorkgateMeta =>
  isRecord(value) &&
  ['workgate/receiptId', 'workgate/argumentsSha256', 'workgate/resultSha256'].every((key) =>
    optional(isString)(value[key]),
  ) &&
  optional(isRecord)(value['workgate/decision']);
/** The decision a held or stopped call carries. */
const decisionOf = (r: ToolResult) => r._meta?.['workgate/decision'];

/**
 * The MCP gateway in front of the official filesystem MCP server (the shipped agent-files
 * workflow), driven by the SDK's own client: every call is decided before the server sees it.
 */
describe('the MCP gateway of a work order (POST /mcp/work-orders/:id)', () => {
  const principals = writePrincipals({
    agent: ['integrator', 'operator'],
    'files-owner': ['approver'],
    lead: ['ops-lead'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'wg-agent-files-'));
  let t: TestWorkgate;
  let mcp: Client;
  let workOrderId: string;
  const call = async (name: string, args: Record<string, unknown>): Promise<ToolResult> => {
    const result = await callTool(mcp, name, args);
    return { ...result, _meta: checked(result._meta, optional(isWorkgateMeta), `the _meta of ${name}`) };
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'hello.txt'), 'hello from the files');
    process.env.WORKGATE_MCP_FILES_DIR = dir;
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    const opened = await client(t.url, principals.keys.agent)<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-files',
      externalRef: 'FILES-1',
      source: 'agent',
      inputs: { task: 'write a note' },
    });
    workOrderId = opened.body.id;
    mcp = await gatewayClient(t.url, workOrderId, principals.keys.agent);
  });
  afterAll(async () => {
    await mcp?.close();
    await t?.close();
    delete process.env.WORKGATE_MCP_FILES_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses a principal that may not request actions (403 before any tool is listed)', async () => {
    const analyst = new Client({ name: 'analyst', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${t.url}/mcp/work-orders/${workOrderId}`), {
      requestInit: { headers: { Authorization: `Bearer ${principals.keys.lead}` } },
    });
    await expect(analyst.connect(transport)).rejects.toThrow(
      /forbidden.*Only integrators and operators can use this route\. Your key \(lead\) has the ops-lead role: ask an admin to give it the integrator or operator role\./,
    );
    await analyst.close();
  });

  it("lists the filesystem server's tools as files__<tool>", async () => {
    const names = (await mcp.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'files__read_text_file',
        'files__write_file',
        'files__move_file',
        'files__list_directory',
      ]),
    );
  });

  it('runs a read, forwards it, and records its receipt with the hashes of the arguments and the result', async () => {
    const read = await call('files__read_text_file', { path: join(dir, 'hello.txt') });
    expect(read.isError).toBeFalsy();
    expect(read.content[0].text).toContain('hello from the files');
    // The result is recorded beside the decision, without holding up the answer.
    const events = await eventually(
      async () => {
        const all = (
          await client(t.url, principals.keys.lead)<RecordedEvent[]>('GET', `/v1/work-orders/${workOrderId}/events`)
        ).body;
        return all.some((e) => e.type === 'ActionPerformed') && all;
      },
      10_000,
      'the recorded result',
    );
    const decided = found(
      eventsOfType(events, 'ActionDecided'),
      (e) => e.data.action.operation === 'read_text_file',
      'the decision on read_text_file',
    );
    expect(decided.data).toMatchObject({
      action: { system: 'files', kind: 'read', argumentsSha256: read._meta!['workgate/argumentsSha256'] },
      decision: { decision: 'run' },
    });
    expect(firstOfType(events, 'ActionPerformed').data).toEqual({
      workOrderId,
      actionId: decided.data.actionId,
      argumentsSha256: read._meta!['workgate/argumentsSha256'],
      resultSha256: read._meta!['workgate/resultSha256'],
      isError: false,
    });
    expect(
      (await client(t.url, principals.keys.agent)<Receipt>('GET', `/v1/receipts/${read._meta!['workgate/receiptId']}`))
        .body,
    ).toMatchObject({ kind: 'decision', decision: 'run' });
  });

  it("records a result in the same commit as the next call's decision, when calls follow one another", async () => {
    const reads: ToolResult[] = [];
    for (let head = 1; head <= 8; head++)
      reads.push(await call('files__read_text_file', { path: join(dir, 'hello.txt'), head }));
    const receipts = reads.map((r) => r._meta!['workgate/receiptId']);
    const events = await eventually(
      async () => {
        const all = (
          await client(t.url, principals.keys.lead)<RecordedEvent[]>('GET', `/v1/work-orders/${workOrderId}/events`)
        ).body;
        // A decision's receipt is its ActionDecided event.
        const decided = receipts.map((receiptId) =>
          all.find((e) => e.type === 'ActionDecided' && e.eventId === receiptId),
        );
        const performed = decided.map(
          (d) => d && all.find((e) => e.type === 'ActionPerformed' && e.data.actionId === d.data.actionId),
        );
        return performed.every(Boolean) && { decided: decided.map((e) => e!), performed: performed.map((e) => e!) };
      },
      10_000,
      'the eight recorded results',
    );
    // One commit, one recording time: result i beside decision i + 1 (on a loaded machine a call may
    // come more than RESULT_HOLD_MS after the one before it, and that result is recorded alone).
    const together = events.performed.slice(0, -1).filter((p, i) => p.recordedAt === events.decided[i + 1].recordedAt);
    expect(together.length).toBeGreaterThanOrEqual(4); // of 7; recorded at once, 0 of 7
  });

  it('holds write_file for its owner; the owner approves that exact call, which then runs once; other arguments still wait', async () => {
    const target = join(dir, 'note.md');
    const write = { path: target, content: '# approved note\n' };
    const waiting = await call('files__write_file', write);
    expect(waiting.isError).toBe(true);
    const held = defined(decisionOf(waiting), 'the decision that holds the call');
    expect(held).toMatchObject({
      decision: 'wait',
      decisionOwner: 'files-owner',
      approvalId: expect.any(String),
      argumentsSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect(waiting.content[0].text).toMatch(/^wait: .*files-owner/);
    expect(existsSync(target)).toBe(false);

    const owner = client(t.url, principals.keys['files-owner']);
    const decided = await owner('POST', `/v1/approvals/${held.approvalId}/decision`, {
      decision: 'approve',
      permittedAction: {
        system: 'files',
        operation: 'write_file',
        kind: 'write',
        argumentsSha256: held.argumentsSha256,
      },
    });
    expect(decided.status).toBe(200);
    // The decision commits with its outcome on the work order: the same call, sent again at once, runs.
    const ran = await call('files__write_file', write);
    expect(ran.isError).toBeFalsy();
    expect(readFileSync(target, 'utf8')).toBe('# approved note\n');
    // Once: the same call again waits for a new approval, and so does another.
    expect(decisionOf(await call('files__write_file', write))).toMatchObject({ decision: 'wait' });
    expect(decisionOf(await call('files__write_file', { path: join(dir, 'other.md'), content: 'x' }))).toMatchObject({
      decision: 'wait',
    });
    expect(existsSync(join(dir, 'other.md'))).toBe(false);
  });

  it('stops move_file and every write the workflow does not name, and a system it does not name; nothing reaches the server', async () => {
    const moved = await call('files__move_file', {
      source: join(dir, 'hello.txt'),
      destination: join(dir, 'moved.txt'),
    });
    expect(moved.isError).toBe(true);
    expect(decisionOf(moved)).toMatchObject({ decision: 'stop', reason: 'write_not_allowed' });
    expect(existsSync(join(dir, 'hello.txt'))).toBe(true);
    expect(existsSync(join(dir, 'moved.txt'))).toBe(false);
    expect(decisionOf(await call('files__create_directory', { path: join(dir, 'sub') }))).toMatchObject({
      decision: 'stop',
      reason: 'write_not_allowed',
    });
    expect(existsSync(join(dir, 'sub'))).toBe(false);
    expect(decisionOf(await call('shell__exec', { command: 'rm -rf /' }))).toMatchObject({
      decision: 'stop',
      reason: 'system_not_named',
    });
  });

  describe('streamable HTTP, as the MCP specification words it (JSON answers, no sessions)', () => {
    const post = (body: unknown, headers: Record<string, string> = {}) =>
      fetch(`${t.url}/mcp/work-orders/${workOrderId}`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${principals.keys.agent}`,
          'Content-Type': 'application/json',
          Accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const listTools = (id: unknown) => ({ jsonrpc: '2.0', id, method: 'tools/list' });

    it('answers each caller under its own id, when concurrent callers use the same one', async () => {
      const path = join(dir, 'hello.txt');
      const answers = await Promise.all(
        [1, 2, 3, 4].map(async (head) => {
          const res = await post({
            jsonrpc: '2.0',
            id: 7,
            method: 'tools/call',
            params: { name: 'files__read_text_file', arguments: { path, head } },
          });
          return { status: res.status, type: res.headers.get('content-type'), body: await res.json(), head };
        }),
      );
      for (const a of answers) {
        expect(a).toMatchObject({ status: 200, body: { jsonrpc: '2.0', id: 7 } });
        expect(a.type).toMatch(/^application\/json/);
        expect(a.body.result.content[0].text).toBe('hello from the files'.split('\n').slice(0, a.head).join('\n'));
        expect(a.body.result._meta['workgate/argumentsSha256']).toMatch(/^[0-9a-f]{64}$/);
      }
      // Four calls, four decisions: distinct receipts.
      expect(new Set(answers.map((a) => a.body.result._meta['workgate/receiptId'])).size).toBe(4);
    });

    it('answers a batch with one response per request, in order, and a notification alone with 202', async () => {
      const batch = await post([
        listTools('a'),
        { jsonrpc: '2.0', method: 'notifications/initialized' },
        { jsonrpc: '2.0', id: 'b', method: 'ping' },
      ]);
      expect(batch.status).toBe(200);
      const body = checked(
        await batch.json(),
        arrayOf(shaped({ id: isString, result: shaped({ tools: optional(arrayOf(isUnknown)) }) })),
        'the batch answer',
      );
      expect(body.map((m) => m.id)).toEqual(['a', 'b']);
      expect(body[0].result.tools?.length).toBeGreaterThan(0);
      const notification = await post({ jsonrpc: '2.0', method: 'notifications/initialized' });
      expect(notification.status).toBe(202);
      expect(await notification.text()).toBe('');
    });

    it('refuses what the transport does not take, with a JSON-RPC error and the HTTP status the SDK uses', async () => {
      const refusal = async (res: Response, status: number, code: number, message: RegExp) => {
        expect(res.status).toBe(status);
        expect(await res.json()).toMatchObject({
          jsonrpc: '2.0',
          id: null,
          error: { code, message: expect.stringMatching(message) },
        });
      };
      await refusal(await post(listTools(1), { Accept: 'application/json' }), 406, -32000, /text\/event-stream/);
      await refusal(await post({ jsonrpc: '2.0', id: 1, result: 'x', method: 5 }), 400, -32700, /Invalid JSON-RPC/);
      await refusal(await post([]), 400, -32600, /batch/);
      await refusal(
        await post(listTools(1), { 'Mcp-Protocol-Version': '1999-01-01' }),
        400,
        -32000,
        /Unsupported protocol version: 1999-01-01/,
      );
      await refusal(
        await post([{ jsonrpc: '2.0', id: 1, method: 'initialize', params: {} }, listTools(2)]),
        400,
        -32600,
        /one initialization/,
      );
      // Not JSON at all: the gateway's own refusal, as on every route.
      const text = await post('tools/list', { 'Content-Type': 'text/plain' });
      expect(text.status).toBe(415);
    });
  });
});
