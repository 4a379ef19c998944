// English numbers written as words: "three", "twenty-five", "one hundred and five", "a million", "twenty-first",
// so that a source saying "three" backs a rewrite saying "3", and the other way round.
import type { NumberMention } from './number-mentions.js';

type Kind = 'unit' | 'teen' | 'ten' | 'hundred' | 'scale' | 'extra';

interface NumberWord {
  kind: Kind;
  value: number;
  /** Ends the number it is part of: "twenty-first". */
  ordinal: boolean;
  /** For words that imply numbers without being one ("half", "dozen", "both"): the values a source backs. */
  implies?: string[];
}

const LEXICON = new Map<string, NumberWord>();
const add = (kind: Kind, value: number, cardinal: string | undefined, ordinal: string | undefined) => {
  if (cardinal !== undefined) LEXICON.set(cardinal, { kind, value, ordinal: false });
  if (ordinal !== undefined) LEXICON.set(ordinal, { kind, value, ordinal: true });
};
['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'].forEach((word, value) =>
  add('unit', value, word, [undefined, 'first', 'second', 'third', 'fourth', 'fifth', 'sixth', 'seventh', 'eighth', 'ninth'][value]),
);
['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'].forEach((word, i) =>
  add('teen', 10 + i, word, i === 0 ? 'tenth' : i === 2 ? 'twelfth' : `${word}th`),
);
['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'].forEach((word, i) =>
  add('ten', 20 + 10 * i, word, `${word.slice(0, -1)}ieth`),
);
add('hundred', 100, 'hundred', 'hundredth');
add('scale', 1e3, 'thousand', 'thousandth');
add('scale', 1e6, 'million', 'millionth');
add('scale', 1e9, 'billion', 'billionth');
add('scale', 1e12, 'trillion', 'trillionth');
const implied: Array<[string, string[]]> = [
  ['dozen', ['12']],
  ['half', ['0.5', '50']],
  ['quarter', ['0.25', '25']],
  ['once', ['1']],
  ['single', ['1']],
  ['twice', ['2']],
  ['both', ['2']],
  ['pair', ['2']],
  ['double', ['2']],
  ['triple', ['3']],
];
for (const [word, values] of implied) LEXICON.set(word, { kind: 'extra', value: Number.NaN, ordinal: false, implies: values });

// Longest first, so "seventeen" is tried before "seven"; \b keeps "thousands" and "tens" (vague amounts) out.
// Matched on lower-cased text: a case-insensitive alternation is markedly slower.
const NUMBER_WORD = new RegExp(`\\b(?:${[...LEXICON.keys()].sort((a, b) => b.length - a.length).join('|')})\\b`, 'g');
const JOINS_NUMBER_WORDS = /^(?:\s*-\s*|\s+|\s+and\s+)$/i;
const ARTICLE_BEFORE = /\ban?\s+$/i;
const DIGIT_BEFORE = /\d[\s\u00A0\u202F]*-?$/;
// In a rewrite these are too often not numbers at all: "no one", "one of", "at first", "a second look".
const AMBIGUOUS_ALONE = new Set(['one', 'first', 'second']);

interface Token {
  word: string;
  start: number;
  end: number;
}

/**
 * Numbers written in English words. `permissive` (for a source) includes words that only imply a number
 * ("half", "both") and the ambiguous "one", "first", "second"; a rewrite's mentions leave those out.
 */
export function wordMentions(text: string, permissive: boolean): NumberMention[] {
  const lower = text.toLowerCase();
  // Lower-casing rarely changes a text's length ("İ" becomes two code units); offsets must then refer to `lower`.
  const base = lower.length === text.length ? text : lower;
  const mentions: NumberMention[] = [];
  let run: Token[] = [];
  const flushRun = () => {
    if (run.length > 0) mentions.push(...parseRun(base, run, permissive));
    run = [];
  };
  for (const match of lower.matchAll(NUMBER_WORD)) {
    const token = { word: match[0], start: match.index, end: match.index + match[0].length };
    const previous = run[run.length - 1];
    if (previous !== undefined && !JOINS_NUMBER_WORDS.test(base.slice(previous.end, token.start))) flushRun();
    run.push(token);
  }
  flushRun();
  return mentions;
}

/** Splits a run of adjacent number words into numbers: "two three" is 2 and 3, "twenty three" is 23. */
function parseRun(text: string, run: Token[], permissive: boolean): NumberMention[] {
  const mentions: NumberMention[] = [];
  let total = 0;
  let current = 0;
  let last: Kind | 'none' = 'none';
  let first = 0;

  const emit = (endToken: number) => {
    if (last === 'none') return;
    const tokens = run.slice(first, endToken + 1);
    const alone = tokens.length === 1 && AMBIGUOUS_ALONE.has(tokens[0]!.word);
    if (permissive || !alone) {
      const start = tokens[0]!.start;
      mentions.push({ surface: text.slice(start, tokens[tokens.length - 1]!.end), index: start, readings: [[String(total + current)]] });
    }
    total = 0;
    current = 0;
    last = 'none';
  };

  for (let i = 0; i < run.length; i++) {
    const token = run[i]!;
    const entry = LEXICON.get(token.word)!;
    if (entry.kind === 'extra') {
      emit(i - 1);
      if (permissive) mentions.push({ surface: token.word, index: token.start, readings: entry.implies!.map((value) => [value]) });
      first = i + 1;
      continue;
    }
    if (last === 'none') first = i;
    switch (entry.kind) {
      case 'unit':
      case 'teen':
      case 'ten': {
        const fits =
          last === 'none' || last === 'hundred' || last === 'scale' || (last === 'ten' && entry.kind === 'unit' && current % 10 === 0);
        if (!fits) {
          emit(i - 1);
          first = i;
        }
        current += entry.value;
        break;
      }
      case 'hundred':
      case 'scale': {
        if (last === 'unit' || last === 'teen' || last === 'ten' || (last === 'hundred' && entry.kind === 'scale')) {
          if (entry.kind === 'hundred') {
            current *= 100;
          } else {
            total += current * entry.value;
            current = 0;
          }
          break;
        }
        // "hundred hundred" or "million billion" are two numbers; a bare "hundred"/"million" is a number only
        // after "a" ("a million"), and after digits the digit mention already owns it ("3 million").
        emit(i - 1);
        first = i;
        if (!startsNumber(text, token)) continue;
        if (entry.kind === 'hundred') current = 100;
        else total += entry.value;
        break;
      }
    }
    last = entry.kind;
    // An ordinal ends its number: "twenty-first" then "three" is 21 and 3.
    if (entry.ordinal) emit(i);
  }
  emit(run.length - 1);
  return mentions;
}

/** A bare "hundred"/"million" starts a number after "a"/"an", not after digits ("3 million" is a digit mention). */
function startsNumber(text: string, token: Token): boolean {
  const before = text.slice(Math.max(0, token.start - 24), token.start);
  return ARTICLE_BEFORE.test(before) && !DIGIT_BEFORE.test(before);
}
