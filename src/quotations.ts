// Quotations: words an output puts between quotation marks claim to be the source's own words. A rewrite may
// shorten a quotation (leave words out) but not change one: "a faulty packaging problem" quoted where the
// source said "a faulty cooling valve problem" is an altered fact that reads as a citation.
// Words are compared by their normalised keys (see content-words.ts), so case, punctuation, contractions
// and number formats do not count as changes.

import type { Token } from './content-words.js';
import { tokenize } from './tokenize.js';

/** The words inside one pair of quotation marks, offsets into the output, end exclusive. */
export interface Quotation {
  start: number;
  end: number;
  text: string;
}

/** How a quotation compares with its source. */
export interface QuotationMatch {
  /** Words of the quotation. */
  words: number;
  /** Most of its words found in order in one stretch of the source. */
  matched: number;
  /** Every word found in order, with at most as many left-out words between them as the quotation has. */
  faithful: boolean;
  /** Token range of the closest stretch of the source; [0, 0) when nothing matched. */
  sourceTokens: readonly [number, number];
}

// Straight, curly and typewriter (``…'') double quotation marks, and guillemets; single quotation marks are
// left out, since they cannot be told from apostrophes ("the players' union", "rock 'n' roll").
const QUOTED = [/"([^"\n]{1,600})"/g, /“([^”“\n]{1,600})”/g, /„([^“”\n]{1,600})[“”]/g, /«([^»\n]{1,600})»/g, /``([^\n]{1,600}?)''/g];

/** The quotations of a text, in order of their start. */
export function findQuotations(text: string): Quotation[] {
  const found: Quotation[] = [];
  for (const pattern of QUOTED) {
    for (const m of text.matchAll(pattern)) {
      const inner = m[1] ?? '';
      const start = m.index + m[0].indexOf(inner);
      found.push({ start, end: start + inner.length, text: inner });
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Key → positions of the source tokens with that key, every token counted (function words too). */
export function keyPositions(tokens: readonly Token[]): Map<string, number[]> {
  const positions = new Map<string, number[]>();
  tokens.forEach((t, i) => {
    const list = positions.get(t.norm);
    if (list === undefined) positions.set(t.norm, [i]);
    else list.push(i);
  });
  return positions;
}

/** Length of the longest common subsequence of `quote` and source keys [from, to). */
function commonWords(quote: readonly string[], source: readonly Token[], from: number, to: number): number {
  const row = new Uint16Array(to - from + 1);
  for (const word of quote) {
    let diagonal = 0;
    for (let j = 1; j <= to - from; j++) {
      const above = row[j] as number;
      row[j] = source[from + j - 1]?.norm === word ? diagonal + 1 : Math.max(above, row[j - 1] as number);
      diagonal = above;
    }
  }
  return row[to - from] as number;
}

/** True when every word of `quote` occurs in order in source [from, from + reach), the first at `from`. */
function inOrder(quote: readonly string[], source: readonly Token[], from: number, reach: number): boolean {
  let k = 0;
  for (let i = from; i < Math.min(source.length, from + reach) && k < quote.length; i++) if (source[i]?.norm === quote[k]) k++;
  return k === quote.length;
}

/** Compares the words of a quotation with the source they should come from. */
export function matchQuotation(quoteText: string, source: readonly Token[], positions: ReadonlyMap<string, readonly number[]>): QuotationMatch {
  const quote = tokenize(quoteText).map((t) => t.norm);
  const words = quote.length;
  // Left-out words may stand between quoted ones: "to sort and store letters by date" quotes
  // "to sort, label and neatly store old letters by their date".
  const reach = 2 * words;
  for (const p of positions.get(quote[0] ?? '') ?? []) {
    if (inOrder(quote, source, p, reach)) return { words, matched: words, faithful: true, sourceTokens: [p, Math.min(source.length, p + reach)] };
  }
  let best: QuotationMatch = { words, matched: 0, faithful: false, sourceTokens: [0, 0] };
  // The first word may be the changed one: start from any of the first three.
  const starts = new Set<number>();
  for (const word of quote.slice(0, 3)) for (const p of positions.get(word) ?? []) starts.add(Math.max(0, p - quote.indexOf(word)));
  for (const from of starts) {
    const to = Math.min(source.length, from + words + 3);
    const matched = commonWords(quote, source, from, to);
    if (matched > best.matched) best = { words, matched, faithful: false, sourceTokens: [from, to] };
  }
  // Shown to a reader: the stretch between the first and the last word the two share.
  const shared = new Set(quote);
  let [from, to] = best.sourceTokens;
  while (from < to && !shared.has(source[from]?.norm ?? '')) from++;
  while (to > from && !shared.has(source[to - 1]?.norm ?? '')) to--;
  return { ...best, sourceTokens: [from, to] };
}
