import { rememberRecent } from '@workgate/contracts';
import type { PreparedAppend } from './validate';

/**
 * The last version of the streams the writer appended to or looked up lately (the most recent
 * `limit`): a batch whose streams are all known here, or expected not to exist, is planned without
 * asking the database. Only the active writer appends, so what it wrote or read stays true until
 * it loses the lock (then `clear`).
 */
export class StreamVersions {
  private readonly known = new Map<string, number>();

  constructor(private readonly limit: number) {}

  /** The known versions, as the planner reads them. */
  get versions(): ReadonlyMap<string, number> {
    return this.known;
  }

  /** Whether every stream a batch appends to is known or is expected not to exist yet. */
  cover(
    batch: ReadonlyArray<{ commit: { appends: ReadonlyArray<Pick<PreparedAppend, 'streamId' | 'expectedVersion'>> } }>,
  ): boolean {
    return batch.every((p) => p.commit.appends.every((a) => this.known.has(a.streamId) || a.expectedVersion === 0));
  }

  /** What the database holds of `streams` (a lookup's answer: a missing stream has no version) replaces what was known. */
  adopt(streams: Iterable<string>, dbVersions: ReadonlyMap<string, number>): void {
    for (const streamId of streams) {
      const version = dbVersions.get(streamId);
      if (version === undefined) this.known.delete(streamId);
      else rememberRecent(this.known, streamId, version, this.limit);
    }
  }

  /** The versions a commit left its streams at. */
  remember(written: ReadonlyMap<string, number>): void {
    for (const [streamId, version] of written) rememberRecent(this.known, streamId, version, this.limit);
  }

  clear(): void {
    this.known.clear();
  }
}
