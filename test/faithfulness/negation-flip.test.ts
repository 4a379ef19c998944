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
    const source = 'The recall addresses a wiring fault that could result in a loss of power while driving.';
    const verdict = judge('The recall addresses a wiring fault that could not result in a loss of power.', {}, source);
    expect(verdict).toMatchObject({ pass: false, reason: 'negation_flip' });
    expect(kinds('The recall addresses a wiring fault that could not result in a loss of power.', source)).toContain('negation');
  });

  it('rejects a dropped negation', () => {
    const verdict = judge('The toll is charged on northbound trips across the bridge.');
    expect(verdict).toMatchObject({ pass: false, reason: 'negation_flip' });
  });

  it('rejects an opposite word in the same company', () => {
    const source = 'Anchor is a free and easy-to-use service for recording podcasts.';
    expect(judge('Anchor is a free but difficult-to-use service for recording podcasts.', {}, source)).toMatchObject({ pass: false });
    expect(kinds('Anchor is a free but difficult-to-use service for recording podcasts.', source)).toEqual(['antonym']);
    expect(judge('Anchor is a free and simple service for recording podcasts.', {}, source)).toMatchObject({ pass: true });
  });

  it('rejects another member of a closed set: a weekday for a weekday', () => {
    const source = 'His accomplice surrendered to police on Thursday, two days after the raid.';
    expect(kinds('His accomplice surrendered to police on Friday.', source)).toEqual(['contrast']);
  });

  it('rejects "only" where the source never restricts', () => {
    const source = 'The agent goes over health and life insurance plans with the client.';
    expect(kinds('The agent only goes over life insurance plans with the client.', source)).toEqual(['restriction']);
  });

  it('ignores cues that negate nothing', () => {
    const source = 'The client asked whether or not the deductibles are affordable.';
    expect(judge('The client asked about the deductibles.', {}, source)).toMatchObject({ pass: true });
  });

  it('passes a rewrite that drops a filler word between a negation and its word', () => {
    const source = 'Many think the toll pays for the bridge. However, this is not the case, since the toll was abolished in 1990.';
    expect(judge('Many think toll pays for bridge. However, this is not case, since toll was abolished in 1990.', {}, source)).toMatchObject({ pass: true });
    const idiom = 'Fights broke out in the rodas. And it wasn\'t just razor blades: many carried knives.';
    expect(judge('Fights broke out in rodas. And it wasn\'t razor blades: many carried knives.', {}, idiom)).toMatchObject({ pass: true });
    expect(judge('However, this is the case, since toll was abolished in 1990.', {}, source)).toMatchObject({ pass: false, reason: 'negation_flip' });
  });

  it('reads "found no proof", "did not find proof" and "unable to find proof" alike', () => {
    const source = 'Investigators were unable to find proof of poisoning in the schools.';
    expect(judge('Investigators found no proof of poisoning in the schools.', {}, source)).toMatchObject({ pass: true });
    expect(judge('Investigators found proof of poisoning in the schools.', {}, source)).toMatchObject({ pass: false, reason: 'negation_flip' });
  });

  it('rejects a negating prefix the source does not have', () => {
    const source = 'The agent offers coverage at competitive prices with flexible payment plans.';
    expect(kinds('The agent offers coverage at non-competitive prices with flexible payment plans.', source)).toEqual(['negation']);
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
    const source = 'Traders are selling shares. The Bank of Japan said it would conduct emergency bond buying to contain yields.';
    expect(kinds('The Bank of Japan said it would conduct emergency bond selling to contain yields.', source)).toEqual(['antonym']);
  });

  it('does not count opposites the rewrite keeps in their places, but does count opposites that swapped', () => {
    const source = 'French settlers worked as merchants and artisans in the late Colonial and early Federal periods.';
    expect(judge('French settlers worked as merchants, artisans in late Colonial, early Federal periods.', {}, source)).toMatchObject({ pass: true });
    expect(kinds('French settlers worked as merchants and artisans in the early Colonial and late Federal periods.', source)).toContain('antonym');
  });

  it('accepts "only" when the source restricts the same thing, not when it restricts something else', () => {
    const source = 'I just think podcasts are fun. The free Anchor app offers recording tools, but only on a phone.';
    expect(judge('The free Anchor app offers recording tools only on a phone.', {}, source)).toMatchObject({ pass: true });
    expect(kinds('The free Anchor app only offers recording tools.', 'I just think podcasts are fun. The free Anchor app offers editing and recording tools.')).toEqual(['restriction']);
  });

  it('can leave opposites out', () => {
    const source = 'Anchor is a free and easy-to-use service for recording podcasts.';
    expect(judge('Anchor is a free but difficult-to-use service for recording podcasts.', { antonyms: false }, source).pass).toBe(true);
  });
});
