// Finding the numbers a text states, in the many ways one value can be written: 1,000 / 1000 / 1 000 / 1.000
// (German) / one thousand / 1 thousand; 3 / 3.0 / three / 3rd / third; 6½ / 6.5; 1990–95 / 1995.
// Values are compared as canonical decimal strings ("1000", "6.5"), which is exact for any length of digits.

/** One number as written, with every value it could mean. */
export interface NumberMention {
  /** The text as written, e.g. "1,000", "twenty-five", "3 million". */
  surface: string;
  /** Offset of the mention in the text. */
  index: number;
  /**
   * Each reading is one interpretation as a list of values; the mention is backed by a source when every value of
   * some reading occurs there. "1,2" reads as [1.2] (decimal comma) or [1, 2] (a list).
   */
  readings: string[][];
}

export interface MentionOptions {
  /** Skip "1." / "2)" at the start of a line: list numbering, not a stated number. */
  ignoreListMarkers: boolean;
}

const NON_ASCII_DIGIT = /[\u0660-\u0669\u06F0-\u06F9\u0966-\u096F\u09E6-\u09EF\u0E50-\u0E59\uFF10-\uFF19]/g;
const DIGIT_ZEROS = [0x0660, 0x06f0, 0x0966, 0x09e6, 0x0e50, 0xff10];

/** Arabic-Indic, Devanagari, Bengali, Thai and full-width digits as ASCII, so a source and its rewrite compare. */
export function toAsciiDigits(text: string): string {
  return text.replace(NON_ASCII_DIGIT, (digit) => {
    const code = digit.charCodeAt(0);
    const zero = DIGIT_ZEROS.find((z) => code >= z && code <= z + 9)!;
    return String(code - zero);
  });
}

// Digits with inner separators ("1,234.5", "23.02.2023") and space-separated thousands groups ("1 000 000").
// Each repetition starts with a separator, so the pattern cannot backtrack badly.
const DIGITS = /\d+(?:[.,]\d+)*(?:[ \u00A0\u202F]\d{3}(?!\d))*/g;
const SPACE = /[ \u00A0\u202F]/;
// Abbreviated scales as news and finance write them: "5 mln", "5bn", "$5m", "$20k". A bare "m" or "k" is as
// often metres or kilometres ("a 5k run", "5m deep"), so those two count only after a currency sign.
const SCALE_AFTER = /^[ \u00A0\u202F]*-?(hundred|thousand|million|billion|trillion|mln|mn|bln|bn|tn|m|k)\b/i;
const CURRENCY_ONLY_SCALES = new Set(['m', 'k']);
const CURRENCY_BEFORE = /[$£€¥][ \u00A0\u202F]?$/;
const FRACTION_AFTER = /^[ \u00A0\u202F]?([½¼¾])/;
const VULGAR: Record<string, string> = { '½': '0.5', '¼': '0.25', '¾': '0.75' };
const SCALE_ZEROS: Record<string, number> = {
  hundred: 2, thousand: 3, k: 3, million: 6, mln: 6, mn: 6, m: 6, billion: 9, bln: 9, bn: 9, trillion: 12, tn: 12,
};
const LIST_MARKER_BEFORE = /^[\s>#*•-]*\(?$/;
const LIST_MARKER_AFTER = /^[.)](?:\s|$)/;
// "1990–95" means 1990 to 1995; the source then backs a rewrite that spells out "1995".
const ABBREVIATED_RANGE = /\b(\d\d)(\d\d)\s*[–—-]\s*(\d\d)(?!\d)/g;

/** Removes leading zeros of the integer part and trailing zeros of the fraction: "007.50" → "7.5". */
export function canonicalNumber(integer: string, fraction = ''): string {
  const int = integer.replace(/^0+(?=\d)/, '') || '0';
  const frac = fraction.replace(/0+$/, '');
  return frac === '' ? int : `${int}.${frac}`;
}

/** Multiplies a canonical number by 10^zeros, exactly. */
function shiftDecimal(value: string, zeros: number): string {
  const [int = '0', frac = ''] = value.split('.');
  const padded = frac.padEnd(zeros, '0');
  return canonicalNumber(int + padded.slice(0, zeros), padded.slice(zeros));
}

/**
 * Readings of a run of digits and separators. `permissive` (for a source) keeps every plausible reading; a rewrite's
 * number gets only its likely ones, so that "1,000" is not excused by a source that merely has "1" and "0".
 */
function digitReadings(token: string, permissive: boolean): string[][] {
  const pieces = token.split(SPACE);
  if (pieces.length > 1) {
    // "1 000 000" is a million; "in 1990 200 people" is two numbers.
    const grouped = /^\d{1,3}$/.test(pieces[0]!);
    const readings: string[][] = grouped ? [[canonicalNumber(pieces.join(''))]] : [];
    if (permissive || !grouped) readings.push(pieces.flatMap((piece) => digitReadings(piece, permissive)[0]!));
    return readings;
  }
  const separators = token.match(/[.,]/g);
  if (separators === null) return [[canonicalNumber(token)]];
  const groups = token.split(/[.,]/);
  const split = groups.map((group) => canonicalNumber(group));
  const readings: string[][] = [];
  for (const [thousands, decimal] of [[',', '.'], ['.', ',']] as const) {
    const grouped = groupedReading(groups, separators, thousands, decimal);
    if (grouped !== undefined) readings.push([grouped]);
  }
  if (separators.length === 1) {
    // "1,000" in a rewrite is a thousand, not the German decimal 1,000 = 1; a source may be German, though.
    const looksGrouped = separators[0] === ',' && groups[1]!.length === 3;
    if (permissive || !looksGrouped) readings.push([canonicalNumber(groups[0]!, groups[1])]);
    // "3,5" may be a list; "3.5" in a rewrite is a decimal.
    if (permissive || (separators[0] === ',' && !looksGrouped)) readings.push(split);
  } else if (permissive || readings.length === 0) {
    readings.push(split); // a date "23.02.2023", a version "1.2.3"
  }
  return readings;
}

/** "1,234,567.5" with (',', '.') or "1.234,5" with ('.', ','); undefined when the groups do not fit. */
function groupedReading(groups: string[], separators: string[], thousands: string, decimal: string): string | undefined {
  let intGroups = groups;
  let intSeparators = separators;
  let fraction = '';
  if (separators[separators.length - 1] === decimal) {
    intGroups = groups.slice(0, -1);
    intSeparators = separators.slice(0, -1);
    fraction = groups[groups.length - 1]!;
  }
  if (intSeparators.length === 0 || intSeparators.some((s) => s !== thousands)) return undefined;
  if (intGroups[0]!.length > 3 || intGroups.slice(1).some((group) => group.length !== 3)) return undefined;
  return canonicalNumber(intGroups.join(''), fraction);
}

/**
 * "3 million" in a source backs both 3,000,000 and the bare 3 a rewrite may pair with "million" again. In a rewrite
 * it only means 3,000,000: "3 million members" must not pass on a source that says "3 members".
 */
function withScale(readings: string[][], zeros: number, permissive: boolean): string[][] {
  const scaled = readings.filter((r) => r.length === 1).map((r) => [shiftDecimal(r[0]!, zeros)]);
  return permissive || scaled.length === 0 ? [...scaled, ...readings] : scaled;
}

function isListMarker(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  return end - start <= 3 && LIST_MARKER_BEFORE.test(text.slice(lineStart, start)) && LIST_MARKER_AFTER.test(text.slice(end, end + 2));
}

/** Numbers written with digits, with a following scale word ("3 million") or vulgar fraction ("6½") folded in. */
export function digitMentions(text: string, options: MentionOptions, permissive: boolean): NumberMention[] {
  const mentions: NumberMention[] = [];
  for (const match of text.matchAll(DIGITS)) {
    const start = match.index;
    let end = start + match[0].length;
    if (options.ignoreListMarkers && isListMarker(text, start, end)) continue;
    let readings = digitReadings(match[0], permissive);
    const after = text.slice(end, end + 16);
    const fraction = FRACTION_AFTER.exec(after);
    const abbreviated = SCALE_AFTER.exec(after);
    const scale = abbreviated !== null && CURRENCY_ONLY_SCALES.has(abbreviated[1]!.toLowerCase()) && !CURRENCY_BEFORE.test(text.slice(Math.max(0, start - 2), start))
      ? null
      : abbreviated;
    if (fraction !== null) {
      const half = VULGAR[fraction[1]!]!;
      const withFraction = readings.map((r) => (r.length === 1 ? [addFraction(r[0]!, half)] : r));
      readings = permissive ? [...withFraction, ...readings, [half]] : withFraction;
      end += fraction[0].length;
    } else if (scale !== null) {
      readings = withScale(readings, SCALE_ZEROS[scale[1]!.toLowerCase()]!, permissive);
      end += scale[0].length;
    }
    mentions.push({ surface: text.slice(start, end), index: start, readings });
  }
  return mentions;
}

function addFraction(integer: string, fraction: string): string {
  return integer.includes('.') ? integer : canonicalNumber(integer, fraction.slice(2));
}

/** Vulgar fractions standing alone ("½ cup"); one right after digits ("6½", "6 ½") is part of a digit mention. */
export function fractionMentions(text: string): NumberMention[] {
  const mentions: NumberMention[] = [];
  for (const match of text.matchAll(/[½¼¾]/g)) {
    const i = match.index;
    const afterDigit = isDigit(text[i - 1]) || (SPACE.test(text[i - 1] ?? '') && isDigit(text[i - 2]));
    if (!afterDigit) mentions.push({ surface: match[0], index: i, readings: [[VULGAR[match[0]]!]] });
  }
  return mentions;
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

/** Extra values a source backs that are not written as such: the end of an abbreviated range "1990–95". */
export function impliedSourceValues(text: string): string[] {
  const values: string[] = [];
  for (const match of text.matchAll(ABBREVIATED_RANGE)) values.push(canonicalNumber(match[1]! + match[3]!));
  return values;
}
