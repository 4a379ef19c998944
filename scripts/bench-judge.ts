// Judge throughput for `npm run bench` case 4, in a process of its own so it runs on one core: judges
// `--pairs` (source, candidate) pairs, the sources taken from a corpus and the candidates being the loopback
// server's faithful rewrite of them (made before the clock starts: writing them is the server's work).
// Prints one JSON line: {"pairs", "passed", "elapsedMs", "cpuMs", "evaluators"}; `cpuMs` is this process's CPU
// time over the same span, which other processes on a busy machine do not inflate as they do wall time.
//
//   node dist/scripts/bench-judge.js --corpus FILE --pairs N (--style ID | --all-tiers)

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { builtinEvaluators, defaultNearDuplicateIndex, resolveEvaluators } from '../evaluators/index.js';
import { judgeCandidate } from '../src/judge.js';
import { loadStyles } from '../src/prompts.js';
import { faithfulRewrite } from '../test/support/fake-server.js';
import type { EvaluatorRef, Style } from '../src/types.js';

const { values } = parseArgs({
  options: {
    corpus: { type: 'string' },
    pairs: { type: 'string', default: '10000' },
    style: { type: 'string', default: 'wiki' },
    'all-tiers': { type: 'boolean', default: false },
  },
});
if (!values.corpus) {
  process.stderr.write('usage: bench-judge --corpus FILE [--pairs N] [--style ID | --all-tiers]\n');
  process.exit(1);
}
const wanted = Number(values.pairs);

const named = loadStyles().get(values.style);
if (!named) throw new Error(`bench-judge: unknown style ${values.style}`);
// Every evaluator that needs no model (tiers 0–2), except the one that only applies to a required answer prefix.
const allTiers: EvaluatorRef[] = [...builtinEvaluators.values()]
  .filter((e) => e.tier <= 2 && e.id !== 'answer-prefix')
  .map((e) => ({ id: e.id, options: {} }));
const style: Style = values['all-tiers'] ? { ...named, evaluators: allTiers } : named;
const evaluators = resolveEvaluators(style.evaluators);
const usesNearDuplicates = evaluators.some((e) => e.evaluator.id === 'near-duplicate');

const pairs: Array<{ source: string; candidate: string }> = [];
for await (const line of createInterface({ input: createReadStream(values.corpus), crlfDelay: Infinity })) {
  if (pairs.length >= wanted) break;
  if (line.trim() === '') continue;
  const { text } = JSON.parse(line) as { text: string };
  pairs.push({ source: text, candidate: faithfulRewrite(text) });
}

let passed = 0;
const started = performance.now();
const cpuBefore = process.cpuUsage();
for (const [i, pair] of pairs.entries()) {
  const judgement = await judgeCandidate(pair.source, { text: pair.candidate, finishReason: 'stop' }, style, evaluators);
  if (!judgement.pass) continue;
  passed++;
  // As a run would: an accepted output joins the index later candidates are compared against.
  if (usesNearDuplicates) defaultNearDuplicateIndex.add(style.id, String(i), judgement.cleaned);
}
const elapsedMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(JSON.stringify({ pairs: pairs.length, passed, elapsedMs, cpuMs, evaluators: evaluators.map((e) => e.evaluator.id) }) + '\n');
