// Calibration of the faithfulness judge on the labelled pairs in ../shared/judge-dev/ (read in place, never
// copied into the repository). For each set: balanced accuracy of a preset (default `claims`) on all pairs,
// on a tuning half and a held-out half, and the same for each evaluator judging alone; then the preset by
// domain (SummEdits' source kinds, XSumFaith's summarising systems). The halves split by source document
// (see calibration-split.ts).
//
//   npm run calibrate [-- --preset claims] [-- --dir ../shared/judge-dev] [-- --json]
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { Command } from 'commander';
import { resolveEvaluators } from '../evaluators/index.js';
import { emptyConfusion, percent, rejectionMetrics, tally, type Confusion } from '../src/judge-metrics.js';
import { DEFAULT_FIELDS, judgePair, pairSchema, parsePairLine, type Pair } from '../src/judge-pairs.js';
import { packageRoot } from '../src/package-root.js';
import { adHocStyle, presetEvaluators } from '../src/presets.js';
import { domainOf, heldOut } from './calibration-split.js';

interface Halves {
  all: Confusion;
  tuning: Confusion;
  heldOut: Confusion;
}

const halves = (): Halves => ({ all: emptyConfusion(), tuning: emptyConfusion(), heldOut: emptyConfusion() });

function record(h: Halves, held: boolean, label: 0 | 1, rejected: boolean): void {
  tally(h.all, label, rejected);
  tally(held ? h.heldOut : h.tuning, label, rejected);
}

function readPairs(path: string): Pair[] {
  const schema = pairSchema(DEFAULT_FIELDS);
  const pairs: Pair[] = [];
  readFileSync(path, 'utf8').split('\n').forEach((text, i) => {
    const parsed = parsePairLine(text, i + 1, schema, DEFAULT_FIELDS);
    if (parsed === null) return;
    if (!parsed.ok) throw new Error(`${path}:${i + 1}: ${parsed.error}`);
    if (parsed.pair.label === undefined) throw new Error(`${path}:${i + 1}: no label`);
    pairs.push(parsed.pair);
  });
  return pairs;
}

function row(name: string, h: Halves): string {
  const all = rejectionMetrics(h.all);
  const cells = [h.all, h.tuning, h.heldOut].map((c, i) => percent(rejectionMetrics(c).balancedAccuracy).padStart(i === 0 ? 8 : 9));
  return `  ${name.padEnd(18)}${cells.join('')} ${percent(all.precision).padStart(10)} ${percent(all.recall).padStart(8)}`;
}

async function main(): Promise<void> {
  const opts = new Command('calibrate')
    .option('--preset <name>', 'preset to calibrate', 'claims')
    .option('--dir <path>', 'directory of labelled JSONL sets (default: ../shared/judge-dev beside the repository)')
    .option('--json', 'print one JSON object instead of tables')
    .parse(process.argv)
    .opts<{ preset: string; dir?: string; json?: boolean }>();
  const dir = resolve(opts.dir ?? join(packageRoot(), '..', 'shared', 'judge-dev'));
  const files = readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort();
  if (files.length === 0) throw new Error(`no .jsonl sets in ${dir}`);
  const refs = presetEvaluators(opts.preset);
  const resolved = resolveEvaluators(refs);
  const style = adHocStyle(opts.preset, refs);
  const report: Record<string, unknown> = {};
  for (const file of files) {
    const pairs = readPairs(join(dir, file));
    const overall = halves();
    const byDomain = new Map<string, Halves>();
    const alone = new Map(resolved.map((r) => [r.evaluator.id, { single: [r], h: halves() }]));
    for (const [index, pair] of pairs.entries()) {
      const label = pair.label as 0 | 1;
      const held = heldOut(pair.source);
      const rejected = !(await judgePair(pair, style, resolved)).pass;
      record(overall, held, label, rejected);
      const domain = domainOf(pair.id);
      if (!byDomain.has(domain)) byDomain.set(domain, halves());
      record(byDomain.get(domain) as Halves, held, label, rejected);
      for (const { single, h } of alone.values()) record(h, held, label, !(await judgePair(pair, style, single)).pass);
    }
    // The preset alone (it stops at the first failing evaluator), as a run judges: the best of three more
    // passes, so that compiling the code and loading the sentence segmenter's data do not count. CPU time:
    // on a shared machine, wall time measures the neighbours.
    let msPerPair = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const started = process.cpuUsage();
      for (const pair of pairs) await judgePair(pair, style, resolved);
      const cpu = process.cpuUsage(started);
      msPerPair = Math.min(msPerPair, (cpu.user + cpu.system) / 1000 / Math.max(1, pairs.length));
    }
    const set = basename(file, '.jsonl');
    const summary = (h: Halves) => ({ all: rejectionMetrics(h.all), tuning: rejectionMetrics(h.tuning), heldOut: rejectionMetrics(h.heldOut) });
    report[set] = {
      pairs: pairs.length,
      preset: summary(overall),
      byEvaluator: Object.fromEntries([...alone].map(([id, { h }]) => [id, summary(h)])),
      byDomain: Object.fromEntries([...byDomain].map(([domain, h]) => [domain, summary(h)])),
      cpuMsPerPair: Math.round(msPerPair * 1000) / 1000,
    };
    if (!opts.json) {
      process.stdout.write(`${set} (${pairs.length} pairs)\n`);
      process.stdout.write(`  ${'balanced acc.'.padEnd(18)}${'all'.padStart(8)}${'tuning'.padStart(9)}${'held-out'.padStart(9)} ${'precision'.padStart(10)} ${'recall'.padStart(8)}\n`);
      process.stdout.write(`${row(`${opts.preset} preset`, overall)}\n`);
      for (const [id, { h }] of alone) process.stdout.write(`${row(id, h)}\n`);
      if (byDomain.size > 1) {
        process.stdout.write(`  ${opts.preset} preset by domain (pairs)\n`);
        for (const [domain, h] of [...byDomain].sort(([a], [b]) => a.localeCompare(b))) {
          const n = h.all.truePositives + h.all.falsePositives + h.all.trueNegatives + h.all.falseNegatives;
          process.stdout.write(`${row(`  ${domain} (${n})`, h)}\n`);
        }
      }
      process.stdout.write(`  judged in ${msPerPair.toFixed(2)} ms per pair (${opts.preset} preset, CPU time on this machine)\n\n`);
    }
  }
  if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`calibrate: ${(error as Error).message}\n`);
  process.exitCode = 1;
});
