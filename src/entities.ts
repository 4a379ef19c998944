// Named entities without a model: capitalised names ("Hilda Okonkwo", "Guild of Weavers"), acronyms ("QPX",
// "U.S.") and capitalised single words inside a sentence ("France", "Mexican"). A capital at the start of
// a sentence proves nothing, so a sentence-initial word counts only when the text also capitalises it
// elsewhere, when it is an acronym, or when a name continues after it ("Alden Brisk said").

import { STOPWORDS, type Token } from './content-words.js';
import { MAX_REMEMBERED_WORDS, memoizeWords } from './recent-memo.js';
import { tokenize } from './tokenize.js';

export interface EntityMention {
  /** The mention as written. */
  text: string;
  start: number;
  end: number;
  /** Normalised keys of the words that identify it (titles such as "Mr" or "Lord" left out). */
  keys: string[];
  kind: 'name' | 'acronym';
}

// Lower-case words that may sit inside a name: "Bank of England", "Ludwig van Beethoven", "Food & Drug".
const CONNECTORS = new Set(['of', 'de', 'du', 'van', 'von', 'der', 'den', 'da', 'del', 'della', 'di', 'la', 'le', 'y', 'al', 'bin', 'ibn', 'el']);
// Words that title a name without identifying it.
export const TITLES: ReadonlySet<string> = new Set([
  'mr', 'mrs', 'ms', 'miss', 'dr', 'prof', 'professor', 'sir', 'dame', 'lord', 'lady', 'st', 'saint', 'sr', 'jr',
  'president', 'king', 'queen', 'prince', 'princess', 'gen', 'general', 'sen', 'senator', 'rep', 'gov', 'governor',
  'capt', 'captain', 'col', 'lt', 'rev', 'judge', 'mayor', 'minister', 'chancellor', 'pope', 'father', 'the',
]);
// Capitalised words that are not names even inside a sentence: pronoun "I", days and months are kept as names.
const NEVER_NAMES = new Set(['i', "i'm", "i've", "i'd", "i'll", 'ok', 'okay', 'tv']);

// "$XXX a month", "Mr. XXXX": a redacted value, not a name; rewrites write it with another count of X's.
const PLACEHOLDER = /^X{3,}$/;

function isNameToken(t: Token): boolean {
  if (t.kind !== 'word' || !t.capitalised) return false;
  // A word token's answer depends on its text alone, and finding names asks several times per token.
  let known = nameWords.get(t.raw);
  if (known === undefined) {
    known = isNameWord(t);
    if (nameWords.size >= MAX_REMEMBERED_WORDS) nameWords.clear();
    nameWords.set(t.raw, known);
  }
  return known;
}

const nameWords = new Map<string, boolean>();

function isNameWord(t: Token): boolean {
  const lower = t.raw.toLowerCase();
  if (NEVER_NAMES.has(lower) || PLACEHOLDER.test(t.raw)) return false;
  if (t.acronym) return true;
  return !STOPWORDS.has(lower) || TITLES.has(lower);
}

/** Words capitalised somewhere other than a sentence start: the text itself says they are names. */
function namesInsideSentences(tokens: readonly Token[]): Set<string> {
  const names = new Set<string>();
  for (const t of tokens) if (!t.afterBreak && isNameToken(t)) names.add(t.norm);
  return names;
}

/** True when the text shows a capitalised word in lower case too: then a capital start proves nothing. */
function lowerCaseUses(tokens: readonly Token[]): Set<string> {
  const lower = new Set<string>();
  for (const t of tokens) if (t.kind === 'word' && !t.capitalised) lower.add(t.norm);
  return lower;
}

const PARAGRAPH_BREAK = /\n[^\S\n]*\n/;

function joinable(text: string, prev: Token, next: Token): boolean {
  const gap = text.slice(prev.end, next.start);
  // A name never runs on past the end of its paragraph ("… D.\n\nQuestion: …").
  if (PARAGRAPH_BREAK.test(gap)) return false;
  // Initials ("R. K. Dunmore") join across a period; nothing else may stand between name words.
  if (/^\.\s*$/.test(gap)) return prev.raw.length === 1;
  return /^\s+$/.test(gap) || gap === '-' || /^\s*&\s*$/.test(gap);
}

/**
 * Finds the named entities of a text. Pass `tokens` when the text is already tokenised. A text written all
 * in lower case has no detectable names and yields none.
 */
export function findEntities(text: string, tokens: readonly Token[] = tokenize(text)): EntityMention[] {
  const known = namesInsideSentences(tokens);
  const lower = lowerCaseUses(tokens);
  const mentions: EntityMention[] = [];
  let run: Token[] = [];
  const flush = () => {
    while (run.length > 0 && !isNameToken(run[run.length - 1] as Token)) run.pop();
    const first = run[0];
    const last = run[run.length - 1];
    if (first !== undefined && last !== undefined) {
      const keys = run
        .filter((t) => isNameToken(t) && !TITLES.has(t.raw.toLowerCase()))
        .map((t) => t.norm);
      if (keys.length > 0) {
        mentions.push({
          text: text.slice(first.start, last.end),
          start: first.start,
          end: last.end,
          keys,
          kind: run.length === 1 && first.acronym ? 'acronym' : 'name',
        });
      }
    }
    run = [];
  };
  // A capital at a sentence start marks a name only if the text capitalises the word elsewhere too, or a
  // name word follows at once and the text never writes the word in lower case.
  const startsName = (i: number, t: Token): boolean => {
    if (!t.afterBreak || t.acronym || known.has(t.norm)) return true;
    const next = tokens[i + 1];
    const nameFollows = next !== undefined && isNameToken(next) && !TITLES.has(next.raw.toLowerCase()) && joinable(text, t, next);
    return nameFollows && !lower.has(t.norm) && !STOPWORDS.has(t.raw.toLowerCase());
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const prev = run[run.length - 1];
    if (prev !== undefined && joinable(text, prev, t)) {
      if (isNameToken(t)) {
        run.push(t);
        continue;
      }
      if (t.kind === 'number' && prev.kind === 'word') {
        run.push(t); // "Apollo 11", "Windows 95"
        continue;
      }
      const next = tokens[i + 1];
      if (CONNECTORS.has(t.raw) && next !== undefined && isNameToken(next) && joinable(text, t, next)) {
        run.push(t);
        continue;
      }
    }
    flush();
    if (isNameToken(t) && startsName(i, t)) run.push(t);
  }
  flush();
  return mentions;
}

// Several evaluators ask for the names of the same source, tokenised once (attribution's source index).
const entitiesByTokens = new WeakMap<readonly Token[], { text: string; mentions: readonly EntityMention[] }>();

/** findEntities, remembered per token array: the result is shared, so it is read-only. */
export function entitiesOf(text: string, tokens: readonly Token[]): readonly EntityMention[] {
  const known = entitiesByTokens.get(tokens);
  if (known !== undefined && known.text === text) return known.mentions;
  const mentions = findEntities(text, tokens);
  entitiesByTokens.set(tokens, { text, mentions });
  return mentions;
}

/**
 * A looser key for nationality and place words, so "Mexican" meets "Mexico" and "Canadian" meets "Canada"
 * while "Austrian" and "Australian" stay apart.
 */
export const demonymKey: (norm: string) => string = memoizeWords(computeDemonymKey);

/**
 * The nationality keys of the words of `tokens`, made on first call: most lookups are settled by the plain
 * words, so the set is often never needed.
 */
export function lazyDemonymKeys(tokens: readonly Token[]): () => ReadonlySet<string> {
  let keys: Set<string> | undefined;
  return () => {
    if (keys === undefined) {
      keys = new Set();
      for (const t of tokens) keys.add(demonymKey(t.norm));
    }
    return keys;
  };
}

function computeDemonymKey(norm: string): string {
  const base = norm.replace(/(?:ian|ean|an|ese|ish|i)$/, '');
  const folded = (base.length >= 4 ? base : norm).replace(/[aeiouy]+$/, '');
  return folded.length >= 4 ? folded : norm;
}

/** Initials of the capitalised runs of a text, so "NTA" is backed by "Northern Tidal Authority". */
export function initialisms(mentions: readonly EntityMention[]): Set<string> {
  const out = new Set<string>();
  for (const m of mentions) {
    const words = m.text.split(/[\s-]+/).filter((w) => /^\p{Lu}/u.test(w));
    if (words.length >= 2) out.add(words.map((w) => w[0]?.toLowerCase() ?? '').join(''));
  }
  return out;
}

/** True when a text writes nothing with a capital inside a sentence: a lower-cased text whose names are hidden. */
export function isLowerCased(tokens: readonly Token[]): boolean {
  let words = 0;
  for (const t of tokens) {
    if (t.kind !== 'word') continue;
    words++;
    if (t.capitalised && !t.afterBreak) return false;
  }
  return words >= 5;
}

/**
 * Words a text uses as people's surnames: after a title ("Ms Quillby"), or after another name word ("Nora
 * Quillby") when the text also uses the word as a name alone ("Quillby said") or never writes it in lower
 * case: a person's surname, or the last word of a place like "Fenmoor Lane", but not the common word
 * closing "Millbeck Grammar School" or "County Shield Final". Not places or organisations named by one
 * word, which summaries often qualify with words of their own ("shipping group Marlcorp").
 */
export function surnamesOf(text: string, tokens: readonly Token[]): Set<string> {
  const titled = new Set<string>();
  const afterName = new Set<string>();
  const alone = new Set<string>();
  const lower = lowerCaseUses(tokens);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    if (t.kind !== 'word' || !t.capitalised || t.afterBreak || t.acronym || STOPWORDS.has(t.raw.toLowerCase())) continue;
    const before = tokens[i - 1];
    const joined = before !== undefined && before.kind === 'word' && before.capitalised && !before.acronym && /^\s+$/.test(text.slice(before.end, t.start));
    if (!joined) alone.add(t.norm);
    else if (TITLES.has(before.raw.toLowerCase())) titled.add(t.norm);
    else if (!before.afterBreak) afterName.add(t.norm);
  }
  for (const word of afterName) if (alone.has(word) || !lower.has(word)) titled.add(word);
  return titled;
}

/**
 * Names in a lower-cased text, found through the people its source names: a word the source never uses
 * standing right before one of their surnames ("nora quillby" where the source has only "Ms Quillby") is a
 * first name or a title the text added. Yields mentions of the two words.
 */
export function namesBeforeKnownNames(text: string, tokens: readonly Token[], surnames: ReadonlySet<string>, sourceWords: ReadonlySet<string>): EntityMention[] {
  const mentions: EntityMention[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const before = tokens[i - 1] as Token;
    if (!surnames.has(t.norm) || !before.content || before.kind !== 'word' || before.raw.length < 3) continue;
    if (sourceWords.has(before.norm) || !/^\s+$/.test(text.slice(before.end, t.start))) continue;
    mentions.push({ text: text.slice(before.start, t.end), start: before.start, end: t.end, keys: [before.norm, t.norm], kind: 'name' });
  }
  return mentions;
}
