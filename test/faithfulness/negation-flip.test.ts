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

  it('can leave opposites out', () => {
    const source = 'Anchor is a free and easy-to-use service for recording podcasts.';
    expect(judge('Anchor is a free but difficult-to-use service for recording podcasts.', { antonyms: false }, source).pass).toBe(true);
  });
});
