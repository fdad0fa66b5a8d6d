import { Pool } from 'pg';
import { VerifyResult } from '@workgate/contracts';
import { CommitVerifier } from './commit-signature';
import { canonicalEventJson, chainHash, GENESIS_HASH } from './hash';
import { LedgerReader } from './ledger-reader';
import { leafHash, MerkleFrontier } from './merkle';
import { openNote, parseCheckpoint } from './signed-note';

export interface VerifyOptions {
  pageSize?: number;
  /** Also compute the Merkle root of the first `treeSizeRoot` leaves from the events themselves. */
  treeSizeRoot?: number;
  /** Called after every page with the number of events checked so far. */
  onProgress?: (checked: number) => void;
  /** Start after this position (its stored hash taken as given), not from position 1. */
  after?: number;
  /**
   * Also the writer's commit signatures: every event past `from` (a signed checkpoint vouches for
   * the ones up to it) must be covered by a signature at it or a later position that `verify`
   * accepts, and every signature found there must verify.
   */
  signatures?: { from: number; verify: CommitVerifier };
}

/**
 * Walks the hash chain from position 1: every position must be present, in order, carry its
 * predecessor's hash and hash to what its content says. Names the first position that fails.
 */
export async function verifyLedger(pool: Pool, options: VerifyOptions = {}): Promise<VerifyResult & { root?: Buffer }> {
  const reader = new LedgerReader(pool);
  const frontier = new MerkleFrontier();
  let root = options.treeSizeRoot === 0 ? frontier.root() : undefined;
  const pageSize = options.pageSize ?? 5000;
  const after = options.after ?? 0;
  let expected = after + 1;
  const start =
    after > 0
      ? (await pool.query<{ hash: string }>('SELECT hash FROM ledger_events WHERE position = $1', [after])).rows[0]
          ?.hash
      : GENESIS_HASH;
  if (start === undefined)
    return {
      ok: false,
      checked: 0,
      headHash: GENESIS_HASH,
      headPosition: 0,
      firstBadPosition: after,
      problem: `position ${after} is missing`,
    };
  let prevHash = start;
  let checked = 0;
  const signed = options.signatures;
  /** The first event past `signed.from` no signature covers yet, and the hash before it. */
  let uncovered: { position: number; before: string } | undefined;
  for (;;) {
    const { events } = await reader.readAll(expected - 1, pageSize);
    if (events.length === 0) break;
    const signatures = signed
      ? await signaturesIn(pool, Math.max(expected - 1, signed.from), events[events.length - 1].position)
      : new Map<number, Buffer>();
    for (const e of events) {
      const bad = (problem: string): VerifyResult => ({
        ok: false,
        checked,
        headHash: prevHash,
        headPosition: expected - 1,
        firstBadPosition: expected,
        problem,
      });
      if (e.position !== expected) return bad(`position ${expected} is missing (next present is ${e.position})`);
      if (e.prevHash !== prevHash) return bad(`position ${expected} does not carry its predecessor's hash`);
      if (chainHash(prevHash, canonicalEventJson(e)) !== e.hash) {
        return bad(`position ${expected} does not match its hash: its content was altered`);
      }
      if (signed && e.position > signed.from) {
        uncovered ??= { position: e.position, before: prevHash };
        const signature = signatures.get(e.position);
        if (signature && !signed.verify(e.position, e.hash, signature))
          return bad(`position ${expected} carries a writer signature that does not verify`);
        if (signature) uncovered = undefined;
      }
      prevHash = e.hash;
      expected += 1;
      checked += 1;
      if (options.treeSizeRoot !== undefined && frontier.leaves < options.treeSizeRoot) {
        frontier.append(leafHash(e.hash));
        if (frontier.leaves === options.treeSizeRoot) root = frontier.root();
      }
    }
    options.onProgress?.(checked);
    if (events.length < pageSize) break;
  }
  if (uncovered) {
    const { position, before } = uncovered;
    const last = expected - 1;
    return {
      ok: false,
      checked: position - 1 - after,
      headHash: before,
      headPosition: position - 1,
      firstBadPosition: position,
      problem: `position ${position}${last > position ? ` (to ${last})` : ''} is covered by no writer signature: the ledger writer did not write it`,
    };
  }
  return { ok: true, checked, headHash: prevHash, headPosition: expected - 1, ...(root ? { root } : {}) };
}

/** The commit signatures at positions in (after, to]. */
async function signaturesIn(pool: Pool, after: number, to: number): Promise<Map<number, Buffer>> {
  const { rows } = await pool.query<{ position: number; signature: Buffer }>(
    'SELECT position, signature FROM ledger_commit_signatures WHERE position > $1 AND position <= $2',
    [after, to],
  );
  return new Map(rows.map((r) => [r.position, r.signature]));
}

/**
 * Verifies the chain against a kept checkpoint in its signed-note form: the note must be signed by
 * this ledger's key, and the Merkle root of the first `size` events, computed from the events
 * themselves, must be the one it signed. Catches a truncated tail and any rewritten event.
 */
export async function verifyAgainstNote(
  pool: Pool,
  note: string,
  verifierKey: string,
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const opened = openNote(note, verifierKey);
  const checkpoint = opened.ok ? parseCheckpoint(opened.text) : undefined;
  if (!checkpoint) {
    const head = await new LedgerReader(pool).head();
    return {
      ok: false,
      checked: 0,
      headHash: head.hash,
      headPosition: head.position,
      problem: opened.ok
        ? 'the note is not a checkpoint'
        : `the note does not verify with this ledger's key: ${opened.reason}`,
    };
  }
  const { root, ...chain } = await verifyLedger(pool, { ...options, treeSizeRoot: checkpoint.size });
  if (!chain.ok) return chain;
  if (chain.headPosition < checkpoint.size) {
    return {
      ...chain,
      ok: false,
      firstBadPosition: chain.headPosition + 1,
      problem: `the ledger ends at ${chain.headPosition}, before the checkpoint's ${checkpoint.size} events: its tail was truncated`,
    };
  }
  if (!root?.equals(checkpoint.root)) {
    return {
      ...chain,
      ok: false,
      problem: `the first ${checkpoint.size} events do not give the checkpoint's root: the history was rewritten`,
    };
  }
  return chain;
}

/**
 * Verifies the chain AND a kept checkpoint: the ledger must still hold the checkpoint's position
 * with the checkpoint's hash. A truncated tail (fewer events than the checkpoint saw) or a
 * rewritten one (another hash at that position) is caught even though the chain itself verifies.
 */
export async function verifyAgainstCheckpoint(
  pool: Pool,
  checkpoint: { position: number; headHash: string },
  options: VerifyOptions = {},
): Promise<VerifyResult> {
  const chain = await verifyLedger(pool, options);
  if (!chain.ok) return chain;
  if (chain.headPosition < checkpoint.position) {
    return {
      ...chain,
      ok: false,
      firstBadPosition: chain.headPosition + 1,
      problem: `the ledger ends at ${chain.headPosition}, before the checkpoint's position ${checkpoint.position}: its tail was truncated`,
    };
  }
  const { rows } = await pool.query<{ hash: string }>('SELECT hash FROM ledger_events WHERE position = $1', [
    checkpoint.position,
  ]);
  if (checkpoint.position > 0 && rows[0]?.hash !== checkpoint.headHash) {
    return {
      ...chain,
      ok: false,
      firstBadPosition: checkpoint.position,
      problem: `position ${checkpoint.position} no longer has the checkpoint's hash: the tail was rewritten`,
    };
  }
  return chain;
}
