// Tier 1: the output must be in the language of its source, or in the style's `target` language. Language
// identification is franc's (trigram profiles of ~190 languages). Short texts are where franc guesses
// wrongly, so an output shorter than `minChars` passes. franc's normalised scores are compressed on long texts
// (English scores 0.96 on Spanish prose, 0.99 on Vietnamese), so a score margin cannot tell a near-tie from a
// different language: the output passes when its best guess is the expected language or one of its close
// relatives (Scots for English, Galician for Spanish), which franc confuses on faithful text.
import { z } from 'zod';
import { defineEvaluatorOptions, fraction } from '../src/evaluator-options.js';
import { guessLanguage } from '../src/language-id.js';
import { memoizeRecent } from '../src/recent-memo.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'language';

// ISO 639-1 codes people write in front matter, as franc's ISO 639-3.
const ISO_639_1: Record<string, string> = {
  en: 'eng', fr: 'fra', de: 'deu', es: 'spa', it: 'ita', pt: 'por', nl: 'nld', sv: 'swe', da: 'dan', no: 'nob',
  nb: 'nob', nn: 'nno', fi: 'fin', pl: 'pol', cs: 'ces', sk: 'slk', ro: 'ron', hu: 'hun', el: 'ell', tr: 'tur',
  ru: 'rus', uk: 'ukr', bg: 'bul', sr: 'srp', hr: 'hrv', sl: 'slv', ar: 'arb', he: 'heb', fa: 'pes', hi: 'hin',
  bn: 'ben', ur: 'urd', ta: 'tam', te: 'tel', th: 'tha', vi: 'vie', id: 'ind', ms: 'zlm', zh: 'cmn', ja: 'jpn',
  ko: 'kor', sw: 'swh', ca: 'cat', eu: 'eus', gl: 'glg', et: 'est', lv: 'lvs', lt: 'lit',
};

// Languages franc mistakes for each other on ordinary text of the first; both directions are listed.
const CLOSE_RELATIVES: Record<string, readonly string[]> = {
  eng: ['sco'], sco: ['eng'],
  spa: ['glg', 'ast', 'cat'], glg: ['spa', 'por'], ast: ['spa'], cat: ['spa'], por: ['glg'],
  nob: ['nno', 'dan'], nno: ['nob'], dan: ['nob'],
  ind: ['zlm'], zlm: ['ind'],
  hrv: ['bos', 'srp'], bos: ['hrv', 'srp'], srp: ['hrv', 'bos'],
  ces: ['slk'], slk: ['ces'],
  cmn: ['yue'], yue: ['cmn'],
};

const languageCode = z
  .string()
  .regex(/^[a-z]{2,3}$/, 'expected an ISO 639-1 or 639-3 code such as "en" or "eng"')
  .transform((code) => ISO_639_1[code] ?? code);

export const languageOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Language the output must be in (ISO 639-1 or 639-3); default: the source's language. */
    target: languageCode.optional(),
    /** Outputs shorter than this many characters pass: too short to identify reliably. Default 50. */
    minChars: z.number().int().min(10).default(50),
    /** The expected language also passes when its score is at least this (the best guess scores 1). Default 0.999. */
    minScore: fraction().default(0.999),
  }),
);

/** The most likely language of a source, or null when it is too short or has no identifiable script. */
const sourceLanguage = memoizeRecent((source: string): string | null => {
  const { detected } = guessLanguage(source, 20);
  return detected === 'und' ? null : detected;
});

export const language: Evaluator = {
  id: ID,
  tier: 1,
  appliesTo: () => true,
  parseOptions: (options) => languageOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = languageOptions.parse(ctx.options);
    const expected = options.target ?? sourceLanguage(source);
    const text = candidate.trim();
    if (expected === null || text.length < options.minChars) {
      return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { expected, checked: false } };
    }
    const { detected, score } = guessLanguage(text, options.minChars, expected);
    if (detected === 'und') return { evaluator: ID, pass: true, score: 1, reason: 'ok', details: { expected, detected, checked: false } };
    const details = { expected, detected, score: Math.round(score * 1000) / 1000, checked: true };
    const sameLanguage = detected === expected || (CLOSE_RELATIVES[expected] ?? []).includes(detected);
    if (sameLanguage || score >= options.minScore) return { evaluator: ID, pass: true, score, reason: 'ok', details };
    return { evaluator: ID, pass: false, score, reason: 'language_mismatch', details };
  },
};
