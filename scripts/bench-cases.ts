// The cases of `npm run bench` (issue 6) that measure reword's own cost: against the minimal client (1, 4's
// share, 5), its memory (3) and the judge alone (4). Each runs reword's real CLI, the minimal client, the judge
// loop and the loopback servers as separate processes, repeats what is noisy, and turns medians into ratios
// measured in the same run: no figure compares against an absolute time.

import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { writeCorpus } from './bench-corpus.js';
import { runNodeOk, startServer, type ChildResult } from './bench-process.js';
import { writeRequests } from './bench-requests.js';
import {
  CASE1_WORDS, CHUNK_TOKENS, CONCURRENCY, log, mb, median, MODEL, PAIR_WORDS, rewordRun, rotation, round, row, seconds, SHORT_WORDS, STYLE, writeUnjudgedStyle,
  type BenchPaths, type BenchSizes, type CaseRow,
} from './bench-support.js';

/** Ledger bytes per accepted output beyond the texts stored in it (chunks, candidates raw and cleaned, outputs). */
function ledgerOverheadPerOutput(ledger: string): { overhead: number; total: number } {
  const fileBytes = ['', '-wal'].reduce((sum, suffix) => sum + (existsSync(ledger + suffix) ? statSync(ledger + suffix).size : 0), 0);
  const db = new Database(ledger, { readonly: true });
  try {
    const bytes = (sql: string): number => (db.prepare(sql).pluck().get() as number | null) ?? 0;
    const textBytes =
      bytes('SELECT SUM(length(CAST(text AS BLOB))) FROM chunks') +
      bytes('SELECT SUM(length(CAST(text AS BLOB)) + length(CAST(cleaned AS BLOB))) FROM candidates') +
      bytes('SELECT SUM(length(CAST(text AS BLOB))) FROM outputs');
    const outputs = bytes('SELECT COUNT(*) FROM outputs');
    return { overhead: (fileBytes - textBytes) / Math.max(1, outputs), total: fileBytes / Math.max(1, outputs) };
  } finally {
    db.close();
  }
}

/** Cases 1, 4 (share) and 5: reword against the minimal client at zero latency, on the same server. */
export async function caseOverhead(
  paths: BenchPaths,
  sizes: BenchSizes,
): Promise<{ rows: CaseRow[]; judgeShare: number; judgeWorkerShare: number; ledgerShare: number }> {
  const { documents, reps } = sizes.case1;
  const corpus = join(paths.tmp, 'case1.jsonl');
  const requests = join(paths.tmp, 'case1-requests.jsonl');
  writeCorpus(corpus, { documents, words: CASE1_WORDS, seed: 1 });
  const requestCount = await writeRequests(corpus, requests, { style: STYLE, model: MODEL, chunkTokens: CHUNK_TOKENS });
  log(`case 1: ${documents} documents, ${requestCount} requests, ${reps} repetitions of each side`);
  const server = await startServer(join(paths.scripts, 'fake-server.js'), ['--latency-ms', '0']);
  const ledger = join(paths.tmp, 'case1.sqlite');
  const unjudgedStyles = writeUnjudgedStyle(join(paths.tmp, 'unjudged-styles'));
  const ratios: number[] = [];
  const unjudgedRatios: number[] = [];
  const rewordRates: number[] = [];
  const clientRates: number[] = [];
  const judgeShares: number[] = [];
  const judgeWorkerShares: number[] = [];
  const ledgerShares: number[] = [];
  const chunkShares: number[] = [];
  let peakRss = 0;
  try {
    for (let rep = 0; rep < reps; rep++) {
      let rewordRate = 0;
      let clientRate = 0;
      let unjudgedRate = 0;
      for (const side of rotation(['reword', 'client', 'unjudged'] as const, rep)) {
        if (side === 'unjudged') {
          const { child, summary } = await rewordRun(paths, corpus, server.url, join(paths.tmp, 'case1-unjudged.sqlite'), ['--concurrency', String(CONCURRENCY), '--prompts', unjudgedStyles]);
          unjudgedRate = summary.requests / (child.wallMs / 1000);
          log(`case 1: rep ${rep + 1} reword without evaluators ${seconds(child.wallMs)}, ${unjudgedRate.toFixed(0)} requests/s`);
        } else if (side === 'reword') {
          const { child, summary } = await rewordRun(paths, corpus, server.url, ledger, ['--concurrency', String(CONCURRENCY)]);
          if (summary.requests !== requestCount || summary.accepted !== requestCount) {
            log(`case 1: reword sent ${summary.requests} requests and accepted ${summary.accepted}; the client sends ${requestCount}`);
          }
          rewordRate = summary.requests / (child.wallMs / 1000);
          judgeShares.push(summary.timings.judgeMs / summary.elapsedMs);
          judgeWorkerShares.push((summary.timings.judgeWorkerMs ?? 0) / summary.elapsedMs);
          ledgerShares.push(summary.timings.ledgerMs / summary.elapsedMs);
          chunkShares.push(summary.timings.chunkMs / summary.elapsedMs);
          peakRss = Math.max(peakRss, child.peakRssBytes);
          log(`case 1: rep ${rep + 1} reword ${seconds(child.wallMs)}, ${rewordRate.toFixed(0)} requests/s`);
        } else {
          const child = await runNodeOk(join(paths.scripts, 'bench-client.js'), ['--requests', requests, '--base-url', server.url, '--concurrency', String(CONCURRENCY)]);
          const out = JSON.parse(child.stdout) as { requests: number; failures: number };
          if (out.failures > 0) log(`case 1: the minimal client saw ${out.failures} failed requests`);
          clientRate = out.requests / (child.wallMs / 1000);
          log(`case 1: rep ${rep + 1} client ${seconds(child.wallMs)}, ${clientRate.toFixed(0)} requests/s`);
        }
      }
      rewordRates.push(rewordRate);
      clientRates.push(clientRate);
      ratios.push(rewordRate / clientRate);
      unjudgedRatios.push(unjudgedRate / clientRate);
    }
  } finally {
    await server.stop();
  }
  const { overhead, total } = ledgerOverheadPerOutput(ledger);
  const judgeShare = median(judgeShares);
  const ledgerShare = median(ledgerShares);
  return {
    judgeShare,
    judgeWorkerShare: median(judgeWorkerShares),
    ledgerShare,
    rows: [
      row(1, 'reword / minimal client, requests per second', round(median(ratios), 3), { atLeast: 0.8 }),
      row(1, 'reword, requests per second', round(median(rewordRates), 0)),
      row(1, 'minimal client, requests per second', round(median(clientRates), 0)),
      // The same run with the style's evaluators taken away: what the engine costs apart from the judge.
      row(1, 'reword without evaluators / minimal client', round(median(unjudgedRatios), 3)),
      row(1, 'chunking share of reword wall time', round(median(chunkShares), 3)),
      row(1, `reword peak RSS, MB (${documents} documents)`, mb(peakRss)),
      row(5, 'ledger writes share of wall time in case 1', round(ledgerShare, 3), { atMost: 0.1 }),
      row(5, 'ledger bytes per accepted output beyond its texts', Math.round(overhead)),
      row(5, 'ledger bytes per accepted output, all in', Math.round(total)),
    ],
  };
}

/** Case 3: peak resident memory of `plan` and `run` at two scales ten times apart (medians of `reps` runs each). */
export async function caseMemory(paths: BenchPaths, sizes: BenchSizes): Promise<CaseRow[]> {
  const { bigDocuments, smallDocuments, runDocuments, runSmallDocuments, reps } = sizes.case3;
  // The same seed makes each smaller file a prefix of the big one.
  const files = new Map<number, string>();
  for (const documents of new Set([bigDocuments, smallDocuments, runDocuments, runSmallDocuments])) {
    const path = join(paths.tmp, `case3-${documents}.jsonl`);
    const started = performance.now();
    const bytes = writeCorpus(path, { documents, words: SHORT_WORDS, seed: 3 });
    log(`case 3: wrote ${documents} documents (${mb(bytes)} MB) in ${seconds(performance.now() - started)}`);
    files.set(documents, path);
  }
  const plan = async (documents: number): Promise<ChildResult> => {
    const child = await runNodeOk(paths.cli, ['plan', '--input', files.get(documents) as string, '--style', STYLE, '--model', MODEL, '--ledger', join(paths.tmp, 'absent.sqlite'), '--json']);
    log(`case 3: plan over ${documents} documents: ${seconds(child.wallMs)}, peak RSS ${mb(child.peakRssBytes)} MB`);
    return child;
  };
  // A peak is one sample of how the heap happened to grow: a short run may stop before the level a long one
  // settles at, so each size runs `reps` times (alternating which goes first) and the medians are compared.
  const planPeaks = { big: [] as number[], small: [] as number[] };
  const planBigMs: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    for (const size of rotation(['big', 'small'] as const, rep)) {
      const child = await plan(size === 'big' ? bigDocuments : smallDocuments);
      planPeaks[size].push(child.peakRssBytes);
      if (size === 'big') planBigMs.push(child.wallMs);
    }
  }
  const server = await startServer(join(paths.scripts, 'fake-server.js'), ['--latency-ms', '0']);
  const runPeaks = { big: [] as number[], small: [] as number[] };
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const size of rotation(['big', 'small'] as const, rep)) {
        const documents = size === 'big' ? runDocuments : runSmallDocuments;
        const { child, summary } = await rewordRun(paths, files.get(documents) as string, server.url, join(paths.tmp, `case3-${documents}.sqlite`));
        log(`case 3: run over ${documents} documents: ${seconds(child.wallMs)} (${summary.accepted} accepted), peak RSS ${mb(child.peakRssBytes)} MB`);
        runPeaks[size].push(child.peakRssBytes);
      }
    }
  } finally {
    await server.stop();
  }
  const count = (n: number): string => n.toLocaleString('en-US');
  const [planBig, planSmall, runBig, runSmall] = [planPeaks.big, planPeaks.small, runPeaks.big, runPeaks.small].map(median) as [number, number, number, number];
  return [
    row(3, `plan peak RSS, MB (${count(bigDocuments)} documents)`, mb(planBig), { atMost: 300 }),
    row(3, `plan peak RSS ${count(bigDocuments)} / ${count(smallDocuments)} documents`, round(planBig / planSmall, 2), { atMost: 1.2 }),
    row(3, `run peak RSS, MB (${count(runDocuments)} documents)`, mb(runBig), { atMost: 300 }),
    row(3, `run peak RSS ${count(runDocuments)} / ${count(runSmallDocuments)} documents`, round(runBig / runSmall, 2), { atMost: 1.2 }),
    row(3, `plan documents per second (${count(bigDocuments)})`, Math.round(bigDocuments / (median(planBigMs) / 1000))),
  ];
}

/** Case 4: judge throughput on one core, with the evaluators of the style case 1 runs. */
export async function caseJudge(
  paths: BenchPaths,
  sizes: BenchSizes,
  shares: { judgeShare: number; judgeWorkerShare: number } | undefined,
): Promise<CaseRow[]> {
  const { pairs, reps } = sizes.case4;
  const corpus = join(paths.tmp, 'case4.jsonl');
  writeCorpus(corpus, { documents: pairs, words: PAIR_WORDS, seed: 4 });
  const rate = async (extra: string[]): Promise<number> => {
    const rates: number[] = [];
    for (let rep = 0; rep < reps; rep++) {
      const child = await runNodeOk(join(paths.scripts, 'bench-judge.js'), ['--corpus', corpus, '--pairs', String(pairs), ...extra]);
      const out = JSON.parse(child.stdout) as { pairs: number; passed: number; elapsedMs: number; cpuMs: number; evaluators: string[] };
      // Per second of CPU time: "on one core", whatever else the machine is running.
      rates.push(out.pairs / (out.cpuMs / 1000));
      log(`case 4: ${out.evaluators.join(',')}: ${out.passed}/${out.pairs} passed, ${(out.pairs / (out.cpuMs / 1000)).toFixed(0)} pairs per CPU second (${(out.pairs / (out.elapsedMs / 1000)).toFixed(0)} per wall second)`);
    }
    return median(rates);
  };
  const styleRate = await rate(['--style', STYLE]);
  return [
    row(4, `judge pairs per CPU second (${STYLE}: every tier 0–2 evaluator)`, Math.round(styleRate)),
    row(4, 'judge share of wall time in case 1 (on the engine thread)', shares === undefined ? null : round(shares.judgeShare, 3), { atMost: 0.1 }),
    // Beside the engine's thread, on the other cores: it bounds the run only when the workers cannot keep up.
    row(4, 'judge worker time / wall time in case 1 (beside it)', shares === undefined ? null : round(shares.judgeWorkerShare, 3)),
  ];
}
