/**
 * Webhook registrations, test events and the delivery log (docs/webhooks.md), over unbudgeted
 * collections: the one long-lived webhook service, built in the composition root with the
 * configuration and carried by every request's context as `webhooks`.
 *
 * Registrations are the integration's configuration, not business operations: they are written
 * directly, not through the journal, and live in TENANT_KEPT_COLLECTIONS (a sandbox restore leaves
 * them; deleting the sandbox deletes them). Claims that must hold across gateway instances go
 * through `locks` (unique inserts): FerretDB 1.24 does not make conditional updates atomic.
 */
import { randomUUID } from 'node:crypto';
import type { Collections } from '../db/collections.js';
import type { Caller } from '../shared/caller.js';
import type { EventDoc, WebhookDeliveryDoc, WebhookRegistrationDoc } from '../db/documents.js';
import type { Refused } from '../policy/decision.js';
import {
  checkWebhookAdmin,
  checkWebhookQuota,
  decideWebhookEvents,
  decideWebhookUrl,
  testEventSlots,
  testRateRefusal,
  type UrlRules,
  type WebhookRuleId,
} from '../policy/webhook.js';
import type { PageArgs } from '../shared/connection.type.js';
import type { Mode, WebhookConfig } from '../shared/config.js';
import { badUserInput, ClientError, forbidden, notFound } from '../shared/errors.js';
import { pagedFind } from '../shared/paged-find.js';
import type { Page } from '../shared/pagination.js';
import { appendEvent, latestSeq } from '../write/event-log.js';
import { acquire, release } from '../write/locks.js';
import { uniqueHolder, type WriteDeps } from '../write/deps.js';
import { newSigningSecret } from './signer.js';

/** How long a registration change waits for another one of the same partner (the quota lock). */
const QUOTA_LOCK_WAIT_MS = 5_000;
const QUOTA_LOCK_LEASE_MS = 10_000;

export interface RegistrationInput {
  webhookUrl: string;
  webhookEvents: string[];
}

export interface DeliveryFilter {
  eventId?: string | null;
  /** One status or several (as every enum filter of the API takes); all when absent or empty. */
  status?: readonly WebhookDeliveryDoc['status'][] | null;
}

/** A test event as sendWebhookTestEvent answers it and webhookTestEvent reads it back. */
export interface TestEventResult {
  correlationId: string;
  eventId: string;
  registrationId: string;
  /** Its delivery; null until the worker has recorded it. */
  delivery: WebhookDeliveryDoc | null;
}

/** WEBHOOK-URL and WEBHOOK-EVENTS refusals are the caller's input: BAD_USER_INPUT naming the field. */
function inputError(refusal: Refused<WebhookRuleId>, argument: string): ClientError {
  return badUserInput(refusal.message, { argumentName: `${argument}.${refusal.field}`, rule: refusal.rule });
}

export interface WorkerNotice {
  /** The partner has a new event. */
  wake(partnerId: string): void;
  /** A registration was created. */
  refresh(): void;
}

export class WebhookRepository {
  constructor(
    private readonly cols: Collections,
    private readonly write: Pick<WriteDeps, 'holderId'>,
    readonly config: WebhookConfig & { mode: Mode },
    /** This instance's delivery worker, told of a new test event or registration so it need not wait for its next poll. */
    private readonly worker: WorkerNotice = { wake: () => {}, refresh: () => {} },
  ) {}

  get urlRules(): UrlRules {
    return { allowedHosts: this.config.allowedHosts, allowLoopback: this.config.mode === 'development' };
  }

  /** WEBHOOK-ADMIN, as a top-level FORBIDDEN. */
  assertAdmin(caller: Pick<Caller, 'roles'>): void {
    const refused = checkWebhookAdmin(caller);
    if (refused) throw forbidden(refused);
  }

  async list(caller: Caller): Promise<WebhookRegistrationDoc[]> {
    this.assertAdmin(caller);
    return this.cols.webhookRegistrations.find({ partnerId: caller.partner._id }).sort({ createdAt: 1, _id: 1 }).toArray();
  }

  /** The caller's registration; another partner's, or none, is NOT_FOUND (ROLE-TENANT). */
  async get(caller: Caller, id: string): Promise<WebhookRegistrationDoc> {
    this.assertAdmin(caller);
    const doc = await this.cols.webhookRegistrations.findOne({ _id: id, partnerId: caller.partner._id });
    if (!doc) throw notFound('webhook registration', id);
    return doc;
  }

  /** Checks the input (WEBHOOK-URL, WEBHOOK-EVENTS): the URL normalised and the names deduplicated. */
  private validated(input: Partial<RegistrationInput>): Partial<Pick<WebhookRegistrationDoc, 'url' | 'events'>> {
    const out: Partial<Pick<WebhookRegistrationDoc, 'url' | 'events'>> = {};
    if (input.webhookUrl != null) {
      const url = decideWebhookUrl(input.webhookUrl, this.urlRules);
      if (!url.allowed) throw inputError(url, 'input');
      out.url = url.url;
    }
    if (input.webhookEvents != null) {
      const events = decideWebhookEvents(input.webhookEvents);
      if (!events.allowed) throw inputError(events, 'input');
      out.events = events.events;
    }
    return out;
  }

  /**
   * A new registration with its own secret, or (dryRun) what it would be, with no secret. The
   * quota (WEBHOOK-QUOTA) is counted under the partner's `webhook-registrations:` lock, so
   * concurrent creations cannot pass it together, on any instance.
   */
  async create(caller: Caller, input: RegistrationInput & { dryRun: boolean }): Promise<WebhookRegistrationDoc> {
    this.assertAdmin(caller);
    const { url, events } = this.validated(input);
    const partnerId = caller.partner._id;
    const key = `webhook-registrations:${partnerId}`;
    const holder = uniqueHolder(this.write);
    const lease = await acquire(this.cols.locks, key, holder, { leaseMs: QUOTA_LOCK_LEASE_MS, waitMs: QUOTA_LOCK_WAIT_MS });
    if (!lease) throw new ClientError('CONFLICT', 'Another webhook registration of this partner is being created; retry shortly');
    try {
      const held = await this.cols.webhookRegistrations.countDocuments({ partnerId });
      const quota = checkWebhookQuota(held, this.config.maxPerPartner);
      if (quota) throw forbidden(quota);
      const now = new Date();
      const doc: WebhookRegistrationDoc = {
        _id: randomUUID(),
        partnerId,
        url: url!,
        events: events!,
        secret: input.dryRun ? '' : newSigningSecret(),
        // Events before the registration are not delivered: it starts at the end of the log.
        startSeq: await latestSeq(this.cols, partnerId),
        createdAt: now,
        updatedAt: now,
      };
      if (!input.dryRun) {
        await this.cols.webhookRegistrations.insertOne(doc);
        this.worker.refresh();
      }
      return doc;
    } finally {
      await release(this.cols.locks, key, holder);
    }
  }

  /** Changes the URL, the events or (rotateSecret) the secret; what is not given stays. */
  async update(
    caller: Caller,
    id: string,
    input: Partial<RegistrationInput> & { rotateSecret: boolean; dryRun: boolean },
  ): Promise<{ registration: WebhookRegistrationDoc; rotated: boolean }> {
    const current = await this.get(caller, id);
    const changes: Partial<WebhookRegistrationDoc> = { ...this.validated(input), updatedAt: new Date() };
    if (input.rotateSecret && !input.dryRun) changes.secret = newSigningSecret();
    const registration = { ...current, ...changes };
    if (!input.dryRun) await this.cols.webhookRegistrations.updateOne({ _id: id, partnerId: caller.partner._id }, { $set: changes });
    return { registration, rotated: input.rotateSecret && !input.dryRun };
  }

  /** Deletes the registration with its cursor and delivery log. */
  async delete(caller: Caller, id: string, dryRun: boolean): Promise<WebhookRegistrationDoc> {
    const current = await this.get(caller, id);
    if (dryRun) return current;
    await this.cols.webhookRegistrations.deleteOne({ _id: id, partnerId: caller.partner._id });
    await this.cols.webhookCursors.deleteOne({ _id: id });
    await this.cols.webhookDeliveries.deleteMany({ registrationId: id });
    return current;
  }

  /**
   * sendWebhookTestEvent (Partner Center's validationEvents): a `test-created` event for this
   * registration only, written to the event log (so delivered like any other), with a new
   * correlation ID as its resource ID. WEBHOOK-TEST-RATE: one of the registration's per-minute
   * slots in `locks`, taken by unique insert, or RATE_LIMITED.
   */
  async sendTestEvent(caller: Caller, registrationId: string, simulationNow: Date): Promise<TestEventResult> {
    const registration = await this.get(caller, registrationId);
    const holder = uniqueHolder(this.write);
    let slot = null;
    for (const key of testEventSlots(registrationId, this.config.testEventsPerMinute)) {
      slot = await acquire(this.cols.locks, key, holder, { leaseMs: 60_000, waitMs: 0 });
      if (slot) break;
    }
    if (!slot) {
      const refusal = testRateRefusal(this.config.testEventsPerMinute);
      throw new ClientError('RATE_LIMITED', refusal.message, { rule: refusal.rule, retryAfterSeconds: 60 });
    }
    const correlationId = randomUUID();
    const event: Omit<EventDoc, 'seq' | 'bucket'> = {
      _id: `test:${correlationId}`,
      partnerId: registration.partnerId,
      type: 'test-created',
      resourceName: 'test',
      resourceId: correlationId,
      customerId: null,
      operationId: null,
      operationKind: 'send_webhook_test_event',
      ruleId: null,
      changes: JSON.stringify({ registrationId, webhookUrl: registration.url }),
      auditRecordId: null,
      at: simulationNow,
      createdAt: new Date(),
      registrationId,
    };
    await appendEvent(this.cols, event);
    this.worker.wake(registration.partnerId);
    return { correlationId, eventId: event._id, registrationId, delivery: null };
  }

  /** webhookTestEvent(correlationId): the test event and its delivery so far. */
  async testEvent(caller: Caller, correlationId: string): Promise<TestEventResult> {
    this.assertAdmin(caller);
    const event = await this.cols.events.findOne({ partnerId: caller.partner._id, resourceId: correlationId, type: 'test-created' });
    if (!event || event.registrationId === null) throw notFound('test event', correlationId);
    const delivery = await this.cols.webhookDeliveries.findOne({ _id: deliveryId(event.registrationId, event._id) });
    return { correlationId, eventId: event._id, registrationId: event.registrationId, delivery };
  }

  /** webhookDeliveries: the registration's delivery log, in event order. */
  async deliveries(caller: Caller, registrationId: string, args: PageArgs, filter: DeliveryFilter): Promise<Page<WebhookDeliveryDoc>> {
    await this.get(caller, registrationId);
    const where = {
      partnerId: caller.partner._id,
      registrationId,
      ...(filter.eventId != null ? { eventId: filter.eventId } : {}),
      // One status is an equality FerretDB pushes down; several are an `$in`, within the registration's.
      ...(filter.status?.length === 1
        ? { status: filter.status[0] }
        : filter.status?.length
          ? { status: { $in: [...filter.status] } }
          : {}),
    };
    return pagedFind({
      collection: this.cols.webhookDeliveries,
      connection: 'webhookDeliveries',
      filterArgs: { registrationId, ...filter },
      where,
      args,
      sort: ['eventSeq', '_id'],
      partnerId: caller.partner._id,
    });
  }
}

/** A delivery's `_id`: one per (registration, event), so recording it twice is a duplicate key. */
export function deliveryId(registrationId: string, eventId: string): string {
  return `${registrationId}:${eventId}`;
}

declare module '../shared/context.js' {
  interface Context {
    /** Webhooks (src/webhook/): registrations, test events and the delivery log. */
    webhooks: WebhookRepository;
  }
}
