// Servers that misbehave: every kind of failure ends with its task retried and accepted, or recorded as failed
// (or rejected) with a reason `stats` shows; no task is silently dropped and the run finishes.
//
// One run serves them all: each document gets its own misbehaviour, keyed by its text, so failures interleave
// with good answers the way they do against a real, flaky server.

import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliResult } from '../support/cli.js';
import { faithfulRewrite, startFakeServer, type FakeReply, type FakeRequestInfo, type FakeServer } from '../support/fake-server.js';
import {
  builtinWikiLists, corpusDocs, englishDocs, jsonl, peekLedger, runArgs, scratch, STEADY_EVALUATORS, writeStyle, type Scratch,
} from './harness.js';

/** A misbehaviour by the number of times this document was requested before (0 = first request). */
type Script = (nth: number, req: FakeRequestInfo) => FakeReply | undefined;

const rateLimited: FakeReply = { status: 429, body: { error: { message: 'Rate limit reached for requests', type: 'requests', code: 'rate_limit_exceeded' } } };
const firstTimes = (n: number, reply: FakeReply): Script => (nth) => (nth < n ? reply : undefined);
const always = (reply: FakeReply): Script => () => reply;
/** A chat completion cut off in the middle of its JSON. */
const truncatedBody = (req: FakeRequestInfo): string =>
  JSON.stringify({ id: 'x', object: 'chat.completion', model: 'fake-model', choices: [{ index: 0, message: { role: 'assistant', content: faithfulRewrite(req.source) }, finish_reason: 'stop' }] }).slice(0, 120);

interface Case {
  script: Script;
  status: 'accepted' | 'failed' | 'rejected';
  /** Task reasons for failed and rejected tasks. */
  reasons?: string[];
  /** Part of the recorded error message of a failed request, so a user can tell what went wrong. */
  error?: RegExp;
}

const cases: Record<string, Case> = {
  '429 storm, with retry-after-ms, then an answer': { script: firstTimes(2, { ...rateLimited, headers: { 'retry-after-ms': '30' } }), status: 'accepted' },
  '429 storm without a wait, then an answer': { script: firstTimes(2, rateLimited), status: 'accepted' },
  '500 once': { script: firstTimes(1, { status: 500 }), status: 'accepted' },
  '502 once': { script: firstTimes(1, { status: 502, rawBody: '<html><body>502 Bad Gateway</body></html>', headers: { 'content-type': 'text/html' } }), status: 'accepted' },
  '503 once': { script: firstTimes(1, { status: 503 }), status: 'accepted' },
  'no answer once (timeout)': { script: firstTimes(1, { hang: true }), status: 'accepted' },
  'connection reset mid-body once': { script: firstTimes(1, { resetAfterBytes: 40 }), status: 'accepted' },
  '200 with a body that is not JSON once': { script: firstTimes(1, { rawBody: 'upstream said: <!DOCTYPE html>' }), status: 'accepted' },
  '200 with truncated JSON once': { script: (nth, req) => (nth < 1 ? { rawBody: truncatedBody(req) } : undefined), status: 'accepted' },
  '200 with empty choices once': { script: firstTimes(1, { body: { id: 'x', object: 'chat.completion', model: 'fake-model', choices: [] } }), status: 'accepted' },
  'usage missing': { script: always({ omitUsage: true }), status: 'accepted' },
  'content filter once': { script: (nth) => (nth < 1 ? { contents: ['The'], finishReason: 'content_filter' } : undefined), status: 'accepted' },
  '429 forever': { script: always(rateLimited), status: 'failed', reasons: ['rate_limited'], error: /rate-limited/ },
  '503 forever': { script: always({ status: 503 }), status: 'failed', reasons: ['transient_error'], error: /failed with 503/ },
  'no answer ever': { script: always({ hang: true }), status: 'failed', reasons: ['transient_error'], error: /did not answer within 1500 ms/ },
  'malformed JSON forever': { script: always({ rawBody: '{"choices": [' }), status: 'failed', reasons: ['transient_error'], error: /not valid JSON/ },
  'content filter forever': { script: always({ contents: ['The'], finishReason: 'content_filter' }), status: 'rejected', reasons: ['content_filtered'] },
};

describe('misbehaving servers', () => {
  let dir: Scratch;
  let server: FakeServer;
  let ledger: string;
  let run: CliResult;
  const names = Object.keys(cases);
  const docIdOf = (name: string): string => `case-${names.indexOf(name)}`;
  const textOf = (name: string): string => englishDocs[names.indexOf(name)]!.text;

  beforeAll(async () => {
    dir = scratch('servers');
    const byText = new Map(names.map((name) => [textOf(name), cases[name]!.script]));
    const seen = new Map<string, number>();
    server = await startFakeServer({
      respond: (req) => {
        const nth = seen.get(req.source) ?? 0;
        seen.set(req.source, nth + 1);
        return byText.get(req.source)?.(nth, req);
      },
    });
    const input = dir.write('in.jsonl', jsonl(names.map((name) => ({ id: docIdOf(name), text: textOf(name) }))));
    ledger = dir.path('ledger.sqlite');
    run = await runCli(
      runArgs({ prompts: dir.prompts, input, ledger, url: server.url, extra: ['--chunk-tokens', '4000', '--concurrency', '3', '--max-retries', '2', '--max-attempts', '2', '--timeout-ms', '1500'] }),
    );
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  it('finishes, with every task settled and none dropped', async () => {
    expect(run.code, run.stderr).toBe(0);
    const stats = JSON.parse((await runCli(['stats', '--ledger', ledger, '--json'])).stdout);
    const expected = { accepted: 0, failed: 0, rejected: 0 };
    for (const c of Object.values(cases)) expected[c.status]++;
    expect(stats.tasks).toEqual({ total: names.length, pending: 0, ...expected });
    // The reasons of failed and rejected tasks are what stats shows.
    const reasons: Record<string, number> = {};
    for (const c of Object.values(cases)) for (const r of c.reasons ?? []) reasons[r] = (reasons[r] ?? 0) + 1;
    expect(stats.rejections.tasks).toEqual(reasons);
    expect(run.stderr).toContain(`failed ${expected.failed}`);
  });

  it('shows why a failed request failed in trace', async () => {
    const trace = await runCli(['trace', '--ledger', ledger, docIdOf('503 forever')]);
    expect(trace.code, trace.stderr).toBe(0);
    expect(trace.stdout).toContain('failed: transient_error');
    expect(trace.stdout).toMatch(/error transient_error: .*failed with 503/);
  });

  for (const [name, c] of Object.entries(cases)) {
    it(`${name}: ${c.status}${c.reasons ? ` (${c.reasons.join(', ')})` : ''}`, () => {
      const task = peekLedger(ledger, (db) => {
        const t = db
          .prepare(`SELECT t.id, t.status, t.reasons_json FROM tasks t JOIN chunks c ON c.id = t.chunk_id JOIN sources s ON s.sha256 = c.doc_sha256 WHERE s.doc_id = ?`)
          .get(docIdOf(name)) as { id: number; status: string; reasons_json: string | null };
        const attempts = db.prepare(`SELECT error_message, prompt_tokens FROM attempts WHERE task_id = ? ORDER BY id`).all(t.id) as Array<{
          error_message: string | null;
          prompt_tokens: number | null;
        }>;
        return { status: t.status, reasons: JSON.parse(t.reasons_json ?? '[]') as string[], attempts };
      })!;
      expect(task.status).toBe(c.status);
      expect(task.reasons).toEqual(c.reasons ?? []);
      // A request still waiting for its retry when every circuit opens fails for that reason instead (the pool
      // charges the failure that kept the circuits open to each waiting request): on a loaded machine the
      // failures of these documents can cluster so.
      if (c.error) expect(task.attempts.at(-1)?.error_message).toMatch(new RegExp(`${c.error.source}|circuit stayed open`));
      if (name === 'usage missing') expect(task.attempts.map((a) => a.prompt_tokens)).toEqual([null]);
    });
  }
});

describe('an answer in the wrong language', () => {
  let dir: Scratch;
  let server: FakeServer;
  /** The answer each run's server gives: prose in another language, about the source's length. */
  let answerLanguage = 'es';

  beforeAll(async () => {
    dir = scratch('language');
    // Digits are dropped: a number the source lacks would be rejected for that instead.
    const prose = (lang: string) => corpusDocs(lang)[0]!.text.replace(/[0-9]/g, '');
    server = await startFakeServer({ respond: (req) => ({ contents: [prose(answerLanguage).slice(0, Math.round(req.source.length * 0.9))] }) });
    writeStyle(dir, 'steady-language', [...STEADY_EVALUATORS, 'language']);
  });

  afterAll(async () => {
    await server?.close();
    dir?.remove();
  });

  async function runStyle(style: string, lang: string): Promise<{ status: string; reasons: string[] }> {
    answerLanguage = lang;
    const input = dir.write(`${style}-${lang}.jsonl`, jsonl([{ id: 'english', text: englishDocs[0]!.text }]));
    const ledger = dir.path(`${style}-${lang}.sqlite`);
    const extra = ['--chunk-tokens', '4000', '--max-attempts', '1'];
    const r = await runCli(runArgs({ prompts: dir.prompts, input, ledger, url: server.url, style, extra }));
    expect(r.code, r.stderr).toBe(0);
    return peekLedger(ledger, (db) => {
      const t = db.prepare(`SELECT status, reasons_json FROM tasks`).get() as { status: string; reasons_json: string | null };
      return { status: t.status, reasons: JSON.parse(t.reasons_json ?? '[]') as string[] };
    })!;
  }

  it('is rejected as language_mismatch by a style that lists the language evaluator (Russian for English)', async () => {
    expect(await runStyle('steady-language', 'ru')).toEqual({ status: 'rejected', reasons: ['language_mismatch'] });
  });

  // A close Latin-script language: franc's scores for long texts all sit near 1, so the evaluator compares best
  // guesses rather than thresholding the expected language's score.
  it('is rejected as language_mismatch by a style that lists the language evaluator (Spanish for English)', async () => {
    expect(await runStyle('steady-language', 'es')).toEqual({ status: 'rejected', reasons: ['language_mismatch'] });
  });

  it('is rejected by the built-in wiki style, which lists the language evaluator', async () => {
    expect(builtinWikiLists('language')).toBe(true);
    const outcome = await runStyle('wiki', 'ru');
    // Evaluators run cheapest first and stop at the first failure, so the reason may be another one of wiki's.
    expect(outcome.status).toBe('rejected');
  });
});

describe('a misbehaving judge server', () => {
  const KEY = 'sk-judge-KEY-8c1f07e2d4';
  let dir: Scratch;
  let rephraser: FakeServer;
  let judge: FakeServer;
  /** How the judge model answers in the current run. */
  let judgeReply: (req: FakeRequestInfo) => FakeReply | undefined = () => undefined;
  const docs = englishDocs.slice(0, 3).map((d, i) => ({ id: `judged-${i}`, text: d.text }));

  beforeAll(async () => {
    dir = scratch('judge-server');
    rephraser = await startFakeServer();
    judge = await startFakeServer({ models: ['judge-model'], respond: (req) => judgeReply(req) });
  });

  afterAll(async () => {
    await rephraser?.close();
    await judge?.close();
    dir?.remove();
  });

  function judgedRun(ledger: string): Promise<CliResult> {
    const input = dir.write('judged.jsonl', jsonl(docs));
    const extra = [
      '--chunk-tokens', '4000', '--max-retries', '1', '--max-attempts', '2', '--timeout-ms', '1500',
      '--judge-model', 'judge-model', '--judge-base-url', judge.url, '--judge-mode', 'all', '--judge-api-key-env', 'JUDGE_KEY',
    ];
    return runCli(runArgs({ prompts: dir.prompts, input, ledger, url: rephraser.url, extra }), { env: { JUDGE_KEY: KEY } });
  }

  const tasksOf = (ledger: string) =>
    peekLedger(ledger, (db) => db.prepare(`SELECT status, attempts, reasons_json AS reasons FROM tasks ORDER BY id`).all() as Array<{ status: string; attempts: number; reasons: string | null }>)!;

  it('fails each task with a judge reason, keeps the paid answers and the judge errors, and a later run judges them afresh', async () => {
    const ledger = dir.path('judge-500.sqlite');
    judgeReply = () => ({ status: 500, body: { error: { message: 'judge backend exploded' } } });
    const run = await judgedRun(ledger);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain(`failed ${docs.length}`);
    expect(tasksOf(ledger)).toEqual(docs.map(() => ({ status: 'failed', attempts: 0, reasons: '["judge_transient_error"]' })));
    const stats = JSON.parse((await runCli(['stats', '--ledger', ledger, '--json'])).stdout);
    expect(stats.rejections.tasks).toEqual({ judge_transient_error: docs.length });
    const attempts = peekLedger(ledger, (db) => ({
      rephrase: db.prepare(`SELECT count(*) FROM attempts a JOIN candidates c ON c.attempt_id = a.id WHERE a.purpose = 'rephrase' AND a.error_code = 'judge_transient_error' AND a.prompt_tokens > 0`).pluck().get(),
      judge: db.prepare(`SELECT count(*) FROM attempts WHERE purpose = 'judge' AND error_code = 'transient_error' AND error_message LIKE '%500%'`).pluck().get(),
    }))!;
    expect(attempts).toEqual({ rephrase: docs.length, judge: docs.length });

    // The judge is back: the same command finishes every task.
    judgeReply = () => ({ contents: [JSON.stringify({ supported: ['all of it'], omitted: [], contradicted: [], added: [], verdict: 'faithful' })] });
    const again = await judgedRun(ledger);
    expect(again.code, again.stderr).toBe(0);
    expect(tasksOf(ledger).map((t) => t.status)).toEqual(docs.map(() => 'accepted'));
  }, 60_000);

  it('stops the run on a refused judge key, naming the judge endpoint and never its key', async () => {
    const ledger = dir.path('judge-401.sqlite');
    // The error body echoes the request's headers back, key included, as some proxies do.
    judgeReply = (req) => ({ status: 401, body: { error: { message: `invalid key; you sent ${JSON.stringify(req.headers)}` } } });
    const run = await judgedRun(ledger);
    expect(run.code, run.stderr).toBe(3);
    expect(run.stderr).toContain(judge.url.replace(/\/v1\/?$/, ''));
    expect(run.stderr + run.stdout).not.toContain(KEY);
    expect(tasksOf(ledger).some((t) => t.reasons === '["judge_auth_error"]')).toBe(true);
    for (const suffix of ['', '-wal']) {
      const path = ledger + suffix;
      if (existsSync(path)) expect(readFileSync(path).includes(KEY)).toBe(false);
    }
  }, 60_000);
});
