// Polarity flips: the output states something its source states the other way round. Either a negation on
// one side only ("could cause a delay" / "could not cause a delay"), or a word replaced by its
// opposite ("cheap to run" / "expensive to run"). A word is compared with the places in the source where
// the same word stands among the same neighbours (at least one shared content word close by); a summary may
// move a statement far from where the source made it, so all such places count, not only one span. A flip
// is reported only when every matching place in the source disagrees with the output.

import { antonymsOf, prefixNegated, QUANTITY_WORDS, setMatesOf } from './contrasts.js';
import { normalizeWord, type Token } from './content-words.js';

export interface PolarityFlip {
  /**
   * `negation`: negated on one side only; `antonym`: an opposite word; `contrast`: another member of a closed
   * set (Friday for Tuesday); `restriction`: "only" where the source never restricts ("only the west wing").
   */
  kind: 'negation' | 'antonym' | 'contrast' | 'restriction';
  /** The output words involved, as written. */
  output: string;
  /** The source words they contradict, as written. */
  source: string;
}

/** A tokenised text with, per content key, the positions of its tokens. */
export interface PolarityText {
  text: string;
  tokens: readonly Token[];
  positions: ReadonlyMap<string, readonly number[]>;
}

/** Words that, followed by "to", say the act did not happen. */
const NEGATIVE_IMPLICATIVES = new Set(['fail', 'refuse', 'unable'].map(normalizeWord));
// "not only", "no doubt": a cue that negates nothing.
const IDIOMS = new Set(['only', 'just', 'least', 'matter', 'doubt', 'sooner', 'less']);
const CLAUSE_WORDS = new Set(['but', 'while', 'whereas', 'although', 'though', 'because', 'which', 'who', 'unless', 'however']);
// "Only X" says "X and nothing else": a claim the source must make too, in some form.
const RESTRICTORS = new Set(['only', 'solely', 'exclusively', 'merely', 'just', 'alone']);
/** Content words after a cue that it negates. */
const SCOPE = 1;
/** Shared neighbours an opposite needs: a lone shared word is too often chance. */
const ANTONYM_COMPANY = 2;
/** Tokens either side that make up a word's company. */
const RADIUS = 5;

function clauseBreak(text: string, a: Token, b: Token): boolean {
  return /[,;:.!?()"“”\n*•]/.test(text.slice(a.end, b.start));
}

/** negatedTokens: a negation governs the word (one of the first content words after a cue, same clause). */
export const GOVERNED = 1;
/**
 * negatedTokens: a cue stands close to the word in its clause without governing it: "found no proof" and
 * "unable to find proof" say what "did not find proof" says, whichever of "find" and "proof" the cue
 * governs. Such a word is not negated, but neither is it asserted plainly.
 */
export const NEAR_NEGATION = 2;
/** Tokens either side of a cue's scope that it may still deny. */
const REACH = 2;

/** For each token: GOVERNED, NEAR_NEGATION, or 0 when no negation touches it. */
export function negatedTokens(text: string, tokens: readonly Token[]): Uint8Array {
  const negated = new Uint8Array(tokens.length);
  tokens.forEach((t, cue) => {
    const next = tokens[cue + 1]?.raw.toLowerCase() ?? '';
    // "failed to pay", "unable to find", "refused to sign" negate like "did not pay"; "whether or not" and
    // "not only" negate nothing.
    const cueWord = t.negation || (NEGATIVE_IMPLICATIVES.has(t.norm) && next === 'to');
    if (!cueWord || tokens[cue - 1]?.raw.toLowerCase() === 'or') return;
    // "not just razor blades" negates nothing, yet a rewrite that drops the "just" (or the "the" of "not
    // the case") negates the same words: they are near a negation, not plainly asserted.
    const level = IDIOMS.has(next) ? NEAR_NEGATION : GOVERNED;
    let seen = 0;
    let last = cue;
    for (let j = cue + 1; j < tokens.length && seen < SCOPE && j <= cue + 5; j++) {
      const prev = tokens[j - 1];
      const cur = tokens[j];
      if (prev === undefined || cur === undefined || clauseBreak(text, prev, cur)) break;
      if (CLAUSE_WORDS.has(cur.raw.toLowerCase())) break;
      last = j;
      if (cur.content) {
        if (level === GOVERNED || negated[j] === 0) negated[j] = level;
        seen++;
      }
    }
    const near = (j: number, neighbour: number) => {
      const cur = tokens[j];
      const [a, b] = j < neighbour ? [cur, tokens[neighbour]] : [tokens[neighbour], cur];
      if (cur === undefined || a === undefined || b === undefined || clauseBreak(text, a, b)) return false;
      if (CLAUSE_WORDS.has(cur.raw.toLowerCase()) || CLAUSE_WORDS.has(b.raw.toLowerCase())) return false;
      if (cur.content && negated[j] === 0) negated[j] = NEAR_NEGATION;
      return true;
    };
    for (let j = cue - 1; j >= cue - REACH && near(j, j + 1); j--);
    if (seen > 0) for (let j = last + 1; j <= last + REACH && near(j, j - 1); j++);
  });
  return negated;
}

function company(side: PolarityText, at: number, from = 0, to = side.tokens.length, out = new Set<string>()): Set<string> {
  out.clear();
  for (let k = Math.max(from, at - RADIUS); k < Math.min(to, at + RADIUS + 1); k++) {
    const t = side.tokens[k];
    if (k !== at && t?.content) out.add(t.norm);
  }
  return out;
}

function shares(a: ReadonlySet<string>, side: PolarityText, at: number, least = 1): boolean {
  return shared(a, side, at) >= least;
}

// The words shared() has counted so far, for the position it is looking at (at most 2 * RADIUS of them).
const countedNorms: string[] = new Array<string>(2 * RADIUS + 1).fill('');

/** How many words of `a` stand near position `at` of `side` (each word once: `company` without the Set). */
function shared(a: ReadonlySet<string>, side: PolarityText, at: number): number {
  const tokens = side.tokens;
  const from = Math.max(0, at - RADIUS);
  const to = Math.min(tokens.length, at + RADIUS + 1);
  let count = 0;
  for (let k = from; k < to; k++) {
    const t = tokens[k] as Token;
    if (k === at || !t.content || !a.has(t.norm)) continue;
    // An earlier token of the word in this window passed the same test and was counted.
    let repeated = false;
    for (let j = 0; j < count && !repeated; j++) repeated = countedNorms[j] === t.norm;
    if (!repeated) countedNorms[count++] = t.norm;
  }
  return count;
}

/** The nearest content word before or after `k` of `side`, within three tokens; '' when there is none. */
function contentNeighbour(side: PolarityText, k: number, step: -1 | 1): string {
  for (let j = k + step, n = 0; n < 3 && j >= 0 && j < side.tokens.length; j += step, n++) {
    const t = side.tokens[j] as Token;
    if (t.content) return t.norm;
  }
  return '';
}

/** Position `a` of the output and `b` of the source share the content word just before or just after them. */
function sameNeighbour(output: PolarityText, a: number, source: PolarityText, b: number): boolean {
  const before = contentNeighbour(output, a, -1);
  const after = contentNeighbour(output, a, 1);
  return (before !== '' && before === contentNeighbour(source, b, -1)) || (after !== '' && after === contentNeighbour(source, b, 1));
}

function isNameWord(t: Token | undefined): boolean {
  return t !== undefined && t.capitalised && !t.afterBreak;
}

function phrase(side: { text: string; tokens: readonly Token[] }, at: number, negated: Uint8Array): string {
  let from = at;
  while (from > 0 && at - from < 4 && !side.tokens[from]?.negation && negated[at] === GOVERNED) from--;
  const a = side.tokens[from];
  const b = side.tokens[at];
  return a === undefined || b === undefined ? '' : side.text.slice(a.start, b.end);
}

// A caller checks an output one unit (sentence) at a time against the same token arrays: what is derived from
// a whole side is computed once per array, not once per unit.
const negatedOutputs = new WeakMap<readonly Token[], Uint8Array>();
const restrictorsOfSources = new WeakMap<readonly Token[], number[]>();

function cachedNegations(side: PolarityText): Uint8Array {
  let negated = negatedOutputs.get(side.tokens);
  if (negated === undefined) {
    negated = negatedTokens(side.text, side.tokens);
    negatedOutputs.set(side.tokens, negated);
  }
  return negated;
}

/** Positions of the restricting words ("only", "just", …) of a side. */
function restrictorsOf(side: PolarityText): number[] {
  let found = restrictorsOfSources.get(side.tokens);
  if (found === undefined) {
    found = [];
    for (let i = 0; i < side.tokens.length; i++) if (RESTRICTORS.has(side.tokens[i]?.raw.toLowerCase() ?? '')) found.push(i);
    restrictorsOfSources.set(side.tokens, found);
  }
  return found;
}

/**
 * An output "only" ("kept only as pets", "weekends only") the source does not make: no
 * restricting word of the source stands near a word that stands near this one. A restriction somewhere
 * else in a long source ("I just think…") backs nothing here.
 */
function unbackedRestriction(output: PolarityText, o: number, from: number, to: number, source: PolarityText): boolean {
  const word = output.tokens[o]?.raw.toLowerCase() ?? '';
  // "just" and "alone" are as often "simply" and "by oneself"; "not only" restricts nothing.
  if (!RESTRICTORS.has(word) || word === 'just' || word === 'alone' || output.tokens[o - 1]?.negation === true) return false;
  const near = company(output, o, from, to);
  return !restrictorsOf(source).some((q) => shares(near, source, q));
}

/**
 * Flips of the output tokens in [from, to) against the whole source. `sourceNegated` comes from
 * negatedTokens over the source, computed once per source.
 */
export function findPolarityFlips(
  output: PolarityText,
  from: number,
  to: number,
  source: PolarityText,
  sourceNegated: Uint8Array,
  options: { antonyms: boolean; span?: readonly [number, number] } = { antonyms: true },
): PolarityFlip[] {
  const outputNegated = cachedNegations(output);
  const flips: PolarityFlip[] = [];
  const seen = new Set<string>();
  const report = (flip: PolarityFlip) => {
    const key = `${flip.kind}|${flip.output}|${flip.source}`;
    if (!seen.has(key)) {
      seen.add(key);
      flips.push(flip);
    }
  };
  // One set for the company of each word in turn: it is not kept past the word.
  const near = new Set<string>();
  for (let o = from; o < to; o++) {
    const t = output.tokens[o];
    if (t !== undefined && unbackedRestriction(output, o, from, to, source)) {
      const next = output.tokens[o + 1];
      report({ kind: 'restriction', output: output.text.slice(t.start, next?.end ?? t.end), source: '' });
    }
    if (t === undefined || (!t.content && !QUANTITY_WORDS.has(t.raw.toLowerCase()))) continue;
    company(output, o, from, to, near);
    if (near.size === 0) continue;
    // How closely the source's best place for this word matches its company here: an opposite must match
    // more closely still ("urgent seed buying to support growers" against "urgent seed selling to support…",
    // when "selling" also appears somewhere else with a word or two of this company).
    let ownBest = 0;
    const matches: number[] = [];
    for (const p of source.positions.get(t.norm) ?? []) {
      const n = shared(near, source, p);
      if (n === 0) continue;
      matches.push(p);
      if (n > ownBest) ownBest = n;
    }
    if (matches.length > 0) {
      const here = outputNegated[o] ?? 0;
      // Negated on one side and plainly asserted on the other; a word near a cue ("found no proof")
      // disagrees with neither.
      const disagree = (there: number) => (there === GOVERNED) !== (here === GOVERNED) && there !== NEAR_NEGATION && here !== NEAR_NEGATION;
      if (matches.every((p) => disagree(sourceNegated[p] ?? 0))) {
        const p = matches[0] as number;
        report({ kind: 'negation', output: phrase(output, o, outputNegated), source: phrase(source, p, sourceNegated) });
      }
      // An output in lower case ("harvest fair") hides the names the source capitalises ("Harvest Fair"): such a
      // word is part of a name there, not a common word an opposite could replace.
      if (!t.capitalised && matches.some((p) => isNameWord(source.tokens[p]))) continue;
    } else if (outputNegated[o] === GOVERNED && options.span !== undefined && !negatedElsewise(t.norm, source, options.span)) {
      let any = false;
      // A cue that negates nothing ("oh no, what happened?") does not count: the span must negate a word.
      for (let k = options.span[0]; k < options.span[1]; k++) if (sourceNegated[k] === GOVERNED) any = true;
      if (!any) report({ kind: 'negation', output: phrase(output, o, outputNegated), source: '' });
    }
    // A negated word agrees with its opposite: "not easy" says what "difficult" says.
    if (!options.antonyms || t.kind !== 'word' || outputNegated[o] === GOVERNED) continue;
    // The word stands nowhere in the source in this company: is its opposite there instead, or another
    // member of its closed set?
    const antonyms = antonymsOf(t.norm);
    const base = prefixNegated(t.norm, source.positions);
    const prefixed = negatedForms(t.norm, source);
    let opposites: Iterable<string> = antonyms;
    if (base !== null || prefixed.length > 0) {
      const all = [...antonyms];
      for (const other of base === null ? prefixed : [base, ...prefixed]) if (!all.includes(other)) all.push(other);
      opposites = all;
    }
    const span = { output, from, to, source, sourceNegated, near, ownBest };
    const found = replacedBy(opposites, span);
    if (found !== null) report({ kind: 'antonym', output: t.raw, source: found });
    else {
      const mate = replacedBy(setMatesOf(t.norm), span);
      if (mate !== null) report({ kind: 'contrast', output: t.raw, source: mate });
    }
  }
  return flips;
}

/**
 * The source says "not <word>" in other words within `span`: with a negating prefix ("nonprofit" and
 * "unable" for "non-profit" and "not able") or with an opposite ("difficult" for "not easy").
 */
function negatedElsewise(norm: string, source: PolarityText, span: readonly [number, number]): boolean {
  if (negatedForms(norm, source).length > 0) return true;
  for (const other of antonymsOf(norm)) {
    if ((source.positions.get(other) ?? []).some((p) => p >= span[0] && p < span[1])) return true;
  }
  return false;
}

/** An output word in its unit, with the company it keeps there and how well its own word matches the source. */
interface InUnit {
  output: PolarityText;
  from: number;
  to: number;
  source: PolarityText;
  sourceNegated: Uint8Array;
  near: ReadonlySet<string>;
  /** Most company words shared with a source place of the word itself. */
  ownBest: number;
}

/**
 * The first of `candidates` (opposites or set mates of the word) that the source has in more of the word's
 * company than the word itself, as the source writes it; null when none.
 */
function replacedBy(candidates: Iterable<string>, at: InUnit): string | null {
  const { output, from, to, source, sourceNegated, near, ownBest } = at;
  for (const other of candidates) {
    const there = source.positions.get(other);
    if (there === undefined) continue;
    const kept = (output.positions.get(other) ?? []).filter((q) => q >= from && q < to);
    const p = there.find((q) => {
      // "in the late Colonial and early Federal periods": the output keeps the opposite where the source
      // has it, so "early" replaced nothing.
      if (kept.some((k) => sameNeighbour(output, k, source, q))) return false;
      // "not easy" in the source agrees with "difficult" here.
      if (sourceNegated[q] === GOVERNED) return false;
      const n = shared(near, source, q);
      return n >= ANTONYM_COMPANY && n > ownBest;
    });
    if (p !== undefined) return source.tokens[p]?.raw ?? other;
  }
  return null;
}

const PREFIXES = ['un', 'in', 'im', 'il', 'ir', 'dis', 'non'];
const prefixedOfSources = new WeakMap<ReadonlyMap<string, readonly number[]>, Map<string, string[]>>();
const NONE: readonly string[] = [];

/** Source keys that are `norm` with a negating prefix ("able" → "unable"), in the order of PREFIXES. */
function negatedForms(norm: string, source: PolarityText): readonly string[] {
  let byBase = prefixedOfSources.get(source.positions);
  if (byBase === undefined) {
    // Once per source: every key that a prefix could have negated, under the key without the prefix.
    byBase = new Map();
    for (const prefix of PREFIXES) {
      for (const key of source.positions.keys()) {
        if (key.length < prefix.length + 4 || !key.startsWith(prefix)) continue;
        const stem = key.slice(prefix.length);
        const list = byBase.get(stem);
        if (list === undefined) byBase.set(stem, [key]);
        else if (!list.includes(key)) list.push(key);
      }
    }
    prefixedOfSources.set(source.positions, byBase);
  }
  return byBase.get(norm) ?? NONE;
}
