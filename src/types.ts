// The shapes that flow between stages (see DESIGN.md "The flow").
// Each stage takes one of these and hands the next one on; nothing here does work.

/** Where a document came from, precise enough to find it again. */
export interface SourceOrigin {
  /** Path as given on the command line (or "-" for stdin). */
  path: string;
  /** 1-based line number for JSONL inputs. */
  line?: number;
  /** 0-based row for Parquet inputs. */
  row?: number;
  /** Byte offset of the record (JSONL line start, or 0 for whole files). */
  byteOffset: number;
}

export interface SourceDoc {
  id: string;
  text: string;
  meta: Record<string, unknown>;
  origin: SourceOrigin;
  /** sha256 hex of the UTF-8 text. */
  sha256: string;
}

/** A record that could not become a document. Recorded in the ledger; the run goes on. */
export interface InputError {
  path: string;
  line?: number;
  field?: string;
  /** Stable snake_case code, e.g. `malformed_json`, `missing_text`, `empty_text`. */
  code: string;
  /** What is wrong and how to fix it. */
  message: string;
}

export type SourceItem = { kind: 'doc'; doc: SourceDoc } | { kind: 'error'; error: InputError };

export interface Chunk {
  docId: string;
  index: number;
  /** Character (UTF-16 code unit) offsets into SourceDoc.text, end exclusive. */
  start: number;
  end: number;
  text: string;
  sha256: string;
  tokens: number;
}

export type StyleKind = 'faithful' | 'augmenting';

export interface EvaluatorRef {
  id: string;
  options: Record<string, unknown>;
}

/** A rephrasing style loaded from prompts/<id>.md. */
export interface Style {
  id: string;
  description: string;
  kind: StyleKind;
  maxOutputTokens: number;
  lengthRatio: { min: number; max: number };
  /** Sampling temperature unless the run overrides it. */
  temperature?: number;
  /** The answer must start with this text; it is stripped before judging. */
  answerPrefix?: string;
  /** Evaluators to run, in the order given (the judge sorts by tier). */
  evaluators: EvaluatorRef[];
  /** Template body; `{{source}}` marks where the chunk goes. */
  template: string;
  /** sha256 of the whole file (front matter + template). */
  sha256: string;
  /** File it was loaded from. */
  path: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface Verdict {
  evaluator: string;
  pass: boolean;
  /** 0..1, higher is better. */
  score: number;
  /** Stable snake_case reason code; `ok` when the candidate passes. */
  reason: string;
  details?: Record<string, unknown>;
  /** Text the later evaluators and the ledger should see instead (e.g. with a required prefix stripped). */
  cleaned?: string;
}

export interface EvalContext {
  style: Style;
  /** The provider's finish reason for this candidate (`stop`, `length`, `content_filter`, …). */
  finishReason: string;
  /** Options given to this evaluator in the style's front matter. */
  options: Record<string, unknown>;
  /** A model to ask for a judgement (tier 3); absent when the run configured none. */
  judgeModel?: JudgeModel;
  /** Verdicts of the evaluators that ran before this one on this candidate, in order; absent when none did. */
  priorVerdicts?: readonly Verdict[];
}

/** A judge model's answer, with what the ledger records of the request. */
export interface JudgeModelAnswer {
  text: string;
  /** null when the backend did not report usage. */
  usage: Usage | null;
  /** Endpoint name (never a key). */
  endpoint: string;
  /** Model name as the backend reported it. */
  model: string;
  latencyMs: number;
}

/** A model that judges candidates, reached and recorded by the engine; evaluators only see this call. */
export interface JudgeModel {
  /** `jsonSchema` asks for structured output where the backend has it; the answer must be parsed either way. */
  complete(
    messages: ChatMessage[],
    opts: { maxTokens: number; jsonSchema?: { name: string; schema: Record<string, unknown> } },
  ): Promise<JudgeModelAnswer>;
}

export interface Evaluator {
  id: string;
  /** 0 pure string work, 1 tokenising/statistics, 2 heavier local models/indexes, 3 calls a model. */
  tier: 0 | 1 | 2 | 3;
  appliesTo(style: Style): boolean;
  /**
   * Set when the evaluator reads state of the run (the near-duplicate index, the judge model). The others are
   * pure functions of (source, candidate, context) and may judge in a worker thread; these run on the engine's
   * thread, after them.
   */
  usesRunState?: boolean;
  /**
   * Checks front-matter options and fills in their defaults; throws an error naming the evaluator and the option.
   * Absent when the evaluator takes no options it checks.
   */
  parseOptions?(options: Record<string, unknown>): Record<string, unknown>;
  evaluate(source: string, candidate: string, ctx: EvalContext): Verdict | Promise<Verdict>;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  model: string;
  maxTokens: number;
  temperature: number;
  topP?: number;
  /** Candidates per request. */
  n: number;
  seed?: number;
  signal?: AbortSignal;
  /**
   * cl100k tokens of the messages' contents when the caller has already counted them (the engine knows each
   * chunk's count), so the pool need not tokenise the prompt again for its TPM reservation.
   */
  contentTokens?: number;
  /** Ask for an answer matching this JSON schema (structured output); backends without it answer free text. */
  responseFormat?: { type: 'json_schema'; name: string; schema: Record<string, unknown> };
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
}

export interface GeneratedCandidate {
  text: string;
  finishReason: string;
}

export interface GenerateResult {
  candidates: GeneratedCandidate[];
  /** null when the backend did not report usage. */
  usage: Usage | null;
  latencyMs: number;
  /** Endpoint name (never a key). */
  endpoint: string;
  /** Model name as the backend reported it. */
  model: string;
  /** What the server said is left of its rate limits (`x-ratelimit-*` headers), so the pool slows before a 429. */
  rateLimit?: RateLimitStatus;
}

/** A server's own account of its rate limits after this request; fields it did not send are absent. */
export interface RateLimitStatus {
  /** The server's limits (`x-ratelimit-limit-*`): what its budgets hold when whole. */
  limitRequests?: number;
  limitTokens?: number;
  remainingRequests?: number;
  remainingTokens?: number;
  /** Milliseconds until the request budget is full again. */
  resetRequestsMs?: number;
  /** Milliseconds until the token budget is full again. */
  resetTokensMs?: number;
}

export interface Provider {
  /** Endpoint name used in logs and the ledger: e.g. the base URL without credentials. */
  readonly endpoint: string;
  generate(req: GenerateRequest): Promise<GenerateResult>;
  /**
   * HTTP requests one generate() sends for `n` candidates, each carrying the whole prompt; absent = 1 (the
   * backend takes `n`). The pool counts every one of them against the endpoint's RPM and TPM limits.
   */
  requestsPerGenerate?(n: number): number;
  /**
   * Checks, before any document is read, that the endpoint answers, accepts the key and serves `model`;
   * throws a ProviderError whose message says which endpoint and what to check.
   */
  preflight?(model: string): Promise<void>;
}
