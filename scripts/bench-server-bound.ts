// The cases of `npm run bench` (issue 6) whose limit is the server, not reword: a slow server (2) and a server
// that enforces rate limits (6). Each asks how close reword comes to the limit the server sets.

import { join } from 'node:path';
import { writeCorpus } from './bench-corpus.js';
import { runNodeOk, startServer } from './bench-process.js';
import { writeRequests } from './bench-requests.js';
import { CHUNK_TOKENS, log, median, MODEL, rewordRun, rotation, round, row, seconds, SHORT_WORDS, STYLE, type BenchPaths, type BenchSizes, type CaseRow } from './bench-support.js';

/**
 * Case 2: with 250 ms of server latency, how close 64 requests in flight come to 64 / 0.25 s; beside it, the
 * minimal client sending the same requests at the same concurrency to the same server, which shows how close this
 * machine lets any client come.
 */
export async function caseLatencyBound(paths: BenchPaths, sizes: BenchSizes): Promise<CaseRow[]> {
  const { tasks, reps } = sizes.case2;
  const latencyMs = 250;
  const concurrency = 64;
  const ideal = concurrency / (latencyMs / 1000);
  const corpus = join(paths.tmp, 'case2.jsonl');
  const requests = join(paths.tmp, 'case2-requests.jsonl');
  writeCorpus(corpus, { documents: tasks, words: SHORT_WORDS, seed: 2 });
  await writeRequests(corpus, requests, { style: STYLE, model: MODEL, chunkTokens: CHUNK_TOKENS });
  const server = await startServer(join(paths.scripts, 'fake-server.js'), ['--latency-ms', String(latencyMs)]);
  const efficiencies: number[] = [];
  const clientEfficiencies: number[] = [];
  try {
    for (let rep = 0; rep < reps; rep++) {
      for (const side of rotation(['reword', 'client'] as const, rep)) {
        if (side === 'reword') {
          const { summary } = await rewordRun(paths, corpus, server.url, join(paths.tmp, 'case2.sqlite'), ['--concurrency', String(concurrency)]);
          // The engine's own clock: from the first document read to the last commit, without process start-up.
          const rate = summary.requests / (summary.elapsedMs / 1000);
          efficiencies.push(rate / ideal);
          log(`case 2: rep ${rep + 1}: reword ${summary.requests} requests in ${seconds(summary.elapsedMs)}, ${rate.toFixed(1)} requests/s`);
        } else {
          const child = await runNodeOk(join(paths.scripts, 'bench-client.js'), ['--requests', requests, '--base-url', server.url, '--concurrency', String(concurrency)]);
          // The client's clock runs from its first request to its last answer.
          const out = JSON.parse(child.stdout) as { requests: number; elapsedMs: number };
          const rate = out.requests / (out.elapsedMs / 1000);
          clientEfficiencies.push(rate / ideal);
          log(`case 2: rep ${rep + 1}: client ${out.requests} requests in ${seconds(out.elapsedMs)}, ${rate.toFixed(1)} requests/s`);
        }
      }
    }
  } finally {
    await server.stop();
  }
  return [
    row(2, 'requests per second / (64 / 0.25 s)', round(median(efficiencies), 3), { atLeast: 0.95 }),
    row(2, 'minimal client, same requests: requests per second / (64 / 0.25 s)', round(median(clientEfficiencies), 3)),
  ];
}

/**
 * Case 6: a server that keeps 600 requests and 200 000 tokens per sliding 60 s window and answers 429 past them,
 * reword at `--rpm 600 --tpm 200000` for `seconds` of load (then stopped as Ctrl-C would): the highest window
 * against the limits and the utilisation of the limit that binds.
 */
export async function caseRateLimits(paths: BenchPaths, sizes: BenchSizes): Promise<CaseRow[]> {
  const rpm = 600;
  const tpm = 200_000;
  if (sizes.case6 === null) {
    return [row(6, 'rate limits (sliding 60 s window): skipped in --quick', null)];
  }
  const corpus = join(paths.tmp, 'case6.jsonl');
  // More work than the limits let through in the time, so the load never runs out.
  writeCorpus(corpus, { documents: Math.ceil((rpm * sizes.case6.seconds) / 60) + 1000, words: SHORT_WORDS, seed: 6 });
  const server = await startServer(join(paths.scripts, 'bench-server.js'), ['--rpm', String(rpm), '--tpm', String(tpm)]);
  let report: string;
  try {
    const { summary } = await rewordRun(paths, corpus, server.url, join(paths.tmp, 'case6.sqlite'), ['--rpm', String(rpm), '--tpm', String(tpm), '--concurrency', '16'], sizes.case6.seconds * 1000);
    log(`case 6: ${summary.requests} requests, ${summary.accepted} accepted, ${summary.failed} failed in ${seconds(summary.elapsedMs)}`);
  } finally {
    report = await server.stop();
  }
  const seen = JSON.parse(report.trim().split('\n').pop() ?? '{}') as { accepted: number; refused: number; peakRequests: number; peakTokens: number; utilisation: number | null };
  log(`case 6: server accepted ${seen.accepted}, refused ${seen.refused} (429)`);
  return [
    row(6, 'highest 60 s window, requests / rpm limit', round(seen.peakRequests / rpm, 3), { atMost: 1 }),
    row(6, 'highest 60 s window, tokens / tpm limit', round(seen.peakTokens / tpm, 3), { atMost: 1 }),
    row(6, 'utilisation of the binding limit', seen.utilisation === null ? null : round(seen.utilisation, 3), { atLeast: 0.95 }),
    row(6, '429 answers from the server', seen.refused),
  ];
}
