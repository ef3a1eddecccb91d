import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Collections } from '../db/collections.js';
import type { PartnerDoc } from '../db/documents.js';
import { isSandboxPartner } from '../policy/customer.js';
import { customerLoaders } from '../customer/customer.loader.js';
import { CustomerRepository } from '../customer/customer.repository.js';
import { offerLoaders } from '../offer/offer.loader.js';
import { OfferCatalog, OfferRepository } from '../offer/offer.repository.js';
import { orderLoaders } from '../order/order.loader.js';
import { reservationLoaders } from '../reservation/reservation.loader.js';
import { softwareOrderLoaders } from '../software-order/software-order.loader.js';
import { subscriptionLoaders } from '../subscription/subscription.loader.js';
import { SubscriptionRepository } from '../subscription/subscription.repository.js';
import { ClockRepository } from '../clock/clock.repository.js';
import type { WriteDeps } from '../write/deps.js';
import { budgetedCollections, CommandBudget, gatedCollections } from '../limits/command-budget.js';
import { deadlineCollections, type Deadline } from '../limits/timeout.js';
import type { PartnerGates } from '../limits/fair-share.js';
import { IN_READS, lazyLoaderClass, type ReadPlanner } from '../read/loader-utils.js';
import type { Authenticator } from '../shared/auth.js';
import { DEFAULT_SETTINGS, type Context, type Repositories, type Settings } from '../shared/context.js';
import type { Logger } from '../shared/logger.js';
import type { SandboxService } from '../sandbox/sandbox.service.js';
import type { WebhookRepository } from '../webhook/webhook.repository.js';
import type { EventFeed } from '../event/event-feed.js';
import type { Caller } from '../shared/caller.js';

/** Long-lived, shared by every request: built once in the composition root (src/app/server.ts). */
export interface Services {
  collections: Collections;
  repositories: Repositories;
  authenticator: Authenticator;
  log: Logger;
  /** The write path's dependencies: mutations and the lifecycle engine pass them to runOperation. */
  write: WriteDeps;
  /** Rule settings from the configuration, passed to the policy as data; defaults when absent. */
  settings?: Partial<Settings>;
  /** Database commands one request's reads may send (LIMIT_MAX_DB_COMMANDS); unlimited when absent. */
  maxDbCommands?: number;
  /** Each partner's turns at the database (FAIR_MAX_DB_COMMANDS, src/limits/fair-share.ts); ungated when absent. */
  dbGates?: PartnerGates;
  /** How loaders batch reads on this backend (`readPlanner(backend.capabilities)`); one `$in` per batch when absent. */
  readPlanner?: ReadPlanner;
  /** Test sandboxes (src/sandbox/), with their configuration. */
  sandboxes: SandboxService;
  /** Webhook registrations, test events and the delivery log (src/webhook/), with their configuration. */
  webhooks: WebhookRepository;
  /** This instance's live event feed (src/event/event-feed.ts), which `eventAdded` subscribes to. */
  eventFeed: EventFeed;
}

export interface RepositoryOptions {
  /** OFFER_CACHE_MS: how old the in-memory catalog may get (a new OfferCatalog only). */
  offerCacheMs?: number;
  /** The process's catalog, shared by every request; a new one (read on first use) when absent. */
  catalog?: OfferCatalog;
  /** The request's caller's partner: a test sandbox's sees its own offers too (src/policy/sandbox-offer.ts). */
  partner?: Pick<PartnerDoc, '_id' | 'sandboxAdminId'>;
}

/**
 * `clockStart`: what a partner's clock reads before it is first advanced (Config.clockStart).
 * The composition root (src/app/server.ts) makes the long-lived set, with the process's OfferCatalog;
 * each request makes its own over its budgeted collections, sharing that catalog.
 */
export function createRepositories(cols: Collections, clockStart: Date, options: RepositoryOptions = {}): Repositories {
  return {
    customers: new CustomerRepository(cols.customers),
    subscriptions: new SubscriptionRepository(cols.subscriptions),
    offers: new OfferRepository(
      cols.offers,
      options.catalog ?? new OfferCatalog(cols.offers, options.offerCacheMs),
      options.partner && isSandboxPartner(options.partner) ? { collection: cols.sandboxOffers, partnerId: options.partner._id } : null,
    ),
    clock: new ClockRepository(cols.clock, clockStart),
  };
}

/** Every loader a request may use, by name. */
const RequestLoaders = lazyLoaderClass({
  ...customerLoaders,
  ...subscriptionLoaders,
  ...offerLoaders,
  ...orderLoaders,
  ...softwareOrderLoaders,
  ...reservationLoaders,
});

/**
 * Per-request loaders: a fresh cache per request, scoped to the caller's partner (ROLE-TENANT).
 * Each is created on its first use, so a query that needs none (`viewer`) creates none.
 */
export function createLoaders(
  cols: Collections,
  partnerId: string,
  repositories: Pick<Repositories, 'offers'>,
  planner: ReadPlanner = IN_READS,
) {
  return new RequestLoaders({ cols, partnerId, planner, offers: repositories.offers });
}

/**
 * Who is calling, from the request's headers: authenticated (UNAUTHENTICATED otherwise) and, for a
 * sandbox's caller, admitted only while the sandbox is ready (deleted: UNAUTHENTICATED; restoring:
 * SANDBOX_BUSY). The one gate of HTTP requests and of live subscriptions (src/app/subscriptions.ts).
 */
export async function authenticateCaller(services: Services, headers: IncomingHttpHeaders): Promise<Caller> {
  const caller = await services.authenticator.authenticate(headers);
  await services.sandboxes.admit(caller.partner);
  return caller;
}

/**
 * The context factory: authenticate, then build this request's loaders. `correlationId` is the
 * one the HTTP layer chose and sent back (src/shared/correlation.ts); a new one when absent.
 */
export async function createContext(
  services: Services,
  headers: IncomingHttpHeaders,
  correlationId: string = randomUUID(),
  deadline?: Deadline,
): Promise<Context> {
  // Authentication's reads (partner, sandbox) wait on the database too: bounded like every read.
  const caller = await (deadline ? deadline.boundStep(() => authenticateCaller(services, headers)) : authenticateCaller(services, headers));
  return contextFor(services, caller, correlationId, { deadline });
}

/**
 * A context for a caller already authenticated: one HTTP request's, or one live subscription's
 * (src/app/subscriptions.ts), which lives as long as the subscription. `maxDbCommands`: the
 * request's read budget, LIMIT_MAX_DB_COMMANDS by default; a subscription's reads (one per
 * marketplace check of an event, bounded by the events themselves) are not budgeted, or a
 * long-lived subscription would run out of a budget meant for one request. `deadline`: an HTTP
 * request's (src/limits/timeout.ts), which bounds each of its reads; a subscription has none.
 */
export function contextFor(
  services: Services,
  caller: Caller,
  correlationId: string,
  options: { maxDbCommands?: number; deadline?: Deadline } = {},
): Context {
  const { maxDbCommands = services.maxDbCommands ?? Number.POSITIVE_INFINITY, deadline } = options;
  const budget = new CommandBudget(maxDbCommands);
  // Innermost the partner's gate, then the deadline's bound (which so covers the wait for a turn),
  // then the budget, which charges each command once as it is sent.
  const gate = services.dbGates?.for(caller.partner._id);
  const gatedSource = gate ? gatedCollections(services.collections, gate) : services.collections;
  const source = deadline ? deadlineCollections(gatedSource, deadline) : gatedSource;
  const collections = budgetedCollections(source, budget);
  const repositories = createRepositories(collections, services.repositories.clock.defaultStart, {
    catalog: services.repositories.offers.catalog,
    partner: caller.partner,
  });
  let now: Promise<Date> | undefined;
  return {
    caller,
    correlationId,
    refusals: [],
    loaders: createLoaders(collections, caller.partner._id, repositories, services.readPlanner),
    repositories,
    collections,
    budget,
    deadline,
    log: services.log,
    write: services.write,
    sandboxes: services.sandboxes,
    webhooks: services.webhooks,
    eventFeed: services.eventFeed,
    settings: { ...DEFAULT_SETTINGS, ...services.settings },
    now: () => (now ??= repositories.clock.read(caller.partner._id).then((reading) => reading.now)),
    readClock: async () => {
      // Part of the write path (under the customer lock), so not charged to the read budget.
      const fresh = (await services.repositories.clock.read(caller.partner._id)).now;
      now = Promise.resolve(fresh);
      return fresh;
    },
  };
}
