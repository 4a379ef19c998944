// One writer per ledger: a second run on a ledger a live run holds refuses at once, naming the holder's
// process id; a run that died (or whose process id now belongs to someone else) does not block the next one.

import { spawn } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from '../support/cli.js';
import { startFakeServer, type FakeReply, type FakeServer } from '../support/fake-server.js';
import { count, englishDocs, jsonl, peekLedger, runArgs, scratch, waitFor, type Scratch } from './harness.js';

describe('one writer per ledger', () => {
  let dir: Scratch;
  let server: FakeServer;
  let input: string;
  let ledger: string;
  let reply: () => FakeReply | undefined | Promise<FakeReply | undefined>;
  /** Holds every answer until `open()`: a run is live for as long as a test needs it to be. */
  let gate: { wait: Promise<void>; open: () => void };
  const newGate = (): typeof gate => {
    let open = (): void => {};
    const wait = new Promise<void>((resolve) => (open = resolve));
    return { wait, open };
  };

  beforeEach(async () => {
    dir = scratch('writer');
    input = dir.write('in.jsonl', jsonl(englishDocs.slice(0, 4)));
    ledger = dir.path('ledger.sqlite');
    reply = () => undefined;
    gate = newGate();
    server = await startFakeServer({ respond: () => reply() });
  });

  afterEach(async () => {
    gate.open();
    await server.close();
    dir.remove();
  });

  const args = (extra: string[] = []) =>
    runArgs({ prompts: dir.prompts, input, ledger, url: server.url, extra: ['--chunk-tokens', '4000', '--concurrency', '1', ...extra] });
  const runStatuses = () => peekLedger(ledger, (db) => db.prepare(`SELECT status FROM runs ORDER BY id`).pluck().all());

  it('refuses a second run while a live run holds the ledger, naming its pid, and leaves the first undisturbed', async () => {
    reply = () => gate.wait.then(() => undefined);
    const holder = spawnCli(args());
    const holderDone = collect(holder);
    await waitFor('the first run to send a request', () => server.requestCount >= 1);

    // The second run asks for another temperature, so any request it sent would show.
    const started = Date.now();
    const second = await runCli(args(['--temperature', '0.123']));
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`pid ${holder.pid}`);
    expect(second.stderr).toContain(ledger);
    // "At once": it neither waits for the holder nor for a lock timeout.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(server.requests.filter((q) => q.body.temperature === 0.123)).toEqual([]);

    // Readers are not writers: stats works while the run holds the ledger.
    const stats = await runCli(['stats', '--ledger', ledger, '--json']);
    expect(stats.code, stats.stderr).toBe(0);

    gate.open();
    const first = await holderDone;
    expect(first.code, first.stderr).toBe(0);
    expect(runStatuses()).toEqual(['finished']);
    expect(count(ledger, `SELECT count(*) FROM tasks WHERE status = 'accepted'`)).toBe(4);
  });

  it('lets exactly one of two runs started together through', async () => {
    reply = () => gate.wait.then(() => undefined);
    const a = spawnCli(args());
    const b = spawnCli(args());
    const doneA = collect(a);
    const doneB = collect(b);
    // The run that lost the race exits while the winner waits for its answers.
    await Promise.race([doneA, doneB]);
    gate.open();
    const [ra, rb] = await Promise.all([doneA, doneB]);
    const codes = [ra.code, rb.code].sort();
    expect(codes).toEqual([0, 1]);
    const [loser, winner] = ra.code === 1 ? [ra, b] : [rb, a];
    expect(loser.stderr, loser.stderr).toContain(`pid ${winner.pid}`);
    expect(runStatuses()).toEqual(['finished']);
  });

  it('is not blocked by the lock of a run that was killed', async () => {
    reply = () => gate.wait.then(() => undefined);
    const killed = spawnCli(args());
    const killedDone = collect(killed);
    await waitFor('the run to send a request', () => server.requestCount >= 1);
    killed.kill('SIGKILL');
    await killedDone;
    expect(runStatuses()).toEqual(['running']);

    gate.open();
    const next = await runCli(args());
    expect(next.code, next.stderr).toBe(0);
    expect(runStatuses()).toEqual(['crashed', 'finished']);
  });

  it('is not blocked by a stale lock whose pid now belongs to an unrelated, younger process', async () => {
    // A run that died long ago (a reboot, an OOM kill) left its row; its pid has since been given to another program.
    const first = await runCli(args());
    expect(first.code, first.stderr).toBe(0);
    const unrelated = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const db = new Database(ledger);
      db.prepare(`INSERT INTO runs (started_at, status, pid, reword_version, config_json) VALUES (?, 'running', ?, 'old', '{}')`).run(
        new Date(Date.now() - 3_600_000).toISOString(),
        unrelated.pid,
      );
      db.close();
      const next = await runCli(args());
      expect(next.code, next.stderr).toBe(0);
      expect(next.stderr).not.toContain(`pid ${unrelated.pid}`);
      expect(runStatuses()).toEqual(['finished', 'crashed', 'finished']);
      expect(unrelated.exitCode).toBeNull(); // and it was left alone
    } finally {
      unrelated.kill('SIGKILL');
    }
  });
});
