import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openLedger, type Db } from '../../src/ledger/open-ledger.js';
import { beginRun } from '../../src/ledger/runs.js';
import { verifyLedger } from '../../src/ledger/verify.js';
import { LedgerWriter } from '../../src/ledger/writer.js';
import type { Style } from '../../src/types.js';

const style: Style = {
  id: 'wiki', description: 'test', kind: 'faithful', maxOutputTokens: 100, lengthRatio: { min: 0.1, max: 10 },
  evaluators: [], template: '{{source}}', sha256: 'p'.repeat(64), path: 'prompts/wiki.md',
};

describe('verifyLedger', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'reword-verify-'));
    const path = join(dir, 'l.sqlite');
    db = openLedger(path);
    const runId = beginRun(db, path, {}, 't');
    const w = new LedgerWriter(db);
    w.writePrompt(style, 'body');
    w.addSource({ id: 'd', text: 'hello world', meta: {}, origin: { path: 'x', line: 1, byteOffset: 0 }, sha256: 'S' }, runId);
    w.addChunk('S', { docId: 'd', index: 0, start: 0, end: 11, text: 'hello world', sha256: 'C', tokens: 2 });
    for (const key of ['k1', 'k2']) {
      w.addTask({ taskKey: key, docSha256: 'S', chunkStart: 0, chunkEnd: 11, style, model: 'm', params: {} });
    }
    w.addAttempt({
      taskKey: 'k1', runId, attemptNo: 1, endpoint: 'e', model: 'm', params: {}, usage: null, attempts: 1,
      candidates: [{ text: 'hi', cleaned: 'hi', finishReason: 'stop', pass: true, score: 1, verdicts: [{ evaluator: 'x', pass: true, score: 1, reason: 'ok' }] }],
      outcome: { status: 'accepted', candidateIndex: 0, attributions: [] },
    });
    w.flush();
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds nothing wrong in a ledger the writer made', () => {
    expect(verifyLedger(db)).toEqual([]);
  });

  it('reports an accepted task that lost its output', () => {
    db.prepare(`UPDATE tasks SET status = 'accepted' WHERE task_key = 'k2'`).run();
    expect(verifyLedger(db)).toEqual([{ check: 'accepted task without an output', count: 1, examples: ['k2'] }]);
  });

  it('reports an output whose candidate failed a verdict, and a chunk beyond its document', () => {
    db.prepare(`INSERT INTO verdicts (candidate_id, evaluator, pass, score, reason) VALUES (1, 'y', 0, 0, 'bad')`).run();
    db.prepare(`UPDATE chunks SET end = 99`).run();
    const checks = verifyLedger(db).map((p) => p.check);
    expect(checks).toContain('candidate marked passing with a failing verdict');
    expect(checks).toContain('chunk span outside its document');
  });

  it('reports rows that break foreign keys', () => {
    db.pragma('foreign_keys = OFF');
    db.prepare(`DELETE FROM chunks`).run();
    expect(verifyLedger(db).map((p) => p.check)).toContain('foreign keys');
  });
});
