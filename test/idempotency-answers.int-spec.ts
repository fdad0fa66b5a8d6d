import type { Pool } from 'pg';
import { IdempotencyAnswersRepository } from '../apps/gateway/http/idempotency-answers.repository';
import { freshDatabase, TestDatabase } from './support/database';

const answer = (position: number) => ({ answer: { id: `wo-${position}` }, position });

/**
 * The gateways' shared record of Idempotency-Keys, as the services' role sees it: a key is reserved
 * by one request at a time, its answer is kept by that request only, and a reservation whose holder
 * died (it never answered, and renews its lease no more) is taken over 5 s after its last renewal,
 * so a key is never stuck for long.
 */
describe('the Idempotency-Key reservations', () => {
  let db: TestDatabase;
  let answers: IdempotencyAnswersRepository;
  /** Ages a key's row as if it had been written `seconds` ago (a holder that reserved it then). */
  const age = (key: string, seconds: number) =>
    db
      .ownerPool()
      .query(`UPDATE idempotency_answers SET created_at = now() - make_interval(secs => $2) WHERE key = $1`, [
        key,
        seconds,
      ]);

  beforeAll(async () => {
    db = await freshDatabase();
    const pool: Pool = db.appPool();
    answers = new IdempotencyAnswersRepository({ pool });
  });
  afterAll(() => db?.drop());

  it('reserves a free key for one request; another waits (no reply yet), then finds the kept answer', async () => {
    expect(await answers.reserve('p', 'k1', 'print-a', 'holder-1')).toBe(true);
    expect(await answers.reserve('p', 'k1', 'print-b', 'holder-2')).toBe(false);
    expect(await answers.find('p', 'k1')).toEqual({ fingerprint: 'print-a', reply: null });
    // Only the holder keeps an answer.
    expect(await answers.keep('p', 'k1', 'holder-2', answer(2))).toBe(false);
    expect(await answers.keep('p', 'k1', 'holder-1', answer(1))).toBe(true);
    expect(await answers.find('p', 'k1')).toEqual({ fingerprint: 'print-a', reply: answer(1) });
    // The key is another principal's own.
    expect(await answers.reserve('q', 'k1', 'print-b', 'holder-3')).toBe(true);
  });

  it('takes over the reservation of a holder that died 5 s after its last renewal, not before', async () => {
    expect(await answers.reserve('p', 'k2', 'print-a', 'dead')).toBe(true);
    await age('k2', 4);
    expect(await answers.reserve('p', 'k2', 'print-b', 'next')).toBe(false);
    // A live holder renews it: its lease starts again.
    await age('k2', 6);
    expect(await answers.renew('p', 'k2', 'dead')).toBe(true);
    expect(await answers.reserve('p', 'k2', 'print-b', 'next')).toBe(false);
    await age('k2', 6);
    expect(await answers.reserve('p', 'k2', 'print-b', 'next')).toBe(true);
    expect(await answers.find('p', 'k2')).toEqual({ fingerprint: 'print-b', reply: null });
    // The dead holder, if it was only slow, neither renews nor keeps anything over the new one's reservation.
    expect(await answers.renew('p', 'k2', 'dead')).toBe(false);
    expect(await answers.keep('p', 'k2', 'dead', answer(1))).toBe(false);
    expect(await answers.keep('p', 'k2', 'next', answer(2))).toBe(true);
    expect((await answers.find('p', 'k2'))?.reply).toEqual(answer(2));
  });

  it('never takes over a kept answer, however old', async () => {
    expect(await answers.reserve('p', 'k3', 'print-a', 'h')).toBe(true);
    expect(await answers.keep('p', 'k3', 'h', answer(3))).toBe(true);
    await age('k3', 3600);
    expect(await answers.reserve('p', 'k3', 'print-b', 'other')).toBe(false);
    expect(await answers.find('p', 'k3')).toEqual({ fingerprint: 'print-a', reply: answer(3) });
  });

  it('a refused request gives its key back (only its own reservation), so a corrected one may use it', async () => {
    expect(await answers.reserve('p', 'k4', 'print-a', 'refused')).toBe(true);
    await answers.release('p', 'k4', 'someone-else');
    expect(await answers.find('p', 'k4')).toBeDefined();
    await answers.release('p', 'k4', 'refused');
    expect(await answers.find('p', 'k4')).toBeUndefined();
    expect(await answers.reserve('p', 'k4', 'print-b', 'corrected')).toBe(true);
  });
});
