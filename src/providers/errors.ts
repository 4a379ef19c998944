// Every backend's failures become one of these, so the pool branches on types, never on message text.

export class ProviderError extends Error {
  constructor(
    message: string,
    /** Endpoint name (never a key). */
    readonly endpoint: string,
    /** HTTP status when there was one. */
    readonly status?: number,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** 429 or an equivalent: wait `retryAfterMs` (when the server said) and try again. */
export class RateLimitedError extends ProviderError {
  constructor(
    message: string,
    endpoint: string,
    readonly retryAfterMs: number | undefined,
    status = 429,
  ) {
    super(message, endpoint, status);
  }
}

/** 5xx, timeouts, resets, malformed bodies: worth retrying with backoff. */
export class TransientError extends ProviderError {}

/** 400/404 and other errors that another try will not fix: the task fails. */
export class FatalError extends ProviderError {}

/** 401/403: no request to this endpoint can succeed; the run stops. */
export class AuthError extends FatalError {}

/** The prompt does not fit the model's context: split the chunk. */
export class ContextTooLongError extends ProviderError {}

/**
 * A failed request as the ledger records it: the endpoint the error names (provider and pool errors do;
 * 'unknown' otherwise) and the error under `code`, its message with secrets removed by `redact`.
 */
export function describeFailure(err: unknown, code: string, redact: (text: string) => string): { endpoint: string; error: { code: string; message: string } } {
  const endpoint = err instanceof Error && 'endpoint' in err ? String(err.endpoint) : 'unknown';
  return { endpoint, error: { code, message: redact(err instanceof Error ? err.message : String(err)) } };
}

/** Stable reason codes for requests that got no answer; `stats` counts failed tasks by them. */
export function providerErrorCode(err: unknown): string {
  if (err instanceof RateLimitedError) return 'rate_limited';
  if (err instanceof ContextTooLongError) return 'context_too_long';
  if (err instanceof AuthError) return 'auth_error';
  if (err instanceof FatalError) return 'request_error';
  if (err instanceof TransientError) return 'transient_error';
  return 'internal_error';
}
