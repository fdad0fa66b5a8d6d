import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { idemBody, sendConcurrently } from '../support/idempotency';
import { client } from '../support/principals';
import { INTEGRATOR_PRINCIPALS, onWorkgate } from '../support/suite';
import { startTestWorkgate, startWorkgate } from '../support/workgate';
import type {
  ActionAnswer,
  ApprovalView,
  ExceptionCode,
  OpenedAnswer,
  PublishWorkflowResult,
  WorkOrderListItem,
} from '@workgate/contracts';

const WORKFLOWS = join(__dirname, '..', '..', 'workflows');

/**
 * The integrator's contract (docs/api.md, Conventions (idempotency)): a key replays the first
 * answer of its write, whoever sends it again, through whichever gateway, while the write runs.
 * A workgate of its own: the tests hold its ledger locked and start a second gateway on it.
 */
describe('the integrator contract: Idempotency-Key', () => {
  const suite = onWorkgate(INTEGRATOR_PRINCIPALS, (principals) =>
    startTestWorkgate({
      env: { WORKGATE_PRINCIPALS: principals.path, WORKGATE_RATE_LIMIT_PER_MINUTE: '100000' },
    }),
  );
  const { as, principals } = suite;

  describe('Idempotency-Key', () => {
    const body = idemBody;

    it('replays the first answer of an open and writes nothing; the same key with another body is 422 idempotency_key_reused', async () => {
      const first = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-1'), {
        'Idempotency-Key': 'open-idem-1',
      });
      expect(first.status).toBe(201);
      const again = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-1'), {
        'Idempotency-Key': 'open-idem-1',
      });
      expect(again).toMatchObject({ status: 201, body: first.body });
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.headers.get('workgate-position')).toBe(first.headers.get('workgate-position'));
      const other = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-2'), {
        'Idempotency-Key': 'open-idem-1',
      });
      expect(other).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });
      expect(
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=idem&externalRef=IDEM-2')).body,
      ).toEqual([]);
      // A key is the principal's own: another principal's request with the same text is a request of its own,
      // written (not a replay of the helpdesk's answer, not refused as reused) and replayed to that principal alone.
      const code = { code: 'IDEM_CODE', title: 'Idempotency', owner: 'support-lead', sla: 'PT4H' };
      const own = await as.admin<ExceptionCode>('POST', '/v1/exception-codes', code, {
        'Idempotency-Key': 'open-idem-1',
      });
      expect(own).toMatchObject({ status: 201, body: { code: 'IDEM_CODE', owner: 'support-lead' } });
      expect(own.headers.get('idempotent-replayed')).toBeNull();
      const ownAgain = await as.admin('POST', '/v1/exception-codes', code, { 'Idempotency-Key': 'open-idem-1' });
      expect(ownAgain).toMatchObject({ status: 201, body: own.body });
      expect(ownAgain.headers.get('idempotent-replayed')).toBe('true');
      expect(
        await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-1'), {
          'Idempotency-Key': 'open-idem-1',
        }),
      ).toMatchObject({ status: 201, body: first.body });
    });

    it('a refused write keeps nothing: corrected, it is sent again with the same key and writes', async () => {
      const refused = await as.helpdesk<OpenedAnswer>(
        'POST',
        '/v1/work-orders',
        { ...body('IDEM-R'), jobType: 7 },
        { 'Idempotency-Key': 'refused-1' },
      );
      expect(refused).toMatchObject({ status: 422, body: { error: 'validation_failed' } });
      const corrected = await as.helpdesk('POST', '/v1/work-orders', body('IDEM-R'), {
        'Idempotency-Key': 'refused-1',
      });
      expect(corrected.status).toBe(201);
      expect(corrected.headers.get('idempotent-replayed')).toBeNull();
      expect(
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=idem&externalRef=IDEM-R')).body,
      ).toHaveLength(1);
    });

    /**
     * Six requests with one key sent at once through `via` (round robin): with six other bodies one
     * writes and five are 422 idempotency_key_reused; with one body one writes and five replay it.
     */
    it('the same key sent concurrently: one write; with other bodies the rest are 422 idempotency_key_reused, with the same body they replay it', async () => {
      await sendConcurrently(suite.t.db.ownerPool(), [as.helpdesk], as.helpdesk, 'IDEM-C', 'concurrent');
    });

    it('the same key sent concurrently to two gateways of one deployment: the database decides, one write, the rest 422 or replays', async () => {
      // A second gateway instance on the same database and NATS, as a deployment runs several.
      const second = await startWorkgate(suite.t.config, {
        port: 0,
        without: ['ledger', 'exceptions', 'policy', 'approvals', 'intake'],
      });
      try {
        await sendConcurrently(
          suite.t.db.ownerPool(),
          [as.helpdesk, client(second.url, principals.keys.helpdesk)],
          as.helpdesk,
          'IDEM-G',
          'two-gateways',
        );
      } finally {
        await second.close();
      }
    });

    it('a write whose caller went away holds its key until it has answered: the same key with another body is then 422, one work order', async () => {
      const key = 'gone-1';
      const owner = suite.t.db.ownerPool();
      const holderOf = async () =>
        (await owner.query<{ holder: string | null }>('SELECT holder FROM idempotency_answers WHERE key = $1', [key]))
          .rows[0]?.holder;
      // The ledger is held: the first write reserves its key and waits there, in flight, when its caller goes away.
      const ledger = await owner.connect();
      let other: ReturnType<typeof as.helpdesk>;
      try {
        await ledger.query('BEGIN');
        await ledger.query('LOCK TABLE ledger_events IN EXCLUSIVE MODE');
        const gone = new AbortController();
        const first = fetch(`${suite.t.url}/v1/work-orders`, {
          method: 'POST',
          signal: gone.signal,
          headers: {
            authorization: `Bearer ${principals.keys.helpdesk}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify(body('IDEM-GONE-1')),
        });
        let holder = await holderOf();
        while (!holder) holder = await new Promise((r) => setTimeout(r, 5)).then(holderOf);
        gone.abort();
        await expect(first).rejects.toThrow();
        other = as.helpdesk('POST', '/v1/work-orders', body('IDEM-GONE-2'), { 'Idempotency-Key': key });
        // The key must stay the first write's while it runs (a key freed when its caller left was taken by the other at once).
        for (let i = 0; i < 100 && (await holderOf()) === holder; i++) await new Promise((r) => setTimeout(r, 10));
        expect(await holderOf()).toBe(holder);
      } finally {
        await ledger.query('COMMIT');
        ledger.release();
      }
      expect(await other).toMatchObject({ status: 422, body: { error: 'idempotency_key_reused' } });
      // The first write was answered and kept: its retry replays it.
      const retry = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-GONE-1'), {
        'Idempotency-Key': key,
      });
      expect(retry).toMatchObject({ status: 201 });
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=idem&externalRef=IDEM-GONE-1')).body,
      ).toHaveLength(1);
      expect(
        (await as.helpdesk<WorkOrderListItem[]>('GET', '/v1/work-orders?source=idem&externalRef=IDEM-GONE-2')).body,
      ).toHaveLength(0);
    });

    it('replays an approval decision instead of answering approval_decided, and a publish', async () => {
      const opened = await as.helpdesk<OpenedAnswer>('POST', '/v1/work-orders', body('IDEM-3'));
      const wait = await as.agent<ActionAnswer>('POST', `/v1/work-orders/${opened.body.id}/actions`, {
        system: 'payments',
        operation: 'refund',
        kind: 'write',
      });
      const decision = {
        decision: 'approve',
        permittedAction: { system: 'payments', operation: 'refund', kind: 'write' },
      };
      const first = await as['support-lead']<ApprovalView>(
        'POST',
        `/v1/approvals/${wait.body.approvalId}/decision`,
        decision,
        {
          'Idempotency-Key': 'decide-1',
        },
      );
      expect(first.status).toBe(200);
      const replay = await as['support-lead']<ApprovalView>(
        'POST',
        `/v1/approvals/${wait.body.approvalId}/decision`,
        decision,
        {
          'Idempotency-Key': 'decide-1',
        },
      );
      expect(replay).toMatchObject({ status: 200, body: first.body });
      // Without the key, a second decision is a new request: the approval is decided already.
      expect(
        await as['support-lead']<ApprovalView>('POST', `/v1/approvals/${wait.body.approvalId}/decision`, decision),
      ).toMatchObject({ status: 409, body: { error: 'approval_decided' } });

      // A publish replayed answers `created: true` as the first time, not `created: false`.
      const flow = readFileSync(join(WORKFLOWS, 'support-recovery.yaml'), 'utf8').replace(
        /^jobType: .*$/m,
        'jobType: idem-flow',
      );
      const published = await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', flow, {
        'Content-Type': 'application/yaml',
        'Idempotency-Key': 'publish-1',
      });
      expect(published).toMatchObject({ status: 201, body: { jobType: 'idem-flow', created: true } });
      expect(
        await as.admin<PublishWorkflowResult>('POST', '/v1/workflows', flow, {
          'Content-Type': 'application/yaml',
          'Idempotency-Key': 'publish-1',
        }),
      ).toMatchObject({ status: 201, body: published.body });
    });

    it('refuses a key that is no visible ASCII text of up to 255 characters', async () => {
      for (const key of ['x'.repeat(256), 'two words']) {
        expect(await as.helpdesk('POST', '/v1/work-orders', body('IDEM-4'), { 'Idempotency-Key': key })).toMatchObject({
          status: 422,
          body: { error: 'validation_failed', details: [{ path: 'header:Idempotency-Key' }] },
        });
      }
    });
  });
});
