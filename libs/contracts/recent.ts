/**
 * Puts `key` in `map` as its most recently used entry, and when the map then holds more than
 * `limit` entries drops the least recently used tenth of them in one go. One by one would cost
 * more than it seems: reaching a Map's first entry steps over every slot its deletions left until
 * the table is rehashed (evicting one entry per insertion showed as about 5% of intake's main
 * thread in a CPU profile).
 */
export function rememberRecent<K, V>(map: Map<K, V>, key: K, value: V, limit: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > limit) dropOldest(map, limit);
}

/**
 * A bounded cache that a flood of entries used once cannot empty (a segmented LRU): an entry
 * starts on probation and is protected once it is remembered a second time. Each part drops its
 * least recently used tenth when full (as `rememberRecent`); what the protected part drops goes
 * back on probation, what probation drops is gone. Of `limit` entries in all, `protectedShare` may
 * be protected.
 */
export class SegmentedCache<K, V> {
  private readonly probation = new Map<K, V>();
  private readonly protectedPart = new Map<K, V>();
  private readonly probationLimit: number;
  private readonly protectedLimit: number;

  constructor(limit: number, protectedShare = 0.8) {
    this.protectedLimit = Math.max(1, Math.floor(limit * protectedShare));
    this.probationLimit = Math.max(1, limit - this.protectedLimit);
  }

  get size(): number {
    return this.probation.size + this.protectedPart.size;
  }

  get(key: K): V | undefined {
    return this.protectedPart.has(key) ? this.protectedPart.get(key) : this.probation.get(key);
  }

  has(key: K): boolean {
    return this.protectedPart.has(key) || this.probation.has(key);
  }

  delete(key: K): void {
    this.protectedPart.delete(key);
    this.probation.delete(key);
  }

  /** Puts `key` in as its most recently used entry: protected when it was already in, on probation when new. */
  remember(key: K, value: V): void {
    if (!this.protectedPart.delete(key) && !this.probation.delete(key)) return this.onProbation(key, value);
    this.protectedPart.set(key, value);
    if (this.protectedPart.size <= this.protectedLimit) return;
    for (const [k, v] of dropOldest(this.protectedPart, this.protectedLimit)) this.onProbation(k, v);
  }

  private onProbation(key: K, value: V): void {
    this.probation.set(key, value);
    if (this.probation.size > this.probationLimit) dropOldest(this.probation, this.probationLimit);
  }
}

/** Drops the least recently used tenth of a map's `limit` (at least one entry), in one go as `rememberRecent` explains; what it dropped. */
function dropOldest<K, V>(map: Map<K, V>, limit: number): Array<[K, V]> {
  const dropped: Array<[K, V]> = [];
  let evict = Math.ceil(limit / 10);
  for (const entry of map) {
    if (evict-- <= 0) break;
    map.delete(entry[0]);
    dropped.push(entry);
  }
  return dropped;
}
