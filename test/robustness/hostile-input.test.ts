// Broken inputs: each bad record gets a clear message with its path and line, is recorded in the ledger's
// input_errors, and every good record around it is still processed. One run reads a directory holding one file
// per case; the cases that end a run (or need one of their own) run alone.

import { spawn } from 'node:child_process';
import { chmodSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, collect, runCli, type CliResult } from '../support/cli.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { count, englishDocs, jsonl, peekLedger, runArgs, scratch, type Doc, type Scratch } from './harness.js';

interface InputErrorRow {
  path: string;
  line: number | null;
  code: string;
  message: string;
}

const good = (i: number, id = `good-${i}`): Doc => ({ id, text: englishDocs[i]!.text });
const line = (d: object): string => JSON.stringify(d);

describe('hostile input files in one directory', () => {
  let dir: Scratch;
  let server: FakeServer;
  let ledger: string;
  let run: CliResult;
  let errors: InputErrorRow[];
  let stats: { input_errors: { total: number; by_code: Record<string, number> }; tasks: Record<string, number> };
  const file = (name: string): string => dir.path(join('inputs', name));

  beforeAll(async () => {
    dir = scratch('hostile');
    const w = (name: string, content: string | Buffer) => dir.write(join('inputs', name), content);
    w('a-malformed.jsonl', [line(good(0)), '{"id": "broken", "text": "unterminated', line(good(1))].join('\n') + '\n');
    w('b-not-object.jsonl', ['[1, 2]', line(good(2)), '"just a string"', '42', 'null'].join('\n') + '\n');
    w(
      'c-text-fields.jsonl',
      [
        line({ id: 'no-text', body: 'the text is under another name' }),
        line({ id: 'null-text', text: null }),
        line({ id: 'numeric-text', text: 42 }),
        line({ id: 'empty-text', text: '' }),
        line(good(3)),
      ].join('\n') + '\n',
    );
    w(
      'd-invalid-utf8.jsonl',
      Buffer.concat([Buffer.from(line(good(4)) + '\n{"id": "latin1", "text": "caf'), Buffer.from([0xe9]), Buffer.from(' au lait"}\n' + line(good(5)) + '\n')]),
    );
    w('e-bom.jsonl', '\ufeff' + jsonl([good(6, 'bom-first'), good(7)]));
    w('f-crlf.jsonl', line(good(8, 'crlf-first')) + '\r\n' + line(good(9, 'crlf-second')) + '\r\n');
    w('g-image.png', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d]), Buffer.alloc(4096, 7)]));
    w('h-same-id.jsonl', jsonl([{ id: 'same-id', text: englishDocs[10]!.text }, { id: 'same-id', text: englishDocs[11]!.text }]));
    w('i-same-text.jsonl', jsonl([{ id: 'twin-a', text: englishDocs[12]!.text }, { id: 'twin-b', text: englishDocs[12]!.text }]));

    server = await startFakeServer();
    ledger = dir.path('ledger.sqlite');
    run = await runCli(runArgs({ prompts: dir.prompts, input: dir.path('inputs'), ledger, url: server.url, extra: ['--chunk-tokens', '4000'] }));
    errors = peekLedger(ledger, (db) => db.prepare(`SELECT path, line, code, message FROM input_errors ORDER BY path, line`).all() as InputErrorRow[]) ?? [];
    const s = await runCli(['stats', '--ledger', ledger, '--json']);
    stats = JSON.parse(s.stdout);
  });

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  /** The case's input errors are in the ledger and on stderr, each with "path:line". */
  function expectReported(name: string, expected: Array<{ line: number | null; code: string }>): void {
    const path = file(name);
    expect(errors.filter((e) => e.path === path).map(({ line, code }) => ({ line, code }))).toEqual(expected);
    for (const e of expected) expect(run.stderr).toContain(e.line === null ? `${path}:` : `${path}:${e.line}:`);
  }

  /** Every good record of the file became a document whose task was accepted. */
  function expectGoodRecordsAccepted(name: string, ids: string[]): void {
    const rows = peekLedger(ledger, (db) =>
      db
        .prepare(
          `SELECT s.doc_id AS id, t.status FROM sources s JOIN chunks c ON c.doc_sha256 = s.sha256 JOIN tasks t ON t.chunk_id = c.id
           WHERE s.path = ? ORDER BY s.line`,
        )
        .all(file(name)),
    );
    expect(rows).toEqual(ids.map((id) => ({ id, status: 'accepted' })));
  }

  it('finishes the run, processes every good record and counts every bad one in stats', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(stats.tasks).toMatchObject({ total: 13, accepted: 13, pending: 0, failed: 0 });
    expect(stats.input_errors.by_code).toEqual({
      not_an_object: 4, missing_text: 2, malformed_json: 1, non_string_text: 1, empty_text: 1, invalid_utf8: 1, binary_file: 1,
    });
  });

  it('reports a malformed JSON line and reads the lines after it', () => {
    expectReported('a-malformed.jsonl', [{ line: 2, code: 'malformed_json' }]);
    expectGoodRecordsAccepted('a-malformed.jsonl', ['good-0', 'good-1']);
  });

  it('reports valid JSON that is not an object: an array, a string, a number, null', () => {
    expectReported('b-not-object.jsonl', [1, 3, 4, 5].map((l) => ({ line: l, code: 'not_an_object' })));
    expectGoodRecordsAccepted('b-not-object.jsonl', ['good-2']);
  });

  it('reports a missing, null, numeric or empty text field, naming the field', () => {
    expectReported('c-text-fields.jsonl', [
      { line: 1, code: 'missing_text' },
      { line: 2, code: 'missing_text' },
      { line: 3, code: 'non_string_text' },
      { line: 4, code: 'empty_text' },
    ]);
    for (const e of errors.filter((x) => x.path === file('c-text-fields.jsonl'))) expect(e.message).toContain('"text"');
    expectGoodRecordsAccepted('c-text-fields.jsonl', ['good-3']);
  });

  it('reports invalid UTF-8 bytes instead of passing replacement characters on', () => {
    expectReported('d-invalid-utf8.jsonl', [{ line: 2, code: 'invalid_utf8' }]);
    expectGoodRecordsAccepted('d-invalid-utf8.jsonl', ['good-4', 'good-5']);
    expect(count(ledger, `SELECT count(*) FROM chunks WHERE instr(text, char(65533)) > 0`)).toBe(0);
  });

  it('reads a file that starts with a UTF-8 BOM: the first record keeps its id and its line', () => {
    expectReported('e-bom.jsonl', []);
    expectGoodRecordsAccepted('e-bom.jsonl', ['bom-first', 'good-7']);
    expect(peekLedger(ledger, (db) => db.prepare(`SELECT line, byte_offset FROM sources WHERE doc_id = 'bom-first'`).get())).toEqual({ line: 1, byte_offset: 3 });
  });

  it('reads CRLF line endings: no carriage return reaches a text, line numbers hold', () => {
    expectReported('f-crlf.jsonl', []);
    expectGoodRecordsAccepted('f-crlf.jsonl', ['crlf-first', 'crlf-second']);
    expect(peekLedger(ledger, (db) => db.prepare(`SELECT line FROM sources WHERE path = ? ORDER BY line`).pluck().all(file('f-crlf.jsonl')))).toEqual([1, 2]);
    expect(count(ledger, `SELECT count(*) FROM chunks WHERE instr(text, char(13)) > 0`)).toBe(0);
  });

  it('reports a binary file in an input directory and does not read it as text', () => {
    expectReported('g-image.png', [{ line: null, code: 'binary_file' }]);
    expect(count(ledger, `SELECT count(*) FROM sources WHERE path LIKE '%.png'`)).toBe(0);
  });

  it('keeps two documents with the same id and different texts, told apart by content hash', () => {
    expectGoodRecordsAccepted('h-same-id.jsonl', ['same-id', 'same-id']);
    const hashes = peekLedger(ledger, (db) => db.prepare(`SELECT DISTINCT sha256 FROM sources WHERE doc_id = 'same-id'`).pluck().all());
    expect(hashes).toHaveLength(2);
  });

  it('requests a text shared by two ids once, and traces it from either id to both', async () => {
    expect(server.requests.filter((q) => q.source === englishDocs[12]!.text)).toHaveLength(1);
    for (const id of ['twin-a', 'twin-b']) {
      const r = await runCli(['trace', '--ledger', ledger, '--json', id]);
      expect(r.code, r.stderr).toBe(0);
      const tasks = JSON.parse(r.stdout) as Array<{ status: string; sources: Array<{ doc_id: string }> }>;
      expect(tasks).toHaveLength(1);
      expect(tasks[0]!.status).toBe('accepted');
      expect(tasks[0]!.sources.map((s) => s.doc_id)).toEqual(['twin-a', 'twin-b']);
    }
  });
});

describe('hostile inputs that need a run of their own', () => {
  let dir: Scratch;
  let server: FakeServer;

  beforeAll(async () => {
    dir = scratch('hostile-alone');
    server = await startFakeServer();
  });

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('chunks a 20 MB single-line document instead of sending it whole, and reads the lines around it', async () => {
    const paragraph = englishDocs[0]!.text.split('\n\n').find((p) => p.length > 300)!;
    const huge = Array.from({ length: Math.ceil((20 * 1024 * 1024) / (paragraph.length + 2)) }, () => paragraph).join('\n\n');
    const input = dir.write('huge.jsonl', jsonl([good(1, 'before'), { id: 'huge', text: huge }, good(2, 'after')]));
    const ledger = dir.path('huge.sqlite');
    const r = await runCli(runArgs({ prompts: dir.prompts, input, ledger, url: server.url, extra: ['--chunk-tokens', '4000'] }));
    expect(r.code, r.stderr).toBe(0);

    const largestRequest = Math.max(...server.requests.map((q) => JSON.stringify(q.body).length));
    expect(largestRequest).toBeLessThan(100_000);
    const chunks = peekLedger(ledger, (db) =>
      db.prepare(`SELECT count(*) AS n, min(start) AS first, max(end) AS last, max(tokens) AS most FROM chunks c JOIN sources s ON s.sha256 = c.doc_sha256 WHERE s.doc_id = 'huge'`).get(),
    );
    expect(chunks).toEqual({ n: expect.any(Number), first: 0, last: huge.length, most: expect.any(Number) });
    const { n, most } = chunks as { n: number; most: number };
    expect(n).toBeGreaterThan(1000);
    expect(most).toBeLessThanOrEqual(4000);
    expect(peekLedger(ledger, (db) => db.prepare(`SELECT chars FROM sources WHERE doc_id = 'huge'`).pluck().get())).toBe(huge.length);
    for (const id of ['before', 'after']) {
      expect(peekLedger(ledger, (db) => db.prepare(`SELECT t.status FROM sources s JOIN chunks c ON c.doc_sha256 = s.sha256 JOIN tasks t ON t.chunk_id = c.id WHERE s.doc_id = ?`).pluck().get(id))).toBe('accepted');
    }
    expect(count(ledger, `SELECT count(*) FROM tasks WHERE status = 'pending'`)).toBe(0);
  }, 90_000);

  it('refuses an input path that does not exist with exit 1, naming it, before writing anything', async () => {
    const missing = dir.path('no/such/corpus.jsonl');
    const ledger = dir.path('never.sqlite');
    const r = await runCli(runArgs({ prompts: dir.prompts, input: [dir.write('real.jsonl', jsonl([good(0)])), missing], ledger, url: server.url }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(missing);
    expect(r.stderr).toContain('does not exist');
    expect(existsSync(ledger)).toBe(false);
  });

  describe('without read permission', () => {
    // Root reads everything whatever the mode bits say, so as root the CLI runs as the unprivileged "nobody".
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const runAsUser = (args: string[]): Promise<CliResult> =>
      collect(spawn(process.execPath, [cliPath, ...args], { ...asUser, env: { ...process.env, OPENAI_API_KEY: undefined }, stdio: ['pipe', 'pipe', 'pipe'] }));
    let root: string;

    beforeAll(() => {
      root = dir.path('perm');
      dir.write('perm/inputs/readable.jsonl', jsonl([good(13, 'readable')]));
      dir.write('perm/inputs/locked/hidden.jsonl', jsonl([good(14, 'hidden')]));
      dir.write('perm/inputs/locked-file.jsonl', jsonl([good(15, 'locked-file')]));
      chmodSync(dir.root, 0o777);
      chmodSync(root, 0o777);
      chmodSync(join(root, 'inputs/locked'), 0o000);
      chmodSync(join(root, 'inputs/locked-file.jsonl'), 0o000);
    });

    afterAll(() => {
      chmodSync(join(root, 'inputs/locked'), 0o755);
    });

    it('reports an unreadable directory or file inside an input directory and reads the rest', async () => {
      const ledger = join(root, 'inside.sqlite');
      const r = await runAsUser(runArgs({ prompts: dir.prompts, input: join(root, 'inputs'), ledger, url: server.url, extra: ['--chunk-tokens', '4000'] }));
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain(`${join(root, 'inputs/locked')}: cannot be read`);
      expect(r.stderr).toContain(`${join(root, 'inputs/locked-file.jsonl')}: cannot be read`);
      expect(peekLedger(ledger, (db) => db.prepare(`SELECT path, code FROM input_errors ORDER BY path`).all())).toEqual([
        { path: join(root, 'inputs/locked'), code: 'unreadable_path' },
        { path: join(root, 'inputs/locked-file.jsonl'), code: 'unreadable_path' },
      ]);
      expect(peekLedger(ledger, (db) => db.prepare(`SELECT doc_id FROM sources`).pluck().all())).toEqual(['readable']);
      expect(count(ledger, `SELECT count(*) FROM tasks WHERE status = 'accepted'`)).toBe(1);
    });

    it('refuses an input directory it cannot read with exit 1 and a message naming it', async () => {
      const locked = join(root, 'inputs/locked');
      const ledger = join(root, 'named.sqlite');
      const r = await runAsUser(runArgs({ prompts: dir.prompts, input: locked, ledger, url: server.url }));
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(locked);
      expect(r.stderr).toContain('permission denied');
      expect(existsSync(ledger)).toBe(false);
    });
  });
});
