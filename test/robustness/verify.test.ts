// `reword verify --ledger PATH`: SQLite's integrity check, foreign keys and the ledger's invariants, with a
// count of problems; exit 0 only when clean. Each test breaks one thing in a copy of a real run's ledger.

import { copyFileSync, openSync, readSync, writeSync, closeSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { englishDocs, jsonl, runArgs, scratch, type Scratch } from './harness.js';

interface VerifyJson {
  ok: boolean;
  problems: number;
  checks: Array<{ check: string; count: number; examples: string[] }>;
}

describe('reword verify', () => {
  let dir: Scratch;
  let server: FakeServer;
  let clean: string;
  let copies = 0;

  beforeAll(async () => {
    dir = scratch('verify');
    const docs = englishDocs.slice(0, 4);
    // The last document's answers copy it word for word: a rejected task, with reasons, is part of a normal ledger.
    server = await startFakeServer({ respond: (q) => (q.source === docs[3]!.text ? { contents: [q.source] } : undefined) });
    const input = dir.write('in.jsonl', jsonl(docs));
    clean = dir.path('clean.sqlite');
    const r = await runCli(runArgs({ prompts: dir.prompts, input, ledger: clean, url: server.url, extra: ['--chunk-tokens', '4000', '--max-attempts', '1'] }));
    expect(r.code, r.stderr).toBe(0);
  });

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  /** A copy of the clean ledger with `damage` done to it (foreign keys off, as a careless tool would). */
  function damaged(damage: (db: Database.Database) => void): string {
    const path = dir.path(`damaged-${++copies}.sqlite`);
    copyFileSync(clean, path);
    const db = new Database(path);
    db.pragma('foreign_keys = OFF');
    damage(db);
    db.close();
    return path;
  }

  /** `reword verify` in both output modes; `textToo: false` saves a process start where the text adds nothing. */
  async function verify(path: string, textToo = true): Promise<{ code: number | null; text: string; json: VerifyJson }> {
    const [json, text] = await Promise.all([
      runCli(['verify', '--ledger', path, '--json']),
      textToo ? runCli(['verify', '--ledger', path]) : undefined,
    ]);
    if (text) expect(text.code).toBe(json.code);
    return { code: json.code, text: text ? text.stdout + text.stderr : '', json: JSON.parse(json.stdout) as VerifyJson };
  }

  const firstOutput = (db: Database.Database) =>
    db.prepare(`SELECT id, task_id, candidate_id FROM outputs ORDER BY id LIMIT 1`).get() as { id: number; task_id: number; candidate_id: number };

  it('passes a ledger a run wrote, with exit 0', async () => {
    const r = await verify(clean);
    expect(r.code).toBe(0);
    expect(r.text).toContain('ok');
    expect(r.json).toEqual({ ok: true, problems: 0, checks: [] });
  });

  const cases: Array<{ name: string; check: string; damage: (db: Database.Database) => void }> = [
    {
      name: 'a task with two accepted outputs',
      check: 'task has more than one accepted output',
      damage: (db) => {
        // The UNIQUE constraint forbids it, so the table is rebuilt without it, as a hand-made merge might.
        db.exec(`
          CREATE TABLE outputs_copy (id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks(id),
            candidate_id INTEGER NOT NULL REFERENCES candidates(id), run_id INTEGER NOT NULL REFERENCES runs(id),
            text TEXT NOT NULL, created_at TEXT NOT NULL);
          INSERT INTO outputs_copy SELECT id, task_id, candidate_id, run_id, text, created_at FROM outputs;
          DROP TABLE outputs; ALTER TABLE outputs_copy RENAME TO outputs;`);
        const o = db.prepare(`SELECT * FROM outputs LIMIT 1`).get() as Record<string, unknown>;
        db.prepare(`INSERT INTO outputs (id, task_id, candidate_id, run_id, text, created_at) VALUES (999, ?, ?, ?, ?, ?)`).run(
          o['task_id'], o['candidate_id'], o['run_id'], o['text'], o['created_at'],
        );
      },
    },
    {
      name: 'an accepted task whose output is gone',
      check: 'accepted task without an output',
      damage: (db) => {
        const o = firstOutput(db);
        db.prepare(`DELETE FROM attributions WHERE output_id = ?`).run(o.id);
        db.prepare(`DELETE FROM outputs WHERE id = ?`).run(o.id);
      },
    },
    {
      name: 'an output whose candidate did not pass',
      check: 'output whose candidate did not pass',
      damage: (db) => db.prepare(`UPDATE candidates SET pass = 0 WHERE id = ?`).run(firstOutput(db).candidate_id),
    },
    {
      name: 'an output whose text is not the accepted candidate',
      check: 'output text differs from its accepted candidate',
      damage: (db) => db.prepare(`UPDATE outputs SET text = text || ' An added sentence.' WHERE id = ?`).run(firstOutput(db).id),
    },
    {
      name: 'an output that no longer joins back to its source document',
      check: 'output that does not join back to a source document',
      damage: (db) => {
        const sha = db.prepare(`SELECT c.doc_sha256 FROM tasks t JOIN chunks c ON c.id = t.chunk_id WHERE t.id = ?`).pluck().get(firstOutput(db).task_id);
        db.prepare(`DELETE FROM sources WHERE sha256 = ?`).run(sha);
      },
    },
    {
      name: 'an output without the verdicts that accepted it',
      check: 'output without the verdicts that accepted it',
      damage: (db) => db.prepare(`DELETE FROM verdicts WHERE candidate_id = ?`).run(firstOutput(db).candidate_id),
    },
    {
      name: 'a rejected task that lost its reasons',
      check: 'rejected or failed task without reasons',
      damage: (db) => db.exec(`UPDATE tasks SET reasons_json = NULL WHERE status = 'rejected'`),
    },
    {
      name: 'a table rebuilt without its key, which foreign_key_check cannot even run on',
      check: 'foreign keys (could not run)',
      damage: (db) => db.exec(`CREATE TABLE outputs_copy AS SELECT * FROM outputs; DROP TABLE outputs; ALTER TABLE outputs_copy RENAME TO outputs;`),
    },
    {
      name: 'rows whose parents are gone',
      check: 'foreign keys',
      damage: (db) => db.exec(`DELETE FROM prompts`),
    },
  ];

  for (const c of cases) {
    it(`finds ${c.name}, names the check, counts it and exits 2`, async () => {
      const r = await verify(damaged(c.damage), false);
      expect(r.code).toBe(2);
      expect(r.json.ok).toBe(false);
      const found = r.json.checks.find((x) => x.check === c.check);
      expect(found?.count, JSON.stringify(r.json.checks)).toBeGreaterThan(0);
      expect(r.json.problems).toBe(r.json.checks.reduce((n, x) => n + x.count, 0));
    });
  }

  it('adds up problems of several kinds into one count', async () => {
    const path = damaged((db) => {
      db.prepare(`UPDATE candidates SET pass = 0 WHERE id = ?`).run(firstOutput(db).candidate_id);
      db.exec(`UPDATE tasks SET reasons_json = NULL WHERE status = 'rejected'`);
    });
    const r = await verify(path);
    expect(r.code).toBe(2);
    expect(r.json.checks.map((x) => x.check).sort()).toEqual(['output whose candidate did not pass', 'rejected or failed task without reasons']);
    expect(r.json.problems).toBe(2);
    expect(r.text).toContain('2 problems');
  });

  it('reports a damaged file as a problem with exit 2, not a crash', async () => {
    const path = damaged(() => {});
    // Overwrite the middle of the chunks table's first page: a bad sector, a torn copy.
    const db = new Database(path, { readonly: true });
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    const rootPage = db.prepare(`SELECT rootpage FROM sqlite_master WHERE name = 'chunks'`).pluck().get() as number;
    db.close();
    const fd = openSync(path, 'r+');
    const page = Buffer.alloc(pageSize);
    readSync(fd, page, 0, pageSize, (rootPage - 1) * pageSize);
    page.fill(0xa5, 8, pageSize);
    writeSync(fd, page, 0, pageSize, (rootPage - 1) * pageSize);
    closeSync(fd);

    const r = await verify(path);
    expect(r.code).toBe(2);
    expect(r.text).toContain('integrity');
    expect(r.text).not.toMatch(/\n\s+at /);
    expect(r.json.ok).toBe(false);
  });

  it('exits 1 naming a ledger that does not exist', async () => {
    const missing = dir.path('missing.sqlite');
    const r = await runCli(['verify', '--ledger', missing]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(missing);
  });
});
