import { sendApprovalCanaries, sendBreakGlassCanaries } from './canary-approvals';
import { sendDelegationCanaries, sendLifecycleCanaries } from './canary-delegations';
import { sendHttpEventCanaries, sendNatsEventCanaries } from './canary-events';
import { sendRefusedCanaries } from './canary-refusals';
import { canaryRig } from './canary-rig';
import { expectNoLeaks } from './canary-surfaces';
import { sendWorkOrderCanaries } from './canary-work-order';

/**
 * Canary secrets: unique strings, credential-shaped (`password=…`, `Bearer …`, an AWS-like key, a
 * URL with user:password) and plain, sent through every input workgate takes — work-order inputs
 * and facts, evidence refs and notes (private or not), step notes, block and break-glass
 * rationales, closure notes and reopen reasons, exception resolutions, remediation titles,
 * post-review outcomes, approval notes and conditions, stage artifacts, scope-change reasons,
 * delegation prompts and confirmations, CloudEvents over HTTP and over NATS (structured and binary),
 * refused and malformed bodies, headers, query strings, wrong API keys, and the process's own
 * configuration (database password, NATS credentials). Identifiers (ids, codes, step and stage ids,
 * job types, sources, external refs) are names the caller chose and are echoed by design: no
 * canary goes there.
 * Workgate runs as its own process (`node dist/cli/start.js`) at LOG_LEVEL=debug (test/faults/canary-rig.ts);
 * test/faults/canaries.ts registers each canary with the surfaces it may appear on.
 *
 * Surfaces, and where a canary may appear:
 * - logs (everything the process writes), notifications (`workgate.notify.>`), the delivery page
 *   (JSON and HTML) and every 4xx body: never. These are read by people and systems that never
 *   need the secret (log shippers, chat bridges, clients, proxies logging error bodies).
 * - the broad views every principal may read — the state handoff, the work-orders list, exception
 *   and post-review views, the analysts' views: never a credential-shaped canary (masked), and a
 *   plain one only where it is the field the view shows by design (an exception's rationale, a
 *   scope change's reason, an approval condition, a remediation title). Inputs, facts, evidence,
 *   notes and prompts never reach them.
 * - receipts for a principal without ops-lead: the non-private evidence of the receipt (it is the
 *   evidence itself); private evidence never.
 * - approval views for approvers: the conditions the approver wrote; the decision note never.
 * - MAY appear, as the evidence itself: the ledger events of a work order for ops-lead (private
 *   evidence included — asserted present, which also proves every canary got in), and the raw
 *   payload of a refused event for integrators and ops leads (asserted present too).
 */

describe('faults: canary secrets never leak', () => {
  const rig = canaryRig();

  it('runs every input with canaries through the process', async () => {
    const workOrder = await sendWorkOrderCanaries(rig);
    await sendApprovalCanaries(rig, workOrder);
    await sendBreakGlassCanaries(rig);
    await sendLifecycleCanaries(rig);
    await sendDelegationCanaries(rig);
    await sendHttpEventCanaries(rig);
    await sendNatsEventCanaries(rig);
    await sendRefusedCanaries(rig, workOrder.wo);

    expect(rig.serverErrors).toEqual([]);
  }, 180_000);

  it('keeps every canary out of notifications, delivery pages, error bodies and logs, and credentials out of the broad views', async () => {
    await expectNoLeaks(rig);
  }, 120_000);
});
