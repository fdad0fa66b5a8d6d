import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { freshDatabase, TestDatabase } from '../../test/support/database';
import { consistencyProof, inclusionProof, treeRoot } from './ledger-tree';
import { insertLedgerRows } from './ledger-rows';
import { chainedRows } from './ledger-rows.fixtures';
import { LedgerWriter } from './ledger-writer';
import { leafHash, MerkleFrontier, verifyConsistency, verifyInclusion } from './merkle';
import { createClient } from './pg';

const ev = () => ({ eventId: randomUUID(), type: 'ThingHappened', data: { n: 1 } });

/** The Merkle tree over the ledger, kept by the writer in the same commit as the events (real Postgres). */
describe('the ledger tree', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await freshDatabase();
  });
  afterAll(async () => db.drop());

  const chainHashes = async () =>
    (await db.appPool().query<{ hash: string }>('SELECT hash FROM ledger_events ORDER BY position')).rows.map(
      (r) => r.hash,
    );
  const rootOf = (hashes: string[]) => {
    const frontier = new MerkleFrontier();
    for (const h of hashes) frontier.append(leafHash(h));
    return frontier.root();
  };

  it("stores the tree's tiles with the commits that grow them: roots, inclusion and consistency proofs of every size check out", async () => {
    const writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    try {
      // Commits of 1 to 5 events, concurrent: group commits of many sizes, across the first two tiles.
      for (let round = 0; round < 4; round++)
        await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            writer.append({
              streamId: `tree-${round}-${i}`,
              expectedVersion: 'no_stream',
              events: Array.from({ length: (i % 5) + 1 }, ev),
            }),
          ),
        );
      const hashes = await chainHashes();
      expect(hashes).toHaveLength(600);
      expect(writer.currentTree()).toEqual({ size: 600, root: rootOf(hashes) });
      const app = db.appPool();
      // The first tile of level 1 holds the root of leaves 0-255, then also of 256-511 (unless the
      // last commit grew it: a commit's tiles go with the next one, and are combined from the leaves meanwhile).
      const { rows: tiles } = await app.query<{ t: string }>(
        `SELECT level || '/' || idx || '/' || width AS t FROM ledger_tiles WHERE level > 0 ORDER BY level, idx, width`,
      );
      expect(['1/0/1', '1/0/1,1/0/2']).toContain(tiles.map((r) => r.t).join());
      for (const size of [1, 2, 3, 64, 65, 127, 180, 255, 256, 257, 511, 512, 513, 600]) {
        const root = await treeRoot(app, size);
        expect(root.equals(rootOf(hashes.slice(0, size)))).toBe(true);
        for (const index of [0, Math.floor(size / 2), size - 1]) {
          expect(
            verifyInclusion(index, size, leafHash(hashes[index]), await inclusionProof(app, index, size), root),
          ).toBe(true);
        }
        for (const from of [1, Math.ceil(size / 3), size]) {
          expect(
            verifyConsistency(from, size, await treeRoot(app, from), root, await consistencyProof(app, from, size)),
          ).toBe(true);
        }
      }
    } finally {
      await writer.stop();
    }
  });

  it('fills the tree of events recorded without it when the writer starts, then keeps it', async () => {
    // Rows as a ledger written before the tree existed holds them: no nodes.
    const client = createClient(db.url);
    await client.connect();
    const { rows: head } = await client.query<{ position: number; hash: string }>(
      'SELECT position, hash FROM ledger_events ORDER BY position DESC LIMIT 1',
    );
    const first = head[0].position + 1;
    const { rows } = chainedRows(first, first + 25, head[0].hash, 'Old');
    await insertLedgerRows(client, rows);
    await client.end();

    // A writer refused at admission computes the tree over them but stores none of its nodes.
    const nodes = async () =>
      (await db.appPool().query<{ n: number }>('SELECT count(*)::int AS n FROM ledger_tiles')).rows[0].n;
    const before = await nodes();
    const refused = new LedgerWriter(db.url, {
      role: 'workgate_ledger',
      admit: async () => ({ ok: false, reason: 'rows nobody signed' }),
    });
    await refused.start();
    try {
      expect(refused.refusing).toBe('rows nobody signed');
      expect(refused.currentTree().size).toBe(625);
      expect(await nodes()).toBe(before);
    } finally {
      await refused.stop();
    }

    const writer = new LedgerWriter(db.url, { role: 'workgate_ledger' });
    await writer.start();
    try {
      await writer.append({ streamId: 'after-fill', expectedVersion: 'no_stream', events: [ev(), ev()] });
      const hashes = await chainHashes();
      expect(hashes).toHaveLength(627);
      expect(writer.currentTree().root.equals(rootOf(hashes))).toBe(true);
      expect((await treeRoot(db.appPool(), 627)).equals(rootOf(hashes))).toBe(true);
      expect((await treeRoot(db.appPool(), 610)).equals(rootOf(hashes.slice(0, 610)))).toBe(true);
    } finally {
      await writer.stop();
    }
  });

  it('keeps the tiles it reads and what is combined from them: a proof read again asks for no tile, and answers the same', async () => {
    const app = db.appPool();
    const hashes = await chainHashes();
    const size = hashes.length;
    const root = rootOf(hashes);
    // At 627 leaves the full tiles are 0/0 and 0/1 (leaves 0-511), 1/0 is partial, 0/2 unfinished (never written).
    // A reader of its own (its own cache) that notes the tiles it asks Postgres for.
    const asked: string[] = [];
    const noting = () =>
      ({
        query: (config: { text: string; values: number[][] }) => {
          if (/ledger_tiles/.test(config.text))
            asked.push(...config.values[0].map((l, i) => `${l}/${config.values[1][i]}`));
          return app.query(config);
        },
      }) as unknown as Pick<typeof app, 'query'>;
    for (const index of [3, 300, size - 1]) {
      const reader = noting();
      asked.length = 0;
      const first = await inclusionProof(reader, index, size);
      expect(asked).toContain('1/0');
      expect(asked).not.toContain('0/2');
      if (index < 512) expect(asked).toContain(`0/${index >> 8}`);
      asked.length = 0;
      const again = await inclusionProof(reader, index, size);
      expect(asked).toEqual([]);
      expect(again).toEqual(first);
      expect(again).toEqual(await inclusionProof(createFreshReader(app), index, size));
      expect(verifyInclusion(index, size, leafHash(hashes[index]), again, root)).toBe(true);
    }
    const reader = noting();
    for (const from of [1, 200, 256, 257, 511, 513]) {
      const proof = await consistencyProof(reader, from, size);
      expect(proof).toEqual(await consistencyProof(createFreshReader(app), from, size));
      expect(verifyConsistency(from, size, rootOf(hashes.slice(0, from)), root, proof)).toBe(true);
    }
    expect((await treeRoot(reader, size)).equals(root)).toBe(true);
  });
});

/** A reader with a cache of its own (the cache is per pool or client object), asking the same pool. */
const createFreshReader = (pool: Pool): Pick<Pool, 'query'> => ({ query: pool.query.bind(pool) });
