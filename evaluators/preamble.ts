// Tier 0: chat habits that must not reach a pretraining corpus: "Here's a rewritten version:", "I hope this helps!",
// "(Note: I removed the citations.)", and refusals. Only the opening and closing sentences are looked at, so the
// same words in the middle of real text ("Here is the capital of…") are left alone.
import { z } from 'zod';
import { defineEvaluatorOptions } from '../src/evaluator-options.js';
import type { Evaluator, Verdict } from '../src/types.js';

const ID = 'preamble';

export const preambleOptions = defineEvaluatorOptions(
  ID,
  z.strictObject({
    /** Reject openings such as "Here is…", "Sure!", "I have rewritten…". Default true. */
    preamble: z.boolean().default(true),
    /** Reject closings such as "I hope this helps", "Let me know if…", "(Note: …)". Default true. */
    metaCommentary: z.boolean().default(true),
    /** Reject refusals such as "I'm sorry, but…", "As an AI…". Default true. */
    refusal: z.boolean().default(true),
  }),
);

type Reason = 'preamble' | 'meta_commentary' | 'refusal';
type Where = 'opening' | 'closing' | 'anywhere';

interface Rule {
  reason: Reason;
  pattern: RegExp;
}

// Openings and closings are matched on at most this many characters, which also bounds any regex work.
const SCAN_CHARS = 300;

const INTERJECTION = String.raw`(?:sure(?: thing)?|certainly|of course|absolutely|okay|ok|alright|all right|gladly|great|no problem|definitely)`;
const REWRITING = String.raw`(?:rewr[io]t|rephras|paraphras|revis|simplif|summari[sz]|reword|condens|restructur)`;
const REWRITTEN = String.raw`(?:rewritten|rewrote|rephrased|paraphrased|revised|simplified|summari[sz]ed|reworded|condensed|restructured|edited)`;
const ABOUT_THE_TEXT = String.raw`(?:version|passage|text|article|paragraph|document|summary|paraphrase|rewrite|translation)`;

const OPENING_RULES: readonly Rule[] = [
  {
    reason: 'refusal',
    pattern: new RegExp(
      String.raw`^(?:as an ai\b|as a (?:large )?language model\b|i(?:'m| am) (?:sorry|afraid)\b|sorry,? (?:but )?i\b|i apologi[sz]e\b|` +
        String.raw`(?:unfortunately,? )?i (?:cannot|can't|can ?not|won't|will not|am unable|'m unable|am not able|'m not able|do not feel comfortable|don't feel comfortable)\b)`,
    ),
  },
  // "Sure!", "Certainly." as a sentence of their own, or followed by what introduces the answer.
  { reason: 'preamble', pattern: new RegExp(String.raw`^${INTERJECTION}\s*[!.]`) },
  {
    reason: 'preamble',
    pattern: new RegExp(String.raw`^${INTERJECTION}\s*[,:;–—-]?\s*(?:here\b|below\b|i\b|i'|let me\b|let's\b|this is\b|the following\b)`),
  },
  // "Here is a simpler version…", "Below is the rewritten text", "Here's the passage:"; a bare "Here is the capital
  // of France" opening is left alone unless it talks about the text or introduces something with a colon.
  {
    reason: 'preamble',
    pattern: new RegExp(
      String.raw`^(?:here(?:'s| is| are)|below (?:is|are)|the following (?:is|are))\b(?:[^.!?:]{0,120}?\b(?:${REWRITING}|${ABOUT_THE_TEXT}\b)|[^.!?]{0,120}:)`,
    ),
  },
  { reason: 'preamble', pattern: new RegExp(String.raw`^i(?:'ve| have)? (?:just |now )?${REWRITTEN}\b`) },
  {
    reason: 'preamble',
    pattern: new RegExp(
      String.raw`^(?:let me|let's|i'll|i will|i'd be (?:happy|glad) to|i(?:'m| am) (?:happy|glad) to|happy to|glad to)\b[^.!?:]{0,80}?\b(?:${REWRITING}|help)`,
    ),
  },
  // A label line: "Rewritten version:", "Simplified text: …", "Paraphrase:".
  { reason: 'preamble', pattern: new RegExp(String.raw`^(?:${REWRITTEN}(?: ${ABOUT_THE_TEXT})?|paraphrase|rewrite)\s*:`) },
  { reason: 'preamble', pattern: new RegExp(String.raw`^(?:as requested\b|in this (?:rewrite|rewritten version|version|paraphrase)\b)`) },
];

const CLOSING_RULES: readonly Rule[] = [
  {
    reason: 'meta_commentary',
    pattern: new RegExp(
      String.raw`^(?:i hope (?:this|that|it|these|the)\b|hope (?:this|that) helps\b|(?:please )?let me know\b|feel free to\b|is there anything else\b|do you want me\b|happy to help\b|` +
        String.raw`if you (?:have any (?:questions|other|further|more)|need (?:any|further|more|anything)|(?:would|'d) like (?:me|any|a|further|more)|want me)\b|would you like (?:me|any|a|further|more|to)\b)`,
    ),
  },
  { reason: 'meta_commentary', pattern: /^\(note\b/ },
  {
    reason: 'meta_commentary',
    pattern: new RegExp(
      String.raw`^note:\s*(?:i\b|i'|(?:this|the|my) (?:${REWRITTEN} )?(?:${ABOUT_THE_TEXT}|original|above)\b|in this (?:rewrite|version)\b|as requested\b)`,
    ),
  },
  {
    reason: 'meta_commentary',
    pattern: new RegExp(
      // "This simplified version keeps…", "The rewrite preserves…"; a bare "the revised version was" is content.
      String.raw`^(?:(?:this|my) (?:${REWRITTEN} (?:version|text|passage|summary|rewrite|paraphrase)|rewrite|paraphrase)|the (?:rewrite|paraphrase|(?:rewritten|rephrased|paraphrased|reworded) (?:version|text|passage))|the (?:text|version) above) ` +
        String.raw`(?:preserves|keeps|maintains|retains|removes|omits|simplifies|captures|conveys|uses|avoids|focuses|stays|is|has)\b`,
    ),
  },
  {
    reason: 'meta_commentary',
    pattern: new RegExp(
      String.raw`^i(?: have|'ve)? (?:kept|preserved|maintained|removed|omitted|retained|simplified|rewritten|rewrote|rephrased|changed|avoided|condensed) (?:all |every |the |most |some |any )?` +
        String.raw`(?:original|key|main|important|essential|source|text|passage|meaning|facts?|information|content|numbers|details|sentences|language|vocabulary|wording|tone|structure|citations|references)\b`,
    ),
  },
  {
    reason: 'meta_commentary',
    pattern: /^i(?: have|'ve)? (?:tried|aimed|attempted) to (?:keep|preserve|maintain|make|simplify|rewrite|rephrase|stay|capture|convey|retain)\b/,
  },
];

const ANYWHERE_RULES: readonly Rule[] = [
  { reason: 'refusal', pattern: /\bas an ai(?: language)? model\b|\bas a large language model\b|\bi(?:'m| am) an ai (?:language model|assistant)\b/ },
];

// Markdown and quoting that may wrap a preamble: "**Sure!**", "> Here is…", "# Rewritten text:".
const LEADING_DECORATION = /^[\s#>*_"'`•–—-]+/;
const SENTENCE_END = /[.!?]["')\]*_]*\s+(?=\S)/g;

export const preamble = {
  id: ID,
  tier: 0,
  appliesTo: () => true,
  parseOptions: (options) => preambleOptions.parse(options),
  evaluate(source, candidate, ctx): Verdict {
    const options = preambleOptions.parse(ctx.options);
    const enabled = (reason: Reason) =>
      reason === 'preamble' ? options.preamble : reason === 'meta_commentary' ? options.metaCommentary : options.refusal;
    const text = normalize(candidate);
    const lines = nonEmptyLines(text);
    const firstLine = lines[0];
    if (firstLine === undefined) return ok();

    // A phrase the source itself contains is content, not chatter: a letter that ends "Let me know if…", a dialogue
    // that opens "Sure!". Lower-casing the source is only needed when something matched, which is rare.
    let sourceText: string | undefined;
    const inSource = (phrase: string) => (sourceText ??= normalize(source)).includes(phrase);

    const find = (rules: readonly Rule[], candidates: readonly string[], where: Where): Verdict | undefined => {
      for (const rule of rules) {
        if (!enabled(rule.reason)) continue;
        for (const piece of candidates) {
          const match = rule.pattern.exec(piece);
          if (match === null) continue;
          const phrase = wholeWords(piece, match.index, match[0].length);
          if (!inSource(phrase)) return { evaluator: ID, pass: false, score: 0, reason: rule.reason, details: { phrase, where } };
        }
      }
      return undefined;
    };

    const lastLines = lines.slice(-2).map((line) => undecorate(line.slice(0, SCAN_CHARS)));
    const finalLine = lines[lines.length - 1]!;
    return (
      find(OPENING_RULES, [undecorate(firstLine.slice(0, SCAN_CHARS))], 'opening') ??
      find(CLOSING_RULES, [...lastLines, undecorate(lastSentence(finalLine.slice(-SCAN_CHARS)))], 'closing') ??
      find(ANYWHERE_RULES, [text], 'anywhere') ??
      ok()
    );
  },
} satisfies Evaluator;

function ok(): Verdict {
  return { evaluator: ID, pass: true, score: 1, reason: 'ok' };
}

function normalize(text: string): string {
  return text.toLowerCase().replace(/[‘’ʼ]/g, "'").replace(/[“”]/g, '"');
}

function undecorate(line: string): string {
  return line.replace(LEADING_DECORATION, '');
}

function nonEmptyLines(text: string): string[] {
  const lines: string[] = [];
  for (const line of text.split('\n')) if (line.trim() !== '') lines.push(line.trim());
  return lines;
}

/** The match extended to the end of its last word: patterns match stems ("rewrit"), people read words. */
function wholeWords(text: string, start: number, length: number): string {
  const rest = /^[\p{L}']*/u.exec(text.slice(start + length, start + length + 40))?.[0] ?? '';
  return (text.slice(start, start + length) + rest).trim();
}

function lastSentence(line: string): string {
  let start = 0;
  for (const match of line.matchAll(SENTENCE_END)) start = match.index + match[0].length;
  return line.slice(start);
}
