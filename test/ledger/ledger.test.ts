import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exportRecords } from '../../src/ledger/export-rows.js';
import { migrations, schemaVersion } from '../../src/ledger/migrations.js';
import { LedgerError, openLedger, type Db } from '../../src/ledger/open-ledger.js';
import { beginRun, finishRun, LedgerBusyError } from '../../src/ledger/runs.js';
import { ledgerStats } from '../../src/ledger/stats.js';
import { traceTasks } from '../../src/ledger/trace.js';
import { LedgerWriter, type AttemptRecord } from '../../src/ledger/writer.js';
import type { Chunk, SourceDoc, Style } from '../../src/types.js';

const style: Style = {
  id: 'wiki', description: 'test', kind: 'faithful', maxOutputTokens: 100, lengthRatio: { min: 0.1, max: 10 },
  evaluators: [], template: '{{source}}', sha256: 'p'.repeat(64), path: 'prompts/wiki.md',
};

function doc(id: string, text: string, line: number): SourceDoc {
  return { id, text, meta: {}, origin: { path: 'in.jsonl', line, byteOffset: line * 100 }, sha256: `sha-${text}` };
}

function chunkOf(d: SourceDoc): Chunk {
  return { docId: d.id, index: 0, start: 0, end: d.text.length, text: d.text, sha256: `c-${d.sha256}`, tokens: 3 };
}

function attempt(taskKey: string, runId: number, over: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    taskKey, runId, attemptNo: 1, endpoint: 'http://x/v1', model: 'm', params: { temperature: 0.7 }, seed: 42,
    usage: { promptTokens: 10, completionTokens: 5 }, latencyMs: 12,
    candidates: [{ text: 'out', cleaned: 'out', finishReason: 'stop', pass: true, score: 1, verdicts: [{ evaluator: 'e', pass: true, score: 1, reason: 'ok' }] }],
    outcome: { status: 'accepted', candidateIndex: 0, attributions: [{ outputStart: 0, outputEnd: 3, sourceStart: 0, sourceEnd: 4, support: 0.9 }] },
    attempts: 1,
    ...over,
  };
}

describe('ledger', () => {
  let dir: string;
  let path: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reword-ledger-'));
    path = join(dir, 'l.sqlite');
    db = openLedger(path);
  });
  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function seedTask(writer: LedgerWriter, runId: number, d: SourceDoc, key: string): void {
    writer.writePrompt(style, 'body');
    writer.addSource(d, runId);
    writer.addChunk(d.sha256, chunkOf(d));
    writer.addTask({ taskKey: key, docSha256: d.sha256, chunkStart: 0, chunkEnd: d.text.length, style, model: 'm', params: {} });
  }

  it('opens in WAL mode with foreign keys and the current schema version', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('user_version', { simple: true })).toBe(schemaVersion);
  });

  it('refuses a ledger from a newer reword, naming both versions', () => {
    db.pragma(`user_version = ${schemaVersion + 1}`);
    db.close();
    expect(() => openLedger(path)).toThrow(new RegExp(`schema version ${schemaVersion + 1}.*up to version ${schemaVersion}`));
  });

  it('migrates an empty (version 0) database forward', () => {
    db.close();
    const other = join(dir, 'old.sqlite');
    new Database(other).close();
    const migrated = openLedger(other);
    expect(migrated.pragma('user_version', { simple: true })).toBe(migrations.length);
    migrated.close();
  });

  it('refuses to read a ledger that does not exist', () => {
    expect(() => openLedger(join(dir, 'missing.sqlite'), { readonly: true })).toThrow(LedgerError);
  });

  it('keeps at most one accepted output per task, while keeping every attempt', () => {
    const runId = beginRun(db, path, {}, 't');
    const writer = new LedgerWriter(db);
    const d = doc('a', 'text', 1);
    seedTask(writer, runId, d, 'k1');
    writer.addAttempt(attempt('k1', runId));
    writer.addAttempt(attempt('k1', runId, { attemptNo: 2 }));
    writer.flush();
    expect(db.prepare('SELECT count(*) AS n FROM outputs').get()).toEqual({ n: 1 });
    expect(db.prepare('SELECT count(*) AS n FROM attempts').get()).toEqual({ n: 2 });
    expect(db.prepare('SELECT count(*) AS n FROM attributions').get()).toEqual({ n: 1 });
  });

  it('records rejected tasks with their reasons and keeps rejected candidates', () => {
    const runId = beginRun(db, path, {}, 't');
    const writer = new LedgerWriter(db);
    seedTask(writer, runId, doc('a', 'text', 1), 'k1');
    writer.addAttempt(
      attempt('k1', runId, {
        candidates: [{ text: 'Sure! x', cleaned: 'Sure! x', finishReason: 'stop', pass: false, score: 0, verdicts: [{ evaluator: 'preamble', pass: false, score: 0, reason: 'preamble' }] }],
        outcome: { status: 'rejected', reasons: ['preamble'] },
      }),
    );
    writer.flush();
    const s = ledgerStats(db);
    expect(s.tasks).toMatchObject({ total: 1, rejected: 1, accepted: 0 });
    expect(s.rejections.candidates).toEqual({ preamble: 1 });
    expect(s.rejections.tasks).toEqual({ preamble: 1 });
    expect(traceTasks(db, 'k1')[0]!.attempts[0]!.candidates[0]!.text).toBe('Sure! x');
  });

  it('commits nothing of a batch that fails half way', () => {
    const runId = beginRun(db, path, {}, 't');
    const writer = new LedgerWriter(db);
    seedTask(writer, runId, doc('a', 'text', 1), 'k1');
    writer.addAttempt(attempt('unknown-task', runId));
    expect(() => writer.flush()).toThrow(/unknown task/);
    expect(db.prepare('SELECT count(*) AS n FROM tasks').get()).toEqual({ n: 0 });
  });

  it('exports each accepted output once, joined to its first source, even when two ids share the text', () => {
    const runId = beginRun(db, path, {}, 't');
    const writer = new LedgerWriter(db);
    const a = doc('a', 'same', 1);
    seedTask(writer, runId, a, 'k1');
    writer.addSource(doc('b', 'same', 2), runId);
    writer.addAttempt(attempt('k1', runId));
    writer.flush();
    const rows = [...exportRecords(db)];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.metadata).toMatchObject({ source_id: 'a', source_line: 1, style: 'wiki', run_id: runId, attempts: 1 });
    expect(traceTasks(db, 'b')[0]!.sources.map((s) => s.doc_id)).toEqual(['a', 'b']);
  });

  it('refuses a second live run on the same ledger, naming the holder, but not a dead one', () => {
    const first = beginRun(db, path, {}, 't');
    db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(process.ppid, first);
    expect(() => beginRun(db, path, {}, 't')).toThrow(LedgerBusyError);
    expect(() => beginRun(db, path, {}, 't')).toThrow(new RegExp(`pid ${process.ppid}`));
    // A pid that cannot exist: the holder was killed.
    db.prepare('UPDATE runs SET pid = ? WHERE id = ?').run(2 ** 22 + 12345, first);
    const second = beginRun(db, path, {}, 't');
    expect(second).toBeGreaterThan(first);
    expect(db.prepare('SELECT status FROM runs WHERE id = ?').get(first)).toEqual({ status: 'crashed' });
    finishRun(db, second, 'finished');
  });

  it('records each input error once across re-runs', () => {
    const runId = beginRun(db, path, {}, 't');
    const writer = new LedgerWriter(db);
    const e = { path: 'in.jsonl', line: 3, code: 'malformed_json', message: 'bad' };
    writer.addInputError(runId, e);
    writer.addInputError(runId, e);
    writer.addInputError(runId, { path: 'x.txt', code: 'binary_file', message: 'bin' });
    writer.addInputError(runId, { path: 'x.txt', code: 'binary_file', message: 'bin' });
    writer.flush();
    expect(ledgerStats(db).input_errors).toEqual({ total: 2, by_code: { malformed_json: 1, binary_file: 1 } });
  });
});
