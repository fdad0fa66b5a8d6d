import { Pool } from 'pg';
import { CommitVerifier } from './commit-signature';

/** Signatures below the newest one tried when it does not verify. */
const LOOK_BACK = 100;

interface SignatureRow {
  position: number;
  signature: Buffer;
  hash: string;
}

const SIGNATURES_SQL = `SELECT s.position, s.signature, e.hash
  FROM ledger_commit_signatures s JOIN ledger_events e USING (position)
 WHERE s.position < $1 ORDER BY s.position DESC LIMIT $2`;

/**
 * The signed frontier of a ledger: the highest position whose writer commit signature verifies
 * over the chain hash stored there. The chain hash covers every earlier event, so every row up to
 * it is the writer's; a row past it was written around the writer. Readers read up to it and never
 * past (docs/ledger.md, "Readers act only on signed rows").
 *
 * Asked once per turn of the event loop whoever asks (one query, the newest signature), and a
 * signature is verified once: the same newest signature is not checked again.
 */
export class SignedFrontier {
  /** The newest signature that verified. */
  private known?: SignatureRow;
  /** The newest signature when it did not verify, and the frontier found below it. */
  private refused?: { newest: SignatureRow; position: number };
  private next?: Promise<number>;

  /**
   * @param unsigned what vouches for a ledger that holds no commit signature at all (one written
   * before commits were signed, not yet adopted by a writer): the last signed checkpoint's size.
   */
  constructor(
    private readonly pool: Pool,
    private readonly verify: CommitVerifier,
    private readonly unsigned: () => Promise<number> = () => Promise.resolve(0),
  ) {}

  /** The signed frontier as of now: callers of one turn share a query started after they asked. */
  position(): Promise<number> {
    this.next ??= new Promise<number>((resolve, reject) =>
      process.nextTick(() => {
        this.next = undefined;
        this.read().then(resolve, reject);
      }),
    );
    return this.next;
  }

  private async read(): Promise<number> {
    const { rows } = await this.pool.query<SignatureRow>(SIGNATURES_SQL, [Number.MAX_SAFE_INTEGER, 1]);
    const newest = rows[0];
    if (!newest) return this.unsigned();
    if (this.known && same(this.known, newest)) return this.known.position;
    if (this.refused && same(this.refused.newest, newest)) return this.refused.position;
    if (this.verify(newest.position, newest.hash, newest.signature)) {
      this.known = newest;
      this.refused = undefined;
      return newest.position;
    }
    // A signature that does not verify (a forged row with a made-up signature): the newest below it
    // that does, and never below the last one verified while it still stands as it was.
    const below = await this.pool.query<SignatureRow>(SIGNATURES_SQL, [newest.position, LOOK_BACK]);
    const valid = below.rows.find((r) => this.verify(r.position, r.hash, r.signature))?.position ?? 0;
    const kept = this.known && (await this.stillStands(this.known)) ? this.known.position : 0;
    this.refused = { newest, position: Math.max(valid, kept) };
    return this.refused.position;
  }

  /** Whether a signature verified before is still in the ledger, over the same row. */
  private async stillStands(row: SignatureRow): Promise<boolean> {
    const { rows } = await this.pool.query<SignatureRow>(SIGNATURES_SQL, [row.position + 1, 1]);
    return rows[0] !== undefined && same(rows[0], row);
  }
}

const same = (a: SignatureRow, b: SignatureRow) =>
  a.position === b.position && a.hash === b.hash && a.signature.equals(b.signature);
