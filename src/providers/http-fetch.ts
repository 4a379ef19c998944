// A `fetch` for the openai SDK built on node:http(s) with keep-alive agents, for the JSON requests reword sends.
//
// Node's built-in fetch (undici) routes every body through web streams and several promise hops; at a few
// hundred requests a second that was the largest cost on the engine's thread besides the SDK itself (about
// 1.1 ms of CPU per request against 0.65 ms here, measured side by side with the same SDK and server), and
// each hop is a place where an answer waits behind other work before its slot is freed.
//
// It covers what the SDK asks of it: a string or byte body, headers, an abort signal, the answer read whole
// (chat completions are small JSON), gzip/deflate/br bodies decoded. Anything else goes to the global fetch.
// Failures keep fetch's shape: an aborted request rejects with the signal's AbortError, a refused or reset
// connection with a TypeError whose `cause` is the socket error, as undici's "fetch failed" does, and a body
// cut off after the headers gives an answer whose body fails to read.

import http from 'node:http';
import https from 'node:https';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

/** Statuses whose answers have no body (a Response cannot be built with one). */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

type FetchInput = Parameters<typeof globalThis.fetch>[0];
type FetchInit = NonNullable<Parameters<typeof globalThis.fetch>[1]>;

function bodyBytes(body: FetchInit['body']): string | Uint8Array | undefined | null {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return null; // a stream, a form, a blob: not ours to send
}

function headerRecord(headers: FetchInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (headers instanceof Headers || Array.isArray(headers)) {
    for (const [name, value] of headers instanceof Headers ? headers.entries() : headers) out[name.toLowerCase()] = value as string;
    return out;
  }
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = String(value);
  return out;
}

function decode(encoding: string | undefined, body: Buffer): Buffer {
  switch (encoding?.trim().toLowerCase()) {
    case 'gzip':
    case 'x-gzip':
      return gunzipSync(body);
    case 'deflate':
      return inflateSync(body);
    case 'br':
      return brotliDecompressSync(body);
    default:
      return body;
  }
}

function fetchFailed(cause: unknown): TypeError {
  return new TypeError('fetch failed', { cause });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}

/** `fetch` over node:http(s); see the head of this file for what it covers. */
export const httpFetch: typeof globalThis.fetch = (input: FetchInput, init: FetchInit = {}) => {
  const url = typeof input === 'string' ? new URL(input) : input instanceof URL ? input : undefined;
  const body = bodyBytes(init.body);
  const agent = url ? agents[url.protocol as keyof typeof agents] : undefined;
  if (url === undefined || agent === undefined || body === null || (init.redirect !== undefined && init.redirect !== 'follow')) {
    return globalThis.fetch(input, init);
  }
  const signal = init.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));
  const headers = headerRecord(init.headers);
  // Compressed answers are decoded below; say which ones we take, as fetch does.
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  const transport = url.protocol === 'https:' ? https : http;

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      reject(signal?.aborted ? abortError(signal) : fetchFailed(err));
    };
    const request = transport.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: init.method ?? 'GET',
        headers,
        agent,
      },
      (res) => {
        const chunks: Buffer[] = [];
        const status = res.statusCode ?? 0;
        const respond = (body: Buffer | ReadableStream<Uint8Array> | null): void => {
          settled = true;
          signal?.removeEventListener('abort', onAbort);
          const headers = new Headers();
          for (let i = 0; i < res.rawHeaders.length; i += 2) headers.append(res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string);
          if (res.headers['content-encoding'] !== undefined && !(body instanceof ReadableStream)) {
            headers.delete('content-encoding');
            headers.delete('content-length');
          }
          try {
            resolve(new Response(NULL_BODY.has(status) ? null : body, { status, statusText: res.statusMessage ?? '', headers }));
          } catch (err) {
            // A status the Response class refuses (below 200 or above 599) is not an answer an API gives.
            reject(fetchFailed(err));
          }
        };
        // The status and headers came; the body did not. As with fetch, the answer stands and reading its body
        // fails, so a caller still learns the status (a 500 cut short is still a 500).
        const cutShort = (err: unknown): void => {
          if (settled) return;
          if (signal?.aborted) return fail(err);
          respond(new ReadableStream({ start: (controller) => controller.error(fetchFailed(err)) }));
        };
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', cutShort);
        res.on('close', () => {
          if (!res.complete) cutShort(Object.assign(new Error('the connection closed before the body ended'), { code: 'UND_ERR_SOCKET' }));
        });
        res.on('end', () => {
          if (settled) return;
          let data: Buffer;
          try {
            data = decode(res.headers['content-encoding'], Buffer.concat(chunks));
          } catch (err) {
            return cutShort(err);
          }
          respond(data);
        });
      },
    );
    const onAbort = (): void => {
      request.destroy();
      fail(abortError(signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    request.on('error', fail);
    request.end(body);
  });
};
