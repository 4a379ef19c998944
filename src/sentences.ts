// Sentence and unit splitting with character offsets, so every judged piece of an output can point back
// into the exact text it came from. Intl.Segmenter does the work; abbreviations and initials it breaks on
// ("Mr. Pellow", "R. K. Dunmore", "the U.S. Bureau of Coastal Surveys") are joined back.

/** A piece of a text: offsets in UTF-16 code units, end exclusive; `text` is `whole.slice(start, end)`. */
export interface TextSpan {
  start: number;
  end: number;
  text: string;
}

/**
 * How an output is cut into the units that must each be supported: prose sentences, list bullets, or the
 * answers of question–answer pairs (questions themselves assert nothing and are not judged).
 */
export type UnitShape = 'sentences' | 'bullets' | 'answers';

const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'sr', 'jr', 'gen', 'sen', 'rep', 'gov', 'lt', 'col', 'capt', 'sgt',
  'inc', 'co', 'corp', 'ltd', 'no', 'vs', 'v', 'fig', 'vol', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug',
  'sep', 'sept', 'oct', 'nov', 'dec', 'mt', 'ft', 'approx', 'e.g', 'i.e', 'cf', 'calif', 'mass', 'rev', 'hon',
]);

// Words that usually open a new sentence: after "U.S." or an initial they mean the period ended one.
const SENTENCE_OPENERS = new Set([
  'the', 'a', 'an', 'he', 'she', 'it', 'they', 'we', 'i', 'you', 'this', 'that', 'these', 'those', 'there',
  'in', 'on', 'at', 'but', 'and', 'however', 'his', 'her', 'their', 'its', 'our', 'if', 'when', 'after',
  'before', 'as', 'for', 'while', 'since', 'although', 'then', 'so', 'yet',
]);

const segmenters = new Map<string, Intl.Segmenter>();

function segmenterFor(locale: string): Intl.Segmenter {
  let s = segmenters.get(locale);
  if (s === undefined) {
    s = new Intl.Segmenter(locale, { granularity: 'sentence' });
    segmenters.set(locale, s);
  }
  return s;
}

function trimSpan(text: string, start: number, end: number): TextSpan | null {
  while (start < end && /\s/.test(text[start] ?? '')) start++;
  while (end > start && /\s/.test(text[end - 1] ?? '')) end--;
  if (start >= end) return null;
  const slice = text.slice(start, end);
  return /[\p{L}\p{N}]/u.test(slice) ? { start, end, text: slice } : null;
}

/** True when the period closing `span` belongs to an abbreviation or an initial, not to a sentence. */
function endsInAbbreviation(span: string, next: string): boolean {
  if (!span.endsWith('.')) return false;
  // The match starts after the last space or parenthesis: look at that tail only, not the whole sentence.
  let cut = span.length - 1;
  while (cut > 0 && !/[\s(]/.test(span[cut - 1] as string)) cut--;
  const m = /(?:^|[\s(])((?:\p{L}\.)+\p{L}?|\p{L}+)\.$/u.exec(span.slice(cut));
  if (!m || m[1] === undefined) return false;
  const word = m[1].toLowerCase();
  const nextWord = (/^[\s"'“(]*(\p{L}+)/u.exec(next)?.[1] ?? '').toLowerCase();
  if (/^\p{Ll}/u.test(next.trimStart())) return true;
  if (['mr', 'mrs', 'ms', 'dr', 'prof', 'st', 'gen', 'sen', 'rep', 'gov', 'lt', 'col', 'capt', 'sgt', 'hon', 'rev'].includes(word)) return true;
  // "Nov. 9", "No. 5", "vol. 2": an abbreviation that numbers follow.
  if (ABBREVIATIONS.has(word) && /^\s*\d/.test(next)) return true;
  const dotted = word.includes('.') || /^\p{Lu}$/u.test(m[1]);
  if ((dotted || ABBREVIATIONS.has(word)) && nextWord !== '' && !SENTENCE_OPENERS.has(nextWord)) return true;
  return false;
}

/**
 * Hard-wrapped prose ("Nothing\nis so well attested") breaks lines inside sentences. A line break followed by
 * a lower-case letter, after a line that does not end a sentence, is a wrap: it becomes a space, so offsets
 * stay the same. Lists, dialogue turns ("Priya: …") and paragraphs keep their breaks.
 */
function unwrapLines(text: string): string {
  return text.replace(/([^\s.!?:;])[ \t]*\n(?=[ \t]*\p{Ll})/gu, (match) => match.replace('\n', ' '));
}

/** Splits prose into sentences; a line break ends a sentence unless it only wraps a line (see unwrapLines). */
export function splitSentences(text: string, locale = 'en'): TextSpan[] {
  const raw: Array<{ start: number; end: number }> = [];
  for (const seg of segmenterFor(locale).segment(unwrapLines(text))) {
    raw.push({ start: seg.index, end: seg.index + seg.segment.length });
  }
  const merged: Array<{ start: number; end: number }> = [];
  for (const seg of raw) {
    const prev = merged[merged.length - 1];
    if (prev !== undefined) {
      const prevText = text.slice(prev.start, prev.end);
      const trimmed = prevText.trimEnd();
      const lineBreak = /\n/.test(prevText.slice(trimmed.length));
      if (!lineBreak && endsInAbbreviation(trimmed, text.slice(seg.start, seg.end))) {
        prev.end = seg.end;
        continue;
      }
    }
    merged.push({ ...seg });
  }
  const out: TextSpan[] = [];
  for (const seg of merged) {
    const span = trimSpan(text, seg.start, seg.end);
    if (span !== null) out.push(span);
  }
  return out;
}

const BULLET = /^[ \t]*(?:[-*•–+]|\d{1,3}[.)])[ \t]+/;
const QUESTION = /^[ \t]*(?:\*\*)?(?:Q|Question)[ \t]*\d*[ \t]*(?:\*\*)?[:.)][ \t]*(?:\*\*)?/i;
const ANSWER = /^[ \t]*(?:\*\*)?(?:A|Answer)[ \t]*\d*[ \t]*(?:\*\*)?[:.)][ \t]*(?:\*\*)?/i;

interface Line {
  start: number;
  end: number;
  text: string;
}

function lines(text: string): Line[] {
  const out: Line[] = [];
  let start = 0;
  for (const part of text.split('\n')) {
    out.push({ start, end: start + part.length, text: part });
    start += part.length + 1;
  }
  return out;
}

/** Guesses the shape of an output: Q/A markers make `answers`, a mostly bulleted text makes `bullets`. */
export function detectShape(text: string): UnitShape {
  const nonEmpty = lines(text).filter((l) => l.text.trim() !== '');
  const questions = nonEmpty.filter((l) => QUESTION.test(l.text)).length;
  const answers = nonEmpty.filter((l) => ANSWER.test(l.text)).length;
  // The first "Question:" may be gone: a style's required prefix is stripped before judging.
  if (answers > 0 && (questions > 0 || nonEmpty.some((l) => l.text.trimEnd().endsWith('?')))) return 'answers';
  const bullets = nonEmpty.filter((l) => BULLET.test(l.text)).length;
  if (bullets >= 2 && bullets * 2 >= nonEmpty.length) return 'bullets';
  return 'sentences';
}

function sentencesWithin(text: string, start: number, end: number, locale: string): TextSpan[] {
  return splitSentences(text.slice(start, end), locale).map((s) => ({
    start: s.start + start,
    end: s.end + start,
    text: s.text,
  }));
}

function bulletUnits(text: string, locale: string): TextSpan[] {
  const out: TextSpan[] = [];
  let prose: Line[] = [];
  const flushProse = () => {
    for (const l of prose) out.push(...sentencesWithin(text, l.start, l.end, locale));
    prose = [];
  };
  let current: { start: number; end: number } | null = null;
  const flushBullet = () => {
    if (current === null) return;
    const span = trimSpan(text, current.start, current.end);
    if (span !== null) out.push(span);
    current = null;
  };
  for (const line of lines(text)) {
    const marker = BULLET.exec(line.text);
    if (marker) {
      flushBullet();
      flushProse();
      current = { start: line.start + marker[0].length, end: line.end };
    } else if (line.text.trim() === '') {
      flushBullet();
    } else if (current !== null && /^[ \t]+/.test(line.text)) {
      current.end = line.end; // an indented continuation of the bullet above
    } else {
      flushBullet();
      prose.push(line);
    }
  }
  flushBullet();
  flushProse();
  return out.sort((a, b) => a.start - b.start);
}

function answerUnits(text: string, locale: string): TextSpan[] {
  const out: TextSpan[] = [];
  let inAnswer = false;
  for (const line of lines(text)) {
    const q = QUESTION.exec(line.text);
    const a = ANSWER.exec(line.text);
    if (q) {
      inAnswer = false;
      continue;
    }
    if (a) {
      inAnswer = true;
      out.push(...sentencesWithin(text, line.start + a[0].length, line.end, locale));
    } else if (inAnswer) {
      out.push(...sentencesWithin(text, line.start, line.end, locale));
    }
  }
  return out;
}

/** Cuts an output into the units that must each be supported by the source. */
export function splitUnits(text: string, shape: UnitShape | 'auto' = 'auto', locale = 'en'): { shape: UnitShape; units: TextSpan[] } {
  const resolved = shape === 'auto' ? detectShape(text) : shape;
  if (resolved === 'bullets') return { shape: resolved, units: bulletUnits(text, locale) };
  if (resolved === 'answers') return { shape: resolved, units: answerUnits(text, locale) };
  return { shape: resolved, units: splitSentences(text, locale) };
}
