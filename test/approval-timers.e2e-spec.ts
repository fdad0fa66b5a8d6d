import { Subjects } from '@workgate/contracts';
import { randomUUID } from 'node:crypto';
import { INestMicroservice } from '@nestjs/common';
import { borrowNats, releaseNats, startMicroservice } from '@workgate/messaging';
import { ApprovalsModule } from '../apps/approvals/approvals.module';
import { QUICK_REFUND } from './support/fixtures';
import { eventually } from './support/processes';
import { client, writePrincipals } from './support/principals';
import { startTestWorkgate, TestWorkgate } from './support/workgate';
import type { ActionAnswer, OpenedAnswer } from '@workgate/contracts';
import { defined } from './support/answers';

/**
 * Timers are data: approvals whose expiry fell due while the approvals service was down expire
 * once it returns, and two instances ticking the same timers record each expiry once.
 */
describe('approval timers across a restart and with two instances', () => {
  let t: TestWorkgate;
  const instances: INestMicroservice[] = [];
  const principals = writePrincipals({ helpdesk: ['integrator'], agent: ['operator'] });

  beforeAll(async () => {
    t = await startTestWorkgate({ without: ['approvals'], env: { WORKGATE_PRINCIPALS: principals.path } });
  });
  afterAll(async () => {
    for (const app of instances) await app.close();
    await releaseNats(t.config.NATS_URL).catch(() => undefined);
    await t?.close();
  });

  it('fires every due timer exactly once', async () => {
    await t.rpc.request(Subjects.policy.publish, { definition: QUICK_REFUND });
    const helpdesk = client(t.url, principals.keys.helpdesk);
    const agent = client(t.url, principals.keys.agent);
    const approvals: string[] = [];
    for (let i = 0; i < 8; i++) {
      const opened = await helpdesk<OpenedAnswer>('POST', '/v1/work-orders', {
        jobType: 'quick-refund',
        externalRef: `T-${i}`,
        source: 'helpdesk',
        inputs: {},
      });
      const wait = await agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
        system: 'payments',
        operation: 'refund',
        kind: 'write',
      });
      approvals.push(defined(wait.body.approvalId, 'the approval the refund waits for'));
    }
    // The approvals service is down while every expiry falls due.
    await new Promise((r) => setTimeout(r, 1500));

    const nc = await borrowNats(t.config.NATS_URL, 'approvals-test');
    for (let i = 0; i < 2; i++) {
      instances.push(
        await startMicroservice((ctx) => ApprovalsModule.register(ctx), {
          service: 'approvals',
          instance: randomUUID(),
          config: t.config,
          nc,
        }),
      );
    }
    const pool = t.db.appPool();
    const count = async (type: string) =>
      (
        await pool.query<{ stream_id: string; n: number }>(
          `SELECT stream_id, count(*)::int AS n FROM ledger_events WHERE type = $1 GROUP BY stream_id`,
          [type],
        )
      ).rows;
    await eventually(
      async () => (await count('ApprovalExpired')).length === approvals.length,
      20_000,
      'every approval to expire',
    );
    await new Promise((r) => setTimeout(r, 1500)); // both instances keep ticking
    const expired = await count('ApprovalExpired');
    const requested = await count('ApprovalRequested');
    expect(expired.map((r) => r.stream_id).sort()).toEqual(approvals.map((a) => `approval-${a}`).sort());
    expect(expired.every((r) => r.n === 1)).toBe(true);
    expect(requested.every((r) => r.n === 1)).toBe(true);
    // Each expiry stops its work order's action in the expiry's own commit, once.
    const { rows } = await pool.query(
      `SELECT x.data->>'approvalId' AS approval, count(r.*)::int AS resolved, bool_and(r.recorded_at = x.recorded_at) AS together
         FROM ledger_events x LEFT JOIN ledger_events r ON r.type = 'ApprovalResolved' AND r.data->>'approvalId' = x.data->>'approvalId'
        WHERE x.type = 'ApprovalExpired' GROUP BY 1 ORDER BY 1`,
    );
    expect(rows).toEqual([...approvals].sort().map((approval) => ({ approval, resolved: 1, together: true })));
  });
});
