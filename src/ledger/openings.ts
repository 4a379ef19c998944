import type { Db } from './open-ledger.js';

export interface OpeningPhrase {
  phrase: string;
  count: number;
  /** Share of the style's accepted outputs that open this way. */
  share: number;
}

/** The first `words` words, lower-cased, punctuation dropped: "Sure, the cat…" and "sure the cat" open alike. */
export function openingPhrase(text: string, words = 3): string {
  return (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).slice(0, words).join(' ');
}

/**
 * The most common opening phrases of accepted outputs, per style: a model collapsing onto a template
 * ("In this article, …") shows up here long before anyone reads the outputs.
 *
 * Counted with the Misra–Gries heavy-hitters sketch, so memory stays bounded however many outputs the
 * ledger holds; any phrase opening more than 1/capacity of a style's outputs is always found, and counts
 * are exact until a style has more than `capacity` distinct openings (then they are lower bounds).
 */
export function commonOpenings(db: Db, opts: { top?: number; words?: number; capacity?: number } = {}): Record<string, OpeningPhrase[]> {
  const top = opts.top ?? 5;
  const capacity = opts.capacity ?? 2000;
  const counters = new Map<string, Map<string, number>>();
  const totals = new Map<string, number>();
  const rows = db
    .prepare(`SELECT t.style_id AS style, substr(o.text, 1, 200) AS head FROM outputs o JOIN tasks t ON t.id = o.task_id`)
    .iterate() as IterableIterator<{ style: string; head: string }>;
  for (const { style, head } of rows) {
    const phrase = openingPhrase(head, opts.words);
    if (!phrase) continue;
    totals.set(style, (totals.get(style) ?? 0) + 1);
    let c = counters.get(style);
    if (!c) counters.set(style, (c = new Map()));
    const n = c.get(phrase);
    if (n !== undefined) c.set(phrase, n + 1);
    else if (c.size < capacity) c.set(phrase, 1);
    else {
      for (const [k, v] of c) {
        if (v <= 1) c.delete(k);
        else c.set(k, v - 1);
      }
    }
  }
  const out: Record<string, OpeningPhrase[]> = {};
  for (const [style, c] of counters) {
    const total = totals.get(style) ?? 1;
    out[style] = [...c]
      // A phrase that opens one output says nothing about collapse.
      .filter(([, count]) => count > 1)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, top)
      .map(([phrase, count]) => ({ phrase, count, share: count / total }));
  }
  return out;
}
