import { Pool } from 'pg';

export interface DeadLetter {
  stream: string;
  consumer: string;
  subject: string;
  streamSeq: number;
  deliveries: number;
  headers: Record<string, string[]>;
  payload: Uint8Array;
  reason: string;
}

export interface StoredDeadLetter extends DeadLetter {
  id: number;
  recordedAt: string;
}

/** Keeps a message that can never be processed, raw bytes and reason; keeping the same message twice is a no-op. */
export async function recordDeadLetter(pool: Pool, d: DeadLetter): Promise<void> {
  await pool.query(
    `INSERT INTO dead_letters (stream, consumer, subject, stream_seq, deliveries, headers, payload, reason)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (stream, consumer, stream_seq) DO NOTHING`,
    [
      d.stream,
      d.consumer,
      d.subject,
      d.streamSeq,
      d.deliveries,
      JSON.stringify(d.headers),
      Buffer.from(d.payload),
      d.reason,
    ],
  );
}

/** A row of dead_letters as the driver gives it. */
interface DeadLetterRow {
  id: number;
  stream: string;
  consumer: string;
  subject: string;
  stream_seq: number;
  deliveries: number;
  headers: Record<string, string[]>;
  payload: Buffer;
  reason: string;
  recorded_at: Date;
}

export async function listDeadLetters(pool: Pool, limit = 100): Promise<StoredDeadLetter[]> {
  const { rows } = await pool.query<DeadLetterRow>(
    `SELECT id, stream, consumer, subject, stream_seq, deliveries, headers, payload, reason, recorded_at
       FROM dead_letters ORDER BY id DESC LIMIT $1`,
    [limit],
  );
  return rows.map((r) => ({
    id: r.id,
    stream: r.stream,
    consumer: r.consumer,
    subject: r.subject,
    streamSeq: r.stream_seq,
    deliveries: r.deliveries,
    headers: r.headers,
    payload: new Uint8Array(r.payload),
    reason: r.reason,
    recordedAt: r.recorded_at.toISOString(),
  }));
}
