import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { ActionAnswer, OpenedAnswer } from '@workgate/contracts';
import { checked, isRecord, isString, optional } from './guards';
import { callTool, gatewayClient } from './mcp-client';
import { client, writePrincipals } from './principals';
import { startTestWorkgate, TestWorkgate } from './workgate';

export type ToolResult = {
  isError?: boolean;
  structuredContent?: unknown;
  content: Array<{ type: string; text?: string }>;
  _meta?: WorkgateMeta;
};
/** What the gateway writes under `workgate/` into a tool result's `_meta`, beside the downstream server's own keys. */
export interface WorkgateMeta {
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
export const decisionOf = (r: ToolResult) => r._meta?.['workgate/decision'];

/**
 * A workgate of the MCP gateway specs' own (test/mcp-gateway*.e2e-spec.ts), the shipped
 * agent-files workflow over a scratch directory (`dir`, holding hello.txt), one work order of it,
 * and the SDK's own client on its gateway as the agent: `call` calls a tool and checks the
 * gateway's `_meta`.
 */
export function mcpGatewaySuite() {
  const principals = writePrincipals({
    agent: ['integrator', 'operator'],
    'files-owner': ['approver'],
    lead: ['ops-lead'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'wg-agent-files-'));
  let started: { t: TestWorkgate; mcp: Client; workOrderId: string } | undefined;
  const running = () => {
    if (!started) throw new Error('the workgate is started in beforeAll: read it inside a test');
    return started;
  };

  beforeAll(async () => {
    writeFileSync(join(dir, 'hello.txt'), 'hello from the files');
    process.env.WORKGATE_MCP_FILES_DIR = dir;
    // As `npm start` runs it (the ledger and intake on the ledger's thread): a call's result waits
    // RESULT_HOLD_MS for the next call's decision, so how soon the next call comes is the arrangement's.
    const t = await startTestWorkgate({
      env: { WORKGATE_PRINCIPALS: principals.path },
      ledgerThread: true,
      intakeThread: true,
    });
    const opened = await client(t.url, principals.keys.agent)<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-files',
      externalRef: 'FILES-1',
      source: 'agent',
      inputs: { task: 'write a note' },
    });
    started = {
      t,
      mcp: await gatewayClient(t.url, opened.body.id, principals.keys.agent),
      workOrderId: opened.body.id,
    };
  });
  afterAll(async () => {
    await started?.mcp.close();
    await started?.t.close();
    delete process.env.WORKGATE_MCP_FILES_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    principals,
    dir,
    get t() {
      return running().t;
    },
    get workOrderId() {
      return running().workOrderId;
    },
    call: async (name: string, args: Record<string, unknown>): Promise<ToolResult> => {
      const result = await callTool(running().mcp, name, args);
      return { ...result, _meta: checked(result._meta, optional(isWorkgateMeta), `the _meta of ${name}`) };
    },
    listTools: () => running().mcp.listTools(),
  };
}
