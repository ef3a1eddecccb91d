import { parse, subscribe, type ExecutionResult } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createSchema } from '../../src/app/schema.js';
import type { PartnerDoc } from '../../src/db/documents.js';
import { EventFeed, type EventSource } from '../../src/event/event-feed.js';
import { createMemoryLogger } from '../../src/shared/logger.js';

/*
 * `eventAdded` over graphql-js's own `subscribe`, with a feed over an in-memory log: what a
 * subscriber that falls behind receives (test/e2e/event-stream.test.ts drives the transports).
 */

const PARTNER = 'partner-slow';

describe('eventAdded', () => {
  it('a subscriber that overflows its queue gets one SUBSCRIBER_TOO_SLOW error naming where to resume, then the end', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ({
      _id: `op-${i + 1}:0`,
      partnerId: PARTNER,
      seq: i + 1,
      bucket: 0,
      type: 'clock-advanced',
      resourceName: 'clock',
      resourceId: PARTNER,
      customerId: null,
      operationId: `op-${i + 1}`,
      operationKind: 'advance_clock',
      ruleId: null,
      changes: null,
      auditRecordId: null,
      at: new Date('2026-11-02T00:00:00Z'),
      createdAt: new Date(),
      registrationId: null,
    }));
    let written = 0;
    const source: EventSource = {
      latest: async () => 0,
      after: async (_p, after, limit) => events.slice(after, Math.min(written, after + limit)),
    };
    const feed = new EventFeed({ source, log: createMemoryLogger(), pollMs: 60_000, queueMax: 2, slowGraceMs: 20 });
    try {
      const caller = { partner: { _id: PARTNER } as PartnerDoc, userId: 'u', roles: ['global_admin' as const] };
      const stream = (await subscribe({
        schema: await createSchema(),
        document: parse('subscription { eventAdded { id sequence } }'),
        contextValue: { caller, eventFeed: feed, collections: {} },
      })) as AsyncIterableIterator<ExecutionResult>;
      expect(feed.subscriberCount(PARTNER)).toBe(1);
      // Five events at once for a queue of two, and nobody reading for longer than the grace.
      written = 5;
      feed.notify(PARTNER);
      await new Promise((r) => setTimeout(r, 100));
      const first = await stream.next();
      expect(first.value).toMatchObject({
        data: null,
        errors: [{ extensions: { code: 'SUBSCRIBER_TOO_SLOW', limit: 2, missedFrom: 1 } }],
      });
      expect((first.value as ExecutionResult).errors![0]!.message).toMatch(/read from sequence 1 on with events/);
      expect(await stream.next()).toEqual({ done: true, value: undefined });
      expect(feed.subscriberCount(PARTNER)).toBe(0);
    } finally {
      await feed.stop();
    }
  });
});
