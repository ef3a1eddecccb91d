/**
 * The webhook delivery worker (docs/webhooks.md, "Delivery"): one per gateway instance, apart
 * from requests, so a slow or dead receiver delays no caller.
 *
 * Every WEBHOOK_POLL_MS (and at once when this instance writes an event of a partner with
 * registrations) it starts a pass for each registration it is not already working on. A pass runs
 * under the registration's lease in `locks` (`webhook:<registrationId>`, WEBHOOK_LEASE_MS, renewed
 * while it works), so one instance at a time delivers a registration's events and a dead
 * instance's work is taken over when its lease runs out. Under the lease it:
 * 1. records a delivery document per wanted event after the registration's cursor (`_id` =
 *    `<registrationId>:<eventId>`, so a repeat is a duplicate key), then advances the cursor;
 * 2. attempts due deliveries: in order per resource (the earliest pending delivery of a resource
 *    goes first; later ones wait while it retries), at most WEBHOOK_CONCURRENCY at once per
 *    registration and WEBHOOK_MAX_IN_FLIGHT per instance, each logged on its document.
 * At least once: a delivery is marked succeeded only after the receiver's 2xx, so an instance that
 * dies between the two leaves it pending, and whoever takes the lease next sends it again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Collections } from '../db/collections.js';
import type { EventDoc, WebhookAttempt, WebhookDeliveryDoc, WebhookRegistrationDoc } from '../db/documents.js';
import { eventPayload } from '../event/event-payload.js';
import { decideWebhookUrl, dueInOrder, nextAttemptAt, wantsEvent, type RetrySchedule } from '../policy/webhook.js';
import { ttlMs, type Mode, type WebhookConfig } from '../shared/config.js';
import { createOutageLog, isDatabaseUnavailable, type OutageLog } from '../shared/errors.js';
import type { Logger } from '../shared/logger.js';
import { EVENT_BUCKET_SIZE, readEventsAfter } from '../write/event-log.js';
import { acquire, release } from '../write/locks.js';
import { isDuplicateKey } from '../write/mongo-errors.js';
import { uniqueHolder, type WriteDeps } from '../write/deps.js';
import { deliveryId } from './webhook.repository.js';
import { DELIVERY_ATTEMPT_HEADER, EVENT_ID_HEADER, EVENT_NAME_HEADER, SIGNATURE_HEADER, signatureHeader } from './signer.js';

/** Attempts kept on a delivery document: the most recent ones (a delivery retried for days has about 80). */
const MAX_ATTEMPTS_KEPT = 100;

/**
 * How long a pass lets news gather before it looks again. Under a stream of writes every event
 * wakes it, and a look costs about four database commands (log the attempts that ended, read the
 * new events, record their deliveries, move the cursor): one look per event added a third to the
 * database work of the writes themselves (bench/results/events.md). A fifth of a second of
 * latency buys one look per burst; attempts do not wait for looks (see `pump`).
 */
const GATHER_MS = 200;

/** Updates per bulkWrite of the attempts' log (see `flush`). */
const FLUSH_BULK_MAX = 10;

/** How often a pass with attempts in flight and no news logs the ones that ended (`flush`). */
const LOG_EVERY_MS = 200;

/** How long a pass with nothing in flight waits for news before it gives its lease back. */
const LINGER_MS = 2000;

/** How often a running pass reads its registration again (its URL, events or secret may change). */
const REGISTRATION_REREAD_MS = 1000;

export interface DeliveryWorkerDeps {
  cols: Collections;
  write: Pick<WriteDeps, 'holderId'>;
  config: WebhookConfig & { mode: Mode };
  log: Logger;
  /** Where a poll that finds the database unavailable says so: the gateway's one line per outage. */
  outage?: OutageLog;
}

export function webhookLockKey(registrationId: string): string {
  return `webhook:${registrationId}`;
}

/** What a pass holds while its lease lasts: the registration's cursor, its pending deliveries, and their events. */
interface PassState {
  seq: number | null;
  events: Map<string, EventDoc>;
  pending: Map<string, WebhookDeliveryDoc>;
  /** Attempts logged in memory, not yet written: each look writes them all (`flush`). */
  logged: Map<string, Pick<WebhookDeliveryDoc, 'status' | 'attempts' | 'nextAttemptAt' | 'updatedAt'>>;
}

/** Events a pass holds for its attempts, at most. */
const EVENTS_HELD_MAX = 1000;

/** An insertMany that failed only on documents that exist already (a replay of recorded deliveries). */
function onlyDuplicates(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
  const list = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return list.length > 0 ? list.every((e) => (e as { code?: number }).code === 11000) : isDuplicateKey(error);
}

interface Attempted {
  ok: boolean;
  responseStatus: number | null;
  error: string | null;
}

export class DeliveryWorker {
  private readonly cols: Collections;
  private readonly config: WebhookConfig & { mode: Mode };
  private readonly log: Logger;
  /** A poll that finds the database unavailable: one warning per outage, not one per second. */
  private readonly outage: OutageLog;
  private readonly schedule: RetrySchedule;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Registrations this instance holds a pass for, and the pass. */
  private readonly passes = new Map<string, Promise<void>>();
  /** Registrations with news since their pass last looked (a wake while the pass runs). */
  private readonly dirty = new Set<string>();
  private readonly wakers = new Map<string, () => void>();
  /** Registrations by partner, as of the last look: only their partners' events wake the worker. */
  private known = new Map<string, WebhookRegistrationDoc[]>();
  private ticking = false;
  private tickAgain = false;
  private inFlight = 0;
  private readonly slotWaiters: (() => void)[] = [];
  private readonly aborts = new Set<AbortController>();

  constructor(private readonly deps: DeliveryWorkerDeps) {
    this.cols = deps.cols;
    this.config = deps.config;
    this.log = deps.log;
    this.outage = deps.outage ?? createOutageLog(deps.log);
    this.schedule = { startMs: this.config.retryStartMs, maxMs: this.config.retryMaxMs, periodMs: ttlMs(this.config.retryPeriod)! };
  }

  /** Looks once (so the first requests find the worker settled), then every WEBHOOK_POLL_MS. */
  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.config.pollMs).unref();
  }

  /** This instance wrote events of `partnerId`: deliver them now rather than at the next poll (no read of the registrations). */
  wake(partnerId: string): void {
    if (this.stopped) return;
    for (const registration of this.known.get(partnerId) ?? []) this.run(registration);
  }

  /** A registration was created on this instance: look now. */
  refresh(): void {
    if (!this.stopped) void this.tick();
  }

  /** Stops polling, cuts attempts in flight short (they stay pending, for any instance) and waits for the passes. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    for (const controller of this.aborts) controller.abort();
    for (const wake of this.wakers.values()) wake();
    await Promise.allSettled([...this.passes.values()]);
  }

  private async tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.tickAgain = false;
        if (this.stopped) return;
        const registrations = await this.cols.webhookRegistrations.find({}).toArray();
        const known = new Map<string, WebhookRegistrationDoc[]>();
        for (const r of registrations) known.set(r.partnerId, [...(known.get(r.partnerId) ?? []), r]);
        this.known = known;
        for (const registration of registrations) this.run(registration);
      } while (this.tickAgain);
    } catch (error) {
      if (isDatabaseUnavailable(error)) this.outage('webhook', `looking for webhook registrations: ${String(error)}`);
      else this.log.warn('webhook', 'looking for webhook registrations failed', error);
    } finally {
      this.ticking = false;
    }
  }

  /** Starts a pass for `registration`, or tells its running pass to look again. */
  private run(registration: WebhookRegistrationDoc): void {
    if (this.passes.has(registration._id)) {
      this.dirty.add(registration._id);
      this.wakers.get(registration._id)?.();
      return;
    }
    const pass = this.pass(registration)
      .catch((error: unknown) => this.log.warn('webhook', `delivery pass of registration ${registration._id} failed`, error))
      .finally(() => this.passes.delete(registration._id));
    this.passes.set(registration._id, pass);
  }

  /** One registration's work under its lease: record new events, attempt what is due, until nothing is left to do now. */
  private async pass(registration: WebhookRegistrationDoc): Promise<void> {
    const key = webhookLockKey(registration._id);
    const holder = uniqueHolder(this.deps.write);
    const lease = await acquire(this.cols.locks, key, holder, { leaseMs: this.config.leaseMs, waitMs: 0 });
    if (!lease) return;
    let lost = false;
    // Renewed by its holder only (an update filtered on the holder): a holder that finds it taken over stops starting attempts.
    const renew = setInterval(
      () => {
        void this.cols.locks
          .updateOne({ _id: key, holder }, { $set: { expiresAt: new Date(Date.now() + this.config.leaseMs) } })
          .then((r) => (lost ||= r.matchedCount === 0))
          .catch(() => {});
      },
      Math.max(200, Math.floor(this.config.leaseMs / 3)),
    ).unref();
    const inFlight = new Map<string, Promise<void>>();
    // What this pass holds while its lease lasts (no other holder writes them meanwhile): the
    // cursor, and the events it recorded deliveries of, so an attempt need not read its event again.
    const state: PassState = { seq: null, events: new Map(), pending: new Map(), logged: new Map() };
    let current: WebhookRegistrationDoc | null = registration;
    let readAt = 0;
    let closing = false;
    const id = registration._id;
    /**
     * Starts what is due, up to the registration's concurrency. Called by the loop and as each
     * attempt ends, so a free slot is refilled at once: the loop's look (a pause to gather news,
     * a write of the log, a read of new events) is never between one delivery and the next.
     */
    const pump = (): void => {
      if (closing || this.stopped || lost || !current) return;
      const registrationNow = current;
      const room = this.config.concurrencyPerRegistration - inFlight.size;
      for (const delivery of dueInOrder(state.pending.values(), new Date(), (d) => inFlight.has(d._id), room)) {
        const attempted = this.attempt(registrationNow, delivery, state).finally(() => {
          inFlight.delete(delivery._id);
          pump();
          if (inFlight.size === 0) this.wakers.get(id)?.();
        });
        inFlight.set(delivery._id, attempted);
      }
    };
    try {
      // The pending deliveries, read once: from here on this pass alone changes them (its lease),
      // so it keeps them in memory, in sequence order (which `dueInOrder` relies on), adding what
      // it records and settling what it attempts.
      const stored = await this.cols.webhookDeliveries.find({ registrationId: id, status: 'pending' }).toArray();
      for (const d of stored.sort((a, b) => a.eventSeq - b.eventSeq)) state.pending.set(d._id, d);
      for (let looks = 0; ; looks++) {
        if (this.stopped || lost) break;
        // New events are looked for on the first look and after news (a wake, a poll). Either
        // way, news is gathered for a moment, and the attempts that ended meanwhile are logged in one write.
        if (looks > 0) await sleep(GATHER_MS);
        await this.flush(state);
        const news = looks === 0 || this.dirty.has(id);
        this.dirty.delete(id);
        // The registration may have changed (URL, events, secret) or gone since the tick read it.
        if (Date.now() - readAt >= REGISTRATION_REREAD_MS) {
          current = await this.cols.webhookRegistrations.findOne({ _id: id });
          readAt = Date.now();
        }
        if (!current) break;
        if (news) await this.record(current, state);
        pump();
        // News arrived while this loop ran (a wake, a poll): look again at once.
        if (this.dirty.has(id)) continue;
        // Nothing in flight: what is left waits for a later retry, which a poll's pass takes. The
        // pass lingers a moment for news first: under a stream of writes, ending it at every lull
        // would take and give back the lease, and read the cursor and the pending, once per event.
        if (inFlight.size === 0) {
          const woken = await Promise.race([
            new Promise<boolean>((resolve) => this.wakers.set(id, () => resolve(true))),
            sleep(LINGER_MS).then(() => false),
          ]);
          this.wakers.delete(id);
          if (woken || this.dirty.has(id)) continue;
          break;
        }
        // Attempts refill their own slots; the loop wakes for news, to log what ended, and when the last one ends.
        await Promise.race([new Promise<void>((resolve) => this.wakers.set(id, resolve)), sleep(LOG_EVERY_MS)]);
        this.wakers.delete(id);
      }
    } finally {
      closing = true;
      await Promise.allSettled([...inFlight.values()]);
      await this.flush(state).catch((error: unknown) => this.log.warn('webhook', 'logging delivery attempts failed', error));
      clearInterval(renew);
      this.wakers.delete(id);
      await release(this.cols.locks, key, holder);
    }
  }

  /** Writes the attempts logged since the last flush, a few bulkWrites for all of them. */
  private async flush(state: PassState): Promise<void> {
    if (state.logged.size === 0) return;
    const logged = [...state.logged];
    state.logged.clear();
    // In bulks of FLUSH_BULK_MAX, one at a time: FerretDB 1.24 stops answering every client after
    // one update command of a few hundred updates, or a few of some dozens at once (seen under
    // the benchmark's write mix, where a backlog's attempts end by the hundred between looks).
    for (let i = 0; i < logged.length; i += FLUSH_BULK_MAX) {
      await this.cols.webhookDeliveries.bulkWrite(
        logged.slice(i, i + FLUSH_BULK_MAX).map(([_id, set]) => ({ updateOne: { filter: { _id }, update: { $set: set } } })),
        { ordered: false },
      );
    }
  }

  /**
   * Records a delivery per wanted event after the cursor (one insertMany per run of events, a
   * replay's duplicates ignored), then moves the cursor past them. The cursor is read once per pass.
   */
  private async record(registration: WebhookRegistrationDoc, state: PassState): Promise<void> {
    if (state.seq === null) state.seq = (await this.cols.webhookCursors.findOne({ _id: registration._id }))?.seq ?? registration.startSeq;
    for (;;) {
      const events = await readEventsAfter(this.cols, registration.partnerId, state.seq, EVENT_BUCKET_SIZE);
      if (events.length === 0) return;
      const now = new Date();
      const wanted = events.filter((e) => wantsEvent(registration, e));
      if (wanted.length > 0) {
        const docs = wanted.map((event) => newDelivery(registration, event, now));
        let replayed = false;
        try {
          await this.cols.webhookDeliveries.insertMany(docs, { ordered: false });
        } catch (error) {
          if (!onlyDuplicates(error)) throw error;
          replayed = true;
        }
        if (replayed) {
          // Some were recorded before (a holder that died after recording, before moving the
          // cursor): what stands in the database decides which are still pending.
          const stored = await this.cols.webhookDeliveries.find({ _id: { $in: docs.map((d) => d._id) } }).toArray();
          for (const d of stored.sort((a, b) => a.eventSeq - b.eventSeq)) if (d.status === 'pending') state.pending.set(d._id, d);
        } else {
          for (const d of docs) state.pending.set(d._id, d);
        }
        // Bounded: a backlog larger than this reads its events when it gets to them.
        for (const event of wanted) if (state.events.size < EVENTS_HELD_MAX) state.events.set(event._id, event);
      }
      const seq = events.at(-1)!.seq;
      try {
        await this.cols.webhookCursors.updateOne(
          { _id: registration._id },
          { $set: { seq, partnerId: registration.partnerId } },
          { upsert: true },
        );
      } catch (error) {
        // An overlapping holder (a lease taken over from a live but slow one) created it first.
        if (!isDuplicateKey(error)) throw error;
        await this.cols.webhookCursors.updateOne({ _id: registration._id }, { $set: { seq } });
      }
      state.seq = seq;
      if (events.length < EVENT_BUCKET_SIZE) return;
    }
  }

  /** One attempt at one delivery, logged on its document; the next attempt scheduled, or the delivery settled. */
  private async attempt(registration: WebhookRegistrationDoc, delivery: WebhookDeliveryDoc, state: PassState): Promise<void> {
    await this.takeSlot();
    try {
      const at = new Date();
      const held = state.events.get(delivery.eventId);
      const event = held ?? (await this.cols.events.findOne({ _id: delivery.eventId, partnerId: registration.partnerId }));
      const started = performance.now();
      const outcome: Attempted = event
        ? await this.post(registration, event, (delivery.attempts.at(-1)?.attempt ?? 0) + 1)
        : { ok: false, responseStatus: null, error: 'the event no longer exists (purged by retention)' };
      // Cut short by stop(): not the receiver's failure. It stays pending for whoever holds the lease next.
      if (this.stopped) return;
      const attempt: WebhookAttempt = {
        attempt: (delivery.attempts.at(-1)?.attempt ?? 0) + 1,
        at,
        durationMs: Math.round(performance.now() - started),
        responseStatus: outcome.responseStatus,
        error: outcome.error,
      };
      const next =
        outcome.ok || !event
          ? null
          : nextAttemptAt({
              failedAttempts: attempt.attempt,
              firstAttemptAt: delivery.attempts[0]?.at ?? at,
              now: new Date(),
              jitter: Math.random(),
              schedule: this.schedule,
            });
      const status: WebhookDeliveryDoc['status'] = outcome.ok ? 'succeeded' : next === null ? 'failed' : 'pending';
      const attempts = [...delivery.attempts, attempt].slice(-MAX_ATTEMPTS_KEPT);
      const updatedAt = new Date();
      // Logged by the pass's next look (flush); until then the pass's memory is what counts, and a
      // crash before it leaves the delivery pending in the database: sent again, at least once.
      state.logged.set(delivery._id, { status, attempts, nextAttemptAt: next, updatedAt });
      if (status === 'pending') state.pending.set(delivery._id, { ...delivery, status, attempts, nextAttemptAt: next, updatedAt });
      else {
        state.pending.delete(delivery._id);
        state.events.delete(delivery.eventId);
      }
      if (status === 'failed') this.log.warn('webhook', `gave up delivering event ${delivery.eventId} to registration ${registration._id}`);
    } finally {
      this.giveSlot();
    }
  }

  /** POSTs the signed payload: no redirects followed, a timeout, at most WEBHOOK_MAX_RESPONSE_BYTES of the answer read. */
  private async post(registration: WebhookRegistrationDoc, event: EventDoc, attemptNumber: number): Promise<Attempted> {
    // Checked again before every attempt: a host removed from WEBHOOK_ALLOWED_HOSTS gets nothing more.
    const url = decideWebhookUrl(registration.url, {
      allowedHosts: this.config.allowedHosts,
      allowLoopback: this.config.mode === 'development',
    });
    if (!url.allowed) return { ok: false, responseStatus: null, error: url.message };
    const body = JSON.stringify(eventPayload(event));
    const timestamp = Math.floor(Date.now() / 1000);
    const controller = new AbortController();
    this.aborts.add(controller);
    const timer = setTimeout(() => controller.abort(), this.config.timeoutMs);
    try {
      const response = await fetch(url.url, {
        method: 'POST',
        redirect: 'manual',
        signal: controller.signal,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'partner-center-gateway-webhooks/1',
          [EVENT_ID_HEADER]: event._id,
          [EVENT_NAME_HEADER]: event.type,
          [DELIVERY_ATTEMPT_HEADER]: String(attemptNumber),
          [SIGNATURE_HEADER]: signatureHeader(registration.secret, timestamp, body),
        },
        body,
      });
      await drain(response, this.config.maxResponseBytes);
      const status = response.status;
      if (status >= 200 && status < 300) return { ok: true, responseStatus: status, error: null };
      const error =
        status >= 300 && status < 400
          ? `the receiver answered a redirect (${status}); redirects are not followed`
          : `the receiver answered HTTP ${status}`;
      return { ok: false, responseStatus: status, error };
    } catch (error) {
      if (controller.signal.aborted) {
        return {
          ok: false,
          responseStatus: null,
          error: this.stopped ? 'the gateway stopped' : `no answer within ${this.config.timeoutMs} ms`,
        };
      }
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      return { ok: false, responseStatus: null, error: cause?.code ?? cause?.message ?? (error as Error).message };
    } finally {
      clearTimeout(timer);
      this.aborts.delete(controller);
    }
  }

  private async takeSlot(): Promise<void> {
    while (this.inFlight >= this.config.maxInFlight) await new Promise<void>((resolve) => this.slotWaiters.push(resolve));
    this.inFlight++;
  }

  private giveSlot(): void {
    this.inFlight--;
    this.slotWaiters.shift()?.();
  }
}

function newDelivery(registration: WebhookRegistrationDoc, event: EventDoc, now: Date): WebhookDeliveryDoc {
  return {
    _id: deliveryId(registration._id, event._id),
    partnerId: registration.partnerId,
    registrationId: registration._id,
    eventId: event._id,
    eventSeq: event.seq,
    eventType: event.type,
    resourceKey: `${event.resourceName}:${event.resourceId}`,
    status: 'pending',
    attempts: [],
    nextAttemptAt: now,
    createdAt: now,
    updatedAt: now,
  };
}

/** Reads at most `maxBytes` of the answer (the connection is then cut), so a receiver cannot make the gateway read without end. */
async function drain(response: Response, maxBytes: number): Promise<void> {
  if (!response.body) return;
  const reader = response.body.getReader();
  let read = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    read += value.byteLength;
    if (read > maxBytes) {
      await reader.cancel();
      return;
    }
  }
}
