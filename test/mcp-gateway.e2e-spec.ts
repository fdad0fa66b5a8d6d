import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Receipt, RecordedEvent } from '@workgate/contracts';
import { defined, eventsOfType, firstOfType, found } from './support/answers';
import { decisionOf, mcpGatewaySuite, ToolResult } from './support/mcp-gateway-suite';
import { client } from './support/principals';
import { eventually } from './support/processes';

/**
 * The MCP gateway in front of the official filesystem MCP server (the shipped agent-files
 * workflow), driven by the SDK's own client: every call is decided before the server sees it.
 */
describe('the MCP gateway of a work order (POST /mcp/work-orders/:id)', () => {
  const rig = mcpGatewaySuite();
  const { principals, dir, call } = rig;

  it('refuses a principal that may not request actions (403 before any tool is listed)', async () => {
    const analyst = new Client({ name: 'analyst', version: '1' });
    const transport = new StreamableHTTPClientTransport(new URL(`${rig.t.url}/mcp/work-orders/${rig.workOrderId}`), {
      requestInit: { headers: { Authorization: `Bearer ${principals.keys.lead}` } },
    });
    await expect(analyst.connect(transport)).rejects.toThrow(
      /forbidden.*Only integrators and operators can use this route\. Your key \(lead\) has the ops-lead role: ask an admin to give it the integrator or operator role\./,
    );
    await analyst.close();
  });

  it("lists the filesystem server's tools as files__<tool>", async () => {
    const names = (await rig.listTools()).tools.map((tool) => tool.name);
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
          await client(rig.t.url, principals.keys.lead)<RecordedEvent[]>(
            'GET',
            `/v1/work-orders/${rig.workOrderId}/events`,
          )
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
      workOrderId: rig.workOrderId,
      actionId: decided.data.actionId,
      argumentsSha256: read._meta!['workgate/argumentsSha256'],
      resultSha256: read._meta!['workgate/resultSha256'],
      isError: false,
    });
    expect(
      (
        await client(rig.t.url, principals.keys.agent)<Receipt>(
          'GET',
          `/v1/receipts/${read._meta!['workgate/receiptId']}`,
        )
      ).body,
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
          await client(rig.t.url, principals.keys.lead)<RecordedEvent[]>(
            'GET',
            `/v1/work-orders/${rig.workOrderId}/events`,
          )
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

    const owner = client(rig.t.url, principals.keys['files-owner']);
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
});
