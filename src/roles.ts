// Order-aware matching. Bag-of-words overlap cannot tell "Smith beat Jones" from "Jones beat Smith", nor
// "born in Leeds, now lives in York" from the reverse; both use the same words. What changes is
// the slot each word sits in: the words just before it ("beat _", "in _", "from _", sentence start).
// A role swap is two words that have traded slots: each now sits where, in the source, the other one sat.

import type { Token } from './content-words.js';

export interface RoleSwap {
  /** The two output words (as written) that took each other's place. */
  first: string;
  second: string;
  /** The slots they traded, e.g. "beat _" and "^ _" (sentence start). */
  firstSlot: string;
  secondSlot: string;
}

// Determiners, possessives and sentence adverbs say nothing about a word's role ("however, the first
// draft" is the subject as much as "the first draft"); the slot looks past them.
const TRANSPARENT = new Set([
  'the', 'a', 'an', 'his', 'her', 'its', 'their', 'our', 'my', 'your', 'this', 'that', 'these', 'those',
  'however', 'also', 'then', 'thus', 'therefore', 'later', 'still',
]);
const COORDINATORS = new Set(['and', 'or', 'nor', '&', 'plus', 'vs', 'versus', 'v']);
// A one-word slot made of these is too common to identify a role on its own; the two-word slot decides.
const WEAK_SLOTS = new Set(['of', 'and', 'or', 'to', 'for', 'as', 'is', 'was', 'are', 'were', 'be', 'been', 'has', 'have', 'had', 'with', 'that', 'which', 'who']);

interface Slotted {
  token: Token;
  index: number;
  near: string;
  wide: string;
}

function slots(tokens: readonly Token[], sentenceStarts: ReadonlySet<number>): Slotted[] {
  const out: Slotted[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t === undefined || !t.content) continue;
    const before: string[] = [];
    if (!sentenceStarts.has(i)) {
      for (let j = i - 1; j >= 0 && before.length < 2; j--) {
        const p = tokens[j];
        if (p === undefined) break;
        if (before.length > 0 || !TRANSPARENT.has(p.raw.toLowerCase())) before.push(p.kind === 'number' ? '#' : p.norm);
        if (sentenceStarts.has(j)) break;
      }
    }
    const nearest = before[0] ?? '^';
    out.push({ token: t, index: i, near: nearest, wide: `${before[1] ?? '^'} ${nearest}` });
  }
  return out;
}

/** A content word with the slot that identifies its role in its sentence (see slotOf). */
export interface WordSlot {
  norm: string;
  slot: string;
}

/**
 * The slot of each content word of `tokens` (undefined at other tokens). A slot looks back no further than its
 * sentence's start, so the slots of a whole source hold for any run of its sentences: computed once per source,
 * they serve every output unit compared with a span of it.
 */
export function wordSlots(tokens: readonly Token[], sentenceStarts: ReadonlySet<number>): Array<WordSlot | undefined> {
  const out: Array<WordSlot | undefined> = new Array<WordSlot | undefined>(tokens.length).fill(undefined);
  for (const s of slots(tokens, sentenceStarts)) out[s.index] = { norm: s.token.norm, slot: slotOf(s) };
  return out;
}

function addSlot(map: Map<string, Set<string>>, key: string, slot: string): void {
  let set = map.get(key);
  if (set === undefined) {
    set = new Set();
    map.set(key, set);
  }
  set.add(slot);
}

/**
 * Words that are items of one list ("X and Y", "X, Y or Z"): their order carries no role. Items are close
 * together, with only names, numbers or other items and a comma or a coordinator between them; unless
 * `strict`, any gap of at most two words counts too ("farmers, miners and fishermen"). Strict is for the
 * output, where such a gap would excuse "east of A, south of B" written for "east of B, south of A".
 */
function coordinated(tokens: readonly Token[], text: string, a: string, b: string, textStart = 0, strict = false): boolean {
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i]?.norm !== a) continue;
    for (let j = Math.max(0, i - 8); j <= Math.min(tokens.length - 1, i + 8); j++) {
      if (tokens[j]?.norm !== b || i === j) continue;
      const [lo, hi] = i < j ? [i, j] : [j, i];
      const loToken = tokens[lo];
      const hiToken = tokens[hi];
      if (loToken === undefined || hiToken === undefined) continue;
      const between = text.slice(loToken.end - textStart, hiToken.start - textStart);
      if (!/,|;|\b(?:and|or|nor)\b|&/.test(between)) continue;
      let plain = true;
      for (let k = lo + 1; k < hi && plain; k++) {
        const t = tokens[k];
        if (t === undefined) continue;
        const word = t.raw.toLowerCase();
        plain = t.capitalised || t.kind === 'number' || COORDINATORS.has(word) || TRANSPARENT.has(word) || (!strict && hi - lo <= 3);
      }
      if (plain) return true;
    }
  }
  return false;
}

/** Adjacent words reordered ("May 12" → "12 May", "oak old" → "old oak"). */
function neighbours(x: { s: Slotted; slot: string }, y: { s: Slotted; slot: string }): boolean {
  const mentions = (slot: string, t: Token) => slot.split(' ').includes(t.kind === 'number' ? '#' : t.norm);
  return mentions(x.slot, y.s.token) || mentions(y.slot, x.s.token) || Math.abs(x.s.index - y.s.index) <= 1;
}

/** The slot that identifies a word's role: the word before it, or the two words before a weak one. */
function slotOf(s: Slotted): string {
  return WEAK_SLOTS.has(s.near) ? s.wide : s.near;
}

/**
 * Finds pairs of output words that have traded slots relative to the source span: each sits where the other
 * sat ("A beat B" → "B beat A"), or one took a slot that only the other held in the source while that
 * other moved elsewhere. Words that keep a slot they had in the source are never reported, and neither are
 * items of one list changing order.
 */
export function findRoleSwaps(
  output: readonly Token[],
  outputSentenceStarts: ReadonlySet<number>,
  source: readonly Token[],
  sourceSentenceStarts: ReadonlySet<number>,
  sourceText: string,
  /** The output text the output tokens point into, and where it starts in their offsets. */
  outputText: { text: string; start: number },
  /**
   * Also report one-sided moves (a word taking a slot only another word held). Only sound when the output
   * unit is a close rewrite of the span: in a summary, slots change for good reasons.
   */
  oneSided = false,
  /**
   * The source's word slots already computed (wordSlots over the whole source), and the span of them that
   * `source` is: the same slots, not computed again for each unit.
   */
  sourceSlots?: { slots: ReadonlyArray<WordSlot | undefined>; from: number; to: number },
): RoleSwap[] {
  const slotsOfWord = new Map<string, Set<string>>();
  const ownersOfSlot = new Map<string, Set<string>>();
  const given = sourceSlots ?? { slots: wordSlots(source, sourceSentenceStarts), from: 0, to: source.length };
  for (let i = given.from; i < given.to; i++) {
    const s = given.slots[i];
    if (s === undefined) continue;
    addSlot(slotsOfWord, s.norm, s.slot);
    addSlot(ownersOfSlot, s.slot, s.norm);
  }
  const displaced: Array<{ s: Slotted; slot: string }> = [];
  for (const s of slots(output, outputSentenceStarts)) {
    const known = slotsOfWord.get(s.token.norm);
    const slot = slotOf(s);
    if (known !== undefined && !known.has(slot)) displaced.push({ s, slot });
  }
  const swaps: RoleSwap[] = [];
  const seen = new Set<string>();
  for (const x of displaced) {
    for (const y of displaced) {
      const a = x.s.token.norm;
      const b = y.s.token.norm;
      if (a === b || x.slot === y.slot || neighbours(x, y)) continue;
      if (!slotsOfWord.get(b)?.has(x.slot)) continue;
      const mutual = slotsOfWord.get(a)?.has(y.slot) === true;
      const owners = ownersOfSlot.get(x.slot);
      const tookSoleSlot = oneSided && x.slot !== '^' && owners !== undefined && owners.size === 1;
      if (!mutual && !tookSoleSlot) continue;
      const key = [a, b].sort().join('\u0000');
      // Items of a list in either text may come in any order: "the Wolves and the Otters, and the Falcons and
      // the Herons" names the same two matches as the source's "the Falcons and the Herons … the Otters and the Wolves".
      if (seen.has(key) || coordinated(source, sourceText, a, b) || coordinated(output, outputText.text, a, b, outputText.start, true)) continue;
      seen.add(key);
      swaps.push({ first: x.s.token.raw, second: y.s.token.raw, firstSlot: `${x.slot} _`, secondSlot: `${y.slot} _` });
    }
  }
  return swaps;
}
