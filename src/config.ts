import { z } from 'zod';

// The one place a run's defaults live. The CLI builds an object from flags and parses it here,
// so a bad value fails with the option's name before anything is read or sent.

export const endpointConfigSchema = z.object({
  provider: z.literal('openai').default('openai'),
  /** OpenAI-compatible base URL, e.g. http://127.0.0.1:8000/v1 */
  baseUrl: z.url({ message: 'base-url must be a URL such as http://127.0.0.1:8000/v1' }),
  model: z.string().min(1, 'model must name the model the server serves'),
  /** Name of the environment variable that holds the key; the key itself is never configured or stored. */
  apiKeyEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'api-key-env must be an environment variable name').default('OPENAI_API_KEY'),
  timeoutMs: z.number().int().positive().default(120_000),
});

export const runConfigSchema = z.object({
  inputs: z.array(z.string().min(1)).min(1, 'give at least one --input (a file, a directory, or - for stdin)'),
  textField: z.string().min(1).default('text'),
  idField: z.string().min(1).default('id'),
  stdinFormat: z.enum(['jsonl', 'text']).default('jsonl'),
  styles: z.array(z.string().min(1)).min(1).default(['wiki']),
  promptsDir: z.string().optional(),
  chunkTokens: z.number().int().min(16, 'chunk-tokens must be at least 16').default(400),
  ledger: z.string().min(1),
  endpoint: endpointConfigSchema,
  /** Requests in flight at once. */
  concurrency: z.number().int().min(1).max(4096).default(8),
  /** Requests per minute; unset = unlimited. */
  rpm: z.number().positive().optional(),
  /** Retries of one request after 429/5xx/timeouts before the task is recorded as failed. */
  maxRetries: z.number().int().min(0).max(50).default(6),
  /** Candidates drawn per request (`n`). */
  candidates: z.number().int().min(1).max(32).default(1),
  /** Judged attempts per task before it is recorded as rejected. */
  maxAttempts: z.number().int().min(1).max(100).default(3),
  /** Overrides the style's temperature when set. */
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().gt(0).max(1).optional(),
  /** Base seed; each attempt derives its own from it and the task. */
  seed: z.number().int().min(0).default(0),
  /** How long a graceful stop waits for requests in flight. */
  stopGraceMs: z.number().int().min(0).default(10_000),
});

export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;
export type EndpointConfig = z.infer<typeof endpointConfigSchema>;

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Parses a run configuration; the error names each bad field. */
export function parseRunConfig(input: unknown): RunConfig {
  const result = runConfigSchema.safeParse(input);
  if (result.success) return result.data;
  const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(config)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
}
