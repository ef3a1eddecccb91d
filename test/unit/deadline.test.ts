import { describe, expect, it } from 'vitest';
import { DatabaseLiveness, Deadline } from '../../src/limits/timeout.js';

/* The request deadline's decisions (src/limits/timeout.ts), with short real timers. */

const never = () => new Promise<never>(() => {});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failure(promise: Promise<unknown>): Promise<{ code: unknown; afterMs: number }> {
  const started = Date.now();
  try {
    await promise;
  } catch (error) {
    return { code: (error as { extensions?: { code?: unknown } }).extensions?.code, afterMs: Date.now() - started };
  }
  throw new Error('expected a failure');
}

describe('Deadline', () => {
  it('a read the silent database never answers fails SERVICE_UNAVAILABLE after the database wait, and later reads at once', async () => {
    const liveness = new DatabaseLiveness();
    await sleep(60);
    const deadline = new Deadline({ timeoutMs: 5000, databaseWaitMs: 50, liveness });
    const first = await failure(deadline.bound(never));
    expect(first.code).toBe('SERVICE_UNAVAILABLE');
    expect(first.afterMs).toBeGreaterThanOrEqual(45);
    expect(first.afterMs).toBeLessThan(500);
    const later = await failure(deadline.bound(() => Promise.resolve(1)));
    expect(later).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
    expect(later.afterMs).toBeLessThan(20);
  });

  it('a read of a database that answers others is waited for, up to the execution deadline (TIMEOUT)', async () => {
    const liveness = new DatabaseLiveness();
    const deadline = new Deadline({ timeoutMs: 300, databaseWaitMs: 50, liveness });
    const others = setInterval(() => liveness.answered(), 10);
    try {
      const { code, afterMs } = await failure(deadline.bound(never));
      expect(code).toBe('TIMEOUT');
      expect(afterMs).toBeGreaterThanOrEqual(280);
      expect(afterMs).toBeLessThan(800);
      expect(deadline.timedOut).toBe(true);
    } finally {
      clearInterval(others);
    }
  });

  it('a read is sent with the time left as maxTimeMS, and the database giving up on it (error 50) is TIMEOUT', async () => {
    const deadline = new Deadline({ timeoutMs: 1000, databaseWaitMs: 50 });
    let sent: number | undefined;
    await deadline.bound(async (maxTimeMS) => (sent = maxTimeMS));
    expect(sent).toBeGreaterThan(900);
    expect(sent).toBeLessThanOrEqual(1000);
    const gaveUp = Object.assign(new Error('operation exceeded time limit'), { code: 50 });
    expect(await failure(deadline.bound(() => Promise.reject(gaveUp)))).toMatchObject({ code: 'TIMEOUT' });
  });

  it('a mutation that starts before its deadline is exempt from it: no maxTimeMS, and the deadline does not cut it off', async () => {
    const deadline = new Deadline({ timeoutMs: 30, databaseWaitMs: 1000, ping: () => Promise.resolve() });
    await deadline.startMutation();
    await sleep(60);
    expect(deadline.cutOff()).toBe(false);
    let sent: number | undefined = -1;
    expect(await deadline.bound(async (maxTimeMS) => ((sent = maxTimeMS), 'read'))).toBe('read');
    expect(sent).toBeUndefined();
  });

  it('a mutation does not start after its deadline (TIMEOUT), nor while the database does not answer a ping (SERVICE_UNAVAILABLE)', async () => {
    const late = new Deadline({ timeoutMs: 10, databaseWaitMs: 1000 });
    await sleep(30);
    expect(await failure(late.startMutation())).toMatchObject({ code: 'TIMEOUT' });

    const liveness = new DatabaseLiveness();
    await sleep(60);
    const frozen = new Deadline({ timeoutMs: 5000, databaseWaitMs: 50, liveness, ping: never });
    expect(await failure(frozen.startMutation())).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
  });

  it('a query is cut off at its deadline; the dropped command failing later is no unhandled rejection', async () => {
    const deadline = new Deadline({ timeoutMs: 30, databaseWaitMs: 1000 });
    let fail: (error: Error) => void = () => {};
    const pending = deadline.bound(() => new Promise((_, reject) => (fail = reject)));
    expect(await failure(pending)).toMatchObject({ code: 'TIMEOUT' });
    expect(deadline.cutOff()).toBe(true);
    fail(new Error('the late answer of a dropped command'));
    await sleep(10);
  });
});
