import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { CallToolResultSchema } from '@modelcontextprotocol/sdk/types.js';
import type { OpenedAnswer, Receipt } from '@workgate/contracts';
import { client, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import { gatewayClient } from './support/mcp-client';
import { checked, isString, shaped } from './support/guards';

const NOTE = 'CANARY-mcp-note: delete the written file';

/**
 * A tool call through the MCP gateway to a system with `rollback: required` (the shipped
 * agent-files workflow with its files undoable only with a note): without a note in `_meta` it
 * stops and says where the note goes; with it the rules decide, and the note is private evidence.
 */
describe('rollback notes through the MCP gateway', () => {
  const principals = writePrincipals({ admin: ['admin'], agent: ['integrator', 'operator'], lead: ['ops-lead'] });
  const dir = mkdtempSync(join(tmpdir(), 'wg-undo-files-'));
  let t: SharedTestWorkgate;
  let mcp: Client;
  const write = (meta?: Record<string, unknown>) =>
    mcp
      .callTool({
        name: 'files__write_file',
        arguments: { path: join(dir, 'note.txt'), content: 'hello' },
        ...(meta ? { _meta: meta } : {}),
      })
      .then((a) => CallToolResultSchema.parse(a));

  beforeAll(async () => {
    process.env.WORKGATE_MCP_FILES_DIR = dir;
    t = await sharedTestWorkgate({ principals });
    const yaml = readFileSync(join(__dirname, '..', 'workflows', 'agent-files.yaml'), 'utf8')
      .replace(/^jobType: .*$/m, 'jobType: undoable-files')
      .replace('    write: [write_file]\n', '    write: [write_file]\n    rollback: required\n');
    expect(yaml).toContain('rollback: required');
    const admin = client(t.url, principals.keys.admin);
    expect((await admin('POST', '/v1/workflows', yaml, { 'Content-Type': 'application/yaml' })).status).toBe(201);
    const opened = await client(t.url, principals.keys.agent)<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'undoable-files',
      externalRef: 'UNDO-1',
      source: 'agent',
      inputs: { task: 'write a note' },
    });
    mcp = await gatewayClient(t.url, opened.body.id, principals.keys.agent);
  });
  afterAll(async () => {
    await mcp?.close();
    await t?.close();
    delete process.env.WORKGATE_MCP_FILES_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a write without a note stops, telling the agent where the note goes', async () => {
    const answer = await write();
    expect(answer.isError).toBe(true);
    expect(answer.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringContaining(
        'stop: rollback_note_required: writes to files need a rollback note: say how to undo it; call again with the note in the request\'s _meta as "workgate/rollbackNote"',
      ),
    });
    expect(answer._meta).toMatchObject({ 'workgate/decision': { decision: 'stop', reason: 'rollback_note_required' } });
  });

  it('with the note in _meta the rules decide (write_file waits for its owner); the note is on the ops lead receipt only', async () => {
    const answer = await write({ 'workgate/rollbackNote': NOTE });
    expect(answer._meta).toMatchObject({ 'workgate/decision': { decision: 'wait', reason: 'rule_matched' } });
    const { receiptId } = checked(answer._meta?.['workgate/decision'], shaped({ receiptId: isString }), 'the decision');
    const lead = await client(t.url, principals.keys.lead)<Receipt>('GET', `/v1/receipts/${receiptId}`);
    expect(lead.body.evidence).toMatchObject([{ kind: 'rollback-note', note: NOTE, private: true }]);
    const agent = await client(t.url, principals.keys.agent)<Receipt>('GET', `/v1/receipts/${receiptId}`);
    expect(agent.status).toBe(200);
    expect(agent.text).not.toContain('CANARY-mcp-note');
  });

  it('a note that is not a string is refused before any decision', async () => {
    const answer = await write({ 'workgate/rollbackNote': 7 });
    expect(answer._meta).toEqual({
      'workgate/refusal': { error: 'validation_failed', message: '_meta "workgate/rollbackNote" must be a string' },
    });
  });
});
