import { describe, expect, it } from 'vitest';
import type { OfferDoc, PartnerDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { allowedActions, SUBSCRIPTION_ACTIONS, type ActionAvailability } from '../../src/policy/allowed-actions.js';
import type { Caller } from '../../src/shared/caller.js';
import {
  adminAgent,
  anActor,
  at,
  contoso,
  customer,
  DAY,
  HOUR,
  isvOffer,
  legacyOffer,
  legacySub,
  nceOffer,
  nceSub,
  noRoles,
  pendingIsvSub,
  tailspin,
} from './harness.js';

type Row = [ActionAvailability['action'], boolean, string | null, string | null];

function table({
  subscription,
  now,
  actor = adminAgent,
  offer = nceOffer(),
  partner = contoso,
}: {
  subscription: SubscriptionDoc;
  now: Date;
  actor?: Caller;
  offer?: OfferDoc;
  partner?: PartnerDoc;
}): Row[] {
  return allowedActions({ subscription, offer, customer: customer(), partner, actor, now }).map((a) => [
    a.action,
    a.allowed,
    a.rule,
    a.code,
  ]);
}

describe('allowedActions', () => {
  it('CANCEL-WINDOW-SHOWN: for a new-commerce subscription in its first day, every action with its rule (cancel allowed, suspend refused SUSP-NCE-SUPPORT, pause allowed)', () => {
    expect(table({ subscription: nceSub(), now: at(HOUR) })).toEqual([
      ['update_friendly_name', true, null, null],
      ['increase_quantity', true, null, null],
      ['decrease_quantity', false, 'SUB-QTY-DECREASE-NCE', 'INVALID_VALUE'],
      ['toggle_auto_renew', true, null, null],
      ['suspend', false, 'SUSP-NCE-SUPPORT', 'NOT_SUPPORTED'],
      ['reactivate', false, 'SUSP-NCE-SUPPORT', 'NOT_SUPPORTED'],
      ['pause', true, null, null],
      ['resume', false, 'PAUSE-RESUME', 'NO_CHANGE'],
      ['cancel', true, null, null],
      ['schedule_change', true, null, null],
      ['upgrade', true, null, null],
      ['purchase_add_on', true, null, null],
      ['confirm_fulfillment', false, 'CAT-ISV-FULFILMENT', 'NOT_SUPPORTED'],
    ]);
  });

  it('CANCEL-NCE-AFTER: after 30 days cancel is refused with its rule and a reason, the rest unchanged', () => {
    const cancel = allowedActions({
      subscription: nceSub(),
      offer: nceOffer(),
      customer: customer(),
      partner: contoso,
      actor: adminAgent,
      now: at(30 * DAY),
    }).find((a) => a.action === 'cancel');
    expect(cancel).toMatchObject({ allowed: false, rule: 'CANCEL-NCE-AFTER', code: 'WINDOW_CLOSED' });
    expect(cancel!.reason).toContain('2026-12-01T09:00:00.000Z');
  });

  it('ROLE-SUBSCRIPTIONS: for a caller with no roles every action is refused (ROLE_NOT_ALLOWED); the publisher confirmation by ROLE-MARKETPLACE', () => {
    const rows = table({ subscription: nceSub(), now: at(HOUR), actor: noRoles });
    expect(rows.map(([action]) => action)).toEqual([...SUBSCRIPTION_ACTIONS]);
    for (const [action, ok, rule, code] of rows) {
      expect(ok, action).toBe(false);
      expect(code, action).toBe('ROLE_NOT_ALLOWED');
      expect(rule, action).toBe(action === 'confirm_fulfillment' ? 'ROLE-MARKETPLACE' : 'ROLE-SUBSCRIPTIONS');
    }
  });

  it('SUSP-REACTIVATE: a suspended legacy subscription can be reactivated and nothing else but renaming', () => {
    const s = legacySub({ status: 'suspended', suspendedBy: 'partner', suspendedAt: at(HOUR), dataDeletionAt: at(104 * DAY) });
    const allowedNow = table({ subscription: s, now: at(DAY), actor: adminAgent, offer: legacyOffer() })
      .filter(([, ok]) => ok)
      .map(([action]) => action);
    expect(allowedNow).toEqual(['update_friendly_name', 'reactivate']);
  });

  it('SUB-ACTION-NEEDED: a marketplace subscription awaiting its publisher allows renaming, cancel and confirmation only', () => {
    const allowedNow = table({ subscription: pendingIsvSub(), now: at(HOUR), actor: adminAgent, offer: isvOffer() })
      .filter(([, ok]) => ok)
      .map(([action]) => action);
    expect(allowedNow).toEqual(['update_friendly_name', 'cancel', 'confirm_fulfillment']);
  });

  it('ADDON-PARTNER-TYPE: an indirect reseller sees purchase_add_on refused', () => {
    const row = table({
      subscription: nceSub(),
      now: at(HOUR),
      actor: anActor(['admin_agent'], tailspin),
      offer: nceOffer(),
      partner: tailspin,
    }).find(([a]) => a === 'purchase_add_on');
    expect(row).toEqual(['purchase_add_on', false, 'ADDON-PARTNER-TYPE', 'NOT_SUPPORTED']);
  });
});
