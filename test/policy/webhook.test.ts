import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENT_TYPE_NAMES } from '../../src/policy/events.js';
import { PROJECT_RULE_IDS } from '../../src/policy/rule-ids.js';
import {
  checkWebhookAdmin,
  checkWebhookQuota,
  decideWebhookEvents,
  decideWebhookUrl,
  dueDeliveries,
  dueInOrder,
  nextAttemptAt,
  testEventSlots,
  wantsEvent,
} from '../../src/policy/webhook.js';

/* Webhooks' own rules (src/policy/webhook.ts, docs/webhooks.md), decided from plain data. */

const DEV = { allowedHosts: ['hooks.example.com', '*.example.org'], allowLoopback: true };
const PROD = { ...DEV, allowLoopback: false };

describe('webhook registration rules', () => {
  it('WEBHOOK-ADMIN: global admins and admin agents manage webhooks; every other role is refused', () => {
    expect(checkWebhookAdmin({ roles: ['global_admin'] })).toBeNull();
    expect(checkWebhookAdmin({ roles: ['admin_agent'] })).toBeNull();
    for (const role of ['billing_admin', 'helpdesk_agent', 'sales_agent', 'account_admin'] as const) {
      expect(checkWebhookAdmin({ roles: [role] })).toMatchObject({ rule: 'WEBHOOK-ADMIN', code: 'ROLE_NOT_ALLOWED' });
    }
    expect(checkWebhookAdmin({ roles: [] })?.message).toContain('no role');
  });

  it('WEBHOOK-URL: an allowed host, exact or by wildcard, over http or https, is stored normalised', () => {
    expect(decideWebhookUrl(' https://Hooks.Example.com/pc ', PROD)).toEqual({ allowed: true, url: 'https://hooks.example.com/pc' });
    expect(decideWebhookUrl('http://a.b.example.org:8443/x?y=1', PROD)).toMatchObject({ allowed: true });
    expect(decideWebhookUrl('https://example.org/', PROD)).toMatchObject({ allowed: false, rule: 'WEBHOOK-URL', field: 'webhookUrl' });
    expect(decideWebhookUrl('https://evil-example.org/', PROD)).toMatchObject({ allowed: false, rule: 'WEBHOOK-URL' });
    expect(decideWebhookUrl('https://hooks.example.com.evil.net/', PROD)).toMatchObject({ allowed: false, rule: 'WEBHOOK-URL' });
  });

  it('WEBHOOK-URL: loopback hosts are allowed in development only', () => {
    for (const url of ['http://127.0.0.1:9000/hook', 'http://localhost/hook', 'http://[::1]:8080/']) {
      expect(decideWebhookUrl(url, DEV), url).toMatchObject({ allowed: true });
      expect(decideWebhookUrl(url, PROD), url).toMatchObject({ allowed: false, rule: 'WEBHOOK-URL', code: 'NOT_ELIGIBLE' });
    }
  });

  it('WEBHOOK-URL: not a URL, another scheme, credentials, a fragment or an overlong URL is refused naming the field', () => {
    for (const url of ['hooks.example.com/x', 'ftp://hooks.example.com/x', 'javascript:alert(1)', 'https://u:p@hooks.example.com/']) {
      expect(decideWebhookUrl(url, DEV, 'input.webhookUrl'), url).toMatchObject({
        allowed: false,
        rule: 'WEBHOOK-URL',
        field: 'input.webhookUrl',
      });
    }
    expect(decideWebhookUrl('https://hooks.example.com/#x', DEV)).toMatchObject({ allowed: false });
    expect(decideWebhookUrl(`https://hooks.example.com/${'a'.repeat(2100)}`, DEV)).toMatchObject({ allowed: false });
  });

  it('WEBHOOK-EVENTS: known names are kept once each, in order; an unknown one is refused by its position; none is refused', () => {
    expect(decideWebhookEvents(['subscription-updated', 'customer-created', 'subscription-updated'])).toEqual({
      allowed: true,
      events: ['subscription-updated', 'customer-created'],
    });
    expect(decideWebhookEvents(['customer-created', 'subscription-exploded'])).toMatchObject({
      allowed: false,
      rule: 'WEBHOOK-EVENTS',
      field: 'webhookEvents.1',
    });
    expect(decideWebhookEvents([])).toMatchObject({ allowed: false, rule: 'WEBHOOK-EVENTS', field: 'webhookEvents' });
    expect(decideWebhookEvents(EVENT_TYPE_NAMES)).toMatchObject({ allowed: true });
  });

  it('WEBHOOK-QUOTA: a partner under the cap may add one; at the cap it is refused', () => {
    expect(checkWebhookQuota(2, 3)).toBeNull();
    expect(checkWebhookQuota(3, 3)).toMatchObject({ rule: 'WEBHOOK-QUOTA', code: 'LIMIT_EXCEEDED' });
  });

  it('WEBHOOK-TEST-RATE: a registration has one lock slot per test event allowed per minute', () => {
    expect(testEventSlots('r1', 2)).toEqual(['webhook-test:r1:0', 'webhook-test:r1:1']);
  });
});

describe('webhook deliveries', () => {
  const schedule = { startMs: 10_000, maxMs: 3_600_000, periodMs: 3 * 86_400_000 };
  const first = new Date('2026-12-01T00:00:00.000Z');

  it('retries back off exponentially from the start, with jitter within half the wait, capped, and stop after the period', () => {
    const wait = (failedAttempts: number, jitter: number, now = first) =>
      nextAttemptAt({ failedAttempts, firstAttemptAt: first, now, jitter, schedule })!.getTime() - now.getTime();
    expect([wait(1, 0), wait(1, 0.999_999)]).toEqual([5000, 10_000]);
    expect([wait(2, 0), wait(3, 0), wait(4, 0)]).toEqual([10_000, 20_000, 40_000]);
    expect(wait(30, 1)).toBe(3_600_000);
    const late = new Date(first.getTime() + 3 * 86_400_000 - 1000);
    expect(nextAttemptAt({ failedAttempts: 40, firstAttemptAt: first, now: late, jitter: 0, schedule })).toBeNull();
  });

  it('in order per resource: only the earliest pending delivery of each resource is due; others go on', () => {
    const now = new Date('2026-12-01T00:01:00.000Z');
    const later = new Date('2026-12-01T00:05:00.000Z');
    const d = (eventSeq: number, resourceKey: string, nextAttemptAt: Date | null) => ({ eventSeq, resourceKey, nextAttemptAt });
    const pending = [d(3, 'subscription:a', now), d(1, 'subscription:a', later), d(2, 'subscription:b', now), d(4, 'customer:c', now)];
    expect(dueDeliveries(pending, now, 10).map((x) => x.eventSeq)).toEqual([2, 4]);
    expect(dueDeliveries(pending, later, 10).map((x) => x.eventSeq)).toEqual([1, 2, 4]);
    expect(dueDeliveries(pending, later, 2).map((x) => x.eventSeq)).toEqual([1, 2]);
  });

  it('in order per resource, over a backlog kept in order: an attempt in flight holds its resource back, and the scan stops at the room left', () => {
    const now = new Date('2026-12-01T00:01:00.000Z');
    const d = (id: string, resourceKey: string) => ({ id, resourceKey, nextAttemptAt: now });
    const pending = [
      d('1', 'subscription:a'),
      d('2', 'subscription:a'),
      d('3', 'subscription:b'),
      d('4', 'customer:c'),
      d('5', 'customer:d'),
    ];
    const busy = (x: { id: string }) => x.id === '1';
    expect(dueInOrder(pending, now, busy, 10).map((x) => x.id)).toEqual(['3', '4', '5']);
    expect(dueInOrder(pending, now, busy, 2).map((x) => x.id)).toEqual(['3', '4']);
    expect(dueInOrder(pending, now, busy, 0)).toEqual([]);
  });

  it('a registration gets the events it names, and test-created only when it asked for it', () => {
    const reg = { _id: 'r1', events: ['subscription-updated', 'test-created'] };
    expect(wantsEvent(reg, { type: 'subscription-updated', registrationId: null })).toBe(true);
    expect(wantsEvent(reg, { type: 'customer-created', registrationId: null })).toBe(false);
    expect(wantsEvent(reg, { type: 'test-created', registrationId: 'r1' })).toBe(true);
    expect(wantsEvent(reg, { type: 'test-created', registrationId: 'r2' })).toBe(false);
    expect(wantsEvent({ _id: 'r2', events: ['customer-created'] }, { type: 'test-created', registrationId: 'r2' })).toBe(true);
  });
});

describe('the project rule IDs', () => {
  const root = path.resolve(import.meta.dirname, '../..');
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.test.ts') ? [path.join(dir, e.name)] : [],
    );

  it('every project rule ID (PROJECT_RULE_IDS) is named in a test title and documented in docs/', () => {
    const titles = files(path.join(root, 'test')).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/(?<![.\w$])(?:it|test|describe)\(\s*(['"`])((?:\\.|(?!\1)[^\\])*)\1/g)].map((m) => m[2]!),
    );
    const docs = readdirSync(path.join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => readFileSync(path.join(root, 'docs', f), 'utf8'))
      .join('\n');
    const named = (id: string, text: string) => new RegExp(`(^|[^A-Z0-9-])${id}([^A-Z0-9-]|$)`, 'm').test(text);
    expect(PROJECT_RULE_IDS.filter((id) => !titles.some((t) => named(id, t)))).toEqual([]);
    expect(PROJECT_RULE_IDS.filter((id) => !named(id, docs))).toEqual([]);
  });
});
