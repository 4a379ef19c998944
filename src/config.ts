import { z } from 'zod';
import type { EndpointConfigEntry } from './endpoints-config.js';

// The one place a run's defaults live. The CLI builds an object from flags and parses it here,
// so a bad value fails with the option's name before anything is read or sent.

export const runConfigSchema = z.strictObject({
  inputs: z.array(z.string().min(1)).min(1, 'give at least one --input (a file, a directory, or - for stdin)'),
  textField: z.string().min(1).default('text'),
  idField: z.string().min(1).default('id'),
  stdinFormat: z.enum(['jsonl', 'text']).default('jsonl'),
  styles: z.array(z.string().min(1)).min(1).default(['wiki']),
  promptsDir: z.string().optional(),
  chunkTokens: z.number().int().min(16, 'chunk-tokens must be at least 16').default(400),
  ledger: z.string().min(1),
  /** Already validated by src/endpoints-config.ts (from --config or built from the flags). */
  endpoints: z.array(z.custom<EndpointConfigEntry>((v) => typeof v === 'object' && v !== null)).min(1, 'configure at least one endpoint'),
  /** An LLM judge (tier 3) on its own endpoint: added to every style that does not list `llm-judge` itself. */
  judge: z
    .strictObject({
      endpoint: z.custom<EndpointConfigEntry>((v) => typeof v === 'object' && v !== null),
      mode: z.enum(['all', 'borderline', 'sample']).default('borderline'),
      sampleRate: z.number().min(0).max(1).default(0.1),
    })
    .optional(),
  /** Stop cleanly (resumable) before a request would take the estimated spend past this many USD. */
  maxCost: z.number().positive().optional(),
  /** Stop cleanly (resumable) before a request would take prompt + completion tokens past this. */
  maxTokens: z.number().int().positive().optional(),
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
  /** Worker threads judging candidates (0: judge on the engine's thread). Default: one fewer than the cores. */
  judgeThreads: z.number().int().min(0).max(64).optional(),
  /** How long a graceful stop waits for requests in flight. */
  stopGraceMs: z.number().int().min(0).default(10_000),
});

export type RunConfig = z.infer<typeof runConfigSchema>;
export type RunConfigInput = z.input<typeof runConfigSchema>;

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
