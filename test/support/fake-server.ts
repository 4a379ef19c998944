// A loopback OpenAI-compatible server for tests and benchmarks: a real node:http server, so requests cross
// real sockets and the SDK's real parsing, timeouts and connection handling are exercised.
//
// By default it answers every chat completion with a faithful rewrite of the document in the prompt; a
// `respond` callback scripts anything else (429s with headers, 5xx, malformed or truncated bodies, hangs).

import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { ServerRateLimiter, type ServerRateLimits } from './server-rate-limits.js';

const messagePartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });

const chatCompletionRequestSchema = z.looseObject({
  model: z.string(),
  messages: z
    .array(
      z.looseObject({
        role: z.string(),
        content: z.union([z.string(), z.array(messagePartSchema), z.null()]).optional(),
      }),
    )
    .min(1),
  n: z.number().int().min(1).max(128).optional(),
  seed: z.number().int().optional(),
  max_tokens: z.number().int().optional(),
  temperature: z.number().optional(),
  top_p: z.number().optional(),
});

export type ChatCompletionRequestBody = z.infer<typeof chatCompletionRequestSchema>;

export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Wait before answering; overrides the server's `latencyMs`. */
  delayMs?: number;
  /** JSON body sent as-is (an error body, or a hand-made completion). */
  body?: unknown;
  /** Sent verbatim, e.g. malformed JSON. */
  rawBody?: string;
  /** Accept the request and never answer. */
  hang?: boolean;
  /** Announce the full body length, send this many bytes of it, then destroy the socket. */
  resetAfterBytes?: number;
  /** A 200 completion with these choice texts (instead of the faithful rewrite). */
  contents?: string[];
  finishReason?: string;
  omitUsage?: boolean;
}

export interface FakeRequestInfo {
  /** 0-based arrival order. */
  index: number;
  body: ChatCompletionRequestBody;
  /** Text between `<document>\n` and `\n</document>` in the last user message; '' when absent. */
  source: string;
  /** The `x-reword-style` request header, when a client sends one. */
  style?: string;
  headers: IncomingHttpHeaders;
  /** Arrival time, ms since epoch. */
  receivedAt: number;
  /** Status of the answer, once it was sent. */
  status?: number;
  /** Usage reported in the answer, once a completion with usage was sent. */
  usage?: { promptTokens: number; completionTokens: number };
}

export interface FakeServerOptions {
  respond?: (req: FakeRequestInfo) => FakeReply | undefined | Promise<FakeReply | undefined>;
  /** Delay before every answer, in ms. Default 0. */
  latencyMs?: number;
  /** Port to listen on; default 0 (any free port). */
  port?: number;
  /** Model ids `GET /v1/models` lists; default `['fake-model']`. */
  models?: string[];
  /** Keep every request in `requests`. Default true; benchmarks turn it off to keep memory flat. */
  recordRequests?: boolean;
  /**
   * Keep to these limits as a hosted API does: completions past them get a 429 with `retry-after(-ms)`, and
   * every answer carries `x-ratelimit-*` headers. Applies to requests `respond` answers with a plain completion.
   */
  limits?: ServerRateLimits;
  /** Counts the tokens of a text for the usage answers report; default about four characters a token. */
  countTokens?: (text: string) => number;
}

export interface FakeServer {
  /** `http://127.0.0.1:PORT/v1`, ready to be a base URL. */
  url: string;
  requests: FakeRequestInfo[];
  /** Chat completion requests received so far (counted even when not recorded). */
  readonly requestCount: number;
  /** Chat completion requests received in the last `windowMs` (at most 60 000) milliseconds. */
  recentRequestCount(windowMs?: number): number;
  /** The limiter keeping `limits` (its window peaks and refusals), when limits were given. */
  limiter: ServerRateLimiter | undefined;
  close(): Promise<void>;
}

const FAKE_MODEL_ID = 'fake-model';
const ARRIVAL_WINDOW_MS = 60_000;

export async function startFakeServer(opts: FakeServerOptions = {}): Promise<FakeServer> {
  const requests: FakeRequestInfo[] = [];
  // Arrival times of the last minute, oldest first; `arrivalsHead` skips expired ones without shifting.
  let arrivals: number[] = [];
  let arrivalsHead = 0;
  let requestCount = 0;
  const recordRequests = opts.recordRequests ?? true;
  const limiter = opts.limits ? new ServerRateLimiter(opts.limits) : undefined;
  const countTokens = opts.countTokens ?? estimateTokens;

  async function handleChatCompletion(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const parsed = chatCompletionRequestSchema.safeParse(parseJson(await readRequestBody(req)));
    if (!parsed.success) {
      sendJson(res, 400, errorBody(400, `invalid chat completion request: ${parsed.error.issues[0]?.message ?? ''}`));
      return;
    }
    const now = Date.now();
    arrivals.push(now);
    while ((arrivals[arrivalsHead] as number) <= now - ARRIVAL_WINDOW_MS) arrivalsHead++;
    if (arrivalsHead > 4096 && arrivalsHead * 2 > arrivals.length) {
      arrivals = arrivals.slice(arrivalsHead);
      arrivalsHead = 0;
    }
    const styleHeader = req.headers['x-reword-style'];
    const info: FakeRequestInfo = {
      index: requestCount++,
      body: parsed.data,
      source: extractSource(parsed.data),
      ...(typeof styleHeader === 'string' ? { style: styleHeader } : {}),
      headers: req.headers,
      receivedAt: now,
    };
    if (recordRequests) requests.push(info);

    let reply: FakeReply;
    try {
      reply = (await opts.respond?.(info)) ?? {};
    } catch (err) {
      sendJson(res, 500, errorBody(500, `fake server respond() threw: ${String(err)}`));
      return;
    }
    if (limiter && isPlainCompletion(reply)) {
      const usage = completionUsage(info, completionTexts(reply, info), countTokens);
      const decision = limiter.admit(usage.promptTokens + usage.completionTokens, now);
      reply = decision.accepted
        ? { ...reply, headers: { ...decision.headers, ...reply.headers } }
        : { status: 429, headers: decision.headers, ...(reply.delayMs === undefined ? {} : { delayMs: reply.delayMs }) };
    }
    const delayMs = reply.delayMs ?? opts.latencyMs ?? 0;
    if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
    if (reply.hang || res.destroyed) return;

    const status = reply.status ?? 200;
    const payload = Buffer.from(replyPayload(reply, status, info, countTokens), 'utf8');
    info.status = status;
    const headers = { 'content-type': 'application/json', ...reply.headers, 'content-length': String(payload.length) };
    res.writeHead(status, headers);
    if (reply.resetAfterBytes !== undefined) {
      res.write(payload.subarray(0, reply.resetAfterBytes), () => res.socket?.destroy());
      return;
    }
    res.end(payload);
  }

  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const route =
      req.method === 'POST' && path === '/v1/chat/completions'
        ? handleChatCompletion(req, res)
        : req.method === 'GET' && path === '/v1/models'
          ? Promise.resolve(sendJson(res, 200, modelList(opts.models ?? [FAKE_MODEL_ID])))
          : Promise.resolve(sendJson(res, 404, errorBody(404, `no route ${req.method} ${path}`)));
    route.catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, errorBody(500, String(err)));
      else res.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/v1`,
    requests,
    get requestCount() {
      return requestCount;
    },
    limiter,
    recentRequestCount(windowMs = ARRIVAL_WINDOW_MS) {
      const since = Date.now() - Math.min(windowMs, ARRIVAL_WINDOW_MS);
      return arrivals.slice(arrivalsHead).filter((t) => t > since).length;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Hanging and keep-alive connections would otherwise hold close() open forever.
        server.closeAllConnections();
      }),
  };
}

function replyPayload(reply: FakeReply, status: number, info: FakeRequestInfo, countTokens: TokenCounter): string {
  if (reply.rawBody !== undefined) return reply.rawBody;
  if (reply.body !== undefined) return JSON.stringify(reply.body);
  if (status >= 400) return JSON.stringify(errorBody(status, `fake server error ${status}`));
  const texts = completionTexts(reply, info);
  const usage = reply.omitUsage ? undefined : completionUsage(info, texts, countTokens);
  if (usage) info.usage = usage;
  return JSON.stringify(completionBody(info, texts, reply.finishReason ?? 'stop', usage));
}

function completionTexts(reply: FakeReply, info: FakeRequestInfo): string[] {
  const n = info.body.n ?? 1;
  const asksForQuestions = info.body.messages.some((m) => messageText(m.content).includes('Question:'));
  const answer = asksForQuestions ? faithfulQuestionAnswers : faithfulRewrite;
  return reply.contents ?? Array.from({ length: n }, () => answer(info.source));
}

/** A reply the server builds itself as a 200 completion (what rate limits apply to). */
function isPlainCompletion(reply: FakeReply): boolean {
  return (reply.status ?? 200) === 200 && reply.rawBody === undefined && reply.body === undefined && !reply.hang;
}

type TokenCounter = (text: string) => number;
type CompletionUsage = { promptTokens: number; completionTokens: number };

function completionUsage(info: FakeRequestInfo, texts: string[], countTokens: TokenCounter): CompletionUsage {
  const prompt = info.body.messages.map((m) => messageText(m.content)).join('');
  return { promptTokens: countTokens(prompt), completionTokens: countTokens(texts.join('')) };
}

function completionBody(info: FakeRequestInfo, texts: string[], finishReason: string, usage: CompletionUsage | undefined): object {
  return {
    id: `chatcmpl-fake-${info.index}`,
    object: 'chat.completion',
    created: Math.floor(info.receivedAt / 1000),
    model: info.body.model,
    choices: texts.map((content, index) => ({
      index,
      message: { role: 'assistant', content, refusal: null },
      logprobs: null,
      finish_reason: finishReason,
    })),
    ...(usage
      ? { usage: { prompt_tokens: usage.promptTokens, completion_tokens: usage.completionTokens, total_tokens: usage.promptTokens + usage.completionTokens } }
      : {}),
  };
}

/** About four characters per token for English, as OpenAI's tokenizer guidance says. */
function estimateTokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

const ERROR_TYPES: Record<number, { type: string; code: string | null }> = {
  400: { type: 'invalid_request_error', code: null },
  401: { type: 'invalid_request_error', code: 'invalid_api_key' },
  403: { type: 'invalid_request_error', code: 'permission_denied' },
  404: { type: 'invalid_request_error', code: 'model_not_found' },
  429: { type: 'requests', code: 'rate_limit_exceeded' },
};

function errorBody(status: number, message: string): object {
  const kind = ERROR_TYPES[status] ?? { type: status >= 500 ? 'server_error' : 'invalid_request_error', code: null };
  return { error: { message, type: kind.type, param: null, code: kind.code } };
}

function modelList(ids: string[]): object {
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'reword-fake-server' })) };
}

function sendJson(res: ServerResponse, status: number, body: object): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  res.end(payload);
}

async function readRequestBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function messageText(content: ChatCompletionRequestBody['messages'][number]['content']): string {
  if (typeof content === 'string') return content;
  if (!content) return '';
  return content.map((part) => part.text ?? '').join('');
}

const DOC_OPEN = '<document>\n';
const DOC_CLOSE = '\n</document>';

function extractSource(body: ChatCompletionRequestBody): string {
  const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
  const text = messageText(lastUser?.content);
  const start = text.indexOf(DOC_OPEN);
  if (start < 0) return '';
  const end = text.lastIndexOf(DOC_CLOSE);
  if (end < start + DOC_OPEN.length) return '';
  return text.slice(start + DOC_OPEN.length, end);
}

// ---- The default answer -------------------------------------------------------------------------------

/** Words that carry no information a faithfulness check looks for; dropping them breaks verbatim runs. */
const FILLER = new Set(['the', 'a', 'an', 'very', 'really', 'that', 'just', 'quite', 'actually', 'basically', 'and', 'also', 'which']);

/**
 * A deterministic stand-in for a faithful paraphrase: every sentence keeps its numbers, capitalised words and
 * content words in their order (so it traces to its source sentence and swaps nobody's role), while filler
 * words are dropped, which breaks most runs of 8 source words. Word case is never changed, so no "new"
 * capitalised word appears.
 */
export function faithfulRewrite(source: string): string {
  return source
    .split('\n')
    .map((line) => (line.trim() === '' ? line : splitSentences(line).map(rewriteSentence).join(' ')))
    .join('\n');
}

/**
 * The stand-in for a question–answer style (a prompt that asks for `Question:` lines): one pair per source
 * sentence, the answer being that sentence's faithful rewrite and the question built from its own words.
 */
export function faithfulQuestionAnswers(source: string): string {
  return source
    .split('\n')
    .filter((line) => line.trim() !== '')
    .flatMap(splitSentences)
    .map((sentence) => {
      const topic = sentence.split(/\s+/).slice(0, 3).join(' ').replace(/[^\p{L}\p{N}\s'-]/gu, '');
      return `Question: What is said about ${topic}?\nAnswer: ${rewriteSentence(sentence)}`;
    })
    .join('\n\n');
}

function splitSentences(line: string): string[] {
  return line.trim().split(/(?<=[.!?…]["'”’)\]]*)\s+/);
}

function rewriteSentence(sentence: string): string {
  return dropFiller(sentence.split(/\s+/).filter(Boolean)).join(' ');
}

function dropFiller(words: string[]): string[] {
  // The first word stays: a sentence starting in lower case would read as the tail of the one before it.
  const kept = words.filter((w, i) => i === 0 || !FILLER.has(w));
  // A sentence made only of filler keeps its words rather than vanish.
  return kept.length > 0 ? kept : words;
}
