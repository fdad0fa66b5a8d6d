import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { join } from 'node:path';
import { client, writePrincipals } from './support/principals';
import type { WorkOrderHandoff } from '@workgate/contracts';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { callTool } from './support/mcp-client';
import { arrayOf, checked, isString, shaped } from './support/guards';
import { defined } from './support/answers';
import { replyOf } from './support/replies';
import * as views from '../libs/contracts/schemas/work-order-views.schemas';
import { processEnv } from './support/env';

/**
 * workgate as an MCP server (`POST /mcp`, streamable HTTP) driven by the official SDK's client, as
 * an agent would: every tool (docs/agents.md, workgate's tools), answers and refusals with the API's codes.
 */
describe('the MCP server at /mcp', () => {
  const principals = writePrincipals({
    agent: ['integrator', 'operator'],
    'support-lead': ['approver'],
    analyst: ['analyst'],
  });
  let t: SharedTestWorkgate;
  let mcp: Client;

  const connect = async (key?: string) => {
    const c = new Client({ name: 'test-agent', version: '1' });
    await c.connect(
      new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), {
        requestInit: { headers: key ? { Authorization: `Bearer ${key}` } : {} },
      }),
    );
    return c;
  };
  /** A workgate tool's result; each carries its answer as structured content. */
  const call = async (name: string, args: Record<string, unknown>, on = mcp) => {
    const result = await callTool(on, name, args);
    return { ...result, structuredContent: defined(result.structuredContent, `the structured content of ${name}`) };
  };

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    mcp = await connect(principals.keys.agent);
  });
  afterAll(async () => {
    await mcp?.close();
    await t?.close();
  });

  it('lists the tools, each with an input schema and a description', async () => {
    const { tools } = await mcp.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'check_inbox',
      'complete_workflow_phase',
      'get_work_order',
      'open_work_order',
      'request_action',
      'send_message',
      'stop_workflow',
      'wait_for_approval',
    ]);
    for (const tool of tools) {
      expect(tool.inputSchema).toMatchObject({ type: 'object', properties: expect.any(Object) });
      expect(tool.description!.length).toBeGreaterThan(40);
    }
  });

  it('refuses a client without a key, and answers 405 to GET and DELETE (no sessions)', async () => {
    await expect(connect()).rejects.toThrow(/401|unauthorized/i);
    for (const method of ['GET', 'DELETE']) {
      const res = await fetch(`${t.url}/mcp`, {
        method,
        headers: { Authorization: `Bearer ${principals.keys.agent}` },
      });
      expect([method, res.status, (await res.json()).error]).toEqual([method, 405, 'method_not_allowed']);
    }
  });

  it('opens a work order and decides actions: run, wait (with the approval and its owner) and stop (with the reason)', async () => {
    const opened = await call('open_work_order', {
      jobType: 'support-recovery',
      externalRef: 'MCP-1',
      source: 'agent',
      inputs: { caseId: 'c', orderId: 'o', orderPaid: true },
    });
    expect(opened).toMatchObject({ structuredContent: { id: expect.any(String), status: 'open' } });
    const workOrderId = opened.structuredContent.id;
    expect(
      (await call('request_action', { workOrderId, system: 'helpdesk', operation: 'case.note', kind: 'write' }))
        .structuredContent,
    ).toMatchObject({ decision: 'run', reason: 'inside_boundary', receiptId: expect.any(String) });
    expect(
      (await call('request_action', { workOrderId, system: 'payments', operation: 'refund', kind: 'write' }))
        .structuredContent,
    ).toMatchObject({ decision: 'wait', decisionOwner: 'support-lead', approvalId: expect.any(String) });
    const stop = await call('request_action', { workOrderId, system: 'crm', operation: 'case.close', kind: 'write' });
    expect(stop.structuredContent).toMatchObject({
      decision: 'stop',
      reason: 'system_not_named',
      message: expect.stringContaining('crm'),
    });
    // A refusal is a tool error carrying the API's code.
    const refused = await call('request_action', { workOrderId, system: 'helpdesk', operation: 'x', kind: 'nope' });
    expect(refused).toMatchObject({ isError: true, structuredContent: { error: 'validation_failed' } });
    expect(refused.content[0].text).toMatch(/^validation_failed: /);
    expect((await call('get_work_order', { workOrderId })).structuredContent).toMatchObject({
      id: workOrderId,
      status: 'open',
      nextOwner: expect.any(String),
    });
  });

  it('waits for an approval until the owner approves it over HTTP', async () => {
    const opened = await call('open_work_order', {
      jobType: 'support-recovery',
      externalRef: 'MCP-2',
      source: 'agent',
      inputs: { caseId: 'c', orderId: 'o', orderPaid: true },
    });
    const refund = { system: 'payments', operation: 'refund', kind: 'write' as const };
    const wait = (await call('request_action', { workOrderId: opened.structuredContent.id, ...refund }))
      .structuredContent;
    const waiting = call('wait_for_approval', { approvalId: wait.approvalId, timeoutSeconds: 20 });
    await new Promise((r) => setTimeout(r, 300));
    const owner = client(t.url, principals.keys['support-lead']);
    expect(
      (
        await owner('POST', `/v1/approvals/${String(wait.approvalId)}/decision`, {
          decision: 'approve',
          permittedAction: refund,
        })
      ).status,
    ).toBe(200);
    expect((await waiting).structuredContent).toMatchObject({
      approvalId: wait.approvalId,
      status: 'approved',
      waitedUntilDecided: true,
    });
    // Nothing decided within the time: it answers the status as it stands.
    const again = (await call('request_action', { workOrderId: opened.structuredContent.id, ...refund }))
      .structuredContent;
    expect(
      (await call('wait_for_approval', { approvalId: again.approvalId, timeoutSeconds: 0 })).structuredContent,
    ).toMatchObject({ status: 'requested', waitedUntilDecided: false });
  });

  it('delegates with send_message, shows the inbox with each filter and since, completes a phase with artifacts and stops the work order', async () => {
    const opened = await call('open_work_order', {
      jobType: 'agent-delegation',
      externalRef: 'MCP-3',
      source: 'agent',
      inputs: { objective: 'x', repository: 'r' },
    });
    const workOrderId = opened.structuredContent.id;
    const prompt = {
      objective: 'fix the flaky test',
      scope: 'libs/messaging only',
      artifacts: [{ path: '.switchboard/handoff/retry.md', access: 'read' }],
      verification: ['npm test'],
      completion: 'stop and wait for the operator',
    };
    const sent = await call('send_message', {
      workOrderId,
      recipient: 'worker-1',
      command: 'delegate_task',
      prompt,
    });
    expect(sent.structuredContent).toEqual(
      expect.objectContaining({ 'dispatch-id': expect.any(String), 'dispatch-created-at': expect.any(String) }),
    );
    const executed = await call('send_message', {
      workOrderId,
      recipient: 'worker-1',
      command: 'execute',
      prompt,
    });
    const inbox = async (args: Record<string, unknown>) =>
      checked(
        (await call('check_inbox', { recipient: 'worker-1', ...args })).structuredContent,
        shaped({ messages: arrayOf(shaped({ dispatchId: isString })) }),
        'the inbox',
      ).messages.map((m) => m.dispatchId);
    expect(await inbox({ box: 'inbox', filter: 'all' })).toEqual([
      sent.structuredContent['dispatch-id'],
      executed.structuredContent['dispatch-id'],
    ]);
    expect(await inbox({ filter: 'delegate_task' })).toEqual([sent.structuredContent['dispatch-id']]);
    expect(await inbox({ filter: 'execute' })).toEqual([executed.structuredContent['dispatch-id']]);
    expect(await inbox({ filter: 'all', since: executed.structuredContent['dispatch-created-at'] })).toEqual([
      executed.structuredContent['dispatch-id'],
    ]);
    const leaked = await call('send_message', {
      workOrderId,
      recipient: 'worker-1',
      command: 'execute',
      prompt: { ...prompt, artifacts: [{ path: 'brain/plan.md', access: 'read' }] },
    });
    expect(leaked).toMatchObject({ isError: true, structuredContent: { error: 'private_path' } });

    const handoff: WorkOrderHandoff = replyOf(
      views.WorkOrderHandoff,
      (await call('get_work_order', { workOrderId })).structuredContent,
    );
    const step = handoff.steps[0].id;
    const done = await call('complete_workflow_phase', {
      workOrderId,
      stepId: step,
      artifacts: [
        { kind: 'receipt', ref: 'ci/run/42' },
        { kind: 'report', ref: '.switchboard/handoff/report.md' },
      ],
    });
    expect(done.isError).toBeFalsy();
    expect(done.structuredContent).toMatchObject({ stepId: step, status: 'completed' });
    const stopped = await call('stop_workflow', { workOrderId, reason: 'delegation timed out' });
    expect(stopped.structuredContent).toMatchObject({ id: workOrderId, status: 'stopped' });
    expect(
      await call('request_action', { workOrderId, system: 'repo', operation: 'read', kind: 'read' }),
    ).toMatchObject({ isError: true, structuredContent: { error: 'work_order_stopped' } });
  });

  it('serves the same tools over stdio (npm run mcp) with a key', async () => {
    const stdio = new Client({ name: 'stdio-agent', version: '1' });
    await stdio.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(__dirname, '..', 'dist', 'cli', 'mcp.js'), '--url', t.url],
        env: { ...processEnv(), WORKGATE_API_KEY: principals.keys.agent },
        stderr: 'pipe',
      }),
    );
    try {
      expect((await stdio.listTools()).tools).toHaveLength(8);
      const opened = await call(
        'open_work_order',
        {
          jobType: 'support-recovery',
          externalRef: 'MCP-5',
          source: 'stdio',
          inputs: { caseId: 'c', orderId: 'o', orderPaid: true },
        },
        stdio,
      );
      expect(
        (await call('get_work_order', { workOrderId: opened.structuredContent.id }, stdio)).structuredContent,
      ).toMatchObject({ externalRef: 'MCP-5' });
    } finally {
      await stdio.close();
    }
  });

  it("applies the principal's roles: an analyst may not open work orders", async () => {
    const analyst = await connect(principals.keys.analyst);
    try {
      expect(
        await call(
          'open_work_order',
          { jobType: 'support-recovery', externalRef: 'MCP-4', source: 'agent', inputs: {} },
          analyst,
        ),
      ).toMatchObject({ isError: true, structuredContent: { error: 'forbidden' } });
    } finally {
      await analyst.close();
    }
  });
});
