import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { Client, Pool } from 'pg';
import {
  checkpointText,
  consistencyProof,
  createClient,
  GENESIS_HASH,
  inclusionProof,
  insertLedgerRows,
  LedgerWriter,
  migrationDataSource,
  rawPublicKey,
  signNote,
  treeRoot,
  verifierKey,
} from '@workgate/event-store';
import { chainedRows } from '../libs/event-store/ledger-rows.fixtures';
import { freshDatabase, TestDatabase } from './support/database';
import { goVerify } from './support/go-verifier';

/**
 * The tree stored as tiles of 256 hashes, at the sizes where tiles begin and end (255, 256, 257,
 * 511, 512, 65,535, 65,536, 65,537): a ledger whose `ledger_tree` the migration turned into tiles,
 * then grown by the writer across the first tile of level 2. Every root is computed here from the
 * chain hashes (RFC 6962, plainly); every proof is read from Postgres and checked by Go's
 * golang.org/x/mod/sumdb/tlog against a note of that root.
 */

/** Runs `work` on the schema as it was before tiles (the later migrations undone), then migrates up again. */
async function withSchemaBeforeTiles(url: string, work: () => Promise<void>): Promise<void> {
  const source = await migrationDataSource(url);
  await source.initialize();
  try {
    while ((await source.query(`SELECT 1 FROM workgate_migrations WHERE name = 'LedgerTiles1763800000021'`)).length)
      await source.undoLastMigration({ transaction: 'each' });
    await work();
    await source.runMigrations({ transaction: 'each' });
  } finally {
    await source.destroy();
  }
}

describe('proofs read from tiles at tile boundaries, as Go verifies them', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const name = 'workgate.example/tiles';
  const vkey = verifierKey(name, rawPublicKey(privateKey));
  const OLD = 65_530;
  let db: TestDatabase;
  let app: Pool;
  const chain: string[] = [];
  /** levels[k][i]: the root of leaves [i·2^k, (i + 1)·2^k), RFC 6962 computed plainly. */
  const levels: Buffer[][] = [[]];
  const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
  const addLeaves = (hashes: string[]) => {
    for (const h of hashes) {
      chain.push(h);
      levels[0].push(sha(Buffer.from([0]), Buffer.from(h, 'hex')));
      for (let k = 0; levels[k].length % 2 === 0; k++) {
        const below = levels[k];
        (levels[k + 1] ??= []).push(sha(Buffer.from([1]), below[below.length - 2], below[below.length - 1]));
      }
    }
  };
  const mth = (lo: number, hi: number): Buffer => {
    const n = hi - lo;
    if ((n & (n - 1)) === 0 && lo % n === 0) return levels[Math.log2(n)][lo / n];
    let k = 1;
    while (k * 2 < n) k *= 2;
    return sha(Buffer.from([1]), mth(lo, lo + k), mth(lo + k, hi));
  };
  const noteOf = (size: number) =>
    signNote(checkpointText({ origin: name, size, root: mth(0, size) }), name, privateKey);
  const b64 = (hashes: Buffer[]) => hashes.map((h) => h.toString('base64'));

  /** Roots, inclusion proofs (around every tile edge below `size`) and consistency proofs of a tree of `size`: Go accepts all of them. */
  async function expectVerified(size: number): Promise<void> {
    expect([size, (await treeRoot(app, size)).equals(mth(0, size))]).toEqual([size, true]);
    const note = noteOf(size);
    const indexes = [...new Set([0, 1, 254, 255, 256, 257, 511, 512, 65_535, 65_536, size - 2, size - 1])].filter(
      (i) => i >= 0 && i < size,
    );
    const leaves = await Promise.all(
      indexes.map(async (i) => ({ leafIndex: i, leaf: chain[i], inclusion: b64(await inclusionProof(app, i, size)) })),
    );
    expect(goVerify({ verifierKey: vkey, note, leaves })).toMatchObject({ ok: true, size, checked: indexes.length });
    // A proof of another leaf's place is refused.
    const wrong = { ...leaves[leaves.length - 1], leaf: chain[0] };
    expect(goVerify({ verifierKey: vkey, note, leaves: [wrong] }).ok).toBe(size === 1);
    for (const from of [1, 255, 256, 257, 511, 512, 65_535, 65_536, size - 1].filter((f) => f >= 1 && f < size)) {
      const consistency = b64(await consistencyProof(app, from, size));
      expect([from, size, goVerify({ verifierKey: vkey, note, oldNote: noteOf(from), consistency }).ok]).toEqual([
        from,
        size,
        true,
      ]);
    }
  }

  /** The tiles of level ≥ 1 (level/index/width), and their hashes. */
  const tiles = async () =>
    (
      await app.query<{ t: string; hashes: Buffer }>(
        `SELECT level || '/' || idx || '/' || width AS t, hashes FROM ledger_tiles WHERE level > 0 ORDER BY level, idx, width`,
      )
    ).rows;
  const tileOf = (level: number, index: number, width: number) =>
    Buffer.concat(levels[8 * level].slice(256 * index, 256 * index + width));
  /** Level-0 tiles: one per 256 leaves, each the 16 hashes of tree level 4 over them. */
  const expectLevel0Tiles = async () => {
    const { rows } = await app.query<{ idx: number; width: number; hashes: Buffer }>(
      'SELECT idx, width, hashes FROM ledger_tiles WHERE level = 0 ORDER BY idx',
    );
    expect(rows.map((r) => r.idx)).toEqual(Array.from({ length: Math.floor(chain.length / 256) }, (_, i) => i));
    for (const r of rows)
      expect([r.idx, r.width, r.hashes.equals(Buffer.concat(levels[4].slice(16 * r.idx, 16 * r.idx + 16)))]).toEqual([
        r.idx,
        16,
        true,
      ]);
  };

  beforeAll(async () => {
    db = await freshDatabase();
    app = db.appPool();
  });
  afterAll(async () => db.drop());

  it('turns the ledger_tree of a ledger recorded before tiles into tiles: the same roots and proofs', async () => {
    await withSchemaBeforeTiles(db.url, async () => {
      // Events, and their tree as the writer of that version stored it: every node of levels 4, 8, 12 and 16.
      const owner: Client = createClient(db.url);
      await owner.connect();
      try {
        let prev = GENESIS_HASH;
        for (let from = 1; from <= OLD; from += 10_000) {
          const { rows, last } = chainedRows(from, Math.min(from + 10_000, OLD + 1), prev, 'Old');
          prev = last;
          await insertLedgerRows(owner, rows);
          addLeaves(rows.hashes);
        }
        const nodes = [4, 8, 12, 16].flatMap((level) =>
          (levels[level] ?? []).map((hash, idx) => ({ level, idx, hash })),
        );
        await owner.query(
          'INSERT INTO ledger_tree (level, idx, hash) SELECT * FROM unnest($1::smallint[], $2::bigint[], $3::bytea[])',
          [nodes.map((n) => n.level), nodes.map((n) => n.idx), nodes.map((n) => n.hash)],
        );
      } finally {
        await owner.end();
      }
    });

    expect((await app.query(`SELECT to_regclass('ledger_tree') AS t`)).rows[0].t).toBeNull();
    const converted = await tiles();
    expect(converted.map((t) => t.t)).toEqual(['1/0/255']);
    expect(converted[0].hashes.equals(tileOf(1, 0, 255))).toBe(true);
    await expectLevel0Tiles();
    for (const size of [255, 256, 257, 511, 512, OLD]) await expectVerified(size);
  });

  it('writes tiles as the writer grows the tree across 65,536; proofs in between come from the leaves, then from the tiles', async () => {
    const writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    try {
      const append = async (events: number) => {
        const streamId = `new-${chain.length}`;
        await writer.append({
          streamId,
          expectedVersion: 'no_stream',
          events: Array.from({ length: events }, () => ({ eventId: randomUUID(), type: 'New', data: {} })),
        });
        const { rows } = await app.query<{ hash: string }>(
          'SELECT hash FROM ledger_events WHERE position > $1 ORDER BY position',
          [chain.length],
        );
        addLeaves(rows.map((r) => r.hash));
      };
      while (chain.length < 65_536) await append(1);
      // The tiles the last commit grew go with the next one: meanwhile proofs combine the leaves.
      expect((await tiles()).map((t) => t.t)).toEqual(['1/0/255']);
      expect(writer.currentTree()).toEqual({ size: 65_536, root: mth(0, 65_536) });
      await expectVerified(65_535);
      await expectVerified(65_536);
      await append(1);
      expect((await tiles()).map((t) => t.t)).toEqual(['1/0/255', '1/0/256', '2/0/1']);
      await expectVerified(65_537);
      await append(300);
    } finally {
      await writer.stop();
    }
    // Stopping writes the tiles of the last commit.
    const written = await tiles();
    expect(written.map((t) => t.t)).toEqual(['1/0/255', '1/0/256', '1/1/1', '2/0/1']);
    expect(written[1].hashes.equals(tileOf(1, 0, 256))).toBe(true);
    expect(written[2].hashes.equals(tileOf(1, 1, 1))).toBe(true);
    expect(written[3].hashes.equals(tileOf(2, 0, 1))).toBe(true);
    await expectLevel0Tiles();
    await expectVerified(chain.length);
  });

  it('goes back to ledger_tree and forth to tiles with the same hashes', async () => {
    await withSchemaBeforeTiles(db.url, async () => {
      const { rows } = await app.query<{ level: number; idx: number; hash: Buffer }>(
        'SELECT level, idx, hash FROM ledger_tree ORDER BY level, idx',
      );
      // Level 4 over every whole run of 256 leaves (the level-0 tiles), levels 8 and 16 whole.
      const stored = { 4: levels[4].slice(0, 16 * Math.floor(chain.length / 256)), 8: levels[8], 16: levels[16] };
      const expected = Object.entries(stored).flatMap(([level, hashes]) =>
        hashes.map((hash, idx) => ({ level: Number(level), idx, hash })),
      );
      expect(rows.map((r) => [r.level, r.idx, r.hash.toString('hex')])).toEqual(
        expected.map((r) => [r.level, r.idx, r.hash.toString('hex')]),
      );
    });
    const again = await tiles();
    expect(again.map((t) => t.t)).toEqual(['1/0/256', '1/1/1', '2/0/1']);
    expect(again[0].hashes.equals(tileOf(1, 0, 256))).toBe(true);
    await expectLevel0Tiles();
    await expectVerified(chain.length);
  });
});
