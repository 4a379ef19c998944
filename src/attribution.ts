// Sentence attribution: for each unit of an output (sentence, bullet or answer) the source span of one to
// three adjacent sentences that best supports it, and a support score in 0..1 from content-word overlap.
// Source sentences are indexed by content word, so a unit only ever looks at sentences sharing a word with
// it: the cost grows with the words of the output, not with output × source.

import { normalizeWord, type Token } from './content-words.js';
import { tokenize, tokenizeRecent } from './tokenize.js';
import { QUANTITY_WORDS } from './contrasts.js';
import { memoizeRecent } from './recent-memo.js';
import { findRoleSwaps, wordSlots, type RoleSwap, type WordSlot } from './roles.js';
import { splitSentences, splitUnits, type TextSpan, type UnitShape } from './sentences.js';

/**
 * What the ledger stores for each unit of an accepted output. Offsets are UTF-16 code units, end
 * exclusive: output offsets into the candidate text, source offsets into the source text the evaluator was
 * given (the engine adds the chunk's start to place them in the document).
 */
export interface Attribution {
  outputStart: number;
  outputEnd: number;
  sourceStart: number;
  sourceEnd: number;
  /** 0..1: share of the unit's content (weighted) that the source supports. */
  support: number;
}

export interface UnitAttribution extends Attribution {
  /** The output unit, as written. */
  sentence: string;
  /** The supporting source span, as written; empty when nothing in the source shares a word with the unit. */
  sourceText: string;
  /** Content words of the unit found nowhere in the source. */
  missing: string[];
  /** Words that traded places with each other relative to the source span ("A beat B" vs "B beat A"). */
  swaps: RoleSwap[];
}

export interface AttributionOptions {
  /** How the output is cut into units; `auto` recognises Q/A pairs and bullet lists. Default `auto`. */
  shape?: UnitShape | 'auto';
  /** Largest number of adjacent source sentences one unit may draw on. Default 3. */
  maxSpanSentences?: number;
  /**
   * Credit (0..1) for a word found in the source but outside the best span: summaries legitimately join
   * facts from far apart. Default 0.5.
   */
  elsewhereCredit?: number;
  /**
   * Credit (0..1) for a word the source lacks that stands between the same two words as a source word does
   * ("a struggling coastal ferry line" for "a troubled coastal ferry line"): a substitute, often a synonym,
   * rather than an addition. Whether the substitute changed the fact is for the contrast checks of
   * negation-flip to say. Default 1.
   */
  substituteCredit?: number;
}

export interface OutputAttribution {
  shape: UnitShape;
  /** The source reads as speech (see SourceIndex.conversational). */
  conversational: boolean;
  units: UnitAttribution[];
  /** The candidate's tokens, for checks that compare units with their spans word by word. */
  tokens: readonly Token[];
}

/** A source text split into sentences and indexed by content word. Build once, attribute many outputs. */
export interface SourceIndex {
  readonly text: string;
  readonly sentences: readonly TextSpan[];
  readonly tokens: readonly Token[];
  /** For each sentence, its first token and one past its last. */
  readonly sentenceTokens: ReadonlyArray<readonly [number, number]>;
  /** Content key → ids of the sentences containing it, ascending. */
  readonly postings: ReadonlyMap<string, readonly number[]>;
  /** Token indexes that begin a sentence. */
  readonly sentenceStarts: ReadonlySet<number>;
  /** Content key → indexes of its tokens, ascending. */
  readonly positions: ReadonlyMap<string, readonly number[]>;
  /**
   * The slots a substitute word could fill: for every word of the source, the key of the word before it ('^' at
   * the start) → the keys of the words after such a word ('$' at the end). Nested rather than "before after"
   * strings, so that looking a slot up builds no string.
   */
  readonly slots: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Written in the first and second person, as speech is (a transcript, a chat): its summaries report what
   * was said in their own words, so overlap with it says less.
   */
  readonly conversational: boolean;
}

const SPEECH_PRONOUNS = new Set(['i', 'me', 'my', 'mine', 'you', 'your', 'yours', 'we', 'us', 'our', 'ours']);

// The keys those pronouns normalise to ("yours" → "yor"): a cheap first test before the exact one.
const SPEECH_PRONOUN_KEYS = new Set([...SPEECH_PRONOUNS].map((p) => normalizeWord(p)));

/** Share of first- and second-person pronouns among the words: about 1% in reporting, 5–15% in speech. */
function speechPronounShare(tokens: readonly Token[]): number {
  let words = 0;
  let pronouns = 0;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    words++;
    if (SPEECH_PRONOUN_KEYS.has(t.norm) && SPEECH_PRONOUNS.has(t.raw.toLowerCase().replace(/['’].*$/, ''))) pronouns++;
  }
  return words < 30 ? 0 : pronouns / words;
}

/** Content key → indexes of its tokens, ascending; quantity words ("more", "before") are kept too. */
export function positionsOf(tokens: readonly Token[]): Map<string, number[]> {
  const positions = new Map<string, number[]>();
  tokens.forEach((token, i) => {
    if (!token.content && !QUANTITY_WORDS.has(token.raw.toLowerCase())) return;
    const list = positions.get(token.norm);
    if (list === undefined) positions.set(token.norm, [i]);
    else list.push(i);
  });
  return positions;
}

function buildSourceIndex(text: string): SourceIndex {
  const sentences = splitSentences(text);
  const tokens = tokenize(text);
  const sentenceTokens: Array<readonly [number, number]> = [];
  const postings = new Map<string, number[]>();
  const sentenceStarts = new Set<number>();
  let t = 0;
  sentences.forEach((sentence, id) => {
    while (t < tokens.length && (tokens[t]?.start ?? 0) < sentence.start) t++;
    const from = t;
    while (t < tokens.length && (tokens[t]?.end ?? 0) <= sentence.end) {
      const token = tokens[t];
      if (token?.content) {
        const list = postings.get(token.norm);
        if (list === undefined) postings.set(token.norm, [id]);
        else if (list[list.length - 1] !== id) list.push(id);
      }
      t++;
    }
    sentenceTokens.push([from, t]);
    sentenceStarts.add(from);
  });
  const positions = positionsOf(tokens);
  const slots = new Map<string, Set<string>>();
  for (let i = 0; i < tokens.length; i++) {
    const before = tokens[i - 1]?.norm ?? '^';
    const after = tokens[i + 1]?.norm ?? '$';
    const afters = slots.get(before);
    if (afters === undefined) slots.set(before, new Set([after]));
    else afters.add(after);
  }
  return { slots, conversational: speechPronounShare(tokens) >= 0.04, text, sentences, tokens, sentenceTokens, postings, sentenceStarts, positions };
}

/** The index of a source text; the few most recent sources are kept, since a task's candidates share one. */
export const indexSource: (text: string) => SourceIndex = memoizeRecent(buildSourceIndex, 8);

// Words that describe the source or the act of telling rather than state a fact about the world: "the
// document discusses", "the speaker mentions", "Anna suggests", "they agree to". Summaries, above all of
// conversations, are full of them and their sources need not contain them, so they neither need nor give
// support. What they report still does.
const DISCOURSE = new Set(
  `document article text transcript conversation dialogue dialog discussion chat podcast episode speaker host
  guest author writer narrator summary passage excerpt report discuss talk mention describe explain highlight
  outline focus include feature emphasize emphasise share express provide present state note say tell ask answer
  suggest propose reply respond inform reveal explore address detail illustrate various different several
  topic aspect overall main key point idea listener reader viewer audience segment section part also
  conversational tone additionally furthermore moreover recommend remind agree decide plan arrange promise offer
  invite complain warn advise insist claim argue announce speak converse believe think feel want wish hope intend
  try seem`.split(/\s+/).filter(Boolean).map(normalizeWord),
);

function termWeight(t: Token): number {
  if (t.kind === 'number') return 2;
  if (DISCOURSE.has(t.norm)) return 0;
  if (t.acronym || (t.capitalised && !t.afterBreak)) return 1.5;
  return 1;
}

interface Term {
  norm: string;
  weight: number;
  raw: string;
  /** Stands between two words that the source also has one word apart: a likely substitute for that word. */
  inSlot: boolean;
}

/** Whether the gap between `before` and `after` is one the source has around some word (see SourceIndex.slots). */
function isSlot(slots: SourceIndex['slots'], before: Token | undefined, after: Token | undefined): boolean {
  return slots.get(before?.norm ?? '^')?.has(after?.norm ?? '$') === true;
}

function termsOf(tokens: readonly Token[], slots: SourceIndex['slots']): Term[] {
  const byNorm = new Map<string, Term>();
  tokens.forEach((t, i) => {
    // A lone letter is a broken contraction or an initial, not content.
    if (!t.content || (t.kind === 'word' && t.raw.length < 2)) return;
    const weight = termWeight(t);
    if (weight === 0) return;
    const inSlot = isSlot(slots, tokens[i - 1], tokens[i + 1]);
    const known = byNorm.get(t.norm);
    if (known === undefined) byNorm.set(t.norm, { norm: t.norm, weight, raw: t.raw, inSlot });
    else {
      known.weight = Math.max(known.weight, weight);
      known.inSlot ||= inSlot;
    }
  });
  return [...byNorm.values()];
}

interface Window {
  first: number;
  last: number;
  covered: number;
}

/** The run of 1..maxSpan adjacent sentences covering the most term weight; smaller runs win ties. */
function bestWindow(index: SourceIndex, terms: readonly Term[], maxSpan: number): { window: Window | null; inSource: boolean[] } {
  const perSentence = new Map<number, number[]>();
  const inSource = terms.map(() => false);
  terms.forEach((term, i) => {
    const ids = index.postings.get(term.norm);
    if (ids === undefined) return;
    inSource[i] = true;
    for (const id of ids) {
      const list = perSentence.get(id);
      if (list === undefined) perSentence.set(id, [i]);
      else list.push(i);
    }
  });
  let best: Window | null = null;
  const seen = new Uint8Array(terms.length);
  // A window starting on a sentence without hits is never better than the one starting at the next hit.
  for (const first of [...perSentence.keys()].sort((a, b) => a - b)) {
    seen.fill(0);
    let covered = 0;
    for (let last = first; last < Math.min(index.sentences.length, first + maxSpan); last++) {
      const hits = perSentence.get(last);
      if (hits === undefined) continue;
      for (const i of hits) {
        if (seen[i] === 1) continue;
        seen[i] = 1;
        covered += terms[i]?.weight ?? 0;
      }
      // A wider span must add coverage to be preferred: each extra sentence has to earn its place. Of equal
      // spans the narrower wins, wherever it starts: a sentence the source repeats word for word is its own
      // best support, not the three sentences before it that hold the same words between them.
      const better = best === null || covered > best.covered + 1e-9 ||
        (covered > best.covered - 1e-9 && last - first < best.last - best.first);
      if (better) best = { first, last, covered };
    }
  }
  return { window: best, inSource };
}

/** The tokens lying wholly inside [start, end), and the index of the first. */
export function tokensWithin(tokens: readonly Token[], start: number, end: number): { tokens: Token[]; offset: number } {
  let lo = 0;
  let hi = tokens.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((tokens[mid]?.start ?? 0) < start) lo = mid + 1;
    else hi = mid;
  }
  const out: Token[] = [];
  for (let i = lo; i < tokens.length && (tokens[i]?.end ?? Infinity) <= end; i++) {
    const t = tokens[i];
    if (t !== undefined) out.push(t);
  }
  return { tokens: out, offset: lo };
}

const wordSlotsOfSources = new WeakMap<SourceIndex, Array<WordSlot | undefined>>();

/** The role slots of the source's words, once per source (see wordSlots). */
function sourceWordSlots(index: SourceIndex): ReadonlyArray<WordSlot | undefined> {
  let found = wordSlotsOfSources.get(index);
  if (found === undefined) {
    found = wordSlots(index.tokens, index.sentenceStarts);
    wordSlotsOfSources.set(index, found);
  }
  return found;
}

/** Attributes one output unit, given the tokens of the whole output. */
export function attributeUnit(
  index: SourceIndex,
  unit: TextSpan,
  outputTokens: readonly Token[],
  outputSentenceStarts: ReadonlySet<number>,
  options: AttributionOptions = {},
): UnitAttribution {
  const maxSpan = options.maxSpanSentences ?? 3;
  const elsewhere = options.elsewhereCredit ?? 0.5;
  const { tokens: unitTokens, offset } = tokensWithin(outputTokens, unit.start, unit.end);
  const terms = termsOf(unitTokens, index.slots);
  const total = terms.reduce((sum, t) => sum + t.weight, 0);
  const { window, inSource } = bestWindow(index, terms, maxSpan);
  const missing = terms.filter((_, i) => !inSource[i]).map((t) => t.raw);
  if (window === null) {
    return {
      outputStart: unit.start, outputEnd: unit.end, sentence: unit.text,
      sourceStart: 0, sourceEnd: 0, sourceText: '', support: total === 0 ? 1 : 0, missing, swaps: [],
    };
  }
  const firstSentence = index.sentences[window.first];
  const lastSentence = index.sentences[window.last];
  const sourceStart = firstSentence?.start ?? 0;
  const sourceEnd = lastSentence?.end ?? 0;
  const foundWeight = terms.reduce((sum, t, i) => sum + (inSource[i] ? t.weight : 0), 0);
  const substitute = options.substituteCredit ?? 1;
  const slotted = terms.reduce((sum, t, i) => sum + (!inSource[i] && t.inSlot ? t.weight : 0), 0);
  const support = total === 0 ? 1 : (window.covered + elsewhere * (foundWeight - window.covered) + substitute * slotted) / total;

  const [fromToken] = index.sentenceTokens[window.first] ?? [0, 0];
  const [, toToken] = index.sentenceTokens[window.last] ?? [0, 0];
  const windowTokens = index.tokens.slice(fromToken, toToken);
  const windowStarts = new Set<number>();
  for (let s = window.first; s <= window.last; s++) windowStarts.add((index.sentenceTokens[s]?.[0] ?? 0) - fromToken);
  const unitStarts = new Set<number>([0]);
  for (const i of outputSentenceStarts) if (i >= offset && i < offset + unitTokens.length) unitStarts.add(i - offset);
  // Slots are only comparable when the unit restates the span in nearly its own words; a summary that
  // compresses several sentences rearranges them for good reasons.
  const windowContent = windowTokens.reduce((n, t) => n + (t.content ? 1 : 0), 0);
  const unitContent = unitTokens.reduce((n, t) => n + (t.content ? 1 : 0), 0);
  const closeRewrite = window.covered >= 0.8 * total && windowContent <= 1.5 * unitContent;
  const sourceSlots = { slots: sourceWordSlots(index), from: fromToken, to: toToken };
  const swaps = findRoleSwaps(unitTokens, unitStarts, windowTokens, windowStarts, index.text, { text: unit.text, start: unit.start }, closeRewrite, sourceSlots);

  // Written out rather than spread from a base object: spreading makes a slower object, in a hot path.
  return {
    outputStart: unit.start,
    outputEnd: unit.end,
    sentence: unit.text,
    sourceStart,
    sourceEnd,
    sourceText: index.text.slice(sourceStart, sourceEnd),
    support: Math.round(support * 1000) / 1000,
    missing,
    swaps,
  };
}

function sentenceStartTokens(sentences: readonly TextSpan[], tokens: readonly Token[]): Set<number> {
  const starts = new Set<number>();
  let t = 0;
  for (const s of sentences) {
    while (t < tokens.length && (tokens[t]?.start ?? 0) < s.start) t++;
    starts.add(t);
  }
  return starts;
}

function computeAttribution(source: string, candidate: string, options: AttributionOptions): OutputAttribution {
  const index = indexSource(source);
  const { shape, units } = splitUnits(candidate, options.shape ?? 'auto');
  const tokens = tokenizeRecent(candidate);
  // Prose units are the sentences already.
  const starts = sentenceStartTokens(shape === 'sentences' ? units : splitSentences(candidate), tokens);
  return { shape, conversational: index.conversational, units: units.map((u) => attributeUnit(index, u, tokens, starts, options)), tokens };
}

let latest: { source: string; candidate: string; optionsKey: string; result: OutputAttribution } | null = null;

/**
 * Attributes every unit of `candidate` to `source`. The latest result is kept, since the attribution,
 * negation and recall evaluators all look at the same candidate one after another.
 */
export function attributeOutput(source: string, candidate: string, options: AttributionOptions = {}): OutputAttribution {
  const optionsKey = `${options.shape ?? 'auto'}|${options.maxSpanSentences ?? 3}|${options.elsewhereCredit ?? 0.5}|${options.substituteCredit ?? 1}`;
  if (latest !== null && latest.source === source && latest.candidate === candidate && latest.optionsKey === optionsKey) {
    return latest.result;
  }
  const result = computeAttribution(source, candidate, options);
  latest = { source, candidate, optionsKey, result };
  return result;
}

/** The fields the ledger stores, without the texts and diagnostics. */
export function toAttributions(units: readonly UnitAttribution[]): Attribution[] {
  return units.map(({ outputStart, outputEnd, sourceStart, sourceEnd, support }) => ({ outputStart, outputEnd, sourceStart, sourceEnd, support }));
}
