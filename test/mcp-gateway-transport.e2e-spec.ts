import { join } from 'node:path';
import { arrayOf, checked, isString, isUnknown, optional, shaped } from './support/guards';
import { mcpGatewaySuite } from './support/mcp-gateway-suite';

/** The MCP gateway of a work order over streamable HTTP, as the MCP specification words it (JSON answers, no sessions). */
describe('the MCP gateway of a work order: streamable HTTP', () => {
  const rig = mcpGatewaySuite();
  const { principals, dir } = rig;
  const post = (body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${rig.t.url}/mcp/work-orders/${rig.workOrderId}`, {
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
