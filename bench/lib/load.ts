/**
 * The load generator: N closed-loop clients over keep-alive HTTP/1.1 connections (node:http,
 * one socket each), each sending its next request when the previous answer has been read, for a
 * fixed duration (or until a request cap). Every answer is checked: HTTP 200 and no `errors`.
 */
import http from 'node:http';

export interface LoadOptions {
  url: string;
  /** The request body (JSON) and headers; the same for every request. */
  body: string;
  headers: Record<string, string>;
  connections: number;
  durationMs: number;
  /** Stop after this many requests even if time is left. */
  maxRequests?: number;
  /** Keep going past the duration until this many requests were sent (slow backends). @default 1 */
  minRequests?: number;
  /** Whether an answer is good; default: status 200 and no top-level `errors`. */
  check?: (status: number, text: string) => boolean;
}

export interface LoadResult {
  requests: number;
  errors: number;
  firstError: string | null;
  elapsedMs: number;
  throughputPerSec: number;
  latencyMs: { p50: number; p90: number; p99: number; mean: number; min: number; max: number };
  /** Every latency, sorted (for merging runs; not written to the results). */
  samples: number[];
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

const defaultCheck = (status: number, text: string) => status === 200 && !text.includes('"errors"');

function post(agent: http.Agent, url: URL, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
  const check = options.check ?? defaultCheck;
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | null = null;
  let sent = 0;
  const started = performance.now();
  const deadline = started + options.durationMs;
  const cap = options.maxRequests ?? Number.POSITIVE_INFINITY;
  const min = options.minRequests ?? 1;
  const client = async () => {
    while ((performance.now() < deadline || sent < min) && sent < cap) {
      sent += 1;
      const t0 = performance.now();
      try {
        const { status, text } = await post(agent, url, options.body, options.headers);
        latencies.push(performance.now() - t0);
        if (!check(status, text)) {
          errors += 1;
          firstError ??= `HTTP ${status}: ${text.slice(0, 300)}`;
        }
      } catch (error) {
        errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: options.connections }, client));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  return summarise(latencies, errors, firstError, elapsedMs);
}

export function summarise(latencies: number[], errors: number, firstError: string | null, elapsedMs: number): LoadResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  return {
    requests: sorted.length,
    errors,
    firstError,
    elapsedMs,
    throughputPerSec: (sorted.length / elapsedMs) * 1000,
    latencyMs: {
      p50: percentile(sorted, 50),
      p90: percentile(sorted, 90),
      p99: percentile(sorted, 99),
      mean,
      min: sorted[0] ?? Number.NaN,
      max: sorted.at(-1) ?? Number.NaN,
    },
    samples: sorted,
  };
}

/** Several runs of the same load as one (alternating runs against two servers share the machine's moods). */
export function merge(runs: readonly LoadResult[]): LoadResult {
  return summarise(
    runs.flatMap((r) => r.samples),
    runs.reduce((n, r) => n + r.errors, 0),
    runs.find((r) => r.firstError)?.firstError ?? null,
    runs.reduce((n, r) => n + r.elapsedMs, 0),
  );
}

/** One request, for warm-up and command recording. */
export async function postOnce(url: string, body: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const agent = new http.Agent({ keepAlive: false });
  try {
    return await post(agent, new URL(url), body, headers);
  } finally {
    agent.destroy();
  }
}
