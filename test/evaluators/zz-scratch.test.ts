import { it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolveEvaluators } from '../../evaluators/index.js';
import { judgeCandidate } from '../../src/judge.js';
import { makeStyle } from './fixtures.js';

const read = (p: string) => readFileSync(p, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
it('perf', async () => {
  const texts: string[] = [];
  for (const f of ['wikipedia', 'web', 'gutenberg']) for (const d of read(`/work/shared/corpus/${f}.jsonl`)) {
    for (let i = 0; i + 1800 < d.text.length; i += 1800) texts.push(d.text.slice(i, i + 1800));
  }
  console.log('chunks', texts.length);
  const style = makeStyle({ lengthRatio: { min: 0, max: 100 }, evaluators: ['empty-output','preamble','length-ratio','repetition','verbatim-copy','novel-numbers'].map(id => ({ id, options: id === 'novel-numbers' ? { allowed: [] } : {} })) });
  const evaluators = resolveEvaluators(style.evaluators);
  // Candidate: the chunk's words reversed in sentence order, so nothing is short-circuited on verbatim, and numbers are kept.
  const pairs = Array.from({ length: 10000 }, (_, i) => {
    const src = texts[i % texts.length]! + ` #${i}`; // distinct source strings, as in a real run
    const cand = src.split('. ').reverse().join('. ');
    return [src, cand] as const;
  });
  const per: Record<string, number> = {};
  for (const { evaluator, options } of evaluators) {
    const t0 = performance.now();
    for (const [s, c] of pairs) evaluator.evaluate(s, c, { style, finishReason: 'stop', options });
    per[evaluator.id] = Math.round(performance.now() - t0);
  }
  console.log(per);
  const t0 = performance.now();
  let passed = 0;
  for (const [s, c] of pairs) if ((await judgeCandidate(s, { text: c, finishReason: 'stop' }, style, evaluators)).pass) passed++;
  console.log('judge total ms', Math.round(performance.now() - t0), 'passed', passed);
});
