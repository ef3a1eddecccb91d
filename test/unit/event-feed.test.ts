import { afterEach, describe, expect, it } from 'vitest';
import type { EventDoc } from '../../src/db/documents.js';
import { EventFeed, isFeedOverflow, type EventSource, type FeedSubscription } from '../../src/event/event-feed.js';
import { createMemoryLogger } from '../../src/shared/logger.js';

/*
 * The live event feed (src/event/event-feed.ts) over an in-memory log: where a subscription
 * starts, order, filters, partners kept apart, and the bounded queue of a slow subscriber.
 * test/e2e/event-stream.test.ts drives it through the transports against a real database.
 */

const P1 = 'partner-1';
const P2 = 'partner-2';

/** A gap-free log per partner, as src/write/event-log.ts keeps it. */
function memoryLog() {
  const logs = new Map<string, EventDoc[]>();
  let reads = 0;
  const source: EventSource = {
    latest: async (partnerId) => logs.get(partnerId)?.length ?? 0,
    after: async (partnerId, after, limit) => {
      reads++;
      return (logs.get(partnerId) ?? []).slice(after, after + limit);
    },
  };
  const append = (partnerId: string, type = 'subscription-updated', customerId: string | null = 'c1'): EventDoc => {
    const log = logs.get(partnerId) ?? [];
    logs.set(partnerId, log);
    const seq = log.length + 1;
    const event: EventDoc = {
      _id: `op-${partnerId}-${seq}:0`,
      partnerId,
      seq,
      bucket: Math.floor(seq / 64),
      type,
      resourceName: 'subscription',
      resourceId: `sub-${seq}`,
      customerId,
      operationId: `op-${partnerId}-${seq}`,
      operationKind: 'update_subscription',
      ruleId: null,
      changes: null,
      auditRecordId: null,
      at: new Date(Date.UTC(2026, 10, 1, 9, 0, seq)),
      createdAt: new Date(),
      registrationId: null,
    };
    log.push(event);
    return event;
  };
  return { source, append, reads: () => reads };
}

/** The next `n` items of a subscription, failing after `ms` rather than hanging. */
async function take(subscription: FeedSubscription, n: number, ms = 2000) {
  const out: (EventDoc | { overflow: true })[] = [];
  const deadline = Date.now() + ms;
  while (out.length < n) {
    const next = await Promise.race([
      subscription.next(),
      new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), Math.max(1, deadline - Date.now()))),
    ]);
    if (next === 'timeout') throw new Error(`got ${out.length} of ${n} items in ${ms} ms`);
    if (next.done) break;
    out.push(next.value);
  }
  return out;
}

let feed: EventFeed | undefined;
afterEach(async () => {
  await feed?.stop();
  feed = undefined;
});

describe('event feed', () => {
  it('a subscription starts after the partner’s latest event and gets later ones in sequence order, on notify', async () => {
    const log = memoryLog();
    log.append(P1);
    log.append(P1);
    feed = new EventFeed({ source: log.source, log: createMemoryLogger(), pollMs: 60_000, queueMax: 100 });
    const subscription = await feed.subscribe(P1, () => true);
    for (let i = 0; i < 5; i++) log.append(P1);
    feed.notify(P1);
    const got = await take(subscription, 5);
    expect(got.map((e) => (e as EventDoc).seq)).toEqual([3, 4, 5, 6, 7]);
  });

  it('without notify, the poll finds events another instance wrote', async () => {
    const log = memoryLog();
    feed = new EventFeed({ source: log.source, log: createMemoryLogger(), pollMs: 20, queueMax: 100 });
    const subscription = await feed.subscribe(P1, () => true);
    log.append(P1);
    const [event] = await take(subscription, 1);
    expect((event as EventDoc).seq).toBe(1);
  });

  it('a subscriber sees only its partner’s events that its filter accepts (ROLE-TENANT)', async () => {
    const log = memoryLog();
    feed = new EventFeed({ source: log.source, log: createMemoryLogger(), pollMs: 20, queueMax: 100 });
    const renewals = await feed.subscribe(P1, (e) => e.type === 'subscription-renewed');
    const other = await feed.subscribe(P2, () => true);
    log.append(P1, 'subscription-updated');
    log.append(P1, 'subscription-renewed');
    log.append(P2, 'customer-created');
    expect((await take(renewals, 1)).map((e) => (e as EventDoc).type)).toEqual(['subscription-renewed']);
    const [theirs] = await take(other, 1);
    expect((theirs as EventDoc).partnerId).toBe(P2);
    expect(renewals.waiting).toBe(0);
  });

  it('an event the asynchronous `visible` check refuses is skipped, the next one delivered', async () => {
    const log = memoryLog();
    feed = new EventFeed({ source: log.source, log: createMemoryLogger(), pollMs: 60_000, queueMax: 10 });
    const subscription = await feed.subscribe(
      P1,
      () => true,
      async (e) => e.resourceId !== 'sub-1',
    );
    log.append(P1);
    log.append(P1);
    feed.notify(P1);
    expect((await take(subscription, 1)).map((e) => (e as EventDoc).resourceId)).toEqual(['sub-2']);
  });

  it('a burst larger than queueMax reaches a subscriber that keeps reading whole, in order', async () => {
    const log = memoryLog();
    feed = new EventFeed({ source: log.source, log: createMemoryLogger(), pollMs: 60_000, queueMax: 4 });
    const subscription = await feed.subscribe(P1, () => true);
    for (let i = 0; i < 50; i++) log.append(P1);
    feed.notify(P1);
    const got = await take(subscription, 50);
    expect(got.map((e) => (e as EventDoc).seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });

  it('a subscriber more than queueMax events behind past the grace gets one overflow marker, then the end; the others go on', async () => {
    const log = memoryLog();
    feed = new EventFeed({ source: log.source, log: createMemoryLogger(), pollMs: 60_000, queueMax: 3, slowGraceMs: 50 });
    const slow = await feed.subscribe(P1, () => true);
    const fast = await feed.subscribe(P1, () => true);
    log.append(P1);
    feed.notify(P1);
    expect(await take(fast, 1)).toHaveLength(1);
    for (let i = 0; i < 5; i++) log.append(P1);
    feed.notify(P1);
    expect(await take(fast, 5)).toHaveLength(5);
    // The slow one read nothing: 6 events for a queue of 3.
    const rest = await take(slow, 10);
    expect(rest).toHaveLength(1);
    expect(isFeedOverflow(rest[0] as EventDoc)).toBe(true);
    expect(rest[0]).toMatchObject({ overflow: true, limit: 3, missedFrom: 1 });
    expect(feed.subscriberCount(P1)).toBe(1);
  });

  it('the last subscriber leaving stops the following; stop() ends every subscription', async () => {
    const log = memoryLog();
    feed = new EventFeed({ source: log.source, log: createMemoryLogger(), pollMs: 20, queueMax: 10 });
    const a = await feed.subscribe(P1, () => true);
    await a.return();
    expect(feed.subscriberCount()).toBe(0);
    const readsBefore = log.reads();
    await new Promise((r) => setTimeout(r, 100));
    expect(log.reads()).toBe(readsBefore);
    const b = await feed.subscribe(P2, () => true);
    await feed.stop();
    expect(await b.next()).toEqual({ done: true, value: undefined });
    await expect(feed.subscribe(P2, () => true)).rejects.toThrow(/stopped/);
  });
});
