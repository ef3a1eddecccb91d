import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * HTTP limits against slow and greedy clients (docs/security.md, "Limits"), over raw sockets on
 * loopback: a declared body over the limit is refused before it is read, a request whose headers
 * or body do not arrive in time is answered 408 and closed, and connections over a cap (per client
 * address, in total) are answered 503 at once and closed. Counts and times are kept small.
 */

interface Exchange {
  socket: net.Socket;
  /** Everything the gateway wrote, and when (ms after connecting) it closed the connection. */
  closed: Promise<{ text: string; afterMs: number }>;
}

/** Opens a connection to the gateway, sends `data` (possibly an unfinished request), and leaves it open. */
function exchange(url: string, data: string, localAddress?: string): Promise<Exchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ host: hostname, port: Number(port), localAddress });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    const closed = new Promise<{ text: string; afterMs: number }>((done) => {
      socket.on('close', () => done({ text, afterMs: Date.now() - started }));
    });
    socket.on('error', () => {});
    socket.once('connect', () => {
      if (data !== '') socket.write(data);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

function statusOf(text: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
}

function bodyOf(text: string): { errors: { message: string; extensions: Record<string, unknown> }[] } {
  return JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as never;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('a declared body over the limit', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway();
  });
  afterAll(() => gw?.close());

  it.each([
    ['the fast path', '/graphql', 'application/json'],
    ['the Express path', '/graphql?x=1', 'application/json; charset=utf-8; x=y'],
    ['the event stream', '/graphql/stream', 'application/json'],
  ])('gets a coded 413 on %s before any of its 100 MB is sent, and the connection is closed', async (_, path, type) => {
    const { closed } = await exchange(
      gw.url,
      `POST ${path} HTTP/1.1\r\nHost: gw\r\nContent-Type: ${type}\r\nX-Partner-Id: x\r\nContent-Length: 104857600\r\n\r\n`,
    );
    const { text, afterMs } = await closed;
    expect(statusOf(text)).toBe(413);
    expect(text).toMatch(/\r\nConnection: close\r\n/i);
    expect(bodyOf(text).errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST' });
    expect(afterMs).toBeLessThan(1000);
  });
});

describe('slow clients (HTTP_HEADERS_TIMEOUT_MS=1000, HTTP_REQUEST_TIMEOUT_MS=2000)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(undefined, { env: { HTTP_HEADERS_TIMEOUT_MS: '1000', HTTP_REQUEST_TIMEOUT_MS: '2000' } });
  });
  afterAll(() => gw?.close());

  it('50 connections whose headers never finish (25 of them silent) are each answered 408 and closed within the headers timeout plus 1 s', async () => {
    const slow = await Promise.all(
      Array.from({ length: 50 }, (_, i) => exchange(gw.url, i % 2 ? 'POST /graphql HTTP/1.1\r\nHost: gw\r\n' : '')),
    );
    const ends = await Promise.all(slow.map((s) => s.closed));
    for (const { text, afterMs } of ends) {
      expect(statusOf(text)).toBe(408);
      expect(bodyOf(text).errors[0]!.extensions).toEqual({ code: 'BAD_REQUEST' });
      expect(afterMs).toBeGreaterThanOrEqual(900);
      expect(afterMs).toBeLessThan(1000 + 1000 + 500);
    }
  });

  it('50 connections whose body stalls are each answered 408 and closed within the request timeout plus 1 s', async () => {
    const head =
      'POST /graphql HTTP/1.1\r\nHost: gw\r\nContent-Type: application/json\r\nX-Partner-Id: x\r\nContent-Length: 100\r\n\r\n{"query":';
    const slow = await Promise.all(Array.from({ length: 50 }, () => exchange(gw.url, head)));
    const ends = await Promise.all(slow.map((s) => s.closed));
    for (const { text, afterMs } of ends) {
      expect(statusOf(text)).toBe(408);
      expect(afterMs).toBeGreaterThanOrEqual(1900);
      expect(afterMs).toBeLessThan(2000 + 1000 + 500);
    }
  });

  it('a client sending its request in pieces, within the timeouts, is served', async () => {
    const body = JSON.stringify({ query: '{ viewer { userId } }' });
    const { socket, closed } = await exchange(gw.url, 'POST /graphql HTTP/1.1\r\nHost: gw\r\n');
    await sleep(400);
    socket.write(`Content-Type: application/json\r\nConnection: close\r\nX-Partner-Id: ${DEMO_PARTNERS.contoso.id}\r\n`);
    await sleep(400);
    socket.write(`Content-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`);
    await sleep(400);
    socket.write(body.slice(5));
    const { text } = await closed;
    expect(statusOf(text)).toBe(200);
  });
});

describe('connection caps (HTTP_MAX_CONNECTIONS=15, HTTP_MAX_CONNECTIONS_PER_ADDRESS=10)', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway(undefined, { env: { HTTP_MAX_CONNECTIONS: '15', HTTP_MAX_CONNECTIONS_PER_ADDRESS: '10' } });
  });
  afterAll(() => gw?.close());

  it('one address gets 10 connections; more are answered 503 TOO_MANY_CONNECTIONS at once and closed; one freed serves again', async () => {
    const held = await Promise.all(Array.from({ length: 10 }, () => exchange(gw.url, '')));
    await sleep(100);
    const extra = await Promise.all(Array.from({ length: 5 }, () => exchange(gw.url, 'GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n')));
    for (const { closed } of extra) {
      const { text, afterMs } = await closed;
      expect(statusOf(text)).toBe(503);
      expect(text).toMatch(/\r\nRetry-After: \d+\r\n/i);
      expect(bodyOf(text).errors[0]!.extensions.code).toBe('TOO_MANY_CONNECTIONS');
      expect(bodyOf(text).errors[0]!.message).toMatch(/one client address/);
      expect(afterMs).toBeLessThan(1000);
    }
    held[0]!.socket.destroy();
    await held[0]!.closed;
    await sleep(100);
    const again = await exchange(gw.url, 'GET /healthz HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n');
    expect(statusOf((await again.closed).text)).toBe(200);
    for (const h of held) h.socket.destroy();
    await Promise.all(held.map((h) => h.closed));
  });

  it('in all, 15 connections: a second address gets what the first leaves, then 503', async () => {
    const first = await Promise.all(Array.from({ length: 10 }, () => exchange(gw.url, '', '127.0.0.1')));
    await sleep(100);
    const second = await Promise.all(Array.from({ length: 8 }, () => exchange(gw.url, '', '127.0.0.2')));
    await sleep(300);
    const refused = second.filter((s) => s.socket.destroyed || s.socket.readableEnded);
    expect(refused).toHaveLength(3);
    for (const { closed } of refused) {
      const { text } = await closed;
      expect(statusOf(text)).toBe(503);
      expect(bodyOf(text).errors[0]!.message).toMatch(/the gateway/);
    }
    for (const s of [...first, ...second]) s.socket.destroy();
    await Promise.all([...first, ...second].map((s) => s.closed));
  });
});
