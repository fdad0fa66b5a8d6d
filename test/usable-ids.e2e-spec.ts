import { onSharedWorkgate, openSupportRecovery } from './support/suite';
import type {
  ActionAnswer,
  ApprovalView,
  BreakGlassAnswer,
  DelegationAnswer,
  DelegationView,
  PostReviewView,
} from '@workgate/contracts';

const N = 200;
const IN_FLIGHT = 20;

/** Runs `work` for 0..n-1, at most `inFlight` at a time; the results in order. */
async function each<T>(n: number, inFlight: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        const i = next++;
        results[i] = await work(i);
      }
    }),
  );
  return results;
}

/**
 * Every id a 2xx answer returns can be used at once (docs/api.md, Conventions (read your writes)): it was committed with the
 * command that returned it. Each follow-up is sent the moment the answer arrives, over HTTP, as
 * a client would; the answers carry the ledger position of their commit.
 */
describe('ids usable the moment they are returned', () => {
  const suite = onSharedWorkgate({
    helpdesk: ['integrator'],
    agent: ['operator'],
    colleague: ['operator'],
    'support-lead': ['approver'],
  });
  const { as } = suite;

  const open = async (ref: string): Promise<string> => {
    const opened = await openSupportRecovery(as)(ref, { caseId: ref, orderId: '1', orderPaid: true });
    expect(opened.status).toBe(201);
    return opened.body.id;
  };
  const position = (headers: Headers) => Number(headers.get('workgate-position'));

  it(`decides ${N} approvals of waiting actions, each in the tick its approval id arrived: none answers 404`, async () => {
    const refund = { system: 'payments', operation: 'refund', kind: 'write' as const, objects: ['order:1'] };
    const outcomes = await each(N, IN_FLIGHT, async (i) => {
      const id = await open(`USE-A-${i}`);
      const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${id}/actions`, {
        ...refund,
        facts: { amount: 20 },
      });
      expect([wait.status, wait.body.decision]).toEqual([201, 'wait']);
      expect(position(wait.headers)).toBeGreaterThan(0);
      const decided = await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${wait.body.approvalId}/decision`, {
        decision: 'approve',
        permittedAction: refund,
      });
      return decided.status === 200 && decided.body.status === 'approved' ? 'ok' : `${decided.status} ${decided.text}`;
    });
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
  });

  it(`completes ${N} post-reviews of break-glass uses, each in the tick its id arrived: none answers 404`, async () => {
    const outcomes = await each(N, IN_FLIGHT, async (i) => {
      const id = await open(`USE-B-${i}`);
      const used = await as.agent<BreakGlassAnswer>('POST', `/v1/work-orders/${id}/break-glass`, {
        code: 'CUSTOMER_UNREACHABLE',
        rationale: 'the customer flies in an hour',
        action: { system: 'payments', operation: 'refund', kind: 'write' },
      });
      expect(used.status).toBe(201);
      const completed = await as['support-lead']<PostReviewView>(
        'POST',
        `/v1/post-reviews/${used.body.postReview.id}/complete`,
        {
          outcome: 'justified',
          remediation: { title: 'an urgent refund lane', owner: 'support-lead', due: '2026-12-15T00:00:00Z' },
        },
      );
      return completed.status === 200 && completed.body.status === 'completed'
        ? 'ok'
        : `${completed.status} ${completed.text}`;
    });
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
  });

  it(`confirms ${N} delegations, each in the tick its dispatch id arrived: none answers 404`, async () => {
    const prompt = {
      objective: 'fix the order note',
      scope: 'order 1',
      artifacts: [{ path: 'orders/1.md', access: 'write' }],
      verification: ['npm test'],
      completion: 'reply done, then wait',
    };
    const outcomes = await each(N, IN_FLIGHT, async (i) => {
      const id = await open(`USE-C-${i}`);
      const dispatched = await as.agent<DelegationAnswer>('POST', `/v1/work-orders/${id}/delegations`, {
        recipient: 'agent-7',
        command: 'delegate_task',
        prompt,
      });
      expect(dispatched.status).toBe(201);
      expect(position(dispatched.headers)).toBeGreaterThan(0);
      const confirmed = await as.colleague<DelegationView>(
        'POST',
        `/v1/delegations/${dispatched.body.dispatchId}/confirm`,
        {
          note: 'checked the diff',
        },
      );
      return confirmed.status === 200 && confirmed.body.status === 'confirmed'
        ? 'ok'
        : `${confirmed.status} ${confirmed.text}`;
    });
    expect(outcomes.filter((o) => o !== 'ok')).toEqual([]);
  });
});
