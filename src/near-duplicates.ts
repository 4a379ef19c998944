// Near-duplicate outputs across a run: when a model collapses onto a template, many accepted outputs of a
// style share most of their wording. MinHash estimates the Jaccard similarity of two texts' word-shingle
// sets from fixed-size signatures; locality-sensitive hashing (bands of the signature as bucket keys) finds
// the few earlier outputs worth comparing, so a query costs about the same with ten or a million entries.
//
// The index is a plain in-memory object the engine owns for a run: the near-duplicate evaluator only
// queries it (a candidate may still be rejected later), and the engine adds each output it accepts.

export interface NearDuplicateIndexOptions {
  /** Hash functions per signature. Default 128. */
  numHashes?: number;
  /** LSH bands; must divide numHashes. Default 32 (4 rows each): a pair at Jaccard 0.8 shares a band with probability > 0.999. */
  bands?: number;
  /** Words per shingle. Default 3. */
  shingleWords?: number;
  /** Estimated Jaccard similarity at or above which two outputs are near duplicates. Default 0.8. */
  threshold?: number;
  /**
   * Most outputs kept per group: the latest `capacity / 2` to `capacity` of them. A run of a million documents
   * must not hold a million signatures (about 3 KB each); a model collapsing onto a template repeats it among
   * its recent outputs, which is where it is looked for. Default 10 000.
   */
  capacity?: number;
}

export interface NearDuplicateMatch {
  /** Id the earlier output was added under. */
  id: string;
  /** Estimated Jaccard similarity of the two shingle sets, 0..1. */
  similarity: number;
}

interface Generation {
  ids: string[];
  signatures: Uint32Array[];
  buckets: Map<number, number[]>[];
}

/** A group's outputs in two generations: when the newer fills, the older is dropped, so memory stays bounded. */
interface Group {
  current: Generation;
  previous: Generation | undefined;
}

function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** MurmurHash3's finaliser: a cheap, well-mixed bijection on 32-bit integers. */
function mix32(x: number): number {
  let h = x >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Lower-cased words, punctuation dropped: "Hello, world!" and "hello world" shingle alike. */
function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

export class NearDuplicateIndex {
  readonly numHashes: number;
  readonly bands: number;
  readonly shingleWords: number;
  readonly threshold: number;
  readonly capacity: number;
  private readonly rows: number;
  private readonly seeds: Uint32Array;
  private readonly groups = new Map<string, Group>();

  constructor(options: NearDuplicateIndexOptions = {}) {
    this.numHashes = options.numHashes ?? 128;
    this.bands = options.bands ?? 32;
    this.shingleWords = options.shingleWords ?? 3;
    this.threshold = options.threshold ?? 0.8;
    this.capacity = options.capacity ?? 10_000;
    if (!Number.isInteger(this.numHashes) || this.numHashes < 1) throw new RangeError(`numHashes must be a positive integer, got ${this.numHashes}`);
    if (!Number.isInteger(this.bands) || this.bands < 1 || this.numHashes % this.bands !== 0) {
      throw new RangeError(`bands must be a positive integer dividing numHashes (${this.numHashes}), got ${this.bands}`);
    }
    if (!Number.isInteger(this.shingleWords) || this.shingleWords < 1) throw new RangeError(`shingleWords must be a positive integer, got ${this.shingleWords}`);
    if (!(this.threshold > 0 && this.threshold <= 1)) throw new RangeError(`threshold must be in (0, 1], got ${this.threshold}`);
    if (!Number.isInteger(this.capacity) || this.capacity < 2) throw new RangeError(`capacity must be an integer of at least 2, got ${this.capacity}`);
    this.rows = this.numHashes / this.bands;
    this.seeds = new Uint32Array(this.numHashes);
    for (let i = 0; i < this.numHashes; i++) this.seeds[i] = mix32(0x9e3779b9 * (i + 1));
  }

  /** The MinHash signature of a text; texts shorter than one shingle hash as a single shingle. */
  signature(text: string): Uint32Array {
    const w = words(text);
    const sig = new Uint32Array(this.numHashes).fill(0xffffffff);
    const n = Math.min(this.shingleWords, Math.max(1, w.length));
    for (let i = 0; i + n <= Math.max(w.length, n); i++) {
      const h = fnv1a(w.slice(i, i + n).join(' '));
      for (let k = 0; k < this.numHashes; k++) {
        const v = mix32(h ^ (this.seeds[k] as number));
        if (v < (sig[k] as number)) sig[k] = v;
      }
    }
    return sig;
  }

  /** Estimated Jaccard similarity of two signatures from this index. */
  similarity(a: Uint32Array, b: Uint32Array): number {
    let same = 0;
    for (let k = 0; k < this.numHashes; k++) if (a[k] === b[k]) same++;
    return same / this.numHashes;
  }

  private bandKey(sig: Uint32Array, band: number): number {
    let h = 0x811c9dc5;
    for (let r = band * this.rows; r < (band + 1) * this.rows; r++) h = mix32(h ^ (sig[r] as number));
    return h;
  }

  /**
   * The most similar earlier output of `group` (a style id) at or above the threshold, or null. Does not
   * add the text: call `add` once the output is accepted.
   */
  find(group: string, text: string, threshold = this.threshold): NearDuplicateMatch | null {
    const g = this.groups.get(group);
    if (g === undefined || this.size(group) === 0) return null;
    const sig = this.signature(text);
    let best: NearDuplicateMatch | null = null;
    for (const generation of [g.current, g.previous]) {
      if (generation === undefined) continue;
      const seen = new Set<number>();
      for (let b = 0; b < this.bands; b++) {
        for (const entry of generation.buckets[b]?.get(this.bandKey(sig, b)) ?? []) {
          if (seen.has(entry)) continue;
          seen.add(entry);
          const similarity = this.similarity(sig, generation.signatures[entry] as Uint32Array);
          if (similarity >= threshold && (best === null || similarity > best.similarity)) {
            best = { id: generation.ids[entry] as string, similarity };
          }
        }
      }
    }
    return best;
  }

  /** Records an accepted output of `group` under `id`. */
  add(group: string, id: string, text: string): void {
    let groupState = this.groups.get(group);
    if (groupState === undefined) {
      groupState = { current: this.emptyGeneration(), previous: undefined };
      this.groups.set(group, groupState);
    }
    if (groupState.current.ids.length >= Math.ceil(this.capacity / 2)) {
      groupState.previous = groupState.current;
      groupState.current = this.emptyGeneration();
    }
    const g = groupState.current;
    const sig = this.signature(text);
    const entry = g.ids.length;
    g.ids.push(id);
    g.signatures.push(sig);
    for (let b = 0; b < this.bands; b++) {
      const bucket = g.buckets[b] as Map<number, number[]>;
      const key = this.bandKey(sig, b);
      const list = bucket.get(key);
      if (list === undefined) bucket.set(key, [entry]);
      else list.push(entry);
    }
  }

  /** Outputs kept for `group`, or for all groups. */
  size(group?: string): number {
    const count = (g: Group | undefined): number => (g === undefined ? 0 : g.current.ids.length + (g.previous?.ids.length ?? 0));
    if (group !== undefined) return count(this.groups.get(group));
    let n = 0;
    for (const g of this.groups.values()) n += count(g);
    return n;
  }

  private emptyGeneration(): Generation {
    return { ids: [], signatures: [], buckets: Array.from({ length: this.bands }, () => new Map()) };
  }
}
