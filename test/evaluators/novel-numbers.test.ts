import { describe, expect, it } from 'vitest';
import { novelNumbers } from '../../evaluators/novel-numbers.js';
import { EvaluatorOptionsError } from '../../src/evaluator-options.js';
import { makeContext, paragraphsOf, wikipediaText } from './fixtures.js';

const judge = (source: string, output: string, options: Record<string, unknown> = {}) =>
  novelNumbers.evaluate(source, output, makeContext(options));

const SUPER_BOWL = paragraphsOf(wikipediaText('xquad-en-00'))[0]!;
const SUPER_BOWL_REWRITE =
  "Carolina's defence allowed only 308 points, sixth-best in the league, and led the NFL with 24 interceptions; four " +
  'of its players were chosen for the Pro Bowl. Defensive tackle Kawann Short topped the team with 11 sacks and also ' +
  'forced 3 fumbles and recovered two. Lineman Mario Addison contributed 6.5 sacks. Veteran defensive end Jared Allen, a ' +
  "five-time Pro Bowler, was the league's active leader in career sacks with 136, and Kony Ealy had five sacks in only " +
  'nine starts. Two of the three starting linebackers, Thomas Davis and Luke Kuechly, also made the Pro Bowl. Davis ' +
  'recorded 5½ sacks, 4 forced fumbles and four interceptions, while Kuechly led the team with 118 tackles. Safety Kurt ' +
  'Coleman had a career-high 7 interceptions and 88 tackles, and cornerback Josh Norman had four interceptions, two of ' +
  'them returned for touchdowns.';

describe('novel-numbers', () => {
  it('passes a faithful rewrite that writes the same numbers differently', () => {
    const verdict = judge(SUPER_BOWL, SUPER_BOWL_REWRITE);
    expect(verdict).toMatchObject({ evaluator: 'novel-numbers', pass: true, reason: 'ok', score: 1 });
    expect(verdict.details?.numbers).toBeGreaterThan(15);
  });

  it('rejects a rewrite that changes a number, listing it', () => {
    const verdict = judge(SUPER_BOWL, SUPER_BOWL_REWRITE.replace('308 points', '380 points'));
    expect(verdict).toMatchObject({ pass: false, reason: 'novel_number', details: { novel: ['380'] } });
    expect(verdict.score).toBeGreaterThan(0.9);
  });

  it('rejects an added year and an added spelled-out number', () => {
    const output = `${SUPER_BOWL_REWRITE} The defence was rebuilt in 2011 under seventeen new coaches.`;
    expect(judge(SUPER_BOWL, output)).toMatchObject({ pass: false, details: { novel: ['2011', 'seventeen'] } });
  });

  it('scores by the share of numbers that are novel', () => {
    expect(judge('The bridge is 1,230 metres long.', 'The bridge, built in 1932, is 1,320 metres long.')).toMatchObject({
      pass: false,
      score: 0,
      details: { novel: ['1932', '1,320'], numbers: 2 },
    });
  });

  it.each([
    ['grouping', 'It cost 1,000 dollars.', 'It cost 1000 dollars, or 1 000.'],
    ['no-break space grouping', 'About 1\u202F000 000 people came.', 'About 1,000,000 people came.'],
    ['percent', 'Turnout rose 5 %.', 'Turnout rose by 5 percent, to 5%.'],
    ['trailing zeros', 'The pH was 3.0.', 'The pH was 3.'],
    ['ordinals', 'She came 3rd.', 'She finished third, in 3rd place.'],
    ['words to digits', 'He had three sons and twenty-five grandchildren.', 'He had 3 sons and 25 grandchildren.'],
    ['digits to words', 'He had 3 sons, 40 cows and 25 grandchildren.', 'He had three sons, forty cows and twenty-five grandchildren.'],
    ['scale words', 'The city has 3 million people and a budget of 2.5 billion.', 'The city has 3,000,000 people and a budget of 2,500,000,000.'],
    ['spelled scale', 'It sold one hundred and five thousand copies.', 'It sold 105,000 copies.'],
    ['German thousands', 'Die Stadt hat 3.000 Einwohner.', 'The town has 3,000 inhabitants.'],
    ['decimal comma', 'Es wuchs um 3,5 Prozent.', 'It grew by 3.5 percent.'],
    ['fractions', 'He added 6½ sacks.', 'He added 6.5 sacks, six and a half in all.'],
    ['abbreviated range', 'He reigned 1990–95.', 'He reigned from 1990 to 1995.'],
    ['half', 'Half of the members voted.', 'Fifty percent, or 50%, of the members voted.'],
    ['non-ASCII digits', 'وقعت في عام ١٩٧٨', 'It happened in 1978.'],
    ['punctuation', 'Scores: (23–16), 20–18.', 'The scores were 23-16 and 20-18.'],
    ['spelled scale both ways', 'Three million people live there.', 'There are 3 million residents, 3,000,000 in all.'],
    ['spelled ordinals', 'It was built in the 21st century.', 'It dates from the twenty-first century.'],
    ['decades', 'The 1990s were calm.', 'It was calm in the 1990s.'],
    ['abbreviated scales', 'The harvest could cost 5 mln euros; the reserve holds 2 bln.', 'The harvest may cost 5 million euros; the reserve holds 2 billion.'],
    ['finance scales', 'Revenue was $5.1bn and costs $300m, with a $20k bonus.', 'Revenue was 5.1 billion dollars and costs 300 million, with a 20,000 bonus.'],
  ])('treats %s as the same number', (_kind, source, output) => {
    expect(judge(source, output)).toMatchObject({ pass: true });
  });

  it('reads a bare "m" or "k" as a scale only after a currency sign', () => {
    expect(judge('The wreck lies 5m deep.', 'The wreck lies 5 million deep.')).toMatchObject({ pass: false });
    expect(judge('The wreck lies 5m deep.', 'The wreck lies 5 metres deep.')).toMatchObject({ pass: true });
  });

  it('rejects a scale word the source never applied', () => {
    expect(judge('The club has 3 members.', 'The club has 3 million members.')).toMatchObject({ pass: false, details: { novel: ['3 million'] } });
  });

  it('does not read "one", "first" and "second" alone as numbers in a rewrite', () => {
    expect(judge('Nobody knew the answer.', 'No one knew the answer at first; one of them guessed a second time.').pass).toBe(true);
  });

  it('ignores list numbering unless told not to', () => {
    const list = '1. The Rhine flows through the gorge.\n2. The gorge has 40 castles.\n  3) It is a heritage site.';
    const source = 'The Rhine gorge has more than 40 castles and is a heritage site.';
    expect(judge(source, list).pass).toBe(true);
    expect(judge(source, list, { ignoreListMarkers: false })).toMatchObject({ pass: false, details: { novel: ['1', '2', '3'] } });
  });

  it('accepts numbers listed as allowed', () => {
    expect(judge('The war ended.', 'The war ended in 1945, after 6 years.', { allowed: [1945, '6.0'] }).pass).toBe(true);
  });

  it('passes an output with no numbers at all', () => {
    expect(judge(SUPER_BOWL, 'The Panthers had a strong defence.')).toMatchObject({ pass: true, details: { numbers: 0 } });
  });

  it('rejects bad options, naming the evaluator and the option', () => {
    expect(() => judge('a', 'b', { allowed: ['six'] })).toThrow(/evaluator "novel-numbers", option "allowed.0"/);
    expect(() => judge('a', 'b', { ignoreListMarkers: 'no' })).toThrow(EvaluatorOptionsError);
    expect(() => judge('a', 'b', { ignoreYears: true })).toThrow(/option "ignoreYears": unknown option/);
  });
});
