import { describe, expect, it } from 'vitest';
import type { SoftwareOrderDoc } from '../../src/db/documents.js';
import { decideEventRead, eventReadScope, listsEvent } from '../../src/policy/event-access.js';
import type { Effect } from '../../src/policy/effects.js';
import {
  clockAdvancedEvent,
  EVENT_TYPE_NAMES,
  eventsFor,
  invoiceReadyEvent,
  isEventType,
  monthStartsCrossed,
  periodEndingAt,
  withEvents,
  type OperationFacts,
} from '../../src/policy/events.js';
import { decidePause } from '../../src/policy/pause.js';
import { ROLE_RULES } from '../../src/policy/roles.js';
import { adminAgent, ALL_ROLES, anActor, at, contoso, CUSTOMER_ID, DAY, fabrikam, isvSub, nceSub, T0 } from './harness.js';

const op = (kind: string, customerId: string | null = CUSTOMER_ID): OperationFacts => ({
  kind,
  partnerId: contoso._id,
  customerId,
  at: at(DAY),
});

describe('the catalogue (docs/events.md)', () => {
  it('every event name is `{resource}-{action}` in lower case with one dash, as Partner Center names its webhook events', () => {
    for (const name of EVENT_TYPE_NAMES) expect(name).toMatch(/^[a-z]+-[a-z]+$/);
    expect(isEventType('subscription-updated')).toBe(true);
    expect(isEventType('subscription_updated')).toBe(false);
    expect(isEventType('toString')).toBe(false);
  });
});

describe('eventsFor: one event per document an operation changes', () => {
  it('PAUSE-EFFECT: a pause yields subscription-updated with the fields it set, without the write path’s bookkeeping', () => {
    const s = nceSub();
    const decision = decidePause({ subscription: s, addOns: [], actor: adminAgent, now: at(40 * DAY) });
    if (!decision.allowed) throw new Error(decision.message);
    const events = eventsFor(op('pause_subscription'), decision.effects);
    expect(events.map((e) => [e.type, e.resourceName, e.resourceId, e.customerId])).toEqual([
      ['subscription-updated', 'subscription', s._id, CUSTOMER_ID],
    ]);
    const changes = JSON.parse(events[0]!.changes!) as Record<string, unknown>;
    expect(changes).toMatchObject({ status: 'suspended' });
    expect(changes).not.toHaveProperty('version');
    expect(changes).not.toHaveProperty('lastOperationId');
  });

  it('a renewal’s subscription update is subscription-renewed; an update that sets only bookkeeping yields none', () => {
    const s = nceSub();
    const update = (set: Record<string, unknown>): Effect => ({
      kind: 'update',
      collection: 'subscriptions',
      id: s._id,
      expectedVersion: 1,
      set,
    });
    expect(eventsFor(op('renewal'), [update({ commitmentEndDate: at(400 * DAY), version: 2 })]).map((e) => e.type)).toEqual([
      'subscription-renewed',
    ]);
    expect(eventsFor(op('update_subscription'), [update({ version: 2, updatedAt: T0 })])).toEqual([]);
  });

  it('a created subscription is subscription-active, or subscription-pending while its publisher has not activated it (CAT-ISV-FULFILMENT)', () => {
    const active = nceSub();
    const pending = isvSub({ status: 'pending' });
    const events = eventsFor(op('create_order'), [
      { kind: 'insert', collection: 'subscriptions', doc: active },
      { kind: 'insert', collection: 'subscriptions', doc: pending },
    ]);
    expect(events.map((e) => [e.type, e.resourceId])).toEqual([
      ['subscription-active', active._id],
      ['subscription-pending', pending._id],
    ]);
  });

  it('ROLE-SOFTWARE-KEYS, SW-ACTIVITY-LOG: a software order’s event carries its keys without product key or download link', () => {
    const order = {
      _id: 'abcdef012345',
      partnerId: contoso._id,
      customerId: CUSTOMER_ID,
      keys: [
        {
          productVersion: 'Windows Server 2022',
          language: 'en-us',
          bitness: 'x64',
          keyType: 'MAK',
          productKey: 'SECRET-KEY',
          downloadUrl: 'https://dl',
          revoked: false,
        },
      ],
    } as unknown as SoftwareOrderDoc;
    const [event] = eventsFor(op('create_software_order'), [{ kind: 'insert', collection: 'softwareOrders', doc: order }]);
    expect(event!.type).toBe('softwareorder-created');
    expect(event!.changes).not.toContain('SECRET-KEY');
    expect(event!.changes).not.toContain('https://dl');
    expect(JSON.parse(event!.changes!)).toMatchObject({ keys: [{ productVersion: 'Windows Server 2022', revoked: false }] });
  });

  it('withEvents puts the events after every other effect, in their effects’ order, a policy’s own event effect once', () => {
    const s = nceSub();
    const clock = clockAdvancedEvent(contoso._id, { from: T0, to: at(DAY), events: 0 });
    const effects: Effect[] = [clock, { kind: 'update', collection: 'subscriptions', id: s._id, expectedVersion: 1, set: { quantity: 3 } }];
    const all = withEvents(op('advance_clock', null), effects);
    expect(all.map((e) => e.kind)).toEqual(['update', 'event', 'event']);
    expect(all.filter((e) => e.kind === 'event').map((e) => (e as { event: { type: string } }).event.type)).toEqual([
      'clock-advanced',
      'subscription-updated',
    ]);
  });
});

describe('invoice-ready and clock-advanced (GEN-CLOCK, BILL-MONTHLY)', () => {
  it('a move across month starts closes each month crossed, the one ending at the move’s end included', () => {
    expect(monthStartsCrossed(new Date('2026-11-15T00:00:00Z'), new Date('2027-01-01T00:00:00Z'))).toEqual([
      new Date('2026-12-01T00:00:00Z'),
      new Date('2027-01-01T00:00:00Z'),
    ]);
    expect(monthStartsCrossed(new Date('2026-12-01T00:00:00Z'), new Date('2026-12-31T23:59:59Z'))).toEqual([]);
    expect(periodEndingAt(new Date('2027-01-01T00:00:00Z'))).toBe('2026-12');
  });

  it('invoice-ready names the month closed, at the month start on the simulation clock', () => {
    const e = invoiceReadyEvent(contoso._id, new Date('2026-12-01T00:00:00Z')).event;
    expect(e).toMatchObject({
      type: 'invoice-ready',
      resourceName: 'invoice',
      resourceId: '2026-11',
      ruleId: 'BILL-MONTHLY',
      customerId: null,
    });
    expect(e.at).toEqual(new Date('2026-12-01T00:00:00Z'));
  });
});

describe('who reads which events (ROLE-TENANT, ROLE-MARKETPLACE)', () => {
  const subscriptionEvent = (marketplaceResource: boolean, partnerId = contoso._id) => ({
    partnerId,
    resourceName: 'subscription',
    marketplaceResource,
  });

  it('ROLE-TENANT: another partner’s event does not exist for any role (NOT_FOUND, not FORBIDDEN), and is never listed', () => {
    for (const role of ALL_ROLES) {
      const actor = anActor([role]);
      expect(decideEventRead(actor, subscriptionEvent(false, fabrikam._id))).toEqual({ allowed: true, visible: false });
      expect(listsEvent(eventReadScope(actor), subscriptionEvent(false, fabrikam._id))).toBe(false);
    }
  });

  it('ROLE-MARKETPLACE: a marketplace subscription’s events are read by exactly the roles the rule lists; others are refused with the rule', () => {
    for (const role of ALL_ROLES) {
      const actor = anActor([role]);
      const may = (ROLE_RULES['ROLE-MARKETPLACE'] as readonly string[]).includes(role);
      const d = decideEventRead(actor, subscriptionEvent(true));
      if (may) expect(d).toEqual({ allowed: true, visible: true });
      else expect(d).toMatchObject({ allowed: false, rule: 'ROLE-MARKETPLACE', code: 'ROLE_NOT_ALLOWED' });
      expect(listsEvent(eventReadScope(actor), subscriptionEvent(true))).toBe(may);
    }
  });

  it('every role reads the events of resources it may read directly: other subscriptions, orders, invoices, the clock', () => {
    for (const role of ALL_ROLES) {
      const actor = anActor([role]);
      for (const resourceName of ['subscription', 'order', 'invoice', 'clock', 'softwareorder', 'reservation']) {
        expect(decideEventRead(actor, { partnerId: contoso._id, resourceName, marketplaceResource: false })).toEqual({
          allowed: true,
          visible: true,
        });
      }
      // An order of a marketplace offer is readable by every role: only the subscription is guarded.
      expect(listsEvent(eventReadScope(actor), { partnerId: contoso._id, resourceName: 'order', marketplaceResource: true })).toBe(true);
    }
  });
});
