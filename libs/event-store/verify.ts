import { Pool } from 'pg';
import { VerifyResult } from '@workgate/contracts';
import { CheckpointRow, CommitVerifier, isSignedCheckpointRow } from './commit-signature';
import { canonicalEventJson, chainHash, GENESIS_HASH } from './hash';
import { LedgerReader } from './ledger-reader';
import { leafHash, MerkleFrontier } from './merkle';
import { openNote, parseCheckpoint } from './signed-note';

/** A signed tree the walk checks: the Merkle root recomputed from the rows must be `root` at `size`. */
export interface RootToCheck {
  size: number;
  root: Buffer;
  /** What it is, as a problem names it ("the checkpoint of 42 events in ledger_checkpoints"). */
  name: string;
  /** Whether the ledger's key signed it; one that it did not is a problem of its own. */
  signed: boolean;
}

export interface VerifyOptions {
  pageSize?: number;
  /** Called after every page with the number of events checked so far. */
  onProgress?: (checked: number) => void;
  /** Start after this position (its stored hash taken as given), not from position 1. */
  after?: number;
  /** Stop at this position (the end of the ledger otherwise); nothing past it is looked at. */
  until?: number;
  /**
   * Also the writer's commit signatures: every signature found must verify over the chain hash
   * stored at its position, and every event past `from` (a signed checkpoint vouches for the ones
   * up to it) must be covered by one at it or a later position.
   */
  signatures?: { from: number; verify: CommitVerifier };
  /** Signed trees whose roots the rows must give (a walk from position 1 only; `storedCheckpoints` reads the table's). */
  roots?: RootToCheck[];
}

/** Every checkpoint in `ledger_checkpoints`, smallest first, each marked whether this key signed it for its size and root. */
export async function storedCheckpoints(pool: Pool, verifierKey: string): Promise<RootToCheck[]> {
  const { rows } = await pool.query<CheckpointRow>(
    'SELECT tree_size, root_hash, note FROM ledger_checkpoints ORDER BY tree_size',
  );
  return rows.map((r) => ({
    size: r.tree_size,
    root: r.root_hash,
    name: `the checkpoint of ${r.tree_size} events in ledger_checkpoints`,
    signed: isSignedCheckpointRow(r, verifierKey),
  }));
}

/** A position and its chain hash. */
interface At {
  position: number;
  hash: string;
}

/**
 * Walks the ledger from position 1 (or `after`): every position must be present, in order, carry
 * its predecessor's hash and hash to what its content says; every commit signature found must
 * verify over the hash stored at its position; the Merkle root recomputed from the rows must be
 * each signed root given at its size; and the ledger must still hold every position a signature
 * or a checkpoint was made at. Names the first position that fails: for a row rewritten with
 * every hash after it recomputed, the first one past what a signature or checkpoint still vouches
 * for.
 */
export async function verifyLedger(pool: Pool, options: VerifyOptions = {}): Promise<VerifyResult> {
  const reader = new LedgerReader(pool);
  const pageSize = options.pageSize ?? 5000;
  const after = options.after ?? 0;
  const until = options.until ?? Number.MAX_SAFE_INTEGER;
  const signed = options.signatures;
  const roots = after === 0 ? [...(options.roots ?? [])].sort((a, b) => a.size - b.size) : [];
  // Read before the walk: whatever was signed by then is committed, so a walk that ends below it met a truncated ledger.
  const lastSigned = signed && options.until === undefined ? await lastSignaturePosition(pool) : 0;
  const start = after > 0 ? await hashAt(pool, after) : GENESIS_HASH;
  if (start === undefined)
    return broken({ position: after - 1, hash: GENESIS_HASH }, after, `position ${after} is missing`);
  const tree = new MerkleFrontier();
  let prev: At = { position: after, hash: start };
  /** The last position a signature or a signed root vouches for (the rows up to it are what was signed). */
  let vouched: At = prev;
  /** The first event past `signed.from` no signature covers yet, and the event before it. */
  let uncovered: { position: number; before: At } | undefined;
  let nextRoot = 0;
  const rewritten = (upTo: number, what: string): VerifyResult =>
    broken(
      vouched,
      vouched.position + 1,
      `position ${vouched.position + 1}${upTo > vouched.position + 1 ? ` (to ${upTo})` : ''} is not what was signed: ${what}: the history was rewritten`,
    );
  for (;;) {
    const limit = Math.min(pageSize, until - prev.position);
    if (limit <= 0) break;
    const { events } = await reader.readAll(prev.position, limit);
    if (events.length === 0) break;
    const signatures = signed
      ? await signaturesIn(pool, prev.position, events[events.length - 1].position)
      : new Map<number, Buffer>();
    for (const e of events) {
      const expected = prev.position + 1;
      if (e.position !== expected)
        return broken(prev, expected, `position ${expected} is missing (next present is ${e.position})`);
      if (e.prevHash !== prev.hash)
        return broken(prev, expected, `position ${expected} does not carry its predecessor's hash`);
      if (chainHash(prev.hash, canonicalEventJson(e)) !== e.hash)
        return broken(prev, expected, `position ${expected} does not match its hash: its content was altered`);
      const signature = signatures.get(e.position);
      if (signed && signature) {
        if (!signed.verify(e.position, e.hash, signature))
          return rewritten(e.position, `the writer's commit signature at ${e.position} does not verify over its hash`);
        vouched = e;
        uncovered = undefined;
      } else if (signed && e.position > signed.from) uncovered ??= { position: e.position, before: prev };
      if (roots.length) {
        tree.append(leafHash(e.hash));
        for (; nextRoot < roots.length && roots[nextRoot].size <= tree.leaves; nextRoot++) {
          const r = roots[nextRoot];
          if (r.size === 0) continue;
          if (!r.signed) return broken(prev, r.size, `${r.name} is not signed with this ledger's key`);
          if (!tree.root().equals(r.root))
            return rewritten(r.size, `the first ${r.size} events do not give the root of ${r.name}`);
          if (r.size > vouched.position) vouched = e;
        }
      }
      prev = e;
    }
    options.onProgress?.(prev.position - after);
    if (events.length < limit) break;
  }
  if (uncovered) {
    const { position, before } = uncovered;
    return broken(
      before,
      position,
      `position ${position}${prev.position > position ? ` (to ${prev.position})` : ''} is covered by no writer signature: the ledger writer did not write it`,
    );
  }
  if (options.until === undefined) {
    // The largest signed tree past the end names every position lost, not only the first.
    const beyond = roots.filter((r) => r.size > prev.position).at(-1);
    const lost = beyond
      ? `${beyond.name} covers ${beyond.size} events`
      : `the writer signed a commit at position ${lastSigned}`;
    const last = Math.max(beyond?.size ?? 0, lastSigned);
    const gone = last === prev.position + 1 ? `position ${last} is` : `positions ${prev.position + 1} to ${last} are`;
    if (beyond || lastSigned > prev.position)
      return broken(
        prev,
        prev.position + 1,
        `the ledger ends at ${prev.position}, but ${lost}: ${gone} gone, its tail was truncated`,
      );
  }
  return { ok: true, checked: prev.position - after, headHash: prev.hash, headPosition: prev.position };

  function broken(good: At, first: number, problem: string): VerifyResult {
    return {
      ok: false,
      checked: Math.max(0, good.position - after),
      headHash: good.hash,
      headPosition: good.position,
      firstBadPosition: first,
      problem,
    };
  }
}

async function hashAt(pool: Pool, position: number): Promise<string | undefined> {
  const { rows } = await pool.query<{ hash: string }>('SELECT hash FROM ledger_events WHERE position = $1', [position]);
  return rows[0]?.hash;
}

async function lastSignaturePosition(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ p: number | null }>(
    'SELECT max(position)::int AS p FROM ledger_commit_signatures',
  );
  return rows[0]?.p ?? 0;
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
 * Verifies the ledger against a kept checkpoint in its signed-note form as well: the note must be
 * signed by this ledger's key, and the Merkle root of the first `size` events, computed from the
 * events themselves, must be the one it signed. Catches a truncated tail and any rewritten event.
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
  const kept = { size: checkpoint.size, root: checkpoint.root, name: 'the kept checkpoint', signed: true };
  return verifyLedger(pool, { ...options, roots: [...(options.roots ?? []), kept] });
}

/**
 * Verifies the ledger AND a kept checkpoint: the ledger must still hold the checkpoint's position
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
  if (checkpoint.position > 0 && (await hashAt(pool, checkpoint.position)) !== checkpoint.headHash) {
    return {
      ...chain,
      ok: false,
      firstBadPosition: checkpoint.position,
      problem: `position ${checkpoint.position} no longer has the checkpoint's hash: the tail was rewritten`,
    };
  }
  return chain;
}
