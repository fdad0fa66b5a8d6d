import { Client } from 'pg';
import { insertTiles } from './ledger-tree';
import { TileRow, TreeTail } from './tiles';
import { loadTreeTail } from './writer-admission';

/**
 * The Merkle tree as the ledger writer keeps it: the right edge at the head (its leaves are the
 * chain hashes written so far), and the tiles the last commit grew, which the next commit writes
 * in its own INSERT (or `flush` at stop); readers combine the missing tiles from below meanwhile.
 * A writer without the tree (`enabled` false) keeps it empty.
 */
export class WriterTree {
  private tail = TreeTail.empty();
  private unwritten: TileRow[] = [];

  constructor(private readonly enabled: boolean) {}

  /** The tree of every event written so far: its size (= the head position) and root. */
  current(): { size: number; root: Buffer } {
    return { size: this.tail.size, root: this.tail.root() };
  }

  /** The tiles the next commit writes with its rows. */
  get pendingTiles(): TileRow[] {
    return this.unwritten;
  }

  /** The right edge at `head`, from the stored tiles and the rows past them (stored too when `persist`). */
  async load(client: Client, head: number, persist: boolean, log?: (message: string) => void): Promise<void> {
    if (!this.enabled) return;
    this.unwritten = [];
    this.tail = await loadTreeTail(client, head, persist, log);
  }

  /**
   * The tree grown by a commit's chain hashes, kept only once `keep` is called (after the commit's
   * INSERT succeeded): hashing runs while Postgres writes the rows.
   */
  grow(chainHashes: string[]): { keep(): void } {
    if (!this.enabled) return { keep: () => undefined };
    const tail = this.tail.clone();
    const grown = tail.append(chainHashes);
    return {
      keep: () => {
        this.tail = tail;
        this.unwritten = grown;
      },
    };
  }

  /** Writes the tiles not written yet (at stop); a failure leaves them to be filled at the next start. */
  async flush(client: Client): Promise<void> {
    if (!this.unwritten.length) return;
    await insertTiles(client, this.unwritten).then(
      () => (this.unwritten = []),
      () => undefined,
    );
  }
}
