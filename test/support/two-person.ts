import type { Browser, Page } from 'playwright-core';
import type { ApprovalView, PermittedAction, Receipt } from '@workgate/contracts';
import { shootCardWideAndNarrow } from './console-page';
import { eventually } from './processes';
import { client } from './principals';

type Clients = Record<string, ReturnType<typeof client>>;

/** How each principal decides an approval over HTTP: an approve names the action it permits, a rejection nothing. */
export function approvalDecisions(as: Clients, permitted: PermittedAction) {
  return (who: string, approvalId: string, decision: 'approve' | 'reject') =>
    as[who]<ApprovalView & { error?: string; message?: string }>('POST', `/v1/approvals/${approvalId}/decision`, {
      decision,
      ...(decision === 'reject' ? {} : { permittedAction: permitted }),
    });
}

/**
 * The second approver approves on the console's card, which first says "1 of 2 approvals · <first>
 * approved" (screenshots `<shot>.png` and `<shot>-narrow.png`); resolves once the approval is granted.
 */
export async function approveSecondInConsole(options: {
  browser: Browser;
  signIn: (page: Page, who: string, hash?: string) => Promise<void>;
  second: string;
  first: string;
  approvalId: string;
  shot: string;
  /** Reads the approval over HTTP (as someone who may). */
  read: ReturnType<typeof client>;
}): Promise<void> {
  const { browser, signIn, second, first, approvalId, read } = options;
  const page = await browser.newPage({ viewport: { width: 1920, height: 1080 } });
  await signIn(page, second, '#approvals');
  const card = page.locator(`article[data-approval="${approvalId}"]`);
  await card.waitFor();
  await expect(card.locator('.approvals-progress').textContent()).resolves.toBe(`1 of 2 approvals · ${first} approved`);
  await shootCardWideAndNarrow(page, card, options.shot);
  await card.getByRole('button', { name: 'Approve', exact: true }).click();
  await eventually(
    async () => (await read<ApprovalView>('GET', `/v1/approvals/${approvalId}`)).body.status === 'approved',
  );
  await page.close();
}

/** The receipt of the approval's outcome in the work order's proof, once it is there. */
export async function outcomeReceipt(lead: ReturnType<typeof client>, workOrderId: string): Promise<Receipt> {
  let receipt: Receipt | undefined;
  await eventually(async () => {
    const proof = await lead<{ receipts: Receipt[] }>('GET', `/v1/work-orders/${workOrderId}/proof`);
    receipt = proof.body.receipts?.find((r) => r.kind === 'approval-outcome');
    return receipt !== undefined;
  }, 15_000);
  if (!receipt) throw new Error(`no approval-outcome receipt for ${workOrderId}`);
  return receipt;
}
