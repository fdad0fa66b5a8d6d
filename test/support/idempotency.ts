import type { Pool } from 'pg';
import type { OpenedAnswer, WorkOrderListItem } from '@workgate/contracts';
import { ApiAnswer, client } from './principals';
import { eventually } from './processes';

/** An open of a support-recovery work order from the source `idem` (test/contract/integrator-idempotency.e2e-spec.ts). */
export const idemBody = (ref: string) => ({
  jobType: 'support-recovery',
  externalRef: ref,
  source: 'idem',
  inputs: { caseId: ref, orderId: '1', orderPaid: true },
});

/**
 * Six requests with one key sent at once through `via` (round robin), the ledger held by `owner`
 * until one of them reserved the key, read back by `reader`: with six other bodies one
 * writes and five are 422 idempotency_key_reused; with one body one writes and five replay it.
 */
export async function sendConcurrently(
  owner: Pool,
  via: ReturnType<typeof client>[],
  reader: ReturnType<typeof client>,
  ref: string,
  key: string,
): Promise<void> {
  const body = idemBody;
  // The six are held in flight together: the ledger is locked, so the one that reserves the key cannot write
  // and none can be answered; only once the key is reserved and none has answered is the ledger let go. Taken
  // one after another, or without the reservation, they would not give one write and five refusals.
  const ledger = await owner.connect();
  let answered = 0;
  let sent!: Promise<ApiAnswer<OpenedAnswer>[]>;
  try {
    await ledger.query('BEGIN');
    await ledger.query('LOCK TABLE ledger_events IN EXCLUSIVE MODE');
    sent = Promise.all(
      [1, 2, 3, 4, 5, 6].map((i) =>
        via[i % via.length]<OpenedAnswer>('POST', '/v1/work-orders', body(`${ref}${i}`), {
          'Idempotency-Key': `${key}-1`,
        }).finally(() => answered++),
      ),
    );
    await eventually(
      async () =>
        (await owner.query('SELECT 1 FROM idempotency_answers WHERE key = $1 AND holder IS NOT NULL', [`${key}-1`]))
          .rows.length === 1,
      10_000,
      'the key reserved by one of the six',
    );
    expect(answered).toBe(0);
  } finally {
    await ledger.query('COMMIT');
    ledger.release();
  }
  const others = await sent;
  expect(others.map((r) => r.status).sort()).toEqual([201, 422, 422, 422, 422, 422]);
  for (const r of others.filter((o) => o.status === 422))
    expect(r.body).toMatchObject({
      error: 'idempotency_key_reused',
      details: [{ path: 'header:Idempotency-Key' }],
    });
  const written = others.find((r) => r.status === 201)!;
  // Read as docs/api.md tells a client that wrote through another gateway: from the write's position.
  const after = { 'Workgate-Min-Position': written.headers.get('workgate-position')! };
  const opened = await Promise.all(
    [1, 2, 3, 4, 5, 6].map((i) =>
      reader<WorkOrderListItem[]>('GET', `/v1/work-orders?source=idem&externalRef=${ref}${i}`, undefined, after),
    ),
  );
  expect(opened.map((r) => r.body.length).sort()).toEqual([0, 0, 0, 0, 0, 1]);
  expect(opened.find((r) => r.body.length === 1)!.body[0].id).toBe(written.body.id);

  const same = await Promise.all(
    [1, 2, 3, 4, 5, 6].map((i) =>
      via[i % via.length]('POST', '/v1/work-orders', body(`${ref}S`), { 'Idempotency-Key': `${key}-2` }),
    ),
  );
  expect(same.map((r) => r.status)).toEqual([201, 201, 201, 201, 201, 201]);
  expect(same.map((r) => r.headers.get('idempotent-replayed')).sort()).toEqual([
    null,
    'true',
    'true',
    'true',
    'true',
    'true',
  ]);
  for (const r of same) expect(r).toMatchObject({ body: same[0].body });
  expect(new Set(same.map((r) => r.headers.get('workgate-position'))).size).toBe(1);
  const replayed = { 'Workgate-Min-Position': same[0].headers.get('workgate-position')! };
  expect(
    (await reader<WorkOrderListItem[]>('GET', `/v1/work-orders?source=idem&externalRef=${ref}S`, undefined, replayed))
      .body,
  ).toHaveLength(1);
}
