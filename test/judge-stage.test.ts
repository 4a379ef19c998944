// The judge stage judges in worker threads. What a user would notice if that broke: a candidate judged
// differently than on the engine's thread, a near-duplicate let through because the index lives elsewhere,
// an evaluator's error lost, or timings that no longer say where the judging happened.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { builtinEvaluators, defaultNearDuplicateIndex, resolveEvaluators } from '../evaluators/index.js';
import { JudgeStage } from '../src/judge-stage.js';
import { JudgeWorkers } from '../src/judge-workers.js';
import { loadStyles } from '../src/prompts.js';
import type { Style } from '../src/types.js';
import { faithfulRewrite } from './support/fake-server.js';

const CORPUS = fileURLToPath(new URL('../../shared/corpus/wikipedia.jsonl', import.meta.url));
const sources = readFileSync(CORPUS, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { text: string }).text)
  .slice(0, 16)
  .map((text) => text.slice(0, 1800));

/** Faithful rewrites and the ways a model breaks them: a changed number, an invented name, a flipped claim, another language. */
function candidatesFor(source: string): string[] {
  const rewrite = faithfulRewrite(source);
  return [
    rewrite,
    rewrite.replace(/\d/, (d) => String((Number(d) + 3) % 10)),
    `${rewrite} It was later described by Professor Hannah Whitcombe of Oxford University.`,
    rewrite.replace(/\b(is|was|are|were)\b/, '$1 not'),
    'Der Fluss fließt durch ein tiefes Tal, und die Burgen stehen auf den Hügeln über dem Wasser.',
    '',
  ];
}

const styles = loadStyles();
const planned = ['wiki', 'qa', 'distill', 'knowledge-list'].map((id) => {
  const style = styles.get(id)!;
  return { style, evaluators: resolveEvaluators(style.evaluators) };
});

describe('JudgeStage', () => {
  const inWorkers = new JudgeStage(planned, 1);
  const onThisThread = new JudgeStage(planned, 0);
  afterAll(async () => {
    await inWorkers.close();
    await onThisThread.close();
  });

  it('gives every candidate the same judgement in a worker thread as on the engine thread', async () => {
    let compared = 0;
    const reasons = new Set<string>();
    for (const { style } of planned) {
      for (const source of sources) {
        const candidates = candidatesFor(source).map((text) => ({ text, finishReason: 'stop' }));
        const [there, here] = await Promise.all([
          Promise.all(candidates.map((c) => inWorkers.judge(style, source, c))),
          Promise.all(candidates.map((c) => onThisThread.judge(style, source, c))),
        ]);
        expect(there).toEqual(here);
        compared += candidates.length;
        for (const judgement of here) judgement.reasons.forEach((r) => reasons.add(r));
      }
    }
    expect(compared).toBe(planned.length * sources.length * 6);
    // The comparison covered passes and several kinds of rejection, not one path.
    expect(reasons.size).toBeGreaterThanOrEqual(4);
    expect(inWorkers.timings.judgeWorkerMs).toBeGreaterThan(0);
    expect(onThisThread.timings).toMatchObject({ judgeWorkerMs: 0 });
    expect(onThisThread.timings.judgeMs).toBeGreaterThan(0);
  });

  it('rejects a near-duplicate of an accepted output after the workers passed it, on the thread that holds the index', async () => {
    expect(builtinEvaluators.get('near-duplicate')?.usesRunState).toBe(true);
    const style: Style = { ...styles.get('wiki')!, id: 'wiki-stage-test' };
    const stage = new JudgeStage([{ style, evaluators: resolveEvaluators(style.evaluators) }], 1);
    try {
      const source = sources[0]!;
      const rewrite = faithfulRewrite(source);
      const first = await stage.judge(style, source, { text: rewrite, finishReason: 'stop' });
      expect(first.pass).toBe(true);
      defaultNearDuplicateIndex.add(style.id, 'earlier', first.cleaned);
      const again = await stage.judge(style, source, { text: rewrite, finishReason: 'stop' });
      expect(again).toMatchObject({ pass: false, reasons: ['near_duplicate_output'] });
      // The pure evaluators' verdicts from the worker come first, the index's last.
      expect(again.verdicts.at(-1)?.evaluator).toBe('near-duplicate');
      expect(again.verdicts.map((v) => v.evaluator)).toContain('attribution');
    } finally {
      await stage.close();
    }
  });

  it('refuses a style it was not planned with', async () => {
    await expect(inWorkers.judge({ ...planned[0]!.style, id: 'nope' }, 'a', { text: 'b', finishReason: 'stop' })).rejects.toThrow(/not planned/);
  });
});

describe('JudgeWorkers', () => {
  it('passes an error raised in the worker back to the caller, and keeps judging afterwards', async () => {
    const wiki = styles.get('wiki')!;
    const workers = new JudgeWorkers([wiki], 1);
    try {
      await expect(workers.judge({ ...wiki, id: 'unknown' }, 'a', { text: 'b', finishReason: 'stop' })).rejects.toThrow(/no style "unknown"/);
      const source = sources[1]!;
      const judgement = await workers.judge(wiki, source, { text: faithfulRewrite(source), finishReason: 'stop' });
      expect(judgement.verdicts.length).toBeGreaterThan(3);
    } finally {
      await workers.close();
    }
    await expect(workers.judge(wiki, 'a', { text: 'b', finishReason: 'stop' })).rejects.toThrow(/closed/);
  });
});
