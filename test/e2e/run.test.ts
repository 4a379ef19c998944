import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, runCli, spawnCli } from '../support/cli.js';
import { faithfulQuestionAnswers, faithfulRewrite, startFakeServer, type FakeReply, type FakeServer } from '../support/fake-server.js';

interface Doc {
  id: string;
  text: string;
}

const corpus = readFileSync(new URL('../../../shared/corpus/wikipedia.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Doc & { lang: string })
  .filter((d) => d.lang === 'en');

function firstSentence(text: string): string {
  return text.split(/(?<=\.)\s/)[0]!;
}

/** What the fake model answers for each kind of bad answer, and the reason code the judge must give. */
const badAnswers: Record<string, { reply: (source: string) => FakeReply; reason: string }> = {
  empty: { reply: () => ({ contents: [''] }), reason: 'empty_output' },
  truncated: { reply: (s) => ({ contents: [faithfulRewrite(s)], finishReason: 'length' }), reason: 'truncated' },
  preamble: { reply: (s) => ({ contents: ['Sure! Here is the rewritten text:\n\n' + faithfulRewrite(s)] }), reason: 'preamble' },
  refusal: { reply: (s) => ({ contents: ["I'm sorry, but I can't help with rewriting this text. " + faithfulRewrite(s)] }), reason: 'refusal' },
  short: { reply: (s) => ({ contents: [firstSentence(faithfulRewrite(s))] }), reason: 'too_short' },
  repetitive: {
    reply: (s) => {
      const line = firstSentence(faithfulRewrite(s));
      return { contents: [Array.from({ length: Math.ceil(s.length / line.length) }, () => line).join('\n')] };
    },
    reason: 'degenerate_repetition',
  },
  copied: { reply: (s) => ({ contents: [s] }), reason: 'verbatim_copy' },
  'novel-number': { reply: (s) => ({ contents: [faithfulRewrite(s) + ' The work cost 4,750,000 dollars in 1987.'] }), reason: 'novel_number' },
  'meta-commentary': { reply: (s) => ({ contents: [faithfulRewrite(s) + '\n\nI hope this helps! Let me know if you would like any changes.'] }), reason: 'meta_commentary' },
  // Length is checked (tier 0) before repetition (tier 1): twice the rewrite is too long before it is repetitive.
  'too-long': { reply: (s) => ({ contents: [faithfulRewrite(s) + '\n\n' + faithfulRewrite(s)] }), reason: 'too_long' },
};

describe('reword run, end to end against a loopback server', () => {
  let dir: string;
  let server: FakeServer;
  let input: string;
  let ledger: string;
  const kindBySource = new Map<string, string>();
  const docs: Doc[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'reword-e2e-'));
    const kinds = ['good', 'good', ...Object.keys(badAnswers)];
    kinds.forEach((kind, i) => {
      const d = corpus[i]!;
      docs.push({ id: `${kind}-${i}`, text: d.text });
      kindBySource.set(d.text, kind);
    });
    // Line 3 is broken on purpose: it is reported and every other line is still processed.
    const lines = docs.map((d) => JSON.stringify(d));
    lines.splice(2, 0, '{"id": "broken", "text": "unterminated');
    input = join(dir, 'in.jsonl');
    writeFileSync(input, lines.join('\n') + '\n');
    ledger = join(dir, 'out.sqlite');
    server = await startFakeServer({
      respond: (req) => {
        const kind = kindBySource.get(req.source);
        if (!kind) return { status: 400, body: { error: { message: 'unexpected source' } } };
        return kind === 'good' ? undefined : badAnswers[kind]!.reply(req.source);
      },
    });
  });

  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runArgs = () => [
    'run', '--input', input, '--style', 'wiki', '--base-url', server.url, '--model', 'fake-model',
    '--ledger', ledger, '--chunk-tokens', '4000', '--max-attempts', '2', '--progress', 'plain',
  ];

  it('accepts good answers, rejects each bad kind with its reason code, and reports the malformed line', async () => {
    const r = await runCli(runArgs());
    expect(r.stderr).toContain(`${input}:3`);
    expect(r.code).toBe(0);
    // Every bad answer is drawn twice with a new seed, then rejected; good ones are accepted at once.
    expect(server.requestCount).toBe(2 + 2 * Object.keys(badAnswers).length);
    const seeds = new Set(server.requests.map((q) => q.body.seed));
    expect(seeds.size).toBe(server.requestCount);

    const stats = JSON.parse((await runCli(['stats', '--ledger', ledger, '--json'])).stdout);
    expect(stats.tasks).toMatchObject({ total: docs.length, accepted: 2, rejected: Object.keys(badAnswers).length, failed: 0, pending: 0 });
    expect(stats.input_errors.by_code).toEqual({ malformed_json: 1 });
    for (const [kind, { reason }] of Object.entries(badAnswers)) {
      const trace = JSON.parse((await runCli(['trace', '--ledger', ledger, '--json', docs.find((d) => d.id.startsWith(kind + '-'))!.id])).stdout);
      expect(trace[0].status, kind).toBe('rejected');
      expect(trace[0].reasons, kind).toEqual([reason]);
      expect(trace[0].attempts).toHaveLength(2);
    }
    const db = new Database(ledger, { readonly: true });
    expect(db.prepare('SELECT path, line, code FROM input_errors').all()).toEqual([{ path: input, line: 3, code: 'malformed_json' }]);
    db.close();
  });

  it('requests nothing new when the same command runs again', async () => {
    const before = server.requestCount;
    const r = await runCli(runArgs());
    expect(r.code).toBe(0);
    expect(server.requestCount).toBe(before);
  });

  it('exports accepted outputs that join back to their source lines', async () => {
    const out = join(dir, 'rephrased.jsonl');
    const r = await runCli(['export', '--ledger', ledger, '--out', out]);
    expect(r.code).toBe(0);
    const records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    const sourceLines = readFileSync(input, 'utf8').split('\n');
    for (const rec of records) {
      const line = JSON.parse(sourceLines[rec.metadata.source_line - 1]!) as Doc;
      expect(line.id).toBe(rec.metadata.source_id);
      expect(rec.metadata).toMatchObject({ source_path: input, style: 'wiki', kind: 'faithful', model: 'fake-model', attempts: 1 });
      expect(line.text.slice(rec.metadata.chunk_start, rec.metadata.chunk_end).length).toBeGreaterThan(0);
      expect(rec.text).toBe(faithfulRewrite(line.text.slice(rec.metadata.chunk_start, rec.metadata.chunk_end)));
      expect(rec.metadata.prompt_sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    const dolma = join(dir, 'dolma.jsonl');
    expect((await runCli(['export', '--ledger', ledger, '--out', dolma, '--format', 'dolma'])).code).toBe(0);
    const docs = readFileSync(dolma, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(docs.map((d) => [d.id, d.text, d.source, d.metadata.source_id])).toEqual(records.map((r) => [r.id, r.text, 'reword-wiki', r.metadata.source_id]));
    expect(new Date(docs[0].added).getTime()).toBeGreaterThan(0);
  });
});

describe('reword run, a style with a required answer prefix', () => {
  it('rejects answers without the prefix as missing_prefix and accepts those with it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-prefix-'));
    const sample = readFileSync(new URL('../../data/sample.jsonl', import.meta.url), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Doc);
    const [withPrefix, without] = [sample[0]!, sample[1]!];
    // The second document's answers lose their leading "Question:" label.
    const server = await startFakeServer({
      respond: (req) => (req.source === without.text ? { contents: [faithfulQuestionAnswers(req.source).replace(/^Question: /, '')] } : undefined),
    });
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, [withPrefix, without].map((d, i) => JSON.stringify({ id: `qa-${i}`, text: d.text })).join('\n') + '\n');
      const ledger = join(dir, 'qa.sqlite');
      const r = await runCli([
        'run', '--input', input, '--style', 'qa', '--base-url', server.url, '--model', 'fake-model', '--ledger', ledger,
        '--chunk-tokens', '4000', '--max-attempts', '1', '--progress', 'none',
      ]);
      expect(r.code, r.stderr).toBe(0);
      const db = new Database(ledger, { readonly: true });
      const rows = db.prepare(`SELECT s.doc_id AS id, t.status, t.reasons_json AS reasons FROM tasks t JOIN chunks c ON c.id = t.chunk_id JOIN sources s ON s.sha256 = c.doc_sha256 ORDER BY s.doc_id`).all();
      db.close();
      expect(rows).toEqual([
        { id: 'qa-0', status: 'accepted', reasons: null },
        { id: 'qa-1', status: 'rejected', reasons: '["missing_prefix"]' },
      ]);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('reword run, interrupted and resumed', () => {
  it('stops on SIGINT with exit 130, and the next run finishes without requesting accepted work again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-int-'));
    const server = await startFakeServer({ latencyMs: 150 });
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, corpus.slice(0, 20).map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
      const ledger = join(dir, 'l.sqlite');
      const args = ['run', '--input', input, '--style', 'wiki', '--base-url', server.url, '--model', 'fake-model', '--ledger', ledger, '--concurrency', '2', '--chunk-tokens', '4000', '--max-attempts', '1', '--progress', 'none'];
      const child = spawnCli(args);
      const done = collect(child);
      while (server.requestCount < 4) await new Promise((r) => setTimeout(r, 20));
      child.kill('SIGINT');
      const first = await done;
      expect(first.code).toBe(130);
      expect(first.stderr).toContain('stopping');

      const db = new Database(ledger, { readonly: true });
      const acceptedBefore = db.prepare(`SELECT task_key FROM tasks WHERE status = 'accepted'`).all() as Array<{ task_key: string }>;
      expect(acceptedBefore.length).toBeGreaterThan(0);
      expect(acceptedBefore.length).toBeLessThan(20);
      const acceptedSources = new Set(
        (db.prepare(`SELECT c.text FROM tasks t JOIN chunks c ON c.id = t.chunk_id WHERE t.status = 'accepted'`).all() as Array<{ text: string }>).map((r) => r.text),
      );
      db.close();
      const requestsBefore = server.requestCount;

      const second = await runCli(args);
      expect(second.code).toBe(0);
      const resumed = server.requests.slice(requestsBefore);
      expect(resumed.some((q) => acceptedSources.has(q.source))).toBe(false);

      const db2 = new Database(ledger, { readonly: true });
      // Every task settled; each accepted one has exactly one output.
      expect(db2.prepare(`SELECT count(*) AS n FROM tasks WHERE status IN ('accepted', 'rejected')`).get()).toEqual({ n: 20 });
      const accepted = db2.prepare(`SELECT count(*) AS n FROM tasks WHERE status = 'accepted'`).get() as { n: number };
      expect(accepted.n).toBeGreaterThan(acceptedBefore.length);
      expect(db2.prepare(`SELECT count(*) AS n FROM outputs`).get()).toEqual(accepted);
      expect(db2.prepare(`SELECT status FROM runs ORDER BY id`).all()).toEqual([{ status: 'interrupted' }, { status: 'finished' }]);
      db2.close();
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('reword run, provider failures', () => {
  it('stops with exit 3 on a rejected key, naming the endpoint and the variable but never the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-auth-'));
    const key = 'sk-test-SECRET-abcdef0123456789';
    const server = await startFakeServer({
      respond: (req) => ({ status: 401, body: { error: { message: `Incorrect API key provided: ${req.headers.authorization}` } } }),
    });
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, corpus.slice(0, 3).map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
      const ledger = join(dir, 'l.sqlite');
      const r = await runCli(
        ['run', '--input', input, '--style', 'wiki', '--base-url', server.url, '--model', 'fake-model', '--ledger', ledger, '--api-key-env', 'MY_KEY', '--progress', 'plain'],
        { env: { MY_KEY: key } },
      );
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(server.url.replace(/\/$/, ''));
      expect(r.stderr).toContain('MY_KEY');
      expect(r.stderr + r.stdout).not.toContain(key);
      expect(readFileSync(ledger).includes(key)).toBe(false);
      expect(server.requests[0]!.headers.authorization).toBe(`Bearer ${key}`);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('retries 429 (honouring retry-after-ms) and 5xx, then accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-429-'));
    let n = 0;
    const server = await startFakeServer({
      respond: () => {
        n++;
        if (n === 1) return { status: 429, headers: { 'retry-after-ms': '50' }, body: { error: { message: 'slow down' } } };
        if (n === 2) return { status: 503, body: { error: { message: 'overloaded' } } };
        return undefined;
      },
    });
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, JSON.stringify({ id: 'a', text: corpus[0]!.text }) + '\n');
      const ledger = join(dir, 'l.sqlite');
      const r = await runCli(['run', '--input', input, '--style', 'wiki', '--base-url', server.url, '--model', 'fake-model', '--ledger', ledger, '--chunk-tokens', '4000', '--progress', 'none']);
      expect(r.code).toBe(0);
      expect(server.requestCount).toBe(3);
      const stats = JSON.parse((await runCli(['stats', '--ledger', ledger, '--json'])).stdout);
      expect(stats.tasks.accepted).toBe(1);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('says which endpoint and what to check, before reading anything, for an unknown model or a refused connection', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-pre-'));
    const server = await startFakeServer({ models: ['served-a', 'served-b'] });
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, JSON.stringify({ id: 'a', text: corpus[0]!.text }) + '\n');
      const ledger = join(dir, 'l.sqlite');
      const unknown = await runCli(['run', '--input', input, '--base-url', server.url, '--model', 'not-served', '--ledger', ledger, '--progress', 'none']);
      expect(unknown.code).toBe(3);
      expect(unknown.stderr).toContain(`does not serve the model 'not-served'; it serves: served-a, served-b`);
      expect(server.requestCount).toBe(0);
      await server.close();
      const refused = await runCli(['run', '--input', input, '--base-url', server.url, '--model', 'served-a', '--ledger', ledger, '--progress', 'none']);
      expect(refused.code).toBe(3);
      expect(refused.stderr).toMatch(/cannot connect to http:\/\/127\.0\.0\.1:\d+\/v1 .*check that the server is running/);
      // Nothing was read, so nothing was written: no ledger, no task marked failed.
      expect(existsSync(ledger)).toBe(false);
    } finally {
      await server.close().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with exit 1 and a one-line message for an unknown style or a bad evaluator option in a style file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-usage-'));
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, JSON.stringify({ id: 'a', text: corpus[0]!.text }) + '\n');
      const unknown = await runCli(['run', '--input', input, '--model', 'm', '--style', 'nope', '--ledger', join(dir, 'l.sqlite')]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("unknown style 'nope'");
      const prompts = join(dir, 'prompts');
      mkdirSync(prompts);
      const wiki = readFileSync(new URL('../../prompts/wiki.md', import.meta.url), 'utf8').replace('verbatim-copy: {max: 0.5}', 'verbatim-copy: {maximum: 2}');
      writeFileSync(join(prompts, 'wiki.md'), wiki);
      const bad = await runCli(['run', '--input', input, '--model', 'm', '--prompts', prompts, '--ledger', join(dir, 'l.sqlite')]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/evaluator "verbatim-copy", option "maximum"/);
      expect(bad.stderr).not.toMatch(/\n\s+at /);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with exit 1 and a clear message for an input path that does not exist', async () => {
    const r = await runCli(['run', '--input', '/nonexistent/x.jsonl', '--model', 'fake-model', '--ledger', join(tmpdir(), 'never.sqlite')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('/nonexistent/x.jsonl');
  });
});

describe('reword run, a chunk too long for the model', () => {
  it('splits the chunk and rephrases each part, keeping their spans in the document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-ctx-'));
    const server = await startFakeServer({
      respond: (req) =>
        req.source.length > 700
          ? { status: 400, body: { error: { message: "This model's maximum context length is 512 tokens", code: 'context_length_exceeded' } } }
          : undefined,
    });
    try {
      const doc = corpus.find((d) => d.text.length > 2000 && d.text.length < 4000)!;
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, JSON.stringify({ id: doc.id, text: doc.text }) + '\n');
      const ledger = join(dir, 'l.sqlite');
      const r = await runCli(['run', '--input', input, '--style', 'wiki', '--base-url', server.url, '--model', 'fake-model', '--ledger', ledger, '--chunk-tokens', '4000', '--max-attempts', '1', '--progress', 'none']);
      expect(r.code, r.stderr).toBe(0);
      const db = new Database(ledger, { readonly: true });
      const failed = db.prepare(`SELECT reasons_json FROM tasks WHERE status = 'failed'`).all() as Array<{ reasons_json: string }>;
      expect(failed.length).toBeGreaterThan(0);
      expect(failed.every((f) => f.reasons_json === '["context_too_long"]')).toBe(true);
      // The parts that got an answer are small enough, and together they cover the document's text.
      const parts = db.prepare(`SELECT c.start, c.end, c.text FROM tasks t JOIN chunks c ON c.id = t.chunk_id WHERE t.status <> 'failed' ORDER BY c.start`).all() as Array<{ start: number; end: number; text: string }>;
      db.close();
      expect(parts.length).toBeGreaterThan(1);
      for (const p of parts) {
        expect(p.text.length).toBeLessThanOrEqual(700);
        expect(doc.text.slice(p.start, p.end)).toBe(p.text);
      }
      const coveredChars = parts.reduce((n, p) => n + p.text.replace(/\s/g, '').length, 0);
      expect(coveredChars).toBe(doc.text.replace(/\s/g, '').length);
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
