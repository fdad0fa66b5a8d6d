/**
 * An immutable map whose `with(key, value)` costs about √n, not n: a frozen base shared by every
 * version, and a small layer of the entries set since, copied on each `with`. When the layer
 * grows past √(base size) it is folded into a new base. Iteration is in insertion order, as a
 * `Map`'s is (a key set again keeps its place). A work order's state sets one entry per event in
 * maps that grow with every command it has seen; copying them whole made each event cost O(n).
 */
export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly layer: ReadonlyMap<K, V>,
    /** Entries of `layer` whose key is not in `base`. */
    private readonly added: number,
  ) {}

  static of<K, V>(entries: ReadonlyMap<K, V>): LayeredMap<K, V> {
    return isLayered(entries) ? entries : new LayeredMap(new Map(entries), new Map<K, V>(), 0);
  }

  get size(): number {
    return this.base.size + this.added;
  }

  get(key: K): V | undefined {
    return this.layer.has(key) ? this.layer.get(key) : this.base.get(key);
  }

  has(key: K): boolean {
    return this.layer.has(key) || this.base.has(key);
  }

  /** A new map with `key` set to `value`; this one is unchanged. */
  with(key: K, value: V): LayeredMap<K, V> {
    const layer = new Map(this.layer).set(key, value);
    const added = this.added + (this.layer.has(key) || this.base.has(key) ? 0 : 1);
    if (layer.size * layer.size <= this.base.size + 16) return new LayeredMap(this.base, layer, added);
    const base = new Map(this.base);
    for (const [k, v] of layer) base.set(k, v);
    return new LayeredMap(base, new Map<K, V>(), 0);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.base) yield [key, this.layer.has(key) ? (this.layer.get(key) as V) : value];
    for (const entry of this.layer) if (!this.base.has(entry[0])) yield entry;
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}

function isLayered<K, V>(map: ReadonlyMap<K, V>): map is LayeredMap<K, V> {
  return map instanceof LayeredMap;
}
