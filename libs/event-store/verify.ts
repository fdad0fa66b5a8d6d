import { Pool } from 'pg';
import { VerifyResult } from '@workgate/contracts';
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
  let expected = 1;
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (;;) {
    const { events } = await reader.readAll(expected - 1, pageSize);
    if (events.length === 0) break;
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
  return { ok: true, checked, headHash: prevHash, headPosition: expected - 1, ...(root ? { root } : {}) };
}

/**
 * Verifies the chain against a kept checkpoint in its signed-note form: the note must be signed by
 * this ledger's key, and the Merkle root of the first `size` events, computed from the events
 * themselves, must be the one it signed. Catches a truncated tail and any rewritten event.
 */
export async function verifyAgainstNote(pool: Pool, note: string, verifierKey: string, options: VerifyOptions = {}): Promise<VerifyResult> {
  const opened = openNote(note, verifierKey);
  const checkpoint = opened.ok ? parseCheckpoint(opened.text) : undefined;
  if (!checkpoint) {
    const head = await new LedgerReader(pool).head();
    return { ok: false, checked: 0, headHash: head.hash, headPosition: head.position, problem: opened.ok ? 'the note is not a checkpoint' : `the note does not verify with this ledger's key: ${opened.reason}` };
  }
  const { root, ...chain } = await verifyLedger(pool, { ...options, treeSizeRoot: checkpoint.size });
  if (!chain.ok) return chain;
  if (chain.headPosition < checkpoint.size) {
    return { ...chain, ok: false, firstBadPosition: chain.headPosition + 1, problem: `the ledger ends at ${chain.headPosition}, before the checkpoint's ${checkpoint.size} events: its tail was truncated` };
  }
  if (!root?.equals(checkpoint.root)) {
    return { ...chain, ok: false, problem: `the first ${checkpoint.size} events do not give the checkpoint's root: the history was rewritten` };
  }
  return chain;
}

/**
 * Verifies the chain AND a kept checkpoint: the ledger must still hold the checkpoint's position
 * with the checkpoint's hash. A truncated tail (fewer events than the checkpoint saw) or a
 * rewritten one (another hash at that position) is caught even though the chain itself verifies.
 */
export async function verifyAgainstCheckpoint(pool: Pool, checkpoint: { position: number; headHash: string }, options: VerifyOptions = {}): Promise<VerifyResult> {
  const chain = await verifyLedger(pool, options);
  if (!chain.ok) return chain;
  if (chain.headPosition < checkpoint.position) {
    return { ...chain, ok: false, firstBadPosition: chain.headPosition + 1, problem: `the ledger ends at ${chain.headPosition}, before the checkpoint's position ${checkpoint.position}: its tail was truncated` };
  }
  const { rows } = await pool.query('SELECT hash FROM ledger_events WHERE position = $1', [checkpoint.position]);
  if (checkpoint.position > 0 && rows[0]?.hash !== checkpoint.headHash) {
    return { ...chain, ok: false, firstBadPosition: checkpoint.position, problem: `position ${checkpoint.position} no longer has the checkpoint's hash: the tail was rewritten` };
  }
  return chain;
}
