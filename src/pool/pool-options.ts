// The options of the endpoint pool, validated at construction so a bad value fails with its name.

import { z } from 'zod';
import type { Provider } from '../types.js';
import type { TokenCounter } from './request-tokens.js';

function isProvider(value: unknown): value is Provider {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Provider).endpoint === 'string' &&
    typeof (value as Provider).generate === 'function'
  );
}

export const endpointSpecSchema = z.strictObject({
  provider: z.custom<Provider>(isProvider, { message: 'expected a provider (an endpoint name and a generate function)' }),
  /** Share of the work when endpoints have equal free capacity. Default 1. */
  weight: z.number().positive().finite().default(1),
  /** Requests in flight at once; adaptive concurrency never goes above it. Default 8. */
  maxInFlight: z.number().int().min(1).default(8),
  /** Requests started per rate window (a minute by default); undefined = unlimited. */
  rpm: z.number().int().min(1).optional(),
  /** Tokens per rate window: prompt + max_tokens × n reserved at send, settled to reported usage. Undefined = unlimited. */
  tpm: z.number().int().min(1).optional(),
  /** USD per million prompt tokens, for cost. */
  pricePerMillionInput: z.number().nonnegative().optional(),
  /** USD per million completion tokens, for cost. */
  pricePerMillionOutput: z.number().nonnegative().optional(),
});

/** One endpoint of a MultiEndpointPool. */
export type EndpointSpec = z.input<typeof endpointSpecSchema>;

export const retryOptionsShape = {
  /** Retries after the first try, for rate limits and transient failures. Default 6. */
  maxRetries: z.number().int().min(0).default(6),
  /** Ceiling of the first backoff wait. Default 500 ms. */
  baseDelayMs: z.number().min(0).default(500),
  /** Cap of any backoff wait (a server's retry-after may exceed it). Default 60 000 ms. */
  maxDelayMs: z.number().min(0).default(60_000),
  /** The period rpm and tpm are counted over. Default 60 000 ms; shorter only for tests and simulations. */
  rateWindowMs: z.number().positive().finite().default(60_000),
  /**
   * Added to the rate window so the time a request takes to reach the server cannot carry it into a window the
   * server has already filled. Costs margin/window of throughput (1.6% at the defaults). Default 1000 ms.
   */
  windowMarginMs: z.number().min(0).finite().default(1000),
  /** Consecutive connection errors, timeouts or 5xx that open an endpoint's circuit. Default 5. */
  circuitFailureThreshold: z.number().int().min(1).default(5),
  /** Cool-down before an open circuit lets one probe through; doubles with every failed probe. Default 1000 ms. */
  circuitCooldownMs: z.number().min(0).default(1000),
  /** Cap of the circuit cool-down. Default 30 000 ms. */
  circuitMaxCooldownMs: z.number().min(0).default(30_000),
};

export const multiPoolOptionsSchema = z
  .strictObject(retryOptionsShape)
  .refine((o) => o.maxDelayMs >= o.baseDelayMs, { path: ['maxDelayMs'], message: 'must be at least baseDelayMs' })
  .refine((o) => o.circuitMaxCooldownMs >= o.circuitCooldownMs, {
    path: ['circuitMaxCooldownMs'],
    message: 'must be at least circuitCooldownMs',
  });

export type MultiPoolOptions = z.output<typeof multiPoolOptionsSchema>;
/** What the MultiEndpointPool constructor takes: every option is optional and has the default documented above. */
export type MultiPoolOptionsInput = z.input<typeof multiPoolOptionsSchema>;

/** Seams for tests and simulations. */
export interface PoolRuntime {
  /** Wall clock in ms; default Date.now (which vitest fake timers control). */
  now?: () => number;
  /** Uniform in [0, 1) for backoff jitter; default Math.random. */
  random?: () => number;
  /** Tokens in a text, for TPM reservations; default cl100k_base (src/tokens.ts). */
  countTokens?: TokenCounter;
  /** Calls `callback` after `delayMs` and returns a cancel function; default setTimeout (faked by vitest). */
  schedule?: (callback: () => void, delayMs: number) => () => void;
}

/** Parses `input` with `schema`, or throws a RangeError naming the first offending option (under `prefix`). */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, prefix = ''): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.join('.') ?? '';
  const keys = issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : '';
  const name = [prefix, path, keys].filter(Boolean).join('.') || '?';
  throw new RangeError(`Invalid pool option "${name}": ${issue?.message ?? 'invalid'}`);
}
