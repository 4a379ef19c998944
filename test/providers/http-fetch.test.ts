// httpFetch against a real loopback server: what the openai SDK relies on from a fetch, and fetch's failure
// shapes, which the provider's error classification reads.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { httpFetch } from '../../src/providers/http-fetch.js';

let server: Server | undefined;
let connections = 0;

async function serve(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  connections = 0;
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('httpFetch', () => {
  it('sends the method, headers and body, and gives back status, headers and body', async () => {
    const url = await serve((req, res, body) => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-ratelimit-remaining-requests': '41' });
      res.end(JSON.stringify({ method: req.method, path: req.url, auth: req.headers.authorization, body }));
    });
    const response = await httpFetch(`${url}/v1/chat/completions?x=1`, { method: 'POST', headers: { Authorization: 'Bearer k' }, body: '{"a":1}' });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('41');
    expect(await response.json()).toEqual({ method: 'POST', path: '/v1/chat/completions?x=1', auth: 'Bearer k', body: '{"a":1}' });
  });

  it('decodes a gzip answer and drops the encoding headers', async () => {
    const url = await serve((_req, res) => {
      const zipped = gzipSync('{"ok":true}');
      res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(zipped.length) });
      res.end(zipped);
    });
    const response = await httpFetch(`${url}/`);
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(await response.text()).toBe('{"ok":true}');
  });

  it('gives a 204 with no body', async () => {
    const url = await serve((_req, res) => res.writeHead(204).end());
    const response = await httpFetch(`${url}/`, { method: 'DELETE' });
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
  });

  it('keeps the connection alive between requests', async () => {
    const url = await serve((_req, res) => res.end('x'));
    for (let i = 0; i < 3; i++) await (await httpFetch(`${url}/`)).text();
    expect(connections).toBe(1);
  });

  it('rejects with the signal\'s reason when aborted before or during the request', async () => {
    const url = await serve(() => undefined); // never answers
    const before = new AbortController();
    before.abort(new Error('stop before'));
    await expect(httpFetch(`${url}/`, { signal: before.signal })).rejects.toThrow('stop before');
    const during = new AbortController();
    const pending = httpFetch(`${url}/`, { signal: during.signal });
    setTimeout(() => during.abort(), 20);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('fails like fetch when the connection is refused', async () => {
    const url = await serve((_req, res) => res.end());
    await new Promise<void>((resolve) => server!.close(() => resolve()));
    server = undefined;
    const error = await httpFetch(`${url}/`).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).toMatchObject({ message: 'fetch failed', cause: { code: 'ECONNREFUSED' } });
  });

  it('gives the status of an answer cut off in the middle of its body, whose body then fails to read', async () => {
    const url = await serve((req, res) => {
      res.writeHead(500, { 'content-length': '1000' });
      res.write('{"partial":');
      setTimeout(() => (req.socket as Socket).destroy(), 10);
    });
    const response = await httpFetch(`${url}/`);
    expect(response.status).toBe(500);
    const error = await response.text().catch((err: unknown) => err);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).cause).toBeInstanceOf(Error);
  });
});
