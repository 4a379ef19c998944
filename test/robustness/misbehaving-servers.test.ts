// Servers that misbehave: every kind of failure ends with its task retried and accepted, or recorded as failed
// (or rejected) with a reason `stats` shows; no task is silently dropped and the run finishes.
//
// One run serves them all: each document gets its own misbehaviour, keyed by its text, so failures interleave
// with good answers the way they do against a real, flaky server.

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
      if (c.error) expect(task.attempts.at(-1)?.error_message).toMatch(c.error);
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

  // Known gap, reported: franc's scores for long texts all sit near 1 (English scores 0.96 on Spanish prose,
  // 0.99 on Vietnamese), so the default `minScore: 0.9` passes any Latin-script language. Remove `.fails`
  // once evaluators/language.ts compares against the best guess more strictly.
  it('is rejected as language_mismatch by a style that lists the language evaluator (Spanish for English)', async () => {
    expect(await runStyle('steady-language', 'es')).toEqual({ status: 'rejected', reasons: ['language_mismatch'] });
  });

  it('is rejected by the built-in wiki style once wiki lists the language evaluator', async () => {
    const outcome = await runStyle('wiki', 'ru');
    // Evaluators run cheapest first and stop at the first failure, so the reason may be another one of wiki's.
    expect(outcome.status).toBe(builtinWikiLists('language') ? 'rejected' : 'accepted');
  });
});
