import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** One request a receiver got, as it arrived (the raw body is what a signature covers). */
export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  /** performance.now() when the body had arrived. */
  at: number;
  /** The status it was answered with; null while it hangs. */
  answered: number | null;
}

/** How to answer a request: a status (with an optional Location), after an optional delay; `hang` never answers. */
export type Answer = { status: number; location?: string; delayMs?: number } | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** The parsed bodies of the requests answered 2xx. */
  delivered(): Record<string, unknown>[];
  /** Requests still waiting for an answer ('hang'). */
  hanging(): number;
  /** Answers every hanging request with `status`, and stops hanging new ones. */
  releaseHanging(status?: number): void;
  /** Waits until `done()` holds, failing after `timeoutMs`. */
  waitFor(done: () => boolean, timeoutMs?: number, what?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * A webhook receiver on 127.0.0.1 (allowed in development mode): records every request and
 * answers as `answer` says (200 by default).
 */
export async function startReceiver(answer: (request: Received, index: number) => Answer = () => ({ status: 200 })): Promise<Receiver> {
  const received: Received[] = [];
  const held: { res: http.ServerResponse; request: Received }[] = [];
  let released: number | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: Received = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: performance.now(),
        answered: null,
      };
      received.push(request);
      const how = released !== null ? { status: released } : answer(request, received.length - 1);
      if (how === 'hang') {
        held.push({ res, request });
        return;
      }
      const send = () => {
        request.answered = how.status;
        res.writeHead(how.status, how.location ? { location: how.location } : {}).end('ok');
      };
      if (how.delayMs) setTimeout(send, how.delayMs);
      else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    delivered: () =>
      received
        .filter((r) => r.answered !== null && r.answered >= 200 && r.answered < 300)
        .map((r) => JSON.parse(r.body) as Record<string, unknown>),
    hanging: () => held.length,
    releaseHanging(status = 200) {
      released = status;
      for (const { res, request } of held.splice(0)) {
        request.answered = status;
        res.writeHead(status).end('ok');
      }
    },
    async waitFor(done, timeoutMs = 15_000, what = 'the receiver') {
      const deadline = Date.now() + timeoutMs;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${received.length} requests received`);
        await sleep(20);
      }
    },
    async close() {
      for (const { res } of held.splice(0)) res.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
