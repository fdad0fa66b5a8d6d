import { WorkgateError } from '@workgate/contracts';

/** Room kept in a NATS message for the answer's envelope (`{"ok":true,"data":...}`) and headers. */
const ENVELOPE_BYTES = 1024;

/**
 * A proof package that crosses NATS travels as one answer (at most its server's `max_payload`
 * bytes) and cannot be asked for in parts: too large a one is refused with what it holds, not cut.
 */
export function tooLargeProof(
  pkg: { receipts: readonly unknown[] },
  workOrderId: string,
  maxPayload: number,
): WorkgateError | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(pkg));
  if (bytes <= maxPayload - ENVELOPE_BYTES) return undefined;
  const n = pkg.receipts.length;
  const each = n ? Math.round(Buffer.byteLength(JSON.stringify(pkg.receipts)) / n) : 0;
  return new WorkgateError(
    'payload_too_large',
    `the proof package of work order ${workOrderId} is too large for one answer: ${bytes} bytes with its ${n} receipts (about ${each} bytes each), ` +
      `more than the ${maxPayload} bytes one NATS message carries (the server's max_payload). It cannot be asked for in parts: ` +
      'each receipt is served with its own inclusion proof at GET /v1/receipts/:id, or an operator raises max_payload',
    [{ workOrderId, bytes, receipts: n, maxPayload }],
  );
}
