import { tooLargeProof } from './proof-size';

const ID = '0b6c7d1e-2f3a-4b5c-8d9e-0f1a2b3c4d5e';
/** A package of `n` receipts of 1,000 bytes of evidence each. */
const pkg = (n: number) => ({
  checkpoint: 'a note',
  receipts: Array.from({ length: n }, () => ({ receiptId: 'r', evidence: [{ kind: 'note', ref: 'x'.repeat(1000) }] })),
});

describe('a proof package too large for one answer', () => {
  it('is refused with its size, its receipts and the limit, not cut', () => {
    expect(tooLargeProof(pkg(10), ID, 1024 * 1024)).toBeUndefined();
    const refused = tooLargeProof(pkg(2000), ID, 1024 * 1024);
    expect(refused?.code).toBe('payload_too_large');
    expect(refused?.message).toMatch(
      new RegExp(
        `^the proof package of work order ${ID} is too large for one answer: \\d+ bytes with its 2000 receipts \\(about 10\\d\\d bytes each\\), more than the 1048576 bytes one NATS message carries`,
      ),
    );
    expect(refused?.details).toEqual([
      { workOrderId: ID, bytes: expect.any(Number), receipts: 2000, maxPayload: 1048576 },
    ]);
  });
});
