import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Browser, Page } from 'playwright-core';
import type { ApprovalQueueRow, ApprovalSubject, ApprovalView, OpenedAnswer } from '@workgate/contracts';
import { closeContexts, consolePage, shootCardWideAndNarrow } from './support/console-page';
import { callTool, gatewayClient } from './support/mcp-client';
import { eventually } from './support/processes';
import { client, clientsFor, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import { checked, isString, shaped } from './support/guards';

/**
 * An approver sees what they approve (docs/approvers.md, "What a card shows"): an agent asks with
 * request_action, then writes a file through the MCP gateway; the owner's one card for that intent
 * names the tool, the path, the content and the SHA-256 the approval is bound to, and the API's
 * approval view carries the same, masked for a reader who may not see the values as sent.
 */
describe('an approval card shows the tool call it releases', () => {
  const principals = writePrincipals({
    agent: ['integrator', 'operator'],
    'files-owner': ['approver'],
    lead: ['ops-lead'],
    watcher: ['operator'],
  });
  const dir = mkdtempSync(join(tmpdir(), 'wg-cards-'));
  const secret = `cy${createHash('sha256').update(String(Math.random())).digest('hex').slice(0, 16)}`;
  const path = join(dir, 'notes', 'release.md');
  // Long enough to be folded; a credential-shaped line in it is what masking hides.
  const content = `# Release notes\n\n${'Every call is decided before it reaches the server. '.repeat(12)}\npassword=${secret}\nThe end.\n`;
  // The binding rule (docs/agents.md): SHA-256 of the arguments as RFC 8785 JSON. Two string
  // members in code-point order, with no character RFC 8785 escapes differently from JSON.stringify.
  const expectedSha256 = createHash('sha256')
    .update(`{"content":${JSON.stringify(content)},"path":${JSON.stringify(path)}}`)
    .digest('hex');
  const problems: string[] = [];
  let t: TestWorkgate;
  let as: Record<string, ReturnType<typeof client>>;
  let gateway: Client;
  let workgate: Client;
  let workOrderId: string;
  let asked: string; // the approval request_action asked for
  let exact: string; // the approval of the gateway's call
  let browser: Browser;
  const { launch, signIn } = consolePage(() => t.url, principals.keys, problems, /status of 40[34]/);
  const writeFile = async () => callTool(gateway, 'files__write_file', { path, content });

  beforeAll(async () => {
    mkdirSync(join(dir, 'notes'));
    process.env.WORKGATE_MCP_FILES_DIR = dir;
    t = await startTestWorkgate({ env: { WORKGATE_PRINCIPALS: principals.path } });
    as = clientsFor(t.url, principals.keys);
    const opened = await as.agent<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'agent-files',
      externalRef: 'CARDS-1',
      source: 'agent',
      inputs: { task: 'write the release notes' },
    });
    workOrderId = opened.body.id;
    gateway = await gatewayClient(t.url, workOrderId, principals.keys.agent);
    workgate = new Client({ name: 'coding-agent', version: '1' });
    await workgate.connect(
      new StreamableHTTPClientTransport(new URL(`${t.url}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${principals.keys.agent}` } },
      }),
    );
    const ask = await callTool(workgate, 'request_action', {
      workOrderId,
      system: 'files',
      operation: 'write_file',
      kind: 'write',
    });
    expect(ask.structuredContent).toMatchObject({ decision: 'wait', decisionOwner: 'files-owner' });
    asked = String(ask.structuredContent!.approvalId);
    const wait = await writeFile();
    expect(wait.isError).toBe(true);
    const decision = checked(
      wait._meta?.['workgate/decision'],
      shaped({ approvalId: isString, argumentsSha256: isString }),
      'the decision of the held call',
    );
    exact = decision.approvalId;
    expect(decision.argumentsSha256).toBe(expectedSha256);
    ({ browser } = await launch());
  });
  afterAll(async () => {
    await closeContexts(browser);
    await gateway?.close();
    await workgate?.close();
    await t?.close();
    delete process.env.WORKGATE_MCP_FILES_DIR;
    rmSync(dir, { recursive: true, force: true });
  });

  const subjectAs = async (who: string, id: string): Promise<ApprovalSubject> => {
    const res = await as[who]<ApprovalView>('GET', `/v1/approvals/${id}`);
    expect(res.status).toBe(200);
    return res.body.subject!;
  };

  it("the approval view names the tool, every argument, the file and the hash the approval is bound to, linked to the agent's request_action", async () => {
    const subject = await subjectAs('files-owner', exact);
    expect(subject.toolCall).toMatchObject({
      tool: 'files__write_file',
      argumentsSha256: expectedSha256,
      masked: false,
      file: { path, writes: expect.stringMatching(/^the full new content \(\d+ characters\)/) },
    });
    const args = Object.fromEntries(subject.toolCall!.arguments!.map((a) => [a.name, a]));
    expect(Object.keys(args).sort()).toEqual(['content', 'path']);
    expect(args.path).toEqual({ name: 'path', value: path, preview: path, length: path.length, folded: false });
    expect(args.content).toMatchObject({ value: content, length: content.length, folded: true });
    expect(content.startsWith(args.content.preview) && args.content.preview.length < content.length).toBe(true);
    expect(subject.follows).toBe(asked);
    expect(subject.releases).toMatch(/^Approving runs this exact call once/);
    expect((await subjectAs('files-owner', asked)).followedBy).toBe(exact);
    // The queue carries the same subject.
    const queue = await as['files-owner']<ApprovalQueueRow[]>(
      'GET',
      `/v1/approvals?owner=files-owner&status=requested`,
    );
    const row = queue.body.find((r) => r.approvalId === exact)!;
    expect(row.subject).toEqual(subject);
  });

  it('masks credential-shaped text for a reader who is neither the owner nor an ops lead', async () => {
    expect(JSON.stringify(await subjectAs('lead', exact))).toContain(secret);
    const seen = await subjectAs('watcher', exact);
    expect(JSON.stringify(seen)).not.toContain(secret);
    expect(seen.toolCall).toMatchObject({ argumentsSha256: expectedSha256, masked: true });
    expect(seen.toolCall!.arguments!.find((a) => a.name === 'content')!.value).toContain('[redacted]');
  });

  const cardsOfIntent = (page: Page) =>
    page.locator(`article[data-approval="${exact}"], article[data-approval="${asked}"]`);

  it("shows the owner one card for the intent, with the path, the content's preview and the bound hash (1920 px and 420 px)", async () => {
    const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
    await signIn(page, 'files-owner', '#approvals');
    await page.locator(`article[data-approval="${exact}"]`).waitFor();
    expect(await cardsOfIntent(page).count()).toBe(1);
    const card = page.locator(`article[data-approval="${exact}"]`);
    await expect(card.locator('h3').textContent()).resolves.toContain(`files__write_file · ${path}`);
    expect(await card.locator(`code[data-hash="${expectedSha256}"]`).textContent()).toBe(expectedSha256);
    const text = (await card.textContent()) ?? '';
    expect(text).toContain(content.slice(0, 120));
    expect(text).toContain('the full new content');
    expect(text).toContain(`request_action (approval ${asked.slice(0, 8)}`);
    expect(await card.getByText(`Show all ${content.length.toLocaleString('en-GB')} characters`).count()).toBe(1);
    // At 420 px nothing on the card is wider than the screen.
    await shootCardWideAndNarrow(page, card, 'approval-card-tool-call');

    // Approving the card permits this exact call and declines the request for every call; the call then runs.
    await card.getByRole('button', { name: 'Approve', exact: true }).click();
    await eventually(
      async () => (await as['files-owner']<ApprovalView>('GET', `/v1/approvals/${exact}`)).body.status === 'approved',
    );
    expect((await as['files-owner']<ApprovalView>('GET', `/v1/approvals/${asked}`)).body.status).toBe('rejected');
    expect((await writeFile()).isError).toBeFalsy();
    expect(existsSync(path) && readFileSync(path, 'utf8')).toBe(content);
    await page.close();
    expect(problems).toEqual([]);
  });
});
