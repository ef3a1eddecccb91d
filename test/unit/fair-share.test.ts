import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { MUTATION_POINTS, operationPoints } from '../../src/limits/admission.js';
import { PartnerSlots, Semaphore } from '../../src/limits/fair-share.js';
import { TokenBuckets } from '../../src/limits/rate-limit.js';

const operation = (text: string) => parse(text).definitions[0] as OperationDefinitionNode;

describe('points a request spends', () => {
  it('a query spends its cost, at least 1', () => {
    expect(operationPoints(operation('{ viewer { userId } }'), 2)).toBe(2);
    expect(operationPoints(operation('{ __typename }'), 0)).toBe(1);
    expect(operationPoints(null, null)).toBe(1);
  });

  it(`a mutation spends ${MUTATION_POINTS} per top-level field, whatever its cost`, () => {
    expect(operationPoints(operation('mutation { a: createCustomer { id } b: createCustomer { id } }'), 5000)).toBe(2 * MUTATION_POINTS);
  });
});

describe('in-flight slots per partner', () => {
  const slots = () => new PartnerSlots({ maxInFlight: 2, maxQueued: 1, queueMs: 50 });

  it('a partner runs at most maxInFlight at once; the next waits and runs when one is released', async () => {
    const s = slots();
    const [a] = await Promise.all([s.acquire('p'), s.acquire('p')]);
    let third = false;
    const waiting = s.acquire('p').then((release) => ((third = true), release));
    await Promise.resolve();
    expect([s.running('p'), third]).toEqual([2, false]);
    a();
    a(); // a second release of the same slot gives back nothing more
    (await waiting)();
    expect(third).toBe(true);
    expect(s.running('p')).toBe(1);
  });

  it('beyond the queue, or after waiting queueMs, a request is refused with RATE_LIMITED and Retry-After', async () => {
    const s = slots();
    await Promise.all([s.acquire('p'), s.acquire('p')]);
    const queued = s.acquire('p');
    await expect(s.acquire('p')).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'inFlight', retryAfterSeconds: 1 } });
    await expect(queued).rejects.toMatchObject({ extensions: { code: 'RATE_LIMITED', limit: 'inFlight' } });
  });

  it("one partner's full slots leave another partner's free", async () => {
    const s = slots();
    await Promise.all([s.acquire('noisy'), s.acquire('noisy')]);
    await expect(s.acquire('quiet')).resolves.toBeTypeOf('function');
  });
});

describe('semaphore (database commands per partner)', () => {
  it('runs at most `size` tasks at once, the rest in arrival order', async () => {
    const gate = new Semaphore(2);
    let most = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        gate.run(async () => {
          most = Math.max(most, gate.active);
          await new Promise((r) => setTimeout(r, 5));
          order.push(i);
        }),
      ),
    );
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
    expect(gate.active).toBe(0);
  });
});

describe('flood guard before authentication', () => {
  it('check does not spend; spend does, and the bucket refills at the per-minute rate', () => {
    let now = 0;
    const buckets = new TokenBuckets(60, 2, () => now);
    expect(buckets.check('a').allowed).toBe(true);
    buckets.spend('a');
    buckets.spend('a');
    expect(buckets.check('a')).toEqual({ allowed: false, retryAfterSeconds: 1 });
    expect(buckets.check('b').allowed).toBe(true);
    now = 1000;
    expect(buckets.check('a').allowed).toBe(true);
  });
});
