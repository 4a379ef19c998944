import { ConfigError, parseRunConfig, type RunConfig } from '../config.js';
import { loadEndpointsConfig, parseEndpointsConfig, type EndpointConfigEntry } from '../endpoints-config.js';

/** The flags `run` and `plan` share, as commander hands them over. */
export interface RunFlags {
  input: string[];
  style?: string[];
  ledger: string;
  config?: string;
  baseUrl?: string;
  model?: string;
  apiKeyEnv?: string;
  textField?: string;
  idField?: string;
  stdinFormat?: 'jsonl' | 'text';
  prompts?: string;
  chunkTokens?: number;
  concurrency?: number;
  rpm?: number;
  tpm?: number;
  maxRetries?: number;
  candidates?: number;
  maxAttempts?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  timeoutMs?: number;
  maxCost?: number;
  maxTokens?: number;
  judgeModel?: string;
  judgeBaseUrl?: string;
  judgeApiKeyEnv?: string;
  judgeMode?: 'all' | 'borderline' | 'sample';
  judgeSampleRate?: number;
  judgeThreads?: number;
}

/** The judge model's endpoint: its own OpenAI-compatible server, or the rephrasing server by default. */
function judgeFromFlags(f: RunFlags, endpoints: EndpointConfigEntry[]): Record<string, unknown> | undefined {
  if (!f.judgeModel) return undefined;
  const first = endpoints[0];
  const baseUrl = f.judgeBaseUrl ?? (first && first.provider === 'openai' ? first.baseUrl : defaultBaseUrl);
  const [endpoint] = parseEndpointsConfig(
    {
      endpoints: [
        {
          provider: 'openai',
          name: `judge:${baseUrl}`,
          base_url: baseUrl,
          model: f.judgeModel,
          api_key_env: f.judgeApiKeyEnv ?? f.apiKeyEnv ?? 'OPENAI_API_KEY',
        },
      ],
    },
    { file: 'command line (--judge-*)' },
  ).endpoints;
  return { endpoint, mode: f.judgeMode, sampleRate: f.judgeSampleRate };
}

const defaultBaseUrl = 'http://127.0.0.1:8000/v1';

/** The endpoint a run without --config talks to: one OpenAI-compatible server. */
function endpointFromFlags(f: RunFlags): EndpointConfigEntry[] {
  if (!f.model) throw new ConfigError("give --model (the model name the server serves), or --config with an endpoints list");
  return parseEndpointsConfig(
    {
      endpoints: [
        {
          provider: 'openai',
          base_url: f.baseUrl ?? defaultBaseUrl,
          model: f.model,
          api_key_env: f.apiKeyEnv ?? 'OPENAI_API_KEY',
          ...(f.concurrency !== undefined && { max_in_flight: f.concurrency }),
          ...(f.rpm !== undefined && { rpm: f.rpm }),
          ...(f.tpm !== undefined && { tpm: f.tpm }),
          ...(f.timeoutMs !== undefined && { timeout_ms: f.timeoutMs }),
        },
      ],
    },
    { file: 'command line' },
  ).endpoints;
}

/** Endpoint flags override the file for a single endpoint; with several, they would be ambiguous. */
function endpointsFromFile(f: RunFlags, path: string): { endpoints: EndpointConfigEntry[]; run: Record<string, unknown> } {
  const file = loadEndpointsConfig(path);
  const overrides: Array<[string, unknown]> = [
    ['--base-url', f.baseUrl], ['--model', f.model], ['--api-key-env', f.apiKeyEnv], ['--concurrency', f.concurrency],
    ['--rpm', f.rpm], ['--tpm', f.tpm], ['--timeout-ms', f.timeoutMs],
  ];
  const given = overrides.filter(([, v]) => v !== undefined).map(([k]) => k);
  if (given.length > 0 && file.endpoints.length > 1) {
    throw new ConfigError(`${given.join(', ')} apply to a single endpoint, but ${path} lists ${file.endpoints.length}: set them in the file instead`);
  }
  const endpoints = file.endpoints.map((e): EndpointConfigEntry => {
    const merged = {
      ...e,
      ...(f.model !== undefined && { model: f.model }),
      ...(f.concurrency !== undefined && { maxInFlight: f.concurrency }),
      ...(f.rpm !== undefined && { rpm: f.rpm }),
      ...(f.tpm !== undefined && { tpm: f.tpm }),
      ...(f.timeoutMs !== undefined && { timeoutMs: f.timeoutMs }),
    };
    if (merged.provider !== 'llama-cpp') {
      if (f.baseUrl !== undefined) merged.baseUrl = f.baseUrl;
      if (f.apiKeyEnv !== undefined) merged.apiKeyEnv = f.apiKeyEnv;
    }
    return merged as EndpointConfigEntry;
  });
  return { endpoints, run: file.run ?? {} };
}

const snakeToCamel = (k: string): string => k.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Flags, then the file's `run:` defaults, then the schema's defaults. */
export function buildRunConfig(f: RunFlags): RunConfig {
  const { endpoints, run } = f.config ? endpointsFromFile(f, f.config) : { endpoints: endpointFromFlags(f), run: {} };
  const fileDefaults = Object.fromEntries(Object.entries(run).map(([k, v]) => [snakeToCamel(k), v]));
  if ('styles' in fileDefaults && typeof fileDefaults['styles'] === 'string') {
    fileDefaults['styles'] = (fileDefaults['styles'] as string).split(',').map((s) => s.trim());
  }
  const fromFlags = {
    inputs: f.input,
    styles: f.style,
    ledger: f.ledger,
    endpoints,
    textField: f.textField,
    idField: f.idField,
    stdinFormat: f.stdinFormat,
    promptsDir: f.prompts,
    chunkTokens: f.chunkTokens,
    maxRetries: f.maxRetries,
    candidates: f.candidates,
    maxAttempts: f.maxAttempts,
    temperature: f.temperature,
    topP: f.topP,
    seed: f.seed,
    maxCost: f.maxCost,
    maxTokens: f.maxTokens,
    judge: judgeFromFlags(f, endpoints),
    judgeThreads: f.judgeThreads,
  };
  const merged: Record<string, unknown> = { ...fileDefaults };
  for (const [k, v] of Object.entries(fromFlags)) if (v !== undefined) merged[k] = v;
  return parseRunConfig(merged);
}
