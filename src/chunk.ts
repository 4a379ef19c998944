import { createHash } from 'node:crypto';
import { AT_SYMBOL, cutBefore, IDEOGRAPHIC, INSIDE_CHARACTER, INSIDE_WORD, lastCut, lastWordEnd, nextCut } from './cut-points.js';
import { isJsSpace } from './js-space.js';
import { countTokens } from './tokens.js';
import type { Chunk, SourceDoc } from './types.js';

// Token-bounded chunking that keeps exact character spans.
//
// A document is cut into units — whole paragraphs, or the sentences of a paragraph too long for one chunk —
// and adjacent units are packed greedily. Encoding is the cost on a 20 MB document (tiktoken runs at a few
// MB/s), so packing decisions use a characters-per-token rate learned from the document's opening and then
// from each chunk counted, and each chunk's text is encoded once: its `tokens` is exact and the bound is
// checked on the real count. When the estimate overshoots, the chunk gives back its last units, which are packed again;
// a single unit over the bound is cut finer (paragraph → sentences → runs of words → pieces of a word).

export interface ChunkOptions {
  /** Most cl100k_base tokens a chunk may hold. A positive integer; the run configuration supplies it. */
  maxTokens: number;
}

interface Span {
  start: number;
  end: number;
}

/** A trimmed span of the document, how finely it is cut, and its token count once known. */
interface Unit extends Span {
  level: 'paragraph' | 'sentence' | 'words';
  tokens?: number;
}

/** Chunks are packed to this share of the bound by estimate, so that most need a single count. */
const AIM = 0.97;
/**
 * Up to this multiple of the bound by estimate, a unit that would not fit by estimate is counted in: the estimate
 * is a few percent off, and without it a document of 380 tokens was cut in two under a bound of 400.
 */
const SLACK = 1.2;
/**
 * A document of at most this many characters per token of the bound is counted whole first: most web documents
 * fit one chunk, and the one count both proves it and gives the rate for packing those that do not.
 */
const WHOLE_CHARS_PER_TOKEN = 6;

/**
 * Splits a document into chunks of at most `maxTokens` tokens, in order, such that
 * `doc.text.slice(chunk.start, chunk.end) === chunk.text`. Chunks break at paragraph ends where they can,
 * then at sentence ends, then between words (in text written without spaces, between its characters, after
 * its punctuation where one is near, never inside a Latin word or a number); a single word longer than the
 * bound is cut into pieces as a last resort so that the bound always holds. Whitespace between chunks belongs
 * to no chunk. `doc.sha256`, when given, must be the hash of `doc.text` (as a SourceDoc's is).
 */
export function* chunkDocument(doc: Pick<SourceDoc, 'id' | 'text'> & Partial<Pick<SourceDoc, 'sha256'>>, opts: ChunkOptions): Generator<Chunk> {
  const { maxTokens } = opts;
  if (!Number.isInteger(maxTokens) || maxTokens < 1) {
    throw new RangeError(`maxTokens must be a positive integer, got ${String(maxTokens)}`);
  }
  const text = doc.text;
  let index = 0;
  for (const span of packChunks(text, maxTokens)) {
    const chunkText = text.slice(span.start, span.end);
    yield {
      docId: doc.id,
      index: index++,
      start: span.start,
      end: span.end,
      text: chunkText,
      // A chunk that is the whole text has the document's hash: most documents are one chunk, hashed once.
      sha256: chunkText.length === text.length && doc.sha256 !== undefined ? doc.sha256 : createHash('sha256').update(chunkText, 'utf8').digest('hex'),
      tokens: span.tokens,
    };
  }
}

function* packChunks(text: string, maxTokens: number): Generator<Span & { tokens: number }> {
  // Learned from the start of the document, then from every chunk counted: text statistics change slowly.
  let charsPerToken = 4;
  const estimate = (start: number, end: number): number => (end - start) / charsPerToken;
  const target = AIM * maxTokens;
  const whole = trimSpan(text, 0, text.length);
  if (whole === null) return;
  let opening: (Span & { tokens: number }) | undefined;
  if (whole.end - whole.start <= WHOLE_CHARS_PER_TOKEN * maxTokens) {
    const tokens = countTokens(text.slice(whole.start, whole.end));
    if (tokens <= maxTokens) {
      yield { ...whole, tokens };
      return;
    }
    charsPerToken = (whole.end - whole.start) / tokens;
  } else {
    opening = calibrate(text, maxTokens);
    if (opening && opening.tokens > 0) charsPerToken = (opening.end - opening.start) / opening.tokens;
  }
  const fresh = documentUnits(text, maxTokens, estimate);
  // Units given back by an overshooting chunk, or cut finer; a stack, so the next unit is on top.
  const returned: Unit[] = [];
  const giveBack = (units: Unit[]): void => {
    for (let i = units.length - 1; i >= 0; i--) returned.push(units[i] as Unit);
  };
  const next = (): Unit | undefined => {
    const unit = returned.pop();
    if (unit) return unit;
    const pulled = fresh.next();
    if (pulled.done) return undefined;
    if (opening && pulled.value.start === opening.start && pulled.value.end === opening.end) pulled.value.tokens = opening.tokens;
    return pulled.value;
  };

  /** Emits a group as a chunk, or gives back what does not fit; `counted` is its exact count when known. */
  function* settle(group: Unit[], counted?: number): Generator<Span & { tokens: number }> {
    const first = group[0];
    const last = group[group.length - 1];
    if (!first || !last) return;
    const alone = group.length === 1;
    if (alone && first.level === 'sentence' && first.tokens === undefined && estimate(first.start, first.end) > 2 * maxTokens) {
      // Far too long to be one chunk: counting it whole first would only cost another pass over it.
      giveBack([...splitAtWords(text, { ...first, tokens: estimate(first.start, first.end) }, maxTokens)]);
      return;
    }
    const tokens = counted ?? (alone ? first.tokens : undefined) ?? countTokens(text.slice(first.start, last.end));
    if (tokens > 0) charsPerToken = (last.end - first.start) / tokens;
    if (tokens <= maxTokens || (alone && first.level === 'words')) {
      yield { start: first.start, end: last.end, tokens };
    } else if (!alone) {
      // Keep what the corrected rate says fits (at least one unit); the rest is packed again.
      let keep = 1;
      while (keep < group.length - 1 && estimate(first.start, (group[keep] as Unit).end) <= target) keep++;
      giveBack(group.slice(keep));
      yield* settle(group.slice(0, keep));
    } else if (first.level === 'paragraph') {
      const sentences = [...sentenceUnits(text, first)];
      const only = sentences.length === 1 ? sentences[0] : undefined;
      if (only) only.tokens = tokens; // the same span as the paragraph, already counted
      giveBack(sentences);
    } else {
      giveBack([...splitAtWords(text, { ...first, tokens }, maxTokens)]);
    }
  }

  let group: Unit[] = [];
  let counted: number | undefined;
  for (;;) {
    const unit = next();
    const first = group[0];
    if (unit !== undefined && (first === undefined || estimate(first.start, unit.end) <= target)) {
      group.push(unit);
      counted = undefined;
      continue;
    }
    if (unit !== undefined && first !== undefined && estimate(first.start, unit.end) <= SLACK * maxTokens) {
      // Near the bound the estimate cannot decide: the exact count does, and the chunk keeps it.
      const tokens = countTokens(text.slice(first.start, unit.end));
      if (tokens > 0) charsPerToken = (unit.end - first.start) / tokens;
      if (tokens <= maxTokens) {
        group.push(unit);
        counted = tokens;
        continue;
      }
    }
    if (first === undefined) return; // nothing left, nothing held
    if (unit !== undefined) returned.push(unit);
    yield* settle(group, counted); // may give units back, so the loop runs on until none are left
    group = [];
    counted = undefined;
  }
}

/**
 * The token count of the document's opening: its first paragraph, or the first words of a longer one. The
 * sample is about one chunk long, so that when the first paragraph is a chunk of its own, its count is
 * reused, and otherwise little is encoded twice.
 */
function calibrate(text: string, maxTokens: number): (Span & { tokens: number }) | undefined {
  const first = paragraphSpans(text).next();
  if (first.done) return undefined;
  const { start, end } = first.value;
  const sampleChars = Math.min(Math.max(4 * maxTokens, 256), 16_384);
  let sampleEnd = end;
  if (end - start > sampleChars) {
    const cut = lastWordEnd(text, start, start + sampleChars);
    sampleEnd = cut > start ? cut : start + sampleChars;
  }
  return { start, end: sampleEnd, tokens: countTokens(text.slice(start, sampleEnd)) };
}

/** Paragraphs, or the sentences of a paragraph that is clearly too long, in document order. */
function* documentUnits(text: string, maxTokens: number, estimate: (start: number, end: number) => number): Generator<Unit> {
  for (const paragraph of paragraphSpans(text)) {
    const unit: Unit = { ...paragraph, level: 'paragraph' };
    if (estimate(paragraph.start, paragraph.end) <= maxTokens) yield unit;
    else yield* sentenceUnits(text, unit);
  }
}

function* sentenceUnits(text: string, paragraph: Span): Generator<Unit> {
  for (const sentence of sentenceSpans(text, paragraph.start, paragraph.end)) yield { ...sentence, level: 'sentence' };
}

// ---- splitting below the sentence ----

/**
 * How finely a span too long for one chunk is cut, coarsest first, as the weakest cut each level takes (see
 * cut-points.ts): between words (at spaces, and between the characters of Chinese or Japanese text, preferring
 * its punctuation, never inside a Latin word or a number among them); at punctuation inside a word; between
 * the characters of one word; between code points, for one character (a base and its marks) over the bound.
 */
const CUT_LEVELS = [IDEOGRAPHIC, AT_SYMBOL, INSIDE_WORD, INSIDE_CHARACTER] as const;

/**
 * Cuts a span that is too long into runs of whole words, each counted exactly and within the bound. A piece
 * that cannot be cut at this level and is over the bound is cut at the next; only the last level, one code
 * point, may stay over it.
 */
function* splitAtWords(text: string, span: Span & { tokens: number }, maxTokens: number, level = 0): Generator<Unit> {
  const min = CUT_LEVELS[level] ?? INSIDE_CHARACTER;
  const finest = level >= CUT_LEVELS.length - 1;
  let charsPerToken = (span.end - span.start) / Math.max(1, span.tokens);
  let pos = span.start;
  while (pos < span.end) {
    pos = skipWhitespace(text, pos, span.end);
    if (pos >= span.end) break;
    let budget = Math.max(1, Math.floor(maxTokens * charsPerToken * AIM));
    for (;;) {
      const limit = pos + budget;
      let end = limit >= span.end ? span.end : level === 0 ? cutBefore(text, pos, limit) : lastCut(text, pos, limit, min);
      if (end <= pos) {
        // The first piece alone runs past the budget. tiktoken's time grows with the square of an unbroken
        // run of letters (a minute for 160 K of "a"), so a piece far longer than a chunk is never encoded whole.
        end = nextCut(text, pos, span.end, min);
        if (end - pos > 4 * budget && !finest) {
          yield* splitAtWords(text, { start: pos, end, tokens: (end - pos) / charsPerToken }, maxTokens, level + 1);
          pos = end;
          break;
        }
      }
      const tokens = countTokens(text.slice(pos, end));
      const onePiece = tokens > maxTokens && nextCut(text, pos, end, min) === end;
      // A piece of one code point cannot shrink further (only reachable with a bound of a few tokens).
      if (tokens <= maxTokens || (onePiece && finest)) {
        yield { start: pos, end, tokens, level: 'words' };
        charsPerToken = (end - pos) / Math.max(1, tokens);
        pos = end;
        break;
      }
      if (onePiece) {
        yield* splitAtWords(text, { start: pos, end, tokens }, maxTokens, level + 1);
        pos = end;
        break;
      }
      budget = Math.max(1, Math.floor(((end - pos) * maxTokens * AIM) / tokens));
    }
  }
}

// ---- spans ----

/** One or more blank (or whitespace-only) lines. */
const PARAGRAPH_BREAK = /\n(?:[^\S\n]*\n)+/g;

function* paragraphSpans(text: string): Generator<Span> {
  const breaks = new RegExp(PARAGRAPH_BREAK.source, 'g');
  let from = 0;
  for (let m = breaks.exec(text); m !== null; m = breaks.exec(text)) {
    const span = trimSpan(text, from, m.index);
    if (span) yield span;
    from = m.index + m[0].length;
  }
  const span = trimSpan(text, from, text.length);
  if (span) yield span;
}

// V8's Intl.Segmenter slows down quadratically on long strings (0.2 s for 100 K chars, 19 s for 800 K),
// so sentences are found in windows of bounded size.
const SENTENCE_WINDOW = 8_192;
const LARGEST_SENTENCE_WINDOW = 65_536;
// A fixed locale keeps chunk boundaries, and so chunk hashes and task keys, the same on every machine
// ("und" would fall back to the machine's default locale).
const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
// ICU ends a sentence at every line break; inside a paragraph those are mostly hard-wrapped prose, so the
// segmenter sees them as spaces (one code unit for one, so offsets stay the same).
const LINE_BREAKS = /[\n\v\f\r\u0085\u2028\u2029]/g;
// ICU as V8 ships it also ends a sentence after every "Dr." and "J."; in running text these never end one.
const ABBREVIATION_AT_END = /(?:^|[\s(\[{"'“‘])(?:Mr|Mrs|Ms|Dr|Prof|Sr|Jr|St|Mt|Capt|Col|Gen|Lt|Sgt|Rev|Hon|vs|cf|e\.g|i\.e|Fig|Vol|\p{Lu})\.\s*$/u;

/** A segmenter boundary that is a real sentence end: between words, and not just after an abbreviation. */
function isSentenceEnd(text: string, boundary: number): boolean {
  const betweenWords = isJsSpace(text.charCodeAt(boundary - 1)) || isJsSpace(text.charCodeAt(boundary));
  return betweenWords && !ABBREVIATION_AT_END.test(text.slice(Math.max(0, boundary - 16), boundary));
}

/**
 * Sentence spans of text[start, end), trimmed. The boundary before a window's last segment is not trusted
 * (the rules look ahead past the window's end), so each window commits up to the boundary before that and
 * the next window starts there. A run with no boundary in the largest window is cut at a space.
 */
function* sentenceSpans(text: string, start: number, end: number): Generator<Span> {
  let from = start;
  let size = SENTENCE_WINDOW;
  while (from < end) {
    const windowEnd = Math.min(end, from + size);
    const boundaries: number[] = [];
    for (const segment of sentenceSegmenter.segment(text.slice(from, windowEnd).replace(LINE_BREAKS, ' '))) {
      if (segment.index > 0 && isSentenceEnd(text, from + segment.index)) boundaries.push(from + segment.index);
    }
    let commit: number;
    if (windowEnd === end) {
      boundaries.push(end);
      commit = end;
    } else if (boundaries.length >= 2) {
      boundaries.length -= 1;
      commit = boundaries[boundaries.length - 1] ?? end;
    } else if (size < LARGEST_SENTENCE_WINDOW) {
      size = Math.min(size * 4, LARGEST_SENTENCE_WINDOW);
      continue;
    } else {
      const wordStart = skipWhitespace(text, from, windowEnd);
      commit = lastWordEnd(text, wordStart, windowEnd);
      if (commit <= wordStart) commit = wordEnd(text, wordStart, end);
      boundaries.length = 0;
      boundaries.push(commit);
    }
    let sentenceStart = from;
    for (const boundary of boundaries) {
      const span = trimSpan(text, sentenceStart, boundary);
      if (span) yield span;
      sentenceStart = boundary;
    }
    from = commit;
    size = SENTENCE_WINDOW;
  }
}

function trimSpan(text: string, start: number, end: number): Span | null {
  const s = skipWhitespace(text, start, end);
  let e = end;
  while (e > s && isJsSpace(text.charCodeAt(e - 1))) e--;
  return e > s ? { start: s, end: e } : null;
}

function skipWhitespace(text: string, pos: number, end: number): number {
  while (pos < end && isJsSpace(text.charCodeAt(pos))) pos++;
  return pos;
}

/** End of the space-separated word that starts at `pos` (the next whitespace, or `end`). */
function wordEnd(text: string, pos: number, end: number): number {
  let e = pos;
  while (e < end && !isJsSpace(text.charCodeAt(e))) e++;
  return e;
}
