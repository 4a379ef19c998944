// Ctrl-C (or a supervisor's SIGTERM) stops taking new work, gives requests in flight a bounded time, records
// what they brought, closes the ledger and exits 130; a second Ctrl-C exits at once; the next run resumes.

import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from '../support/cli.js';
import { startFakeServer, type FakeReply, type FakeServer } from '../support/fake-server.js';
import { acceptedSources, count, englishDocs, integrityCheck, jsonl, peekLedger, runArgs, scratch, waitFor, type Scratch } from './harness.js';

const DOCS = englishDocs.slice(0, 10);

describe('stopping a run with a signal', () => {
  let dir: Scratch;
  let server: FakeServer;
  let input: string;
  let ledger: string;
  /** How the server answers; tests change it between runs. */
  let reply: () => FakeReply | undefined;

  beforeEach(async () => {
    dir = scratch('stop');
    input = dir.write('in.jsonl', jsonl(DOCS));
    ledger = dir.path('ledger.sqlite');
    reply = () => undefined;
    server = await startFakeServer({ respond: () => reply() });
  });

  afterEach(async () => {
    await server.close();
    dir.remove();
  });

  const args = (extra: string[] = []) =>
    runArgs({ prompts: dir.prompts, input, ledger, url: server.url, extra: ['--chunk-tokens', '4000', '--concurrency', '3', ...extra] });

  function watchStderr(child: ChildProcess): () => string {
    let text = '';
    child.stderr?.on('data', (d: Buffer) => (text += d.toString()));
    return () => text;
  }

  async function resumeAndCheck(acceptedBefore: Set<string>): Promise<void> {
    reply = () => undefined;
    const requestsBefore = server.requestCount;
    const second = await runCli(args());
    expect(second.code, second.stderr).toBe(0);
    expect(server.requests.slice(requestsBefore).filter((q) => acceptedBefore.has(q.source))).toEqual([]);
    expect(count(ledger, `SELECT count(*) FROM tasks WHERE status = 'accepted'`)).toBe(DOCS.length);
    expect(peekLedger(ledger, (db) => db.prepare(`SELECT status FROM runs ORDER BY id`).pluck().all())?.at(-1)).toBe('finished');
  }

  it('on SIGINT starts no new request, records the answers in flight, closes the ledger and exits 130', async () => {
    reply = () => ({ delayMs: 1500 });
    const child = spawnCli(args());
    const done = collect(child);
    await waitFor('the first requests', () => server.requestCount >= 3);
    const sigintAt = Date.now();
    child.kill('SIGINT');
    const first = await done;

    expect(first.code).toBe(130);
    expect(first.stderr).toContain('stopping');
    // Work continuing would have sent the next requests when the first answers came back, 1.5 s in.
    expect(server.requests.filter((q) => q.receivedAt > sigintAt + 1000)).toEqual([]);
    // The ledger was closed: a clean close folds the write-ahead log back into the file and removes it.
    expect(existsSync(`${ledger}-wal`)).toBe(false);
    // Every request the server answered was waited for and recorded, and none of them was lost.
    expect(count(ledger, `SELECT count(*) FROM attempts`)).toBe(server.requestCount);
    expect(count(ledger, `SELECT count(*) FROM tasks WHERE status = 'accepted'`)).toBe(server.requestCount);
    expect(peekLedger(ledger, (db) => db.prepare(`SELECT status, finished_at IS NOT NULL AS closed FROM runs`).all())).toEqual([
      { status: 'interrupted', closed: 1 },
    ]);

    await resumeAndCheck(new Set(acceptedSources(ledger)));
  });

  it('on SIGTERM gives a request that never answers only the grace period, and records no failure for it', async () => {
    const config = dir.write('reword.yaml', `endpoints:\n  - provider: openai\n    base_url: ${server.url}\n    model: fake-model\nrun:\n  stop_grace_ms: 500\n`);
    reply = () => ({ hang: true });
    const child = spawnCli(args(['--config', config]));
    const done = collect(child);
    await waitFor('requests in flight', () => server.requestCount >= 3);
    const sigtermAt = Date.now();
    child.kill('SIGTERM');
    const first = await done;

    expect(first.code).toBe(130);
    // Without the grace period the run would wait for the 120 s request timeout.
    expect(Date.now() - sigtermAt).toBeLessThan(8000);
    expect(integrityCheck(ledger)).toEqual(['ok']);
    // An interrupted request is not the server's failure: its task stays pending, with no failed attempt.
    expect(count(ledger, `SELECT count(*) FROM tasks WHERE status = 'failed'`)).toBe(0);
    expect(count(ledger, `SELECT count(*) FROM attempts WHERE error_code IS NOT NULL`)).toBe(0);
    expect(peekLedger(ledger, (db) => db.prepare(`SELECT status FROM runs`).pluck().all())).toEqual(['interrupted']);

    await resumeAndCheck(new Set());
  });

  it('on a second SIGINT exits at once, and the ledger it leaves is sound and resumable', async () => {
    reply = () => ({ hang: true });
    const child = spawnCli(args());
    const stderr = watchStderr(child);
    const done = collect(child);
    await waitFor('requests in flight', () => server.requestCount >= 3);
    child.kill('SIGINT');
    await waitFor('the stop message', () => stderr().includes('stopping'));
    const secondAt = Date.now();
    child.kill('SIGINT');
    const first = await done;

    expect(first.code).toBe(130);
    // The default grace period is 10 s: a second Ctrl-C does not wait for it.
    expect(Date.now() - secondAt).toBeLessThan(5000);
    expect(integrityCheck(ledger)).toEqual(['ok']);
    const verify = await runCli(['verify', '--ledger', ledger]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    await resumeAndCheck(new Set());
  });
  it('on SIGINT while the endpoint is still being checked, sends no request and exits 130', async () => {
    // The start-up check lists the server's models; this server takes its time to answer it.
    let chatRequests = 0;
    let modelListAsked = false;
    const slowStart = createServer((req, res) => {
      if (req.url?.endsWith('/models')) {
        modelListAsked = true;
        setTimeout(() => res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake-model', object: 'model' }] })), 1500);
        return;
      }
      chatRequests++;
      res.writeHead(500).end();
    });
    await new Promise<void>((resolve) => slowStart.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(slowStart.address() as AddressInfo).port}/v1`;
      const child = spawnCli(runArgs({ prompts: dir.prompts, input, ledger, url, extra: ['--chunk-tokens', '4000'] }));
      const done = collect(child);
      await waitFor('the start-up check', () => modelListAsked);
      child.kill('SIGINT');
      const r = await done;
      expect(r.code, r.stderr).toBe(130);
      expect(chatRequests).toBe(0);
      expect(count(ledger, `SELECT count(*) FROM runs WHERE status <> 'interrupted'`)).toBe(0);
    } finally {
      slowStart.closeAllConnections();
      await new Promise<void>((resolve) => slowStart.close(() => resolve()));
    }
  });
});
