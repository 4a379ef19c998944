// How long a server asked us to wait, from whichever of the rate-limit headers it sent.
//
// Servers disagree on the header: OpenAI sends `retry-after-ms` and `x-ratelimit-reset-*` (Go durations),
// Azure and most proxies send `retry-after` (seconds or an HTTP date). We read them all, most precise first.

/** Anything with a case-insensitive `get`, like fetch's `Headers`, or a plain record of lower-case names. */
export type HeaderSource = { get(name: string): string | null } | Record<string, string | undefined>;

function readHeader(headers: HeaderSource, name: string): string | undefined {
  if (typeof headers.get === 'function') {
    return (headers as { get(name: string): string | null }).get(name)?.trim() || undefined;
  }
  const record = headers as Record<string, string | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : record[key]?.trim() || undefined;
}

const NUMBER = /^\d+(?:\.\d+)?$/;

/** `retry-after: 12` (seconds) or `retry-after: Wed, 21 Oct 2015 07:28:00 GMT`. */
export function parseRetryAfter(value: string, nowMs: number): number | undefined {
  if (NUMBER.test(value)) return Math.ceil(Number(value) * 1000);
  // Date.parse accepts many shapes; only trust it for values that look like an HTTP date (contain a year).
  if (!/\d{4}/.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

const DURATION_UNIT_MS: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001, µs: 0.001, ns: 0.000001 };
const DURATION = /^(?:\d+(?:\.\d+)?(?:h|ms|m|s|us|µs|ns))+$/;
const DURATION_PART = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;

/** Go-style durations as OpenAI sends them in `x-ratelimit-reset-*`: `1s`, `6m0s`, `250ms`, `1h2m3.5s`. A bare number is seconds. */
export function parseDurationMs(value: string): number | undefined {
  if (NUMBER.test(value)) return Math.ceil(Number(value) * 1000);
  if (!DURATION.test(value)) return undefined;
  let total = 0;
  for (const [, amount, unit] of value.matchAll(DURATION_PART)) {
    total += Number(amount) * (DURATION_UNIT_MS[unit as string] ?? 0);
  }
  return Math.ceil(total);
}

/**
 * Milliseconds the server asked us to wait before the next request, or undefined when it did not say.
 *
 * Precedence: `retry-after-ms`, then `retry-after`, then the `x-ratelimit-reset-requests` /
 * `x-ratelimit-reset-tokens` pair. Of the pair, a limit whose `x-ratelimit-remaining-*` is 0 is the one
 * that refused us; when the server does not say which, we wait for the later reset so the retry is not refused again.
 */
export function retryAfterMsFromHeaders(headers: HeaderSource, nowMs: number = Date.now()): number | undefined {
  const ms = readHeader(headers, 'retry-after-ms');
  if (ms !== undefined && NUMBER.test(ms)) return Math.ceil(Number(ms));

  const retryAfter = readHeader(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const parsed = parseRetryAfter(retryAfter, nowMs);
    if (parsed !== undefined) return parsed;
  }

  const resets = (['requests', 'tokens'] as const).map((kind) => {
    const reset = readHeader(headers, `x-ratelimit-reset-${kind}`);
    return {
      resetMs: reset === undefined ? undefined : parseDurationMs(reset),
      exhausted: readHeader(headers, `x-ratelimit-remaining-${kind}`) === '0',
    };
  });
  const known = resets.filter((r): r is { resetMs: number; exhausted: boolean } => r.resetMs !== undefined);
  if (known.length === 0) return undefined;
  const exhausted = known.filter((r) => r.exhausted);
  const relevant = exhausted.length > 0 ? exhausted : known;
  return Math.max(...relevant.map((r) => r.resetMs));
}
