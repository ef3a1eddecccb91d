/**
 * The live event feed (docs/live-events.md): one per gateway instance, built in the composition
 * root (src/app/server.ts) and stopped with it. It follows the events of every partner that has a
 * live subscriber on this instance, each from its own position in the partner's sequence, and
 * hands every new event to that partner's subscribers, in sequence order.
 *
 * How it learns of new events, fastest first:
 * - `notify(partnerId)`, which the write path calls (WriteDeps.eventsWritten) after an operation
 *   with events was applied on this instance: read at once;
 * - a MongoDB change stream on `events`, where the database offers one (a real replica set): an
 *   extra, never required; FerretDB and a standalone mongod have none, and the feed says so once
 *   in the log;
 * - a poll every EVENT_POLL_MS of every followed partner: how events applied through another
 *   instance arrive when there is no change stream.
 * Reading is always `readEventsAfter(position)` (src/write/event-log.ts), so whichever of the
 * three fires, an event is delivered once, in order, and none is skipped (the log has no gaps).
 *
 * Memory is bounded: a follower holds a position and its subscribers, and each subscriber a queue
 * of at most LIVE_QUEUE_MAX events. A follower reads its next batch only when every subscriber has
 * room for it, waiting up to `slowGraceMs` for the slowest to catch up (so a burst, such as a clock
 * advance's thousands of renewals, reaches clients that read at network speed whole); a subscriber
 * still without room then (a client that reads its socket slower than its partner changes) is
 * ended with an overflow marker, never buffered without end.
 */
import type { ChangeStream, Collection } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type { EventDoc } from '../db/documents.js';
import type { Logger } from '../shared/logger.js';
import { EVENT_BUCKET_SIZE, latestSeq, readEventsAfter } from '../write/event-log.js';

/** Where the feed reads events: the event log, or a stand-in in unit tests. */
export interface EventSource {
  /** The partner's highest sequence number (0 before its first event). */
  latest(partnerId: string): Promise<number>;
  /** Up to `limit` events of the partner after sequence number `after`, in order, without gaps. */
  after(partnerId: string, after: number, limit: number): Promise<EventDoc[]>;
}

export function eventLogSource(cols: Pick<Collections, 'events' | 'eventSequences'>): EventSource {
  const collections = cols as Collections;
  return {
    latest: (partnerId) => latestSeq(collections, partnerId),
    after: (partnerId, after, limit) => readEventsAfter(collections, partnerId, after, limit),
  };
}

/** The last thing an overflowed subscription yields: it fell `limit` events behind and was ended. */
export interface FeedOverflow {
  overflow: true;
  /** LIVE_QUEUE_MAX. */
  limit: number;
  /** The sequence number of the first event the subscriber did not get: where a client resumes with the `events` query. */
  missedFrom: number;
}

export function isFeedOverflow(item: EventDoc | FeedOverflow): item is FeedOverflow {
  return (item as FeedOverflow).overflow === true;
}

export interface EventFeedOptions {
  source: EventSource;
  log: Logger;
  /** EVENT_POLL_MS. */
  pollMs: number;
  /** LIVE_QUEUE_MAX: events one subscription may have waiting. */
  queueMax: number;
  /** How long a follower waits for a full subscriber's room before it reads on and overflows it. @default 5000 */
  slowGraceMs?: number;
  /** The `events` collection to watch with a change stream; none: polling and notify only. */
  watch?: Pick<Collection<EventDoc>, 'watch'>;
}

/** Events read per step of a follower (four buckets of the log), or fewer when LIVE_QUEUE_MAX is smaller. */
const READ_BATCH = EVENT_BUCKET_SIZE * 4;

export const DEFAULT_SLOW_GRACE_MS = 5000;

/**
 * One live subscription: an async iterator of the partner's events that `accepts` lets through,
 * from the partner's position when it subscribed. Ends when the client leaves (`return`), when the
 * feed stops, or after yielding a FeedOverflow.
 */
/**
 * A check of one event that needs I/O (whether the caller may see it, ROLE-MARKETPLACE), run as the
 * subscriber takes the event, so that reading for one subscriber never holds up another.
 */
export type EventCheck = (event: EventDoc) => boolean | Promise<boolean>;

export class FeedSubscription implements AsyncIterableIterator<EventDoc | FeedOverflow> {
  private readonly queue: EventDoc[] = [];
  private wake: (() => void) | null = null;
  private roomWaiter: { n: number; resolve: () => void } | null = null;
  private overflow: FeedOverflow | null = null;
  private ended = false;

  constructor(
    readonly partnerId: string,
    private readonly accepts: (event: EventDoc) => boolean,
    private readonly queueMax: number,
    private readonly detach: (subscription: FeedSubscription) => void,
    private readonly visible: EventCheck = () => true,
  ) {}

  /** Called by the feed, in sequence order. */
  deliver(event: EventDoc): void {
    if (this.ended || this.overflow || !this.accepts(event)) return;
    if (this.queue.length >= this.queueMax) {
      // What is queued is dropped too: the client resumes from the first event it missed.
      this.overflow = { overflow: true, limit: this.queueMax, missedFrom: this.queue[0]!.seq };
      this.queue.length = 0;
      this.detach(this);
    } else {
      this.queue.push(event);
    }
    this.signal();
  }

  /** Ends the subscription; what is still queued is not delivered. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.queue.length = 0;
    this.detach(this);
    this.signal();
  }

  get waiting(): number {
    return this.queue.length;
  }

  /** Resolves when `n` more events fit in the queue (at once when they do, or when it has ended). */
  room(n: number): Promise<void> {
    if (this.hasRoom(n)) return Promise.resolve();
    return new Promise((resolve) => (this.roomWaiter = { n, resolve }));
  }

  private hasRoom(n: number): boolean {
    return this.ended || this.overflow !== null || this.queue.length + n <= this.queueMax;
  }

  private signalRoom(): void {
    if (this.roomWaiter && this.hasRoom(this.roomWaiter.n)) {
      const { resolve } = this.roomWaiter;
      this.roomWaiter = null;
      resolve();
    }
  }

  async next(): Promise<IteratorResult<EventDoc | FeedOverflow>> {
    for (;;) {
      if (this.ended) return { done: true, value: undefined };
      const event = this.queue.shift();
      if (event) {
        this.signalRoom();
        if (!(await this.visible(event))) continue;
        if (this.ended) return { done: true, value: undefined };
        return { done: false, value: event };
      }
      if (this.overflow) {
        const overflow = this.overflow;
        this.ended = true;
        return { done: false, value: overflow };
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  async return(): Promise<IteratorResult<EventDoc | FeedOverflow>> {
    this.end();
    return { done: true, value: undefined };
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private signal(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
    this.signalRoom();
  }
}

interface Follower {
  /** The highest sequence number handed to subscribers; settles once `latest` answered. */
  position: number;
  ready: Promise<void>;
  subscribers: Set<FeedSubscription>;
  reading: boolean;
  /** A read was asked for while one ran: run another when it ends. */
  again: boolean;
}

export class EventFeed {
  private readonly followers = new Map<string, Follower>();
  private readonly timer: NodeJS.Timeout;
  private changes: ChangeStream<EventDoc> | null = null;
  private watching = false;
  private stopped = false;

  constructor(private readonly options: EventFeedOptions) {
    this.timer = setInterval(() => {
      for (const partnerId of this.followers.keys()) this.notify(partnerId);
    }, options.pollMs).unref();
  }

  /**
   * Subscribes to the partner's events from now on (its latest sequence number when the first
   * subscriber of the partner arrived, or the follower's current position). Resolves once the
   * subscription is in place: an event written after that is delivered. `accepts` filters as
   * events arrive (counting toward the queue only what it lets through); `visible`, as the
   * subscriber takes them.
   */
  async subscribe(partnerId: string, accepts: (event: EventDoc) => boolean, visible?: EventCheck): Promise<FeedSubscription> {
    if (this.stopped) throw new Error('the event feed is stopped');
    let follower = this.followers.get(partnerId);
    if (!follower) {
      const created: Follower = { position: 0, ready: Promise.resolve(), subscribers: new Set(), reading: false, again: false };
      created.ready = this.options.source.latest(partnerId).then((seq) => {
        created.position = seq;
      });
      this.followers.set(partnerId, created);
      follower = created;
      this.watch();
    }
    const subscription = new FeedSubscription(partnerId, accepts, this.options.queueMax, (s) => this.detach(s), visible);
    follower.subscribers.add(subscription);
    try {
      await follower.ready;
    } catch (error) {
      if (this.followers.get(partnerId) === follower) this.followers.delete(partnerId);
      subscription.end();
      throw error;
    }
    return subscription;
  }

  /** New events of the partner may exist: read them now (a no-op for a partner nobody here follows). */
  notify(partnerId: string): void {
    const follower = this.followers.get(partnerId);
    if (!follower) return;
    if (follower.reading) {
      follower.again = true;
      return;
    }
    void this.read(partnerId, follower);
  }

  /** Live subscriptions of the partner on this instance (all partners when absent). */
  subscriberCount(partnerId?: string): number {
    if (partnerId !== undefined) return this.followers.get(partnerId)?.subscribers.size ?? 0;
    let n = 0;
    for (const follower of this.followers.values()) n += follower.subscribers.size;
    return n;
  }

  /** Ends every subscription (each client gets `complete`) and stops following. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const follower of [...this.followers.values()]) for (const s of [...follower.subscribers]) s.end();
    this.followers.clear();
    await this.changes?.close().catch(() => {});
  }

  private async read(partnerId: string, follower: Follower): Promise<void> {
    follower.reading = true;
    try {
      await follower.ready;
      const batch = Math.min(READ_BATCH, this.options.queueMax);
      for (;;) {
        follower.again = false;
        await this.roomFor(follower, batch);
        const events = await this.options.source.after(partnerId, follower.position, batch);
        for (const event of events) {
          follower.position = event.seq;
          for (const subscription of follower.subscribers) subscription.deliver(event);
        }
        if (events.length < batch && !follower.again) break;
      }
    } catch (error) {
      // The next poll tries again from the same position: nothing is skipped.
      this.options.log.warn(
        'events',
        `reading events of partner ${partnerId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      follower.reading = false;
    }
  }

  /** Until every subscriber has room for `n` events, or slowGraceMs has passed. */
  private async roomFor(follower: Follower, n: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.options.slowGraceMs ?? DEFAULT_SLOW_GRACE_MS)));
    try {
      await Promise.race([Promise.all([...follower.subscribers].map((s) => s.room(n))), grace]);
    } finally {
      clearTimeout(timer);
    }
  }

  private detach(subscription: FeedSubscription): void {
    const follower = this.followers.get(subscription.partnerId);
    if (!follower) return;
    follower.subscribers.delete(subscription);
    // Nobody left: stop following; a later subscriber starts again from the partner's latest.
    if (follower.subscribers.size === 0) this.followers.delete(subscription.partnerId);
  }

  /** Opens the change stream, once, when the first partner is followed; a database without one keeps to polling. */
  private watch(): void {
    const events = this.options.watch;
    if (this.watching || !events) return;
    this.watching = true;
    try {
      const stream = events.watch([{ $match: { operationType: 'insert' } }]);
      stream.on('change', (change) => {
        if (change.operationType === 'insert') this.notify(change.fullDocument.partnerId);
      });
      stream.on('error', (error: Error) => {
        this.options.log.info(
          'events',
          `no change stream on events (${error.message.split('\n')[0]}): other instances' events arrive by polling every ${this.options.pollMs} ms`,
        );
        void stream.close().catch(() => {});
        if (this.changes === stream) this.changes = null;
      });
      this.changes = stream;
    } catch (error) {
      this.options.log.info('events', `no change stream on events (${error instanceof Error ? error.message : String(error)})`);
    }
  }
}
