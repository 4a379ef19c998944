// Near-duplicate outputs across a run: when a model collapses onto a template, many accepted outputs of a
// style share most of their wording. MinHash estimates the Jaccard similarity of two texts' word-shingle
// sets from fixed-size signatures; locality-sensitive hashing (bands of the signature as bucket keys) finds
// the few earlier outputs worth comparing, so a query costs about the same with ten or a million entries.
//
// The index is a plain in-memory object the engine owns for a run: the near-duplicate evaluator only
// queries it (a candidate may still be rejected later), and the engine adds each output it accepts.

import { IntMap } from './int-map.js';
import { mix32 } from './mix32.js';

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
   * Most outputs kept per group: the latest `capacity`, the oldest evicted first. Default 10 000.
   *
   * The trade-off: a run over ten million documents cannot keep every accepted output (about 1.6 KB each: the
   * 512-byte signature, 32 bucket links, 32 bucket-table slots of 8 bytes at a load of 1/4 to 3/4, and an id),
   * so memory is held at `capacity` outputs per group, some 16 MB per style at the default, whatever the
   * length of the run. An output is then compared only with the latest `capacity` of its style; a copy of an
   * older one goes unnoticed. Template collapse, the failure this check exists for, repeats itself among recent outputs, so
   * a window of thousands sees it; an exhaustive deduplication of a finished corpus belongs to the curation
   * pipeline downstream.
   */
  capacity?: number;
}

export interface NearDuplicateMatch {
  /** Id the earlier output was added under. */
  id: string;
  /** Estimated Jaccard similarity of the two shingle sets, 0..1. */
  similarity: number;
}

/**
 * One group's outputs in a ring of `capacity` slots; output number `seq` (counted from 0 as added) lives in
 * slot `seq % capacity` until output `seq + capacity` takes its place. The arrays grow by doubling up to
 * `capacity`, so a small run does not pay for a large window.
 */
interface Group {
  /** Slots allocated so far (≤ capacity). */
  slots: number;
  /** Outputs added so far; the live ones are the last min(added, capacity). */
  added: number;
  ids: Array<string | undefined>;
  /** Signatures, `numHashes` numbers per slot. */
  signatures: Uint32Array;
  /**
   * Per band, bucket key → `seq` of the newest output in that bucket. Older outputs of the bucket are reached
   * through `older`; a bucket whose newest output is evicted has no live output left and is deleted.
   */
  newest: IntMap[];
  /** Per slot and band, `seq` of the next older output in the same bucket, or -1. Evicted ones are skipped. */
  older: Int32Array;
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
  private lastText: string | null = null;
  private lastSignature: Uint32Array | null = null;

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
    // A window of one output compares each output with the one before only: too small to mean anything.
    if (!Number.isInteger(this.capacity) || this.capacity < 2) throw new RangeError(`capacity must be an integer of at least 2, got ${this.capacity}`);
    this.rows = this.numHashes / this.bands;
    this.seeds = new Uint32Array(this.numHashes);
    for (let i = 0; i < this.numHashes; i++) this.seeds[i] = mix32(0x9e3779b9 * (i + 1));
  }

  /** The MinHash signature of a text; texts shorter than one shingle hash as a single shingle. */
  signature(text: string): Uint32Array {
    // The engine adds an accepted output right after the evaluator looked it up: the same text, the same signature.
    if (text === this.lastText && this.lastSignature !== null) return this.lastSignature.slice();
    const sig = this.computeSignature(text);
    this.lastText = text;
    this.lastSignature = sig.slice();
    return sig;
  }

  private computeSignature(text: string): Uint32Array {
    const w = words(text);
    const sig = new Uint32Array(this.numHashes).fill(0xffffffff);
    const n = Math.min(this.shingleWords, Math.max(1, w.length));
    const seeds = this.seeds;
    for (let i = 0; i + n <= Math.max(w.length, n); i++) {
      // FNV-1a of the shingle's words joined by single spaces, without building the joined string.
      let h = 0x811c9dc5;
      for (let j = i; j < i + n && j < w.length; j++) {
        if (j > i) h = Math.imul(h ^ 0x20, 0x01000193);
        const word = w[j] as string;
        for (let c = 0; c < word.length; c++) h = Math.imul(h ^ word.charCodeAt(c), 0x01000193);
      }
      h >>>= 0;
      for (let k = 0; k < this.numHashes; k++) {
        const v = mix32(h ^ (seeds[k] as number));
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

  /** The bucket key of one band of a signature, cut to 30 bits so that V8 keeps it unboxed in a Map. */
  private bandKey(sig: ArrayLike<number>, band: number, offset = 0): number {
    let h = 0x811c9dc5;
    for (let r = band * this.rows; r < (band + 1) * this.rows; r++) h = mix32(h ^ (sig[offset + r] as number));
    return h & 0x3fffffff;
  }

  /**
   * The most similar earlier output of `group` (a style id) at or above the threshold, or null. Does not
   * add the text: call `add` once the output is accepted.
   */
  find(group: string, text: string, threshold = this.threshold): NearDuplicateMatch | null {
    const g = this.groups.get(group);
    if (g === undefined || g.added === 0) return null;
    const sig = this.signature(text);
    const oldest = g.added - Math.min(g.added, this.capacity);
    const seen = new Set<number>();
    let best: NearDuplicateMatch | null = null;
    for (let b = 0; b < this.bands; b++) {
      let seq = g.newest[b]?.get(this.bandKey(sig, b)) ?? -1;
      for (; seq >= oldest; seq = g.older[this.slotOf(g, seq) * this.bands + b] as number) {
        if (seen.has(seq)) continue;
        seen.add(seq);
        const slot = this.slotOf(g, seq);
        const similarity = this.similarity(sig, g.signatures.subarray(slot * this.numHashes, (slot + 1) * this.numHashes));
        if (similarity >= threshold && (best === null || similarity > best.similarity)) best = { id: g.ids[slot] as string, similarity };
      }
    }
    return best;
  }

  /** Records an accepted output of `group` under `id`; past `capacity` outputs, the group's oldest is dropped. */
  add(group: string, id: string, text: string): void {
    let g = this.groups.get(group);
    if (g === undefined) {
      g = { slots: 0, added: 0, ids: [], signatures: new Uint32Array(0), newest: Array.from({ length: this.bands }, () => new IntMap()), older: new Int32Array(0) };
      this.groups.set(group, g);
    }
    if (g.added === g.slots && g.slots < this.capacity) this.grow(g);
    const seq = g.added;
    const slot = this.slotOf(g, seq);
    if (seq >= this.capacity) this.evict(g, seq - this.capacity);
    g.signatures.set(this.signature(text), slot * this.numHashes);
    g.ids[slot] = id;
    for (let b = 0; b < this.bands; b++) {
      const newest = g.newest[b] as IntMap;
      const key = this.bandKey(g.signatures, b, slot * this.numHashes);
      g.older[slot * this.bands + b] = newest.get(key);
      newest.set(key, seq);
    }
    g.added++;
  }

  /** Outputs kept for `group`, or for all groups. */
  size(group?: string): number {
    const kept = (g: Group | undefined): number => (g === undefined ? 0 : Math.min(g.added, this.capacity));
    if (group !== undefined) return kept(this.groups.get(group));
    let n = 0;
    for (const g of this.groups.values()) n += kept(g);
    return n;
  }

  private slotOf(g: Group, seq: number): number {
    return seq % g.slots;
  }

  /** Doubles a group's arrays, up to `capacity` slots; only ever called before the ring first wraps. */
  private grow(g: Group): void {
    const slots = Math.min(this.capacity, Math.max(64, g.slots * 2));
    const signatures = new Uint32Array(slots * this.numHashes);
    signatures.set(g.signatures);
    const older = new Int32Array(slots * this.bands);
    older.set(g.older);
    g.signatures = signatures;
    g.older = older;
    g.slots = slots;
  }

  /**
   * Drops output `seq` from the buckets it heads. Where a newer output heads the bucket, the link to `seq`
   * stays in that output's chain and lookups stop at it, since it is older than the window.
   */
  private evict(g: Group, seq: number): void {
    const slot = this.slotOf(g, seq);
    for (let b = 0; b < this.bands; b++) {
      const newest = g.newest[b] as IntMap;
      const key = this.bandKey(g.signatures, b, slot * this.numHashes);
      if (newest.get(key) === seq) newest.delete(key);
    }
    g.ids[slot] = undefined;
  }
}
