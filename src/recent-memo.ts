// Evaluators derive the same things from a source (its words, n-grams, numbers) for every candidate of a task;
// a handful of recent sources is enough to compute each once, since a task's candidates are judged together.

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
