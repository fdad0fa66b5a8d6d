import { randomUUID } from 'node:crypto';
import { headers as natsHeaders, Msg, Subscription } from 'nats';
import { Subjects } from '@workgate/contracts';
import { loadAsyncApiChannels } from './support/asyncapi-channels';
import { eventually } from './support/processes';
import { clientsFor, writePrincipals } from './support/principals';
import { sharedTestWorkgate, SharedTestWorkgate } from './support/shared-workgate';
import type { ActionAnswer, OpenedAnswer } from '@workgate/contracts';
import { defined } from './support/answers';

const REFUSED_TYPE = 'no.such.type';
const isTheRefusedEvent = (payload: unknown): boolean =>
  typeof payload === 'object' && payload !== null && Reflect.get(payload, 'type') === REFUSED_TYPE;

interface Captured {
  subject: string;
  /** The request's subject, for a reply captured on its requester's inbox. */
  replyTo?: string;
  payload: unknown;
}

const text = new TextDecoder();
/** A payload as JSON, or as its text when it is not JSON (a signed note is text). */
function parsed(m: Msg): unknown {
  if (m.data.length === 0) return null;
  const body = text.decode(m.data);
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/**
 * docs/asyncapi.yaml describes what is really on the wire: every message a work order's life puts
 * on NATS (work events, ledger events, notices, notifications, the inbox, requests and their
 * replies) is on a documented channel, and its payload is valid against that channel's schema.
 */
describe('the AsyncAPI document against the messages of a run', () => {
  let t: SharedTestWorkgate;
  let all: Subscription;
  const captured: Captured[] = [];
  /** Reply inboxes of requests on documented subjects, to the request's subject. */
  const requests = new Map<string, string>();
  const principals = writePrincipals({
    helpdesk: ['integrator'],
    agent: ['operator'],
    'support-lead': ['approver', 'operator'],
    admin: ['admin'],
  });

  beforeAll(async () => {
    t = await sharedTestWorkgate({ principals });
    const channels = loadAsyncApiChannels();
    all = t.nc.subscribe('>');
    void (async () => {
      for await (const m of all) {
        // Every subject but NATS's own (`$JS`, `$SYS`, ...) and reply inboxes is the product's.
        if (!m.subject.startsWith('$') && !m.subject.startsWith('_INBOX.')) {
          // A JetStream publish's reply subject is its acknowledgement's: only a request/reply channel's is a reply.
          if (m.reply && channels.channelsOf(m.subject).some((c) => c.replies.length > 0))
            requests.set(m.reply, m.subject);
          captured.push({ subject: m.subject, payload: parsed(m) });
        } else if (requests.has(m.subject)) {
          captured.push({ subject: m.subject, replyTo: requests.get(m.subject), payload: parsed(m) });
        }
      }
    })();
    await t.nc.flush();
  });
  afterAll(async () => {
    all?.unsubscribe();
    await t?.close();
  });

  async function driveAWorkOrder(): Promise<void> {
    const as = clientsFor(t.url, principals.keys);
    const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
      jobType: 'support-recovery',
      externalRef: 'AA-1',
      source: 'helpdesk',
      inputs: { caseId: 'AA-1', orderId: '1001', orderPaid: true },
    });
    const id = opened.body.id;
    for (const step of ['inspect-case', 'validate-address', 'update-order', 'notify-warehouse', 'confirm-customer'])
      await as.agent('POST', `/v1/work-orders/${id}/steps/${step}/complete`, {
        evidence: [{ kind: 'receipt', ref: `${step}-r` }],
      });
    const refund = { system: 'payments', operation: 'refund', kind: 'write', objects: ['order:1001'] };
    const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
      ...refund,
      facts: { amount: 40 },
    });
    const approvalId = defined(wait.body.approvalId, 'the approval the action waits for');
    await eventually(
      async () => (await as['support-lead']('GET', `/v1/approvals/${approvalId}`)).status === 200,
      10_000,
      'the approval to open',
    );
    await as['support-lead']('POST', `/v1/approvals/${approvalId}/decision`, {
      decision: 'approve',
      permittedAction: refund,
    });
    await as.agent('POST', `/v1/work-orders/${id}/close`, {
      closureEvidenceId: 'CE',
      evidence: [{ kind: 'closure-note', ref: 'n' }],
    });

    // A work event over JetStream, a refused one, and requests over NATS as another process sends them.
    const h = natsHeaders();
    h.set('Content-Type', 'application/cloudevents+json');
    const event = (type: string, data: unknown) =>
      JSON.stringify({ specversion: '1.0', id: randomUUID(), source: 'shop', type, subject: 'AA-2', data });
    await t.nc
      .jetstream()
      .publish(
        'workgate.events.shop',
        new TextEncoder().encode(
          event('workgate.workorder.open', { jobType: 'support-recovery', inputs: { caseId: 'AA-2', orderId: '2' } }),
        ),
        { headers: h },
      );
    await t.nc.jetstream().publish('workgate.events.shop', new TextEncoder().encode(event(REFUSED_TYPE, {})), {
      headers: h,
    });
    await t.rpc.request(Subjects.health('ledger'), {});
    await t.rpc.request(Subjects.ledger.head, {});
    await t.rpc.request(Subjects.ledger.verify, {});
    await t.rpc.request(Subjects.ledger.checkpoint, {});
    await t.rpc.request(Subjects.intake.get, { workOrderId: id });
    await t.rpc.request(Subjects.intake.events, { workOrderId: id });
    await t.rpc.request(Subjects.intake.decisions, { workOrderId: id });
    await t.rpc.request(Subjects.approvals.get, { approvalId });
    await t.rpc.request(Subjects.ledger.listWorkOrders, {});
    await t.rpc.request(Subjects.intake.delivery, { workOrderId: id });
    await t.rpc.request(Subjects.intake.receipt, { receiptId: wait.body.receiptId });
    await t.rpc.request(Subjects.ledger.readAll, { limit: 5 });
    await t.rpc.request(Subjects.ledger.prove, { position: 1 });
    await t.rpc.request(Subjects.ledger.proveAll, { positions: [1, 2] });
    await t.rpc.request(Subjects.intake.proof, { workOrderId: id, includePrivate: true });
    await t.rpc.request(Subjects.policy.list, {});
    await t.rpc.request(Subjects.policy.get, { jobType: 'support-recovery' });
  }

  it('captures only documented subjects, each message valid against its channel', async () => {
    const channels = loadAsyncApiChannels();
    await driveAWorkOrder();
    // Committed events reach `ledger.>` in position order: wait for the head's (events committed before the
    // subscription, the shipped workflows' publication at start, are not captured).
    const head = await t.rpc.request(Subjects.ledger.head, {});
    const position = (c: Captured): unknown =>
      typeof c.payload === 'object' && c.payload !== null ? Reflect.get(c.payload, 'position') : undefined;
    await eventually(
      async () => captured.some((c) => c.subject.startsWith('ledger.') && position(c) === head.position),
      20_000,
      'the last committed event on ledger.>',
    );
    await eventually(
      async () => captured.some((c) => c.subject.startsWith('workgate.rejected.')),
      20_000,
      'the refused work event republished',
    );

    const problems: string[] = [];
    for (const c of captured) {
      const subject = c.replyTo ?? c.subject;
      const found = channels.channelsOf(subject);
      if (found.length === 0) {
        problems.push(`${subject}: no channel`);
        continue;
      }
      // The event of an unknown type is refused by design (and republished on workgate.rejected.shop).
      if (isTheRefusedEvent(c.payload)) continue;
      const validators = found.flatMap((f) => (c.replyTo ? f.replies : f.messages));
      if (validators.length === 0) problems.push(`${subject}: no ${c.replyTo ? 'reply' : 'message'} documented`);
      else if (!validators.some((validate) => validate(c.payload)))
        problems.push(
          `${c.replyTo ? 'reply to ' : ''}${subject}: ${JSON.stringify(c.payload).slice(0, 400)} ${JSON.stringify(validators.map((v) => v.errors?.[0]?.message))}`,
        );
    }
    expect(problems).toEqual([]);

    const subjects = new Set(captured.map((c) => (c.replyTo ? `reply to ${c.replyTo}` : c.subject)));
    // The run covers every kind of channel: work events, rejections, ledger events, requests and replies.
    for (const prefix of ['workgate.events.', 'workgate.rejected.', 'ledger.', 'workgate.ledger.', 'reply to '])
      expect([...subjects].some((s) => s.startsWith(prefix))).toBe(true);
    process.stdout.write(
      `asyncapi: ${captured.length} messages on ${subjects.size} subjects validated: ${[...subjects].sort().join(', ')}\n`,
    );
  });
});
