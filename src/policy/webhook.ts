/**
 * Webhooks (docs/webhooks.md): who may register them, which URLs and event names a registration
 * may name, how many a partner holds, how often a test event may be asked for, and when a failed
 * delivery is tried again. Pure: the configuration and the instants come in as arguments; jitter
 * is a number in [0, 1) the caller draws.
 *
 * The project's own rules (PROJECT_RULE_IDS, not in the spec):
 * - WEBHOOK-ADMIN: only the partner's admin roles manage webhooks: global admin and admin agent,
 *   the roles ROLE-MARKETPLACE and ROLE-SOFTWARE list (Partner Center's webhook API asks for an
 *   admin agent or a global admin).
 * - WEBHOOK-URL: an absolute http(s) URL, without credentials, whose host the configuration allows
 *   (WEBHOOK_ALLOWED_HOSTS; loopback in development mode only).
 * - WEBHOOK-EVENTS: at least one event name, each one of EVENT_TYPES.
 * - WEBHOOK-QUOTA: at most WEBHOOK_MAX_PER_PARTNER registrations per partner.
 * - WEBHOOK-TEST-RATE: at most WEBHOOK_TEST_EVENTS_PER_MINUTE test events per registration per minute.
 */
import type { Caller } from '../shared/caller.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import { EVENT_TYPE_NAMES, isEventType, type EventType } from './events.js';
import { ROLE_RULES } from './roles.js';
import type { ProjectRuleId } from './rule-ids.js';

export type WebhookRuleId = Extract<ProjectRuleId, `WEBHOOK-${string}`>;

/** WEBHOOK-ADMIN: the partner's admin roles, as ROLE-MARKETPLACE lists them (global admin, admin agent). */
export const WEBHOOK_ADMIN_ROLES = ROLE_RULES['ROLE-MARKETPLACE'];

/** The longest URL a registration may name. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** WEBHOOK-ADMIN: refused unless the caller holds global_admin or admin_agent. */
export function checkWebhookAdmin(actor: Pick<Caller, 'roles'>): Refused<WebhookRuleId> | null {
  if (actor.roles.some((r) => (WEBHOOK_ADMIN_ROLES as readonly string[]).includes(r))) return null;
  return refuse(
    'WEBHOOK-ADMIN',
    'ROLE_NOT_ALLOWED',
    `To manage webhooks you need one of the roles global admin, admin agent; the caller has ${actor.roles.length === 0 ? 'no role' : `the roles ${actor.roles.join(', ')}`}.`,
  );
}

/** Where a registration's URL may point (WEBHOOK-URL), from the configuration and the mode. */
export interface UrlRules {
  /** WEBHOOK_ALLOWED_HOSTS: exact lower-case hosts, or `*.example.com` for any subdomain of example.com. */
  allowedHosts: readonly string[];
  /** Development mode: loopback hosts (localhost, 127.0.0.0/8, [::1]) are allowed too. */
  allowLoopback: boolean;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === 'localhost' || host.endsWith('.localhost') || /^127(?:\.\d{1,3}){3}$/.test(host) || host === '[::1]';
}

function hostAllowed(hostname: string, rules: UrlRules): boolean {
  if (isLoopbackHost(hostname)) return rules.allowLoopback;
  return rules.allowedHosts.some((allowed) =>
    allowed.startsWith('*.') ? hostname.endsWith(allowed.slice(1)) && hostname.length > allowed.length - 1 : hostname === allowed,
  );
}

/**
 * WEBHOOK-URL: the URL as stored (`URL.href`, normalised), or a refusal naming `field`. Checked at
 * registration and again before every attempt, so a host removed from the configuration gets no
 * further deliveries.
 */
export function decideWebhookUrl(raw: string, rules: UrlRules, field = 'webhookUrl'): Decision<{ url: string }, WebhookRuleId> {
  const text = raw.trim();
  const allowed = rules.allowedHosts.length === 0 ? 'none' : rules.allowedHosts.join(', ');
  const where = `hosts WEBHOOK_ALLOWED_HOSTS allows (${allowed})${rules.allowLoopback ? ', or a loopback host in development' : ''}`;
  if (text.length > MAX_WEBHOOK_URL_LENGTH) {
    return refuse(
      'WEBHOOK-URL',
      'INVALID_VALUE',
      `The webhook URL must be at most ${MAX_WEBHOOK_URL_LENGTH} characters, but has ${text.length}.`,
      field,
    );
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return refuse('WEBHOOK-URL', 'INVALID_VALUE', `The webhook URL must be an absolute http or https URL, but got '${text}'.`, field);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return refuse(
      'WEBHOOK-URL',
      'INVALID_VALUE',
      `The webhook URL must use http or https, but uses '${url.protocol.slice(0, -1)}'.`,
      field,
    );
  }
  if (url.username !== '' || url.password !== '') {
    return refuse('WEBHOOK-URL', 'INVALID_VALUE', 'The webhook URL must not carry credentials: deliveries are signed instead.', field);
  }
  if (url.hash !== '') return refuse('WEBHOOK-URL', 'INVALID_VALUE', 'The webhook URL must not have a fragment (#...).', field);
  if (!hostAllowed(url.hostname, rules)) {
    return refuse(
      'WEBHOOK-URL',
      'NOT_ELIGIBLE',
      `The webhook URL's host '${url.hostname}' is not allowed: use one of the ${where}.`,
      field,
    );
  }
  return allow({ url: url.href });
}

/**
 * WEBHOOK-EVENTS: the names, deduplicated in the order given, or a refusal naming the first bad
 * one's position (`webhookEvents.2`).
 */
export function decideWebhookEvents(names: readonly string[], field = 'webhookEvents'): Decision<{ events: EventType[] }, WebhookRuleId> {
  if (names.length === 0) {
    return refuse('WEBHOOK-EVENTS', 'INVALID_VALUE', `Name at least one event, from: ${EVENT_TYPE_NAMES.join(', ')}.`, field);
  }
  const events: EventType[] = [];
  for (const [i, raw] of names.entries()) {
    const name = raw.trim();
    if (!isEventType(name)) {
      return refuse(
        'WEBHOOK-EVENTS',
        'INVALID_VALUE',
        `'${raw}' is not an event name; the events are: ${EVENT_TYPE_NAMES.join(', ')} (docs/events.md).`,
        `${field}.${i}`,
      );
    }
    if (!events.includes(name)) events.push(name);
  }
  return allow({ events });
}

/** WEBHOOK-QUOTA: a partner holding `held` registrations may add one while under `max`. */
export function checkWebhookQuota(held: number, max: number): Refused<WebhookRuleId> | null {
  if (held < max) return null;
  return refuse(
    'WEBHOOK-QUOTA',
    'LIMIT_EXCEEDED',
    `This partner already holds ${held} webhook registrations, the most WEBHOOK_MAX_PER_PARTNER (${max}) allows; delete one first or update one to take more events.`,
  );
}

/**
 * WEBHOOK-TEST-RATE: the lock keys of a registration's test-event slots. A test event takes one
 * for a minute (a unique insert in `locks`), so at most `perMinute` are sent in any minute, by
 * every gateway instance together.
 */
export function testEventSlots(registrationId: string, perMinute: number): string[] {
  return Array.from({ length: perMinute }, (_, i) => `webhook-test:${registrationId}:${i}`);
}

export function testRateRefusal(perMinute: number): Refused<WebhookRuleId> {
  return refuse(
    'WEBHOOK-TEST-RATE',
    'LIMIT_EXCEEDED',
    `At most ${perMinute} test events per registration per minute (WEBHOOK_TEST_EVENTS_PER_MINUTE); wait a minute and ask again.`,
  );
}

/** The retry schedule (WEBHOOK_RETRY_*). */
export interface RetrySchedule {
  startMs: number;
  /** The wait doubles after each failed attempt, up to this. */
  maxMs: number;
  /** Given up once the next attempt would come later than this after the first. */
  periodMs: number;
}

/**
 * When to try a delivery again after its `failedAttempts`-th failed attempt (1, 2, ...): exponential
 * back-off (start, x2, x4 ... capped) with "equal jitter" (half the wait fixed, half drawn from
 * `jitter` in [0, 1)), so receivers that failed together are not retried in lock step; null once
 * the retry period from `firstAttemptAt` is over (the delivery has failed).
 */
export function nextAttemptAt(input: {
  failedAttempts: number;
  firstAttemptAt: Date;
  now: Date;
  jitter: number;
  schedule: RetrySchedule;
}): Date | null {
  const { failedAttempts, firstAttemptAt, now, jitter, schedule } = input;
  const wait = Math.min(schedule.maxMs, schedule.startMs * 2 ** Math.min(Math.max(failedAttempts - 1, 0), 40));
  const at = new Date(now.getTime() + Math.round(wait / 2 + (wait / 2) * Math.min(Math.max(jitter, 0), 1)));
  return at.getTime() - firstAttemptAt.getTime() > schedule.periodMs ? null : at;
}

/**
 * Which pending deliveries may be attempted now: in sequence order, only the earliest pending one
 * of each resource (a later event of a resource waits while an earlier one is retrying), only
 * when due, at most `limit`. `pending` need not be sorted.
 */
export function dueDeliveries<D extends { eventSeq: number; resourceKey: string; nextAttemptAt: Date | null }>(
  pending: readonly D[],
  now: Date,
  limit: number,
): D[] {
  return dueInOrder(
    [...pending].sort((a, b) => a.eventSeq - b.eventSeq),
    now,
    () => false,
    limit,
  );
}

/**
 * `dueDeliveries` over deliveries already in sequence order, leaving out the busy ones (attempts
 * in flight), which still hold their resource back. It stops at `limit`, so a worker that keeps
 * its pending deliveries in order pays for what it starts, not for its whole backlog.
 */
export function dueInOrder<D extends { resourceKey: string; nextAttemptAt: Date | null }>(
  pendingInOrder: Iterable<D>,
  now: Date,
  busy: (delivery: D) => boolean,
  limit: number,
): D[] {
  const seen = new Set<string>();
  const due: D[] = [];
  if (limit <= 0) return due;
  for (const d of pendingInOrder) {
    if (seen.has(d.resourceKey)) continue;
    seen.add(d.resourceKey);
    if (!busy(d) && d.nextAttemptAt !== null && d.nextAttemptAt.getTime() <= now.getTime()) due.push(d);
    if (due.length >= limit) break;
  }
  return due;
}

/** Whether a registration wants `event`: its names, and a `test-created` only when it asked for it. */
export function wantsEvent(
  registration: { _id: string; events: readonly string[] },
  event: { type: string; registrationId: string | null },
): boolean {
  if (event.type === 'test-created') return event.registrationId === registration._id;
  return registration.events.includes(event.type);
}
