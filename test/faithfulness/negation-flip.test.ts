import { describe, expect, it } from 'vitest';
import { negationFlip } from '../../evaluators/negation-flip.js';
import { context, FAITHFUL, SOURCE, verdictOf } from './fixtures.js';

const judge = (candidate: string, options: Record<string, unknown> = {}, source = SOURCE) => verdictOf(negationFlip, source, candidate, context(options));
const kinds = (candidate: string, source = SOURCE) =>
  ((judge(candidate, {}, source).details as { flips: Array<{ kind: string }> }).flips ?? []).map((f) => f.kind);

describe('negation-flip evaluator', () => {
  it('passes a faithful paraphrase that keeps the source negation', () => {
    expect(judge(FAITHFUL)).toMatchObject({ pass: true, reason: 'ok' });
  });

  it('rejects a negation the source does not make', () => {
    const source = 'The update fixes a memory leak that could cause the player to freeze during long videos.';
    const candidate = 'The update fixes a memory leak that could not cause the player to freeze.';
    expect(judge(candidate, {}, source)).toMatchObject({ pass: false, reason: 'negation_flip' });
    expect(kinds(candidate, source)).toContain('negation');
  });

  it('rejects a dropped negation', () => {
    const verdict = judge('The toll is charged on northbound trips across the bridge.');
    expect(verdict).toMatchObject({ pass: false, reason: 'negation_flip' });
  });

  it('rejects an opposite word in the same company', () => {
    const source = 'Quillpad is a cheap, easy-to-use program for drawing comics.';
    expect(judge('Quillpad is a cheap but difficult-to-use program for drawing comics.', {}, source)).toMatchObject({ pass: false });
    expect(kinds('Quillpad is a cheap but difficult-to-use program for drawing comics.', source)).toEqual(['antonym']);
    expect(judge('Quillpad is a cheap and simple program for drawing comics.', {}, source)).toMatchObject({ pass: true });
  });

  it('rejects another member of a closed set: a weekday for a weekday', () => {
    const source = 'The missing climber was found by rescuers on Thursday, two days after the storm.';
    expect(kinds('The missing climber was found by rescuers on Friday.', source)).toEqual(['contrast']);
  });

  it('rejects "only" where the source never restricts', () => {
    const source = 'The tutor goes over algebra and geometry exercises with the pupil.';
    expect(kinds('The tutor only goes over geometry exercises with the pupil.', source)).toEqual(['restriction']);
  });

  it('ignores cues that negate nothing', () => {
    const source = 'The tenant asked whether or not the repairs are included.';
    expect(judge('The tenant asked about the repairs.', {}, source)).toMatchObject({ pass: true });
  });

  it('passes a rewrite that drops a filler word between a negation and its word', () => {
    const source = 'Many think the toll pays for the bridge. However, this is not the case, since the toll was abolished in 1990.';
    expect(judge('Many think toll pays for bridge. However, this is not case, since toll was abolished in 1990.', {}, source)).toMatchObject({ pass: true });
    const idiom = 'Fights broke out in the rodas. And it wasn\'t just razor blades: many carried knives.';
    expect(judge('Fights broke out in rodas. And it wasn\'t razor blades: many carried knives.', {}, idiom)).toMatchObject({ pass: true });
    expect(judge('However, this is the case, since toll was abolished in 1990.', {}, source)).toMatchObject({ pass: false, reason: 'negation_flip' });
  });

  it('reads "found no proof", "did not find proof" and "unable to find proof" alike', () => {
    const source = 'Engineers were unable to find proof of cracks in the tunnel lining.';
    expect(judge('Engineers found no proof of cracks in the tunnel lining.', {}, source)).toMatchObject({ pass: true });
    expect(judge('Engineers found proof of cracks in the tunnel lining.', {}, source)).toMatchObject({ pass: false, reason: 'negation_flip' });
  });

  it('rejects a negating prefix the source does not have', () => {
    const source = 'The studio rents rehearsal rooms at competitive rates to local bands.';
    expect(kinds('The studio rents rehearsal rooms at non-competitive rates to local bands.', source)).toEqual(['negation']);
  });

  it('takes a negated word for its opposite, and a prefix for a negation', () => {
    const pairs = [
      ['The clerk was unable to attend the hearing in the city.', 'The clerk was not able to attend the hearing in the city.'],
      ['The nonprofit organisation runs three shelters in the city.', 'The non-profit organisation runs three shelters in the city.'],
      ['Installing the app on a phone is not easy for most users.', 'Installing the app on a phone is difficult for most users.'],
      ['Installing the app on a phone is difficult for most users.', 'Installing the app on a phone is not easy for most users.'],
    ];
    for (const [source, candidate] of pairs) expect(judge(candidate!, {}, source)).toMatchObject({ pass: true });
  });

  it('rejects an opposite that fits the company better than the word itself does elsewhere', () => {
    const source = 'Dealers are selling seed. The co-operative said it would begin urgent seed buying to support growers.';
    expect(kinds('The co-operative said it would begin urgent seed selling to support growers.', source)).toEqual(['antonym']);
  });

  it('does not count opposites the rewrite keeps in their places, but does count opposites that swapped', () => {
    const source = 'French settlers worked as merchants and artisans in the late Colonial and early Federal periods.';
    expect(judge('French settlers worked as merchants, artisans in late Colonial, early Federal periods.', {}, source)).toMatchObject({ pass: true });
    expect(kinds('French settlers worked as merchants and artisans in the early Colonial and late Federal periods.', source)).toContain('antonym');
  });

  it('accepts "only" when the source restricts the same thing, not when it restricts something else', () => {
    const source = 'I just think gardening is relaxing. The free Sprout app sends planting reminders, but only on a tablet.';
    expect(judge('The free Sprout app sends planting reminders only on a tablet.', {}, source)).toMatchObject({ pass: true });
    expect(kinds('The free Sprout app only sends planting reminders.', 'I just think gardening is relaxing. The free Sprout app sends watering and planting reminders.')).toEqual(['restriction']);
  });

  it('can leave opposites out', () => {
    const source = 'Quillpad is a cheap, easy-to-use program for drawing comics.';
    expect(judge('Quillpad is a cheap but difficult-to-use program for drawing comics.', { antonyms: false }, source).pass).toBe(true);
  });
});
