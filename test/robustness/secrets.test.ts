// An API key must never be written anywhere: not the ledger (nor its write-ahead log), not exports, not stdout
// or stderr, not progress lines or error messages, even when a server echoes the request's headers back.

import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { startFakeServer, type FakeReply, type FakeRequestInfo, type FakeServer } from '../support/fake-server.js';
import { englishDocs, jsonl, runArgs, scratch, type Scratch } from './harness.js';

const KEY = 'sk-reword-FAKE-7f3a9c1e5b2d4f6a8c0e1d2b';
const KEY_ENV = 'REWORD_TEST_SECRET_KEY';
/** The key and the pieces of it a leak could show: a masked echo keeps a prefix or a suffix. */
const NEEDLES = [KEY, KEY.slice(0, 14), KEY.slice(-14)];

function allFiles(root: string): string[] {
  return readdirSync(root).flatMap((name) => {
    const path = join(root, name);
    return statSync(path).isDirectory() ? allFiles(path) : [path];
  });
}

function leaksIn(text: string | Buffer): string[] {
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  return NEEDLES.filter((n) => bytes.includes(n));
}

/** A server that repeats every request header it was sent, the way debugging proxies and some gateways do. */
const echoHeaders = (req: FakeRequestInfo): string => `request headers were ${JSON.stringify(req.headers)}`;

describe('secrets', () => {
  let dir: Scratch;
  let server: FakeServer;
  const outputs: Array<{ what: string; result: CliResult }> = [];
  const docs = englishDocs.slice(0, 6);

  beforeAll(async () => {
    dir = scratch('secrets');
    const seen = new Map<string, number>();
    let refuseTheKey = false;
    const byDoc: Array<(req: FakeRequestInfo, nth: number) => FakeReply | undefined> = [
      () => undefined,
      (req) => ({ status: 500, body: { error: { message: echoHeaders(req) } } }),
      () => ({ status: 400, body: { error: { message: `Incorrect API key provided: ${KEY.slice(0, 10)}****************${KEY.slice(-4)}; you sent Bearer ${KEY}` } } }),
      (req, nth) => (nth === 0 ? { status: 429, headers: { 'retry-after-ms': '10' }, body: { error: { message: echoHeaders(req) } } } : undefined),
      (req, nth) => (nth === 0 ? { rawBody: `<pre>${echoHeaders(req)}</pre>` } : undefined),
      (req, nth) => (nth === 0 ? { status: 502, rawBody: `Authorization: Bearer ${KEY}`, headers: { 'content-type': 'text/plain' } } : undefined),
    ];
    server = await startFakeServer({
      respond: (req) => {
        const nth = seen.get(req.source) ?? 0;
        seen.set(req.source, nth + 1);
        if (refuseTheKey) return { status: 401, body: { error: { message: `Invalid key: ${req.headers.authorization}` } } };
        return byDoc[docs.findIndex((d) => d.text === req.source)]?.(req, nth);
      },
    });

    const input = dir.write('in.jsonl', jsonl(docs));
    const ledger = dir.path('ledger.sqlite');
    const env = { [KEY_ENV]: KEY };
    const cli = async (what: string, args: string[], extraEnv: Record<string, string> = {}) => {
      const result = await runCli(args, { env: { ...env, ...extraEnv } });
      outputs.push({ what, result });
      return result;
    };
    await cli('run', runArgs({ prompts: dir.prompts, input, ledger, url: server.url, extra: ['--api-key-env', KEY_ENV, '--chunk-tokens', '4000', '--max-retries', '1', '--max-attempts', '1', '--progress', 'plain'] }), { REWORD_SUMMARY_JSON: dir.path('summary.json') });
    refuseTheKey = true;
    await cli('run, key refused', runArgs({ prompts: dir.prompts, input, ledger: dir.path('refused.sqlite'), url: server.url, extra: ['--api-key-env', KEY_ENV] }));
    refuseTheKey = false;
    await cli('run, key given where its variable name belongs', runArgs({ prompts: dir.prompts, input, ledger: dir.path('mistake.sqlite'), url: server.url, extra: ['--api-key-env', KEY] }));
    await cli('stats', ['stats', '--ledger', ledger]);
    await cli('stats --json', ['stats', '--ledger', ledger, '--json']);
    // Every document whose requests met an echoing error; the JSON view once, as it holds the same messages.
    for (const d of docs.slice(1)) await cli(`trace ${d.id}`, ['trace', '--ledger', ledger, d.id]);
    await cli(`trace --json ${docs[2]!.id}`, ['trace', '--ledger', ledger, '--json', docs[2]!.id]);
    await cli('export to a file', ['export', '--ledger', ledger, '--out', dir.path('export.jsonl')]);
    await cli('export to stdout', ['export', '--ledger', ledger, '--out', '-']);
    await cli('export as Dolma', ['export', '--ledger', ledger, '--out', dir.path('dolma.jsonl'), '--format', 'dolma']);
    await cli('verify', ['verify', '--ledger', ledger]);
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('sent the key to the server, and the server echoed it back in errors', () => {
    expect(server.requests.length).toBeGreaterThan(docs.length);
    expect(server.requests.every((q) => q.headers.authorization === `Bearer ${KEY}`)).toBe(true);
    expect(outputs.find((o) => o.what === 'run')?.result.code).toBe(0);
    expect(outputs.find((o) => o.what === 'run, key refused')?.result.code).toBe(3);
    expect(outputs.find((o) => o.what === 'run, key given where its variable name belongs')?.result.code).toBe(1);
  });

  it('recorded the failed requests with their (redacted) server messages', async () => {
    const trace = outputs.find((o) => o.what === `trace ${docs[1]!.id}`)!.result.stdout;
    expect(trace).toContain('request headers were');
    expect(trace).toMatch(/redacted/i);
  });

  it('writes the key to no file: ledgers, their write-ahead logs, exports, the run summary', () => {
    const files = allFiles(dir.root);
    for (const name of ['ledger.sqlite', 'export.jsonl', 'dolma.jsonl', 'summary.json']) expect(files.some((f) => f.endsWith(name)), name).toBe(true);
    expect(files.map((f) => ({ file: f, leaks: leaksIn(readFileSync(f)) })).filter((f) => f.leaks.length > 0)).toEqual([]);
  });

  it('prints the key nowhere: stdout, stderr, progress lines and error messages of every command', () => {
    expect(outputs.map(({ what, result }) => ({ what, leaks: leaksIn(result.stdout + result.stderr) })).filter((o) => o.leaks.length > 0)).toEqual([]);
    // The refused key is named by its variable, so the user knows what to fix.
    expect(outputs.find((o) => o.what === 'run, key refused')!.result.stderr).toContain(KEY_ENV);
  });
});
