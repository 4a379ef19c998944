// Shared pieces of the robustness tests: a scratch directory, the English part of the sample corpus, the
// `reword run` command line against a loopback server, and read-only looks into a ledger while or after a
// run writes it.

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';

export interface Doc {
  id: string;
  text: string;
}

const corpusLine = z.object({ id: z.string(), text: z.string(), lang: z.string() });

/** The English documents of the shared sample corpus: the fake server's default answer is accepted for them. */
export const englishDocs: readonly Doc[] = readFileSync(new URL('../../../shared/corpus/wikipedia.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((line) => corpusLine.parse(JSON.parse(line)))
  .filter((d) => d.lang === 'en')
  .map(({ id, text }) => ({ id, text }));

/** Documents of the corpus in a language, for answers in the wrong language. */
export function corpusDocs(lang: string): Doc[] {
  return readFileSync(new URL('../../../shared/corpus/wikipedia.jsonl', import.meta.url), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => corpusLine.parse(JSON.parse(line)))
    .filter((d) => d.lang === lang)
    .map(({ id, text }) => ({ id, text }));
}

export interface Scratch {
  root: string;
  /** A prompts directory holding the `steady` style (see STEADY_EVALUATORS); more styles can be added with writeStyle. */
  prompts: string;
  /** Writes a file (creating parent directories) and returns its path. */
  write(rel: string, content: string | Buffer): string;
  path(rel: string): string;
  remove(): void;
}

export function scratch(prefix: string): Scratch {
  const root = mkdtempSync(join(tmpdir(), `reword-${prefix}-`));
  const dir: Scratch = {
    root,
    prompts: join(root, 'prompts'),
    write(rel, content) {
      const path = join(root, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, content);
      return path;
    },
    path: (rel) => join(root, rel),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  writeStyle(dir, STEADY_STYLE, STEADY_EVALUATORS);
  return dir;
}

export function jsonl(docs: readonly object[]): string {
  return docs.map((d) => JSON.stringify(d)).join('\n') + '\n';
}

const builtinWiki = readFileSync(new URL('../../prompts/wiki.md', import.meta.url), 'utf8');

/**
 * The judge of the `steady` style: the built-in wiki prompt judged only by evaluators whose verdict on the fake
 * server's faithful rewrite does not move while the semantic evaluators are tuned. These tests are about
 * crashes, inputs and servers, not about what the judge accepts.
 */
export const STEADY_EVALUATORS: readonly string[] = ['empty-output', 'preamble', 'length-ratio', 'repetition', 'verbatim-copy: {max: 0.5}', 'novel-numbers'];
export const STEADY_STYLE = 'steady';

/** Writes a style made of the built-in wiki template with its own id and evaluators; returns the prompts directory. */
export function writeStyle(dir: Scratch, id: string, evaluators: readonly string[]): string {
  const frontMatterEvaluators = /^evaluators:\n(?:[ \t]+- .*\n)+/m;
  if (!frontMatterEvaluators.test(builtinWiki)) throw new Error('prompts/wiki.md has no evaluators list to replace');
  const text = builtinWiki
    .replace(/^id: wiki$/m, `id: ${id}`)
    .replace(frontMatterEvaluators, `evaluators:\n${evaluators.map((e) => `  - ${e}\n`).join('')}`);
  dir.write(join('prompts', `${id}.md`), text);
  return dir.path('prompts');
}

/** Whether the built-in wiki style lists an evaluator. */
export function builtinWikiLists(evaluator: string): boolean {
  const frontMatter = builtinWiki.split('\n---')[0] ?? '';
  return new RegExp(`^\\s+- ${evaluator}\\b`, 'm').test(frontMatter);
}

/**
 * `reword run` against a loopback server, quiet (no progress lines). The style is `steady` from `prompts`
 * (see writeStyle) unless another is named.
 */
export function runArgs(o: { input: string | string[]; ledger: string; url: string; prompts: string; style?: string; extra?: string[] }): string[] {
  const inputs = Array.isArray(o.input) ? o.input : [o.input];
  return [
    'run', ...inputs.flatMap((i) => ['--input', i]), '--style', o.style ?? STEADY_STYLE, '--prompts', o.prompts,
    '--base-url', o.url, '--model', 'fake-model', '--ledger', o.ledger, '--progress', 'none', ...(o.extra ?? []),
  ];
}

/**
 * Runs `fn` on a read-only connection to the ledger, closed afterwards. Returns undefined while the ledger
 * does not exist yet or has no schema (a run that was just spawned).
 */
export function peekLedger<T>(path: string, fn: (db: Database.Database) => T): T | undefined {
  if (!existsSync(path)) return undefined;
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    return fn(db);
  } catch (err) {
    if (/no such table|database is locked|unable to open|disk I\/O error/i.test(String(err))) return undefined;
    throw err;
  } finally {
    db?.close();
  }
}

export function count(path: string, sql: string): number {
  return peekLedger(path, (db) => (db.prepare(sql).pluck().get() as number) ?? 0) ?? 0;
}

/** Accepted outputs by task key: what two ledgers of the same input must agree on. */
export function acceptedOutputs(path: string): Map<string, string> {
  const rows = peekLedger(path, (db) =>
    db.prepare(`SELECT t.task_key AS key, o.text FROM outputs o JOIN tasks t ON t.id = o.task_id`).all() as Array<{ key: string; text: string }>,
  ) ?? [];
  return new Map(rows.map((r) => [r.key, r.text]));
}

/** Final status of every task by key. */
export function taskStatuses(path: string): Map<string, string> {
  const rows = peekLedger(path, (db) => db.prepare(`SELECT task_key AS key, status FROM tasks`).all() as Array<{ key: string; status: string }>) ?? [];
  return new Map(rows.map((r) => [r.key, r.status]));
}

/** The chunk texts of tasks in these states: what the server sees as the request's source. */
function sourcesOfTasks(path: string, statuses: string): string[] {
  return (
    peekLedger(path, (db) =>
      db.prepare(`SELECT c.text FROM tasks t JOIN chunks c ON c.id = t.chunk_id WHERE t.status IN (${statuses})`).pluck().all() as string[],
    ) ?? []
  );
}

export const acceptedSources = (path: string): string[] => sourcesOfTasks(path, `'accepted'`);
/** Tasks that are done for good: accepted, or rejected after their last attempt. */
export const settledSources = (path: string): string[] => sourcesOfTasks(path, `'accepted', 'rejected'`);

export function integrityCheck(path: string): string[] {
  return peekLedger(path, (db) => db.pragma('integrity_check', { simple: false }) as Array<{ integrity_check: string }>)?.map((r) => r.integrity_check) ?? [
    'ledger missing',
  ];
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds; throws with `what` after `timeoutMs`, so no wait is unbounded. */
export async function waitFor(what: string, condition: () => boolean, timeoutMs = 20_000, intervalMs = 5): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}
