// The endpoints file (`--config reword.yaml` or `.json`): which backends a run may use and the limits of each.
//
// The file is written by hand, so every problem is reported at once, each with its field path, its line and
// how to fix it. Keys never live here: an endpoint names the environment variable that holds its key.

import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './config.js';
import { endpointNameFromUrl } from './providers/openai.js';

export const PROVIDER_NAMES = ['openai', 'huggingface', 'llama-cpp'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Shapes of real keys (OpenAI, Hugging Face, Groq, xAI, Replicate, Anthropic) that also pass as variable names. */
const KEY_SHAPE = /^(?:sk-|sk_|hf_[A-Za-z0-9]{16,}|gsk_|xai-|r8_|pk-)/;

function looksLikeKey(value: string): boolean {
  if (KEY_SHAPE.test(value)) return true;
  // Variable names are short words; keys are long runs mixing cases and digits.
  return value.length >= 32 && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value);
}

const positiveInt = (what: string, example: string) =>
  z
    .number({ error: `expected a positive whole number of ${what}, e.g. ${example}` })
    .int({ error: `expected a positive whole number of ${what}, e.g. ${example}` })
    .positive({ error: `expected a positive whole number of ${what}, e.g. ${example}` });

const price = (which: string) =>
  z
    .number({ error: `expected a price in USD per million ${which} tokens (0 or more), e.g. price_per_million_${which}: 0.15` })
    .nonnegative({ error: `expected a price in USD per million ${which} tokens (0 or more), e.g. price_per_million_${which}: 0.15` });

const httpUrl = (example: string) =>
  z.url({ protocol: /^https?$/, error: `expected an http(s) URL, e.g. base_url: ${example}` }).refine(
    (url) => {
      const parsed = new URL(url);
      return parsed.username === '' && parsed.password === '';
    },
    {
      // The URL is recorded with the run and fetch refuses to send it anyway; the message must not repeat it.
      error: 'a base URL must not hold credentials (user:password@): put the key in an environment variable and give its name as api_key_env',
    },
  );

/** Fields every provider takes: identity, routing weight and the limits the pool keeps. */
const commonFields = {
  /** Name in logs and the ledger; default: the base URL, `huggingface:<model>` or `llama-cpp:<file>`. */
  name: z
    .string({ error: 'expected a name such as name: local-vllm' })
    .trim()
    .min(1, { error: 'expected a non-empty name such as name: local-vllm' })
    .max(100, { error: 'a name is at most 100 characters' })
    .optional(),
  /** Share of the work relative to the other endpoints. */
  weight: z
    .number({ error: 'expected a positive number, e.g. weight: 2 to send this endpoint twice the work of a weight-1 one' })
    .positive({ error: 'expected a positive number, e.g. weight: 2 to send this endpoint twice the work of a weight-1 one' })
    .default(1),
  /** Requests in flight at once (the ceiling adaptive concurrency climbs back to). */
  max_in_flight: positiveInt('requests in flight', 'max_in_flight: 8').max(4096, { error: 'at most 4096 requests in flight' }).default(8),
  /** Requests per minute; unset = unlimited. */
  rpm: positiveInt('requests per minute', 'rpm: 600; leave it out for no limit').optional(),
  /** Tokens per minute (prompt + max_tokens, reconciled with reported usage); unset = unlimited. */
  tpm: positiveInt('tokens per minute', 'tpm: 200000; leave it out for no limit').optional(),
  price_per_million_input: price('input').optional(),
  price_per_million_output: price('output').optional(),
  /** Whole-request deadline. */
  timeout_ms: positiveInt('milliseconds', 'timeout_ms: 120000').default(120_000),
};

const apiKeyEnvField = z
  .string({ error: 'expected the name of an environment variable, e.g. api_key_env: OPENAI_API_KEY' })
  .regex(ENV_NAME, { error: 'expected the name of an environment variable (letters, digits, _), e.g. api_key_env: OPENAI_API_KEY' })
  .refine((v) => !looksLikeKey(v), {
    error: 'this looks like a key, not a variable name: put the key in an environment variable and give its name here (api_key_env: OPENAI_API_KEY); reword never reads keys from files',
  });

const modelField = (example: string) =>
  z.string({ error: `required: the model to request, e.g. model: ${example}` }).trim().min(1, { error: `required: the model to request, e.g. model: ${example}` });

const openaiEntrySchema = z
  .strictObject({
    provider: z.literal('openai'),
    /** Base URL up to and including `/v1`. */
    base_url: httpUrl('http://127.0.0.1:8000/v1'),
    model: modelField('Qwen/Qwen2.5-7B-Instruct'),
    /** Variable holding the key; unset = no key (local servers). */
    api_key_env: apiKeyEnvField.optional(),
    ...commonFields,
  })
  .transform((e) => ({
    provider: e.provider,
    name: e.name ?? endpointNameFromUrl(e.base_url),
    baseUrl: e.base_url,
    model: e.model,
    apiKeyEnv: e.api_key_env,
    ...limitsOf(e),
  }));

const huggingfaceEntrySchema = z
  .strictObject({
    provider: z.literal('huggingface'),
    /** An Inference Endpoint or TGI URL; unset = Inference Providers (router.huggingface.co) by model id. */
    base_url: httpUrl('https://xyz.us-east-1.aws.endpoints.huggingface.cloud').optional(),
    model: modelField('meta-llama/Llama-3.1-8B-Instruct'),
    /** Variable holding the Hugging Face token; default HF_TOKEN for Hugging Face hosts, none for other servers. */
    api_key_env: apiKeyEnvField.optional(),
    ...commonFields,
  })
  .transform((e) => ({
    provider: e.provider,
    name: e.name ?? (e.base_url ? endpointNameFromUrl(e.base_url) : `huggingface:${e.model}`),
    baseUrl: e.base_url,
    model: e.model,
    // A self-hosted TGI server is not sent the user's Hugging Face token unless the file asks for it.
    apiKeyEnv: e.api_key_env ?? (e.base_url === undefined || isHuggingFaceHost(e.base_url) ? 'HF_TOKEN' : undefined),
    ...limitsOf(e),
  }));

function isHuggingFaceHost(url: string): boolean {
  const host = new URL(url).hostname;
  return ['huggingface.co', 'huggingface.cloud', 'hf.space'].some((domain) => host === domain || host.endsWith(`.${domain}`));
}

const llamaCppEntrySchema = z
  .strictObject({
    provider: z.literal('llama-cpp'),
    /** GGUF file; a relative path is relative to the config file. */
    model_path: z
      .string({ error: 'required: the GGUF file to load, e.g. model_path: ./models/qwen2.5-0.5b-instruct-q4_k_m.gguf' })
      .trim()
      .min(1, { error: 'required: the GGUF file to load, e.g. model_path: ./models/qwen2.5-0.5b-instruct-q4_k_m.gguf' }),
    /** Model name for the ledger; default: the file name without `.gguf`. */
    model: modelField('qwen2.5-0.5b-instruct').optional(),
    /** CPU threads; default: every core the machine has. */
    threads: positiveInt('CPU threads', 'threads: 4').max(1024, { error: 'at most 1024 threads' }).optional(),
    /** Context window in tokens (prompt + output); default 2048, at most what the model was trained on. */
    context_size: positiveInt('tokens', 'context_size: 4096').min(64, { error: 'at least 64 tokens, e.g. context_size: 4096' }).optional(),
    ...commonFields,
  })
  .transform((e) => {
    const file = basename(e.model_path);
    return {
      provider: e.provider,
      name: e.name ?? `llama-cpp:${file}`,
      modelPath: e.model_path,
      model: e.model ?? file.replace(/\.gguf$/i, ''),
      threads: e.threads,
      contextSize: e.context_size,
      ...limitsOf(e),
    };
  });

function limitsOf(e: {
  weight: number;
  max_in_flight: number;
  rpm?: number | undefined;
  tpm?: number | undefined;
  price_per_million_input?: number | undefined;
  price_per_million_output?: number | undefined;
  timeout_ms: number;
}) {
  return {
    weight: e.weight,
    maxInFlight: e.max_in_flight,
    rpm: e.rpm,
    tpm: e.tpm,
    pricePerMillionInput: e.price_per_million_input,
    pricePerMillionOutput: e.price_per_million_output,
    timeoutMs: e.timeout_ms,
  };
}

export const endpointEntrySchema = z.discriminatedUnion('provider', [openaiEntrySchema, huggingfaceEntrySchema, llamaCppEntrySchema], {
  error: (issue) => {
    const entry = issue.input;
    const given = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).provider : entry;
    return given === undefined
      ? `required: the backend, one of ${PROVIDER_NAMES.join(', ')} (e.g. provider: openai)`
      : `expected one of ${PROVIDER_NAMES.join(', ')}`;
  },
});

export const endpointsConfigSchema = z
  .strictObject({
    endpoints: z
      .array(endpointEntrySchema, { error: 'required: a list of endpoints, each starting with "- provider: ..."' })
      .min(1, { error: 'list at least one endpoint' }),
    /** Run defaults (styles, candidates, budgets…); the CLI maps them onto its flags. */
    run: z.record(z.string(), z.unknown(), { error: 'expected a mapping of run options, e.g. run: { candidates: 2 }' }).optional(),
  })
  .superRefine((config, ctx) => {
    const seen = new Map<string, number>();
    config.endpoints.forEach((endpoint, index) => {
      const first = seen.get(endpoint.name);
      if (first === undefined) {
        seen.set(endpoint.name, index);
        return;
      }
      ctx.addIssue({
        code: 'custom',
        path: ['endpoints', index, 'name'],
        message: `"${endpoint.name}" is also the name of endpoints[${first}]; give each endpoint a distinct name (name: ...)`,
      });
    });
  });

export type EndpointsConfig = z.output<typeof endpointsConfigSchema>;
export type EndpointsConfigInput = z.input<typeof endpointsConfigSchema>;
export type EndpointConfigEntry = EndpointsConfig['endpoints'][number];
export type OpenAIEndpointEntry = Extract<EndpointConfigEntry, { provider: 'openai' }>;
export type HuggingFaceEndpointEntry = Extract<EndpointConfigEntry, { provider: 'huggingface' }>;
export type LlamaCppEndpointEntry = Extract<EndpointConfigEntry, { provider: 'llama-cpp' }>;

// ---- Messages ------------------------------------------------------------------------------------------------

const FIELDS_OF: Record<ProviderName, string[]> = {
  openai: keysOf(openaiEntrySchema),
  huggingface: keysOf(huggingfaceEntrySchema),
  'llama-cpp': keysOf(llamaCppEntrySchema),
};

function keysOf(schema: typeof openaiEntrySchema | typeof huggingfaceEntrySchema | typeof llamaCppEntrySchema): string[] {
  return Object.keys(schema.in.shape);
}

const SECRET_KEY = /^(?:api_?key|apikey|key|token|hf_?token|access_?token|secret|password|authorization|bearer)$/i;

/** `endpoints[1].rpm` */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out ? `.${String(part)}` : String(part);
  return out || '(top level)';
}

function unknownKeyMessage(key: string, provider: unknown): string {
  if (SECRET_KEY.test(key)) {
    return 'keys do not belong in the config file: export the key in an environment variable and name the variable with api_key_env (e.g. api_key_env: OPENAI_API_KEY)';
  }
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(/-/g, '_');
  const known = typeof provider === 'string' && provider in FIELDS_OF ? FIELDS_OF[provider as ProviderName] : undefined;
  if (known === undefined) return `unknown field "${key}"`;
  if (snake !== key && known.includes(snake)) return `unknown field "${key}"; did you mean ${snake}?`;
  const owners = PROVIDER_NAMES.filter((p) => p !== provider && FIELDS_OF[p].includes(key));
  if (owners.length > 0) return `${provider} endpoints do not take ${key} (only ${owners.join(' and ')} endpoints do); remove it`;
  return `unknown field "${key}"; ${provider} endpoints take: ${known.join(', ')}`;
}

interface Problem {
  path: PropertyKey[];
  message: string;
}

function problemsOf(error: z.ZodError, data: unknown): Problem[] {
  const problems: Problem[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      const parent = valueAt(data, issue.path);
      const provider = typeof parent === 'object' && parent !== null ? (parent as Record<string, unknown>).provider : undefined;
      for (const key of issue.keys) {
        problems.push({
          path: [...issue.path, key],
          message:
            issue.path.length === 0
              ? `unknown top-level field "${key}"; the file holds endpoints: (a list) and optionally run: (a mapping)`
              : unknownKeyMessage(key, provider),
        });
      }
    } else {
      problems.push({ path: [...issue.path], message: issue.message });
    }
  }
  return problems;
}

function valueAt(data: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current = data;
  for (const part of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[part];
  }
  return current;
}

// ---- Loading ------------------------------------------------------------------------------------------------

export interface ParseSource {
  /** File name used in messages. */
  file: string;
  /** Directory relative `model_path`s are resolved against; default: the working directory. */
  baseDir?: string;
  /** Finds the line of a field path, for messages. */
  lineOf?: (path: ReadonlyArray<PropertyKey>) => number | undefined;
}

/** Validates already-parsed data; throws a ConfigError listing every problem with its field path. */
export function parseEndpointsConfig(data: unknown, source: ParseSource): EndpointsConfig {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(`${source.file}: expected a mapping with an endpoints: list at the top, e.g.\nendpoints:\n  - provider: openai\n    base_url: http://127.0.0.1:8000/v1\n    model: my-model`);
  }
  const result = endpointsConfigSchema.safeParse(data);
  if (!result.success) {
    const lines = problemsOf(result.error, data).map((p) => {
      const line = source.lineOf?.(p.path);
      return `  ${formatPath(p.path)}${line === undefined ? '' : ` (line ${line})`}: ${p.message}`;
    });
    const count = lines.length === 1 ? '1 problem' : `${lines.length} problems`;
    throw new ConfigError(`${source.file}: invalid endpoints configuration (${count}):\n${lines.join('\n')}`);
  }
  const baseDir = source.baseDir ?? process.cwd();
  return {
    ...result.data,
    endpoints: result.data.endpoints.map((e) =>
      e.provider === 'llama-cpp' && !isAbsolute(e.modelPath) ? { ...e, modelPath: resolve(baseDir, e.modelPath) } : e,
    ),
  };
}

/** Reads and validates `--config <path>` (YAML or JSON). Relative model paths are resolved against the file's directory. */
export function loadEndpointsConfig(path: string): EndpointsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (err as Error).message;
    throw new ConfigError(`${path}: cannot read the endpoints configuration (${why}); check the --config path`);
  }
  const lineCounter = new LineCounter();
  // YAML 1.2 is a superset of JSON, so one parser reads both and reports positions the same way.
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const at = e.linePos?.[0];
      return `  ${at ? `line ${at.line}, column ${at.col}: ` : ''}${(e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new ConfigError(`${path}: not valid ${/\.json$/i.test(path) ? 'JSON' : 'YAML'}:\n${lines.join('\n')}`);
  }
  return parseEndpointsConfig(doc.toJS(), {
    file: path,
    baseDir: dirname(resolve(path)),
    lineOf: (fieldPath) => lineOfPath(doc, lineCounter, fieldPath),
  });
}

/** The line of the deepest node along `path` that exists in the document (a missing field points at its parent). */
function lineOfPath(doc: Document, lineCounter: LineCounter, path: ReadonlyArray<PropertyKey>): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true) as { range?: [number, number, number] } | undefined;
    const start = node?.range?.[0];
    if (start !== undefined) return lineCounter.linePos(start).line;
  }
  return undefined;
}
