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
