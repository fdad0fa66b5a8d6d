import type { CreatedWebhook, ExceptionView, StepAnswer } from '@workgate/contracts';
import { defined } from './answers';
import { editedCatalog } from './catalog';
import { openSupportCase } from './fixtures';
import { eventually } from './processes';
import { onWorkgate } from './suite';
import { Receiver, verifiedPayload } from './webhook-receiver';
import { startTestWorkgate } from './workgate';

/**
 * A workgate of the escalation specs' own (test/escalation*.e2e-spec.ts), with a webhook receiver:
 * the seed catalog where CUSTOMER_UNREACHABLE escalates to duty-manager 2 s after a 2 s SLA and
 * ADDRESS_INVALID 8 s after (time for a test to see the breach, resolve one and stop workgate
 * before it is due); and what the specs ask of it: webhooks, blocked work orders, exceptions, the
 * ledger's count of an exception's events and its armed timers.
 */
export function escalationSuite() {
  const receiver = new Receiver();
  const secrets = new Map<string, string>();
  beforeAll(() => receiver.start());
  const suite = onWorkgate(
    {
      admin: ['admin'],
      helpdesk: ['integrator'],
      agent: ['operator'],
      lead: ['ops-lead', 'analyst'],
      'duty-manager': ['operator'],
    },
    (principals) =>
      startTestWorkgate({
        env: {
          WORKGATE_PRINCIPALS: principals.path,
          WORKGATE_EXCEPTION_CODES: editedCatalog(
            [/(code: CUSTOMER_UNREACHABLE,.*sla: )PT24H/, '$1PT2S, escalateAfter: PT2S, escalateTo: duty-manager'],
            [/(code: ADDRESS_INVALID,.*sla: )PT8H/, '$1PT2S, escalateAfter: PT8S, escalateTo: duty-manager'],
          ),
          WORKGATE_WEBHOOK_ALLOW_PRIVATE: '1',
        },
      }),
  );
  afterAll(() => receiver.stop());

  async function subscribe(path: string, events: string[], principalIds?: string[]): Promise<void> {
    const created = await suite.as.admin<CreatedWebhook>('POST', '/v1/webhooks', {
      url: `${receiver.url}${path}`,
      events,
      ...(principalIds ? { principals: principalIds } : {}),
    });
    expect(created.status).toBe(201);
    secrets.set(path, created.body.secret);
  }

  /** Opens a work order and blocks its last step with `code`: the exception's id. */
  async function blocked(ref: string, code: string): Promise<string> {
    const workOrderId = await openSupportCase(suite.as.helpdesk, ref);
    const step = await suite.as.agent<StepAnswer>(
      'POST',
      `/v1/work-orders/${workOrderId}/steps/confirm-customer/block`,
      {
        code,
        rationale: 'no answer on two calls',
      },
    );
    expect(step.status).toBe(201);
    return defined(step.body.exception, 'the exception of the blocked step').exceptionId;
  }

  const exception = async (id: string) => (await suite.as.agent<ExceptionView>('GET', `/v1/exceptions/${id}`)).body;
  /** Polls the exception until `done` holds of it. */
  const until = (id: string, what: string, done: (x: ExceptionView) => boolean) =>
    eventually(
      async () => {
        const r = await suite.as.agent<ExceptionView>('GET', `/v1/exceptions/${id}`);
        return r.status === 200 && done(r.body);
      },
      20_000,
      what,
    );
  const resolve = (id: string) =>
    suite.as.agent('POST', `/v1/exceptions/${id}/resolve`, { resolution: 'reached the customer by email' });
  const ledgerCount = async (id: string, type: string) =>
    (
      await suite.t.db
        .appPool()
        .query<{ n: number }>(`SELECT count(*)::int AS n FROM ledger_events WHERE stream_id = $1 AND type = $2`, [
          `exception-${id}`,
          type,
        ])
    ).rows[0].n;
  const timerOf = async (id: string) =>
    (
      await suite.t.db
        .appPool()
        .query<{ due_at: Date }>('SELECT due_at FROM view_timers WHERE stream_id = $1', [`exception-${id}`])
    ).rows;
  /** The verified payloads a path received. */
  const verified = (path: string) => receiver.at(path).map((r) => verifiedPayload(secrets.get(path)!, r));

  return { suite, subscribe, blocked, exception, until, resolve, ledgerCount, timerOf, verified };
}
