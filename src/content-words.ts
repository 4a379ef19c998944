// Word tokens with character offsets and the light normalisation every faithfulness check shares:
// case, diacritics, punctuation, plural/tense stemming, British/American spelling and number formats.
// "cliff-top", "Cliff top" and "clifftops" all meet at the same key; "1,000", "one thousand" and "1000"
// meet at the same number.

import { memoizeWords } from './recent-memo.js';

export type TokenKind = 'word' | 'number';

export interface Token {
  /** Character offsets into the tokenised text, end exclusive. */
  start: number;
  end: number;
  raw: string;
  /** Matching key: stemmed lower-case word, or the canonical decimal value of a number. */
  norm: string;
  kind: TokenKind;
  /** False for function words (stopwords); numbers are always content. */
  content: boolean;
  /** First letter is upper case. */
  capitalised: boolean;
  /** Two or more letters, all upper case (BBC, EU, SARS). */
  acronym: boolean;
  /** not, no, never, without, n't, … */
  negation: boolean;
  /** First token of the text, or first after a sentence end, colon, quote or line break. */
  afterBreak: boolean;
}

const STOPWORD_LIST = `a about above after again against all also am an and any are as at be because been before being
below between both but by can could did do does doing down during each either else ever every few for from further had
has have having he her here hers herself him himself his how i if in into is it its itself just may me might more most
much must my myself neither no nor not of off on once only or other ought our ours ourselves out over own per same shall
she should since so some such than that the their theirs them themselves then there these they this those though
through to too under until up upon us very was we were what when where whether which while who whom whose why will
with within without would yet you your yours yourself yourselves also however therefore thus meanwhile although
unless via among amongst onto toward towards mr mrs ms dr prof st sr jr n't cannot around whereas according`;

export const STOPWORDS: ReadonlySet<string> = new Set(STOPWORD_LIST.split(/\s+/).filter(Boolean));

// "non" is the prefix of "non-competitive", which the tokeniser splits at its hyphen.
export const NEGATION_CUES: ReadonlySet<string> = new Set([
  'not', "n't", 'no', 'never', 'without', 'nor', 'none', 'nobody', 'nothing', 'neither', 'cannot', 'nowhere',
  'excluding', 'except', 'non',
]);

// Past forms that suffix stripping cannot reach; mapped to the stem of their base form.
const IRREGULAR: Record<string, string> = {
  ate: 'eat', began: 'begin', begun: 'begin', bought: 'buy', brought: 'bring', built: 'build', came: 'come',
  caught: 'catch', chose: 'choose', chosen: 'choose', did: 'do', done: 'do', drew: 'draw', drawn: 'draw',
  drove: 'drive', driven: 'drive', fell: 'fall', fallen: 'fall', felt: 'feel', fought: 'fight', found: 'find',
  flew: 'fly', flown: 'fly', forgot: 'forget', forgotten: 'forget', gave: 'give', given: 'give', went: 'go',
  gone: 'go', grew: 'grow', grown: 'grow', heard: 'hear', held: 'hold', hid: 'hide', hidden: 'hide', kept: 'keep',
  knew: 'know', known: 'know', laid: 'lay', led: 'lead', left: 'leave', lent: 'lend', lost: 'lose', made: 'make',
  meant: 'mean', met: 'meet', paid: 'pay', ran: 'run', rang: 'ring', rose: 'rise', risen: 'rise', said: 'say',
  sang: 'sing', sung: 'sing', sat: 'sit', saw: 'see', seen: 'see', sent: 'send', shook: 'shake', shot: 'shoot',
  sold: 'sell', sought: 'seek', spent: 'spend', spoke: 'speak', spoken: 'speak', stood: 'stand', stole: 'steal',
  stolen: 'steal', struck: 'strike', swam: 'swim', taught: 'teach', took: 'take', taken: 'take', told: 'tell',
  thought: 'think', threw: 'throw', thrown: 'throw', understood: 'understand', woke: 'wake', won: 'win',
  wore: 'wear', worn: 'wear', wrote: 'write', written: 'write', broke: 'break', broken: 'break', froze: 'freeze',
  frozen: 'freeze', hung: 'hang', slid: 'slide', spun: 'spin', swore: 'swear', sworn: 'swear', tore: 'tear',
  torn: 'tear', wound: 'wind', withdrew: 'withdraw', withdrawn: 'withdraw', overtook: 'overtake',
  children: 'child', men: 'man', women: 'woman', people: 'person', mice: 'mouse', feet: 'foot', teeth: 'tooth',
  geese: 'goose', died: 'die', dies: 'die', dying: 'die', lying: 'lie', lied: 'lie',
};

const MONTHS: Record<string, string> = {
  jan: 'january', feb: 'february', mar: 'march', apr: 'april', jun: 'june', jul: 'july', aug: 'august',
  sep: 'september', sept: 'september', oct: 'october', nov: 'november', dec: 'december',
};

export const UNITS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, thirteen: 13, fourteen: 14, fifteen: 15, sixteen: 16, seventeen: 17, eighteen: 18,
  nineteen: 19, twenty: 20, thirty: 30, forty: 40, fifty: 50, sixty: 60, seventy: 70, eighty: 80, ninety: 90,
  first: 1, second: 2, third: 3, fourth: 4, fifth: 5, sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  eleventh: 11, twelfth: 12, thirteenth: 13, fourteenth: 14, fifteenth: 15, sixteenth: 16, seventeenth: 17,
  eighteenth: 18, nineteenth: 19, twentieth: 20, thirtieth: 30, fortieth: 40, fiftieth: 50, hundredth: 100,
  dozen: 12,
};

export const SCALES: Record<string, number> = {
  hundred: 1e2, thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12, bn: 1e9, mn: 1e6, mln: 1e6, bln: 1e9, tn: 1e12,
};

/** Canonical decimal text of a value: 5e9 → "5000000000", 0.5 → "0.5". */
export function canonicalNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const rounded = Math.round(value * 1e6) / 1e6;
  return Number.isInteger(rounded) ? BigInt(Math.round(rounded)).toString() : String(rounded);
}

/** Parses "1,000", "0,712" (decimal comma), "1.5", "3rd", "1990s"; null when not a number. */
export function parseNumeral(raw: string): number | null {
  const m = /^(\d+(?:[.,]\d+)*)(?:st|nd|rd|th|s)?$/i.exec(raw);
  if (!m || m[1] === undefined) return null;
  let digits = m[1];
  const groups = digits.split(/[.,]/);
  const thousands = groups.length > 1 && !digits.startsWith('0') &&
    groups.slice(1).every((g) => g.length === 3) && (digits.includes(',') || groups.length > 2);
  if (thousands) digits = groups.join('');
  else if (digits.includes(',')) {
    // A comma that is not a thousands separator is a decimal comma (0,712; 3,5).
    const last = digits.lastIndexOf(',');
    digits = digits.slice(0, last).replace(/[.,]/g, '') + '.' + digits.slice(last + 1);
  }
  const value = Number(digits);
  return Number.isFinite(value) ? value : null;
}

function measure(stem: string): number {
  // Porter's m: the number of vowel-consonant sequences.
  let m = 0;
  let prevVowel = false;
  for (let i = 0; i < stem.length; i++) {
    const vowel = isVowelAt(stem, i);
    if (!vowel && prevVowel) m++;
    prevVowel = vowel;
  }
  return m;
}

function isVowelAt(w: string, i: number): boolean {
  const c = w[i];
  if (c === 'a' || c === 'e' || c === 'i' || c === 'o' || c === 'u') return true;
  return c === 'y' && i > 0 && !isVowelAt(w, i - 1);
}

function hasVowel(w: string): boolean {
  for (let i = 0; i < w.length; i++) if (isVowelAt(w, i)) return true;
  return false;
}

function endsCvc(w: string): boolean {
  const n = w.length;
  if (n < 3) return false;
  const last = w[n - 1] ?? '';
  return !isVowelAt(w, n - 3) && isVowelAt(w, n - 2) && !isVowelAt(w, n - 1) && !'wxy'.includes(last);
}

/**
 * Porter2's step 1c: a final "y" after a consonant that is not the first letter becomes "i", so "cry" and
 * "cries", "study" and "studied" meet, while "day", "buy" and "play" keep theirs and meet "days", "buying"
 * and "played".
 */
function finalY(w: string): string {
  return w.length > 2 && w.endsWith('y') && !isVowelAt(w, w.length - 2) ? w.slice(0, -1) + 'i' : w;
}

/**
 * Porter's steps 1a–1c and 5a: plural and tense endings only, so "makes", "making" and "made" meet at
 * "make" while "general" and "generation" stay apart.
 */
export function stem(word: string): string {
  const irregular = IRREGULAR[word];
  if (irregular !== undefined) return stem(irregular === word ? word + '_' : irregular).replace(/_$/, '');
  let w = word;
  if (w.length <= 3) return finalY(w);
  if (w.endsWith('sses')) w = w.slice(0, -2);
  // Porter2: "cries" → "cri" but "ties" → "tie", to meet the word's own short form.
  else if (w.endsWith('ies')) w = w.length > 4 ? w.slice(0, -2) : w.slice(0, -1);
  else if (!w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is') && w.endsWith('s')) w = w.slice(0, -1);

  let stripped = false;
  if (w.endsWith('eed')) {
    if (measure(w.slice(0, -3)) > 0) w = w.slice(0, -1);
  } else if (w.endsWith('ed') && hasVowel(w.slice(0, -2))) {
    w = w.slice(0, -2);
    stripped = true;
  } else if (w.endsWith('ing') && hasVowel(w.slice(0, -3)) && w.length > 5) {
    w = w.slice(0, -3);
    stripped = true;
  }
  if (stripped) {
    if (w.endsWith('at') || w.endsWith('bl') || w.endsWith('iz')) w += 'e';
    else if (w.length > 1 && w[w.length - 1] === w[w.length - 2] && !'lsz'.includes(w[w.length - 1] ?? '')) {
      w = w.slice(0, -1);
    } else if (measure(w) === 1 && endsCvc(w)) w += 'e';
  }
  w = finalY(w);
  if (w.endsWith('e')) {
    const base = w.slice(0, -1);
    const m = measure(base);
    if (m > 1 || (m === 1 && !endsCvc(base))) w = base;
  }
  return w;
}

/** Lower case, no diacritics, British spellings folded into American ones, then stemmed. */
export const normalizeWord: (raw: string) => string = memoizeWords(computeNorm);

function computeNorm(raw: string): string {
  let w = raw.toLowerCase();
  if (/[^\x00-\x7f]/.test(w)) w = w.normalize('NFD').replace(/\p{M}+/gu, '').replace(/’/g, "'");
  if (w.endsWith("'s")) w = w.slice(0, -2);
  if (w.includes("'")) w = w.replace(/'/g, '');
  const month = MONTHS[w];
  if (month !== undefined) w = month;
  if (w.length >= 6) w = w.replace(/is(e|ed|es|ing|ation|ations)$/, 'iz$1');
  if (w.length >= 5) w = w.replace(/our(s|ed|ing)?$/, 'or$1');
  if (w.length >= 6) w = w.replace(/([^aeiou])re$/, '$1er');
  return stem(w);
}
