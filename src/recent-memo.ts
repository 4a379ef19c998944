// Evaluators derive the same things from a source (its words, n-grams, numbers) for every candidate of a task;
// a handful of recent sources is enough to compute each once, since a task's candidates are judged together.

/**
 * Distinct words a per-word memo keeps before starting over. Vocabulary is Zipfian, so 50 000 covers all but the
 * rarest words of a corpus; the bound is memory held for the whole run (a long run fills it with the corpus's
 * rare words and numbers), some 5-10 MB per memo in every judge worker, so it is kept modest.
 */
export const MAX_REMEMBERED_WORDS = 50_000;

/**
 * Wraps a pure function of a word with a memo of up to MAX_REMEMBERED_WORDS words, emptied when full: cheaper
 * per call than memoizeRecent's recency order, for functions asked about every token.
 */
export function memoizeWords<V>(compute: (word: string) => V): (word: string) => V {
  const memo = new Map<string, V>();
  return (word) => {
    let value = memo.get(word);
    if (value === undefined) {
      value = compute(word);
      if (memo.size >= MAX_REMEMBERED_WORDS) memo.clear();
      memo.set(word, value);
    }
    return value;
  };
}

/**
 * Wraps `compute` with a cache of the `capacity` most recently used keys (least recently used evicted first).
 * Meant for pure functions of a string; a Map hashes a string once and keeps the hash on it, so lookups are cheap.
 */
export function memoizeRecent<K, V>(compute: (key: K) => V, capacity = 16): (key: K) => V {
  if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  const cache = new Map<K, V>();
  return (key) => {
    if (cache.has(key)) {
      const value = cache.get(key) as V;
      // Re-inserting moves the key to the back of the Map's insertion order: the most recently used end.
      cache.delete(key);
      cache.set(key, value);
      return value;
    }
    const value = compute(key);
    cache.set(key, value);
    if (cache.size > capacity) cache.delete(cache.keys().next().value as K);
    return value;
  };
}
