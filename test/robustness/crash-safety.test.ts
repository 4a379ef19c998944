// A run killed with SIGKILL at any instant and started again must end with exactly the accepted outputs of a
// run that was never interrupted: none lost, none twice, nothing accepted requested again, a sound ledger.

import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli, type CliResult } from '../support/cli.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import {
  acceptedOutputs, count, englishDocs, integrityCheck, jsonl, runArgs, scratch, settledSources, sleep, taskStatuses,
  waitFor, type Scratch,
} from './harness.js';

/** Bounds of the random-kill loop: it stops at whichever comes first. */
const RANDOM_KILLS = 3;
const RANDOM_KILL_BUDGET_MS = 10_000;

describe('a run killed with SIGKILL and restarted', () => {
  let dir: Scratch;
  let server: FakeServer;
  let referenceServer: FakeServer;
  let input: string;
  /** While set, every answer waits, so a kill lands with requests in flight. */
  let slow = false;
  /**
   * How long each answer waits in the last kill phases: without it a fast client can finish the work left
   * before the kill comes, and the phase kills nothing.
   */
  let paceMs = 0;

  beforeAll(async () => {
    dir = scratch('crash');
    // A long first document made of one paragraph repeated: reading and chunking it takes a while and fills
    // large transactions (thousands of chunk rows), yet it adds only a few distinct tasks.
    const paragraph = englishDocs[0]!.text.split('\n\n')[1]!;
    const big = { id: 'big', text: Array.from({ length: 250 }, () => paragraph).join('\n\n') };
    input = dir.write('in.jsonl', jsonl([big, ...englishDocs]));
    server = await startFakeServer({ respond: () => (slow ? { delayMs: 400 } : paceMs > 0 ? { delayMs: paceMs } : undefined) });
    referenceServer = await startFakeServer();
  });

  afterAll(async () => {
    await server?.close();
    await referenceServer?.close();
    dir?.remove();
  });

  it('ends with the same accepted outputs as an uninterrupted run, each once, none requested again', async () => {
    const args = (ledger: string, url: string) =>
      runArgs({ prompts: dir.prompts, input, ledger, url, extra: ['--chunk-tokens', '100', '--concurrency', '4', '--max-attempts', '2'] });

    const referenceLedger = dir.path('reference.sqlite');
    const reference = await runCli(args(referenceLedger, referenceServer.url));
    expect(reference.code, reference.stderr).toBe(0);
    const expectedOutputs = acceptedOutputs(referenceLedger);
    expect(expectedOutputs.size).toBeGreaterThan(200);

    const ledger = dir.path('killed.sqlite');
    /** For each source seen settled (accepted or rejected) after a kill: the server's request count then; later requests must not carry it. */
    const settledBy = new Map<string, number>();
    const kills: string[] = [];
    /** Runs that ended on their own before the kill could land (the last random one may): each is a finished run. */
    let finishedEarly = 0;

    /** Spawns the run; kills it with SIGKILL once `trigger` resolves, unless it finished first. */
    async function runUntil(label: string, trigger: (child: ChildProcess) => Promise<void>): Promise<CliResult> {
      const child = spawnCli(args(ledger, server.url));
      const done = collect(child);
      let exited = false;
      void done.then(() => (exited = true));
      const fired = await Promise.race([trigger(child).then(() => true), done.then(() => false)]);
      if (fired && !exited) child.kill('SIGKILL');
      const result = await done;
      // A kill sent just as the process exited by itself does not count as one.
      if (result.signal === 'SIGKILL') kills.push(label);
      else if (result.code === 0) finishedEarly++;
      expect(result.signal === 'SIGKILL' || result.code === 0, `${label}: ${result.stderr}`).toBe(true);
      // What a killed run left must already be a sound ledger, before anything repairs it.
      expect(integrityCheck(ledger), label).toEqual(['ok']);
      for (const source of settledSources(ledger)) if (!settledBy.has(source)) settledBy.set(source, server.requestCount);
      return result;
    }

    // 1. While reading: the first batch of chunks of the long document is committed, the rest is still being read.
    await runUntil('reading', () => waitFor('first chunks committed', () => count(ledger, `SELECT count(*) FROM chunks`) > 0));
    expect(count(ledger, `SELECT count(*) FROM outputs`)).toBeLessThan(expectedOutputs.size);

    // A killed ledger can be checked and read before the next run repairs anything.
    const verifyAfterKill = await runCli(['verify', '--ledger', ledger]);
    expect(verifyAfterKill.code, verifyAfterKill.stdout + verifyAfterKill.stderr).toBe(0);

    // 2. With requests in flight: answers are held back, the kill comes while the server holds them.
    slow = true;
    const before = server.requestCount;
    await runUntil('in flight', () => waitFor('requests in flight', () => server.requestCount >= before + 3));
    slow = false;

    // 3. Right after a commit of accepted outputs becomes visible, when the next batch is being written.
    const outputsBefore = count(ledger, `SELECT count(*) FROM outputs`);
    await runUntil('after commit', () => waitFor('a new commit', () => count(ledger, `SELECT count(*) FROM outputs`) > outputsBefore, 20_000, 1));

    // 4. In the middle of the work, once this run has committed a good share of it. From here answers are paced,
    // so that work is left for this kill and the random ones to interrupt.
    paceMs = 100;
    const outputsMidway = count(ledger, `SELECT count(*) FROM outputs`) + 40;
    await runUntil('midway', () => waitFor('40 more outputs', () => count(ledger, `SELECT count(*) FROM outputs`) >= outputsMidway, 30_000));

    // 5. At random instants once the run has started sending requests.
    const loopStarted = Date.now();
    for (let i = 0; i < RANDOM_KILLS && Date.now() - loopStarted < RANDOM_KILL_BUDGET_MS; i++) {
      const requestsBefore = server.requestCount;
      const delayMs = Math.floor(Math.random() * 1200);
      const r = await runUntil(`random ${delayMs} ms`, async () => {
        await waitFor('the run to send a request', () => server.requestCount > requestsBefore);
        await sleep(delayMs);
      });
      if (r.code === 0) break; // it finished before the kill: nothing left to interrupt
    }
    paceMs = 0;
    expect(kills.length, kills.join(', ')).toBeGreaterThanOrEqual(5);

    const final = await runCli(args(ledger, server.url));
    expect(final.code, final.stderr).toBe(0);

    expect(acceptedOutputs(ledger)).toEqual(expectedOutputs);
    expect(taskStatuses(ledger)).toEqual(taskStatuses(referenceLedger));
    expect(count(ledger, `SELECT count(*) FROM (SELECT task_id FROM outputs GROUP BY task_id HAVING count(*) > 1)`)).toBe(0);
    expect(count(ledger, `SELECT count(*) FROM tasks WHERE status = 'pending'`)).toBe(0);

    const requestedAgain = server.requests.filter((q) => {
      const settledAt = settledBy.get(q.source);
      return settledAt !== undefined && q.index >= settledAt;
    });
    expect(requestedAgain.map((q) => q.index)).toEqual([]);
    // The kills came late enough for the restarts to have real work to skip.
    expect(settledBy.size, `settled before the last run; kills: ${kills.join(', ')}`).toBeGreaterThan(20);

    expect(integrityCheck(ledger)).toEqual(['ok']);
    const verify = await runCli(['verify', '--ledger', ledger, '--json']);
    expect(verify.code, verify.stdout).toBe(0);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, problems: 0 });
    // Every run is recorded as crashed or finished, none left running. A kill can land after a run recorded
    // its finish and before it exited, so a killed run may count as finished; each killed mid-work is crashed.
    const spawned = kills.length + finishedEarly + 1;
    expect(count(ledger, `SELECT count(*) FROM runs WHERE status IN ('crashed', 'finished')`)).toBe(spawned);
    expect(count(ledger, `SELECT count(*) FROM runs`)).toBe(spawned);
    expect(count(ledger, `SELECT count(*) FROM runs WHERE status = 'crashed'`)).toBeGreaterThanOrEqual(kills.length - 1);
    expect(count(ledger, `SELECT count(*) FROM runs WHERE status = 'finished' AND id = (SELECT max(id) FROM runs)`)).toBe(1);
    // Each phase spawns a process; on two busy cores that alone can take a few seconds each.
  }, 120_000);
});
