// Ledgers outlive the reword that wrote them: an older schema is migrated forward in one transaction (all of
// it or none of it), a newer one is refused with both versions named, and a file that is no ledger is refused
// without being touched.

import { copyFileSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations, schemaVersion } from '../../src/ledger/migrations.js';
import { LedgerError, openLedger } from '../../src/ledger/open-ledger.js';
import { runCli } from '../support/cli.js';
import { startFakeServer, type FakeServer } from '../support/fake-server.js';
import { acceptedOutputs, englishDocs, jsonl, peekLedger, runArgs, scratch, type Scratch } from './harness.js';

const previousVersion = schemaVersion - 1;

function userVersion(path: string): number | undefined {
  return peekLedger(path, (db) => db.pragma('user_version', { simple: true }) as number);
}

function columns(path: string, table: string): string[] {
  return peekLedger(path, (db) => (db.pragma(`table_info(${table})`) as Array<{ name: string }>).map((c) => c.name)) ?? [];
}

function tables(path: string): string[] {
  return peekLedger(path, (db) => db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`).pluck().all() as string[]) ?? [];
}

/**
 * What the previous reword would have written for the same run: a ledger at the previous schema version holding
 * every row of `current`, in the columns that schema has.
 */
function downgradeFixture(current: string, fixture: string): void {
  openLedger(fixture, { migrations: migrations.slice(0, previousVersion) }).close();
  const db = new Database(fixture);
  db.pragma('foreign_keys = OFF');
  db.prepare(`ATTACH DATABASE ? AS src`).run(current);
  db.transaction(() => {
    for (const table of db.prepare(`SELECT name FROM main.sqlite_master WHERE type = 'table'`).pluck().all() as string[]) {
      const cols = (db.pragma(`main.table_info(${table})`) as Array<{ name: string }>).map((c) => `"${c.name}"`).join(', ');
      db.exec(`INSERT INTO main."${table}" (${cols}) SELECT ${cols} FROM src."${table}"`);
    }
  })();
  db.exec(`DETACH DATABASE src`);
  db.close();
}

describe('ledger schema versions', () => {
  let dir: Scratch;
  let server: FakeServer;
  let input: string;
  /** A ledger written by the previous schema, with a finished run in it; each test works on a copy. */
  let fixture: string;
  let expectedOutputs: Map<string, string>;
  let copies = 0;
  const copyOfFixture = (): string => {
    const path = dir.path(`copy-${++copies}.sqlite`);
    copyFileSync(fixture, path);
    return path;
  };

  beforeAll(async () => {
    dir = scratch('versions');
    server = await startFakeServer();
    input = dir.write('in.jsonl', jsonl(englishDocs.slice(0, 3)));
    const current = dir.path('current.sqlite');
    const made = await runCli(runArgs({ prompts: dir.prompts, input, ledger: current, url: server.url, extra: ['--chunk-tokens', '4000'] }));
    expect(made.code, made.stderr).toBe(0);
    expectedOutputs = acceptedOutputs(current);
    expect(expectedOutputs.size).toBe(3);
    fixture = dir.path('previous-schema.sqlite');
    downgradeFixture(current, fixture);
    expect(userVersion(fixture)).toBe(previousVersion);
  });

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('has a previous schema to migrate from', () => {
    expect(previousVersion).toBeGreaterThanOrEqual(1);
  });

  it('migrates a ledger of the previous schema when a run resumes it, keeping every row and requesting nothing again', async () => {
    const ledger = copyOfFixture();
    const before = server.requestCount;
    const r = await runCli(runArgs({ prompts: dir.prompts, input, ledger, url: server.url, extra: ['--chunk-tokens', '4000'] }));
    expect(r.code, r.stderr).toBe(0);
    expect(userVersion(ledger)).toBe(schemaVersion);
    expect(server.requestCount).toBe(before);
    expect(acceptedOutputs(ledger)).toEqual(expectedOutputs);
    const verify = await runCli(['verify', '--ledger', ledger]);
    expect(verify.code, verify.stdout).toBe(0);
  });

  it('tells a reader of a previous-schema ledger to migrate it, naming both versions, and leaves it as it was', async () => {
    const ledger = copyOfFixture();
    const bytes = readFileSync(ledger);
    const r = await runCli(['stats', '--ledger', ledger]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`schema version ${previousVersion}`);
    expect(r.stderr).toContain(`to ${schemaVersion}`);
    expect(readFileSync(ledger).equals(bytes)).toBe(true);
  });

  it('applies a future migration to an existing ledger, keeping its rows', () => {
    const ledger = copyOfFixture();
    const future = [...migrations, `ALTER TABLE runs ADD COLUMN host TEXT; CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);`];
    openLedger(ledger, { migrations: future }).close();
    expect(userVersion(ledger)).toBe(schemaVersion + 1);
    expect(columns(ledger, 'runs')).toContain('host');
    expect(tables(ledger)).toContain('notes');
    expect(acceptedOutputs(ledger)).toEqual(expectedOutputs);
  });

  it('rolls every step back when a later migration fails, leaving the ledger at its old version', () => {
    const ledger = copyOfFixture();
    const failing = [...migrations, `CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);`];
    expect(() => openLedger(ledger, { migrations: failing })).toThrow(LedgerError);
    expect(() => openLedger(ledger, { migrations: failing })).toThrow(
      new RegExp(`migration to schema version ${schemaVersion + 1} failed .*unchanged at version ${previousVersion}`),
    );
    // Not only the failing step: the earlier, successful ones of the same opening are undone too.
    expect(userVersion(ledger)).toBe(previousVersion);
    expect(tables(ledger)).not.toContain('half_done');
    expect(columns(ledger, 'attempts')).toEqual(columns(fixture, 'attempts'));
    expect(acceptedOutputs(ledger)).toEqual(expectedOutputs);
  });

  it('refuses a ledger written by a newer reword, naming both versions, and does not write to it', async () => {
    const ledger = copyOfFixture();
    openLedger(ledger, { migrations: [...migrations, `CREATE TABLE from_the_future (id INTEGER)`] }).close();
    const bytes = readFileSync(ledger);
    expect(() => openLedger(ledger)).toThrow(`schema version ${schemaVersion + 1}, but this reword understands up to version ${schemaVersion}`);

    const before = server.requestCount;
    const run = await runCli(runArgs({ prompts: dir.prompts, input, ledger, url: server.url, extra: ['--chunk-tokens', '4000'] }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`schema version ${schemaVersion + 1}`);
    expect(run.stderr).toContain(`up to version ${schemaVersion}`);
    expect(server.requestCount).toBe(before);
    const stats = await runCli(['stats', '--ledger', ledger]);
    expect(stats.code).toBe(1);
    expect(stats.stderr).toContain(`schema version ${schemaVersion + 1}`);
    expect(readFileSync(ledger).equals(bytes)).toBe(true);
  });

  it('refuses a file that is not a ledger with a message naming it, and leaves the file alone', async () => {
    const notALedger = dir.write('notes.jsonl', jsonl(englishDocs.slice(0, 1)));
    const bytes = readFileSync(notALedger);
    for (const args of [
      runArgs({ prompts: dir.prompts, input, ledger: notALedger, url: server.url }),
      ['stats', '--ledger', notALedger],
      ['verify', '--ledger', notALedger],
    ]) {
      const r = await runCli(args);
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(1);
      expect(r.stderr).toContain(notALedger);
      expect(r.stderr).toMatch(/not a database/);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    }
    expect(readFileSync(notALedger).equals(bytes)).toBe(true);
  });
});

describe('a ledger written by the first released schema (a file the old reword made, checked in)', () => {
  // test/fixtures/ledger-schema-v1.sqlite: reword at commit a6c6a10 (schema version 1) ran data/sample.jsonl's
  // first three documents in wiki and qa against the loopback server, plus one line whose text is a number.
  const shipped = new URL('../fixtures/ledger-schema-v1.sqlite', import.meta.url);
  let dir: Scratch;
  let ledger: string;

  beforeAll(() => {
    dir = scratch('v1-file');
    ledger = dir.path('v1.sqlite');
    copyFileSync(shipped, ledger);
  });

  afterAll(() => dir?.remove());

  it('is at schema version 1 as shipped', () => {
    expect(userVersion(ledger)).toBe(1);
  });

  it('migrates to the current schema and then passes verify, with every run, task, output and input error kept', async () => {
    openLedger(ledger).close();
    expect(userVersion(ledger)).toBe(schemaVersion);
    const verify = await runCli(['verify', '--ledger', ledger]);
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    const stats = JSON.parse((await runCli(['stats', '--ledger', ledger, '--json'])).stdout);
    expect(stats.tasks).toMatchObject({ total: 6, accepted: 6, rejected: 0, failed: 0, pending: 0 });
    expect(stats.input_errors.total).toBe(1);
    expect(Object.keys(stats.by_style).sort()).toEqual(['qa', 'wiki']);
  });

  it('traces and exports the outputs the old reword accepted', async () => {
    const trace = await runCli(['trace', '--ledger', ledger, '--json', 'sample-002']);
    expect(trace.code, trace.stderr).toBe(0);
    const tasks = JSON.parse(trace.stdout) as Array<{ status: string; output: { text: string } | null }>;
    expect(tasks.map((t) => t.status)).toEqual(['accepted', 'accepted']);
    const out = dir.path('export.jsonl');
    expect((await runCli(['export', '--ledger', ledger, '--out', out])).code).toBe(0);
    const lines = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { metadata: { source_id: string; style: string } });
    expect(lines).toHaveLength(6);
    expect(new Set(lines.map((l) => `${l.metadata.source_id}/${l.metadata.style}`)).size).toBe(6);
  });
});
