import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { faithfulRewrite, startFakeServer } from '../support/fake-server.js';

const sample = readFileSync(new URL('../../data/sample.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; text: string });

describe('the faithfulness judge in a run', () => {
  it('accepts a faithful rewrite with sentence attributions, and rejects an altered one with its reasons', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-faith-'));
    const faithful = sample.find((d) => d.id === 'sample-003')!; // SQLite
    const altered = sample.find((d) => d.id === 'sample-002')!; // bicycles
    // The altered answer changes a year and adds a sentence the source never says.
    const alteredAnswer = faithfulRewrite(altered.text).replace('1888', '1895') + ' Bicycles were later banned in Paris for ten years.';
    const server = await startFakeServer({ respond: (req) => (req.source === altered.text ? { contents: [alteredAnswer] } : undefined) });
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, [faithful, altered].map((d) => JSON.stringify(d)).join('\n') + '\n');
      const ledger = join(dir, 'l.sqlite');
      const r = await runCli(['run', '--input', input, '--style', 'wiki', '--base-url', server.url, '--model', 'fake-model', '--ledger', ledger, '--max-attempts', '1', '--progress', 'none']);
      expect(r.code, r.stderr).toBe(0);

      const db = new Database(ledger, { readonly: true });
      const tasks = db.prepare(`SELECT s.doc_id, t.status, t.reasons_json FROM tasks t JOIN chunks c ON c.id = t.chunk_id JOIN sources s ON s.sha256 = c.doc_sha256 ORDER BY s.doc_id`).all() as Array<{ doc_id: string; status: string; reasons_json: string | null }>;
      expect(tasks).toEqual([
        { doc_id: 'sample-002', status: 'rejected', reasons_json: expect.any(String) },
        { doc_id: 'sample-003', status: 'accepted', reasons_json: null },
      ]);
      const reasons = JSON.parse(tasks[0]!.reasons_json!) as string[];
      expect(reasons.some((x) => ['novel_number', 'unsupported_sentence', 'novel_entity'].includes(x))).toBe(true);
      const failing = db.prepare(`SELECT evaluator, reason FROM verdicts WHERE pass = 0`).all();
      expect(failing).toEqual([{ evaluator: 'novel-numbers', reason: 'novel_number' }]);

      const output = db.prepare(`SELECT id, text FROM outputs`).get() as { id: number; text: string };
      const rows = db.prepare(`SELECT output_start, output_end, source_start, source_end, support FROM attributions WHERE output_id = ? ORDER BY output_start`).all(output.id) as Array<{ output_start: number; output_end: number; source_start: number; source_end: number; support: number }>;
      db.close();
      // One attribution per output sentence, each pointing at the span of the document that supports it.
      expect(rows.length).toBeGreaterThanOrEqual(4);
      const covered = rows.reduce((n, a) => n + (a.output_end - a.output_start), 0);
      expect(covered / output.text.length).toBeGreaterThan(0.9);
      for (const a of rows) {
        expect(a.support).toBeGreaterThanOrEqual(0.5);
        const sentenceWords = output.text.slice(a.output_start, a.output_end).toLowerCase().match(/[a-z]{5,}/g)!;
        const span = faithful.text.slice(a.source_start, a.source_end).toLowerCase();
        for (const w of sentenceWords) expect(span).toContain(w);
      }

      const trace = JSON.parse((await runCli(['trace', '--ledger', ledger, '--json', 'sample-003'])).stdout);
      expect(trace[0].output.attributions[0].output_sentence).toBe(output.text.slice(rows[0]!.output_start, rows[0]!.output_end));
      expect(faithful.text).toContain(trace[0].output.attributions[0].source_text.trim());
      const human = (await runCli(['trace', '--ledger', ledger, 'sample-003'])).stdout;
      expect(human).toContain('sentence attributions');
      // The prompt itself, not only its hash: what the model was asked.
      expect(human).toContain('    > You rewrite documents as passages of a Wikipedia article.');
    } finally {
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('an LLM judge on its own endpoint', () => {
  it('judges every candidate, records each judge request against its task, and rejects what it finds added', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'reword-llmjudge-'));
    const [a, b] = [sample[0]!, sample[3]!];
    const rephraser = await startFakeServer();
    const judge = await startFakeServer({
      models: ['judge-model'],
      respond: (req) => {
        const prompt = req.body.messages.map((m) => (typeof m.content === 'string' ? m.content : '')).join('\n');
        const added = prompt.includes('Karl von Frisch') ? ['The dance was first filmed in 1950.'] : [];
        return { contents: [JSON.stringify({ supported: ['main point'], omitted: [], contradicted: [], added, verdict: added.length ? 'unfaithful' : 'faithful' })] };
      },
    });
    try {
      const input = join(dir, 'in.jsonl');
      writeFileSync(input, [a, b].map((d) => JSON.stringify(d)).join('\n') + '\n');
      const ledger = join(dir, 'l.sqlite');
      const r = await runCli([
        'run', '--input', input, '--style', 'wiki', '--base-url', rephraser.url, '--model', 'fake-model', '--ledger', ledger,
        '--max-attempts', '1', '--judge-model', 'judge-model', '--judge-base-url', judge.url, '--judge-mode', 'all', '--progress', 'none',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(judge.requestCount).toBe(2);
      const db = new Database(ledger, { readonly: true });
      const byDoc = db.prepare(`SELECT s.doc_id, t.status, t.reasons_json FROM tasks t JOIN chunks c ON c.id = t.chunk_id JOIN sources s ON s.sha256 = c.doc_sha256 ORDER BY s.doc_id`).all();
      expect(byDoc).toEqual([
        { doc_id: a.id, status: 'accepted', reasons_json: null },
        { doc_id: b.id, status: 'rejected', reasons_json: '["added_claim"]' },
      ]);
      const judgeAttempts = db.prepare(`SELECT a.model, a.endpoint, c.text FROM attempts a JOIN candidates c ON c.attempt_id = a.id WHERE a.purpose = 'judge'`).all() as Array<{ model: string; endpoint: string; text: string }>;
      db.close();
      expect(judgeAttempts).toHaveLength(2);
      expect(judgeAttempts.every((j) => j.model === 'judge-model' && j.endpoint.includes(judge.url.replace(/\/$/, '')))).toBe(true);
      expect(judgeAttempts.some((j) => j.text.includes('first filmed in 1950'))).toBe(true);
    } finally {
      await rephraser.close();
      await judge.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
