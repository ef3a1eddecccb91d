import { describe, expect, it } from 'vitest';
import type { OfferDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { decidePurchaseAddOn } from '../../src/policy/add-on.js';
import { billedUntilOnResume, monthCharge, termStartCharge } from '../../src/policy/billing.js';
import { decideCancel } from '../../src/policy/cancellation.js';
import { insertedSubscriptions } from '../../src/policy/effects.js';
import { decideUpdate } from '../../src/policy/edit.js';
import { decideLifecycleEvent, nextEvent } from '../../src/policy/lifecycle.js';
import { decidePause } from '../../src/policy/pause.js';
import { decidePurchase } from '../../src/policy/purchase.js';
import { decideReactivate, decideSuspend } from '../../src/policy/suspension.js';
import {
  addOnOffer,
  adminAgent,
  after,
  allowed,
  at,
  contoso,
  customer,
  DAY,
  ids,
  ledger,
  legacySub,
  nceOffer,
  setOf,
  T0,
  TERM_END,
} from './harness.js';

/** A 1-year term at 720.00 a seat, billed monthly (BILL-MONTHLY's worked example). */
const offer: OfferDoc = nceOffer({
  billingPlans: [
    { billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: 72_000 },
    { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: 72_000 },
  ],
});
const month = (n: number) => new Date(Date.UTC(2026, 10 + n, 1, 9));

/** One seat of `offer` bought at T0 (2026-11-01T09:00Z), as the purchase writes it. */
function bought(billingCycle: 'monthly' | 'annual' = 'monthly', quantity = 1): SubscriptionDoc {
  const d = allowed(
    decidePurchase({
      customer: customer(),
      partner: contoso,
      lines: [{ offer, quantity, billingCycle, termDuration: 'P1Y' }],
      existing: [],
      actor: adminAgent,
      now: T0,
      ids,
    }),
  );
  return insertedSubscriptions(d.effects)[0]!;
}

/** Applies the subscription's next event due by `upTo` (with its add-ons), returning the decision. */
function step(s: SubscriptionDoc, upTo: Date, addOns: SubscriptionDoc[] = []) {
  const event = nextEvent(s, upTo);
  if (!event) throw new Error(`no event due for ${s._id} by ${upTo.toISOString()}`);
  return allowed(
    decideLifecycleEvent({
      event,
      subscription: s,
      addOns,
      customer: customer(),
      partner: contoso,
      offers: new Map([[offer._id, offer]]),
      upgradeTarget: null,
      ids,
    }),
  );
}

/** The subscription after every monthly charge due by `upTo`. */
function chargedUpTo(s: SubscriptionDoc, upTo: Date): SubscriptionDoc {
  let x = s;
  while (nextEvent(x, upTo)?.kind === 'monthly_charge') x = after(x, step(x, upTo).effects);
  return x;
}

describe('monthly parts of a term price (BILL-MONTHLY)', () => {
  it('BILL-MONTHLY: 720.00 over 12 billing months is 60.00 each', () => {
    expect(Array.from({ length: 12 }, (_, n) => monthCharge(72_000, 12, n))).toEqual(Array(12).fill(6_000));
  });

  it('BILL-MONTHLY: parts that do not divide evenly sum exactly to the term price (100.00 over 12: 8.33 or 8.34)', () => {
    const parts = Array.from({ length: 12 }, (_, n) => monthCharge(10_000, 12, n));
    expect(parts.reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(new Set(parts)).toEqual(new Set([833, 834]));
  });

  it('BILL-MONTHLY: a term billed annually, or a one-month term, is charged whole at its start', () => {
    expect(termStartCharge({ billingCycle: 'annual', termDuration: 'P1Y', termPriceCents: 72_000, termStart: T0 })).toEqual({
      chargeCents: 72_000,
      billedUntil: null,
    });
    expect(termStartCharge({ billingCycle: 'monthly', termDuration: 'P1M', termPriceCents: 130, termStart: T0 })).toEqual({
      chargeCents: 130,
      billedUntil: null,
    });
  });
});

describe('charges on the clock (BILL-MONTHLY)', () => {
  it('BILL-MONTHLY: a 1-year term at 720.00 billed monthly is charged 60.00 at purchase, paid until the next month starts', () => {
    const s = bought();
    expect(s).toMatchObject({ chargedCents: 6_000, billedUntil: month(1), commitmentEndDate: TERM_END });
  });

  it('BILL-MONTHLY: a term billed annually is charged whole at purchase and has no monthly charges', () => {
    const s = bought('annual');
    expect(s.chargedCents).toBe(72_000);
    expect(s.billedUntil).toBeUndefined();
    expect(nextEvent(s, at(300 * DAY))).toBeNull();
  });

  it('BILL-MONTHLY: the second month is due exactly at its start (2026-12-01T09:00Z), not 1 ms before', () => {
    const s = bought();
    expect(nextEvent(s, new Date(month(1).getTime() - 1))).toBeNull();
    expect(nextEvent(s, month(1))).toEqual({ kind: 'monthly_charge', subscriptionId: s._id, due: month(1) });
  });

  it('BILL-MONTHLY: each billing month is charged 60.00 at its start, a ledger charge dated then; the charged amount grows', () => {
    const s = bought();
    const d = step(s, month(1));
    expect(setOf(d.effects, s._id)).toEqual({ chargedCents: 12_000, billedUntil: month(2), updatedAt: month(1) });
    expect(ledger(d.effects).map((e) => [e.amountCents, e.kind, e.ruleId, e.at, e.description])).toEqual([
      [6_000, 'charge', 'BILL-MONTHLY', month(1), 'Monthly billing: Microsoft 365 E3 x 1, billing month 2 of 12'],
    ]);
    expect(d.summary).toContain('60.00 USD for billing month 2 of 12');
  });

  it('BILL-MONTHLY: after the twelfth month the whole term price is charged, and the next event is the renewal at term end', () => {
    const s = chargedUpTo(bought(), TERM_END);
    expect(s).toMatchObject({ chargedCents: 72_000, billedUntil: TERM_END });
    expect(nextEvent(s, TERM_END)).toEqual({ kind: 'renewal', subscriptionId: s._id, due: TERM_END });
  });

  it('BILL-MONTHLY: a renewal charges the first month of the new term only', () => {
    const s = chargedUpTo(bought(), TERM_END);
    const d = step(s, TERM_END);
    expect(setOf(d.effects, s._id)).toMatchObject({ chargedCents: 6_000, billedUntil: month(13), effectiveStartDate: TERM_END });
  });

  it('BILL-MONTHLY: a seat increase on day 10 is charged for the 20 days left in the billed month (720.00 x 20 / 365 = 39.45)', () => {
    const s = bought();
    const d = allowed(decideUpdate({ subscription: s, offer, patch: { quantity: 2 }, actor: adminAgent, now: at(10 * DAY) }));
    expect(ledger(d.effects).map((e) => [e.amountCents, e.ruleId])).toEqual([[3_945, 'SUB-QTY-INCREASE']]);
    const grown = after(s, d.effects);
    expect(setOf(step(grown, month(1)).effects, s._id)).toMatchObject({ chargedCents: 6_000 + 3_945 + 12_000 });
  });

  it('BILL-MONTHLY: an add-on bought on day 10 of a base billed monthly is charged to the base’s month end, then monthly with it', () => {
    const base = bought();
    const d = allowed(
      decidePurchaseAddOn({
        base,
        baseOffer: offer,
        addOnOffer: addOnOffer(),
        customer: customer(),
        partner: contoso,
        quantity: 4,
        actor: adminAgent,
        now: at(10 * DAY),
        ids,
      }),
    );
    // Both were bought with the same test IdSource: the add-on gets an ID of its own here.
    const addOn = { ...insertedSubscriptions(d.effects)[0]!, _id: 'addon-1' };
    // 4 x 6.00 a year x 20 days / 365 = 1.32
    expect(addOn).toMatchObject({ chargedCents: 132, billedUntil: month(1), commitmentEndDate: TERM_END });
    const charged = step(base, month(1), [addOn]);
    expect(ledger(charged.effects).map((e) => [e.source.id, e.amountCents])).toEqual([
      [base._id, 6_000],
      [addOn._id, 200],
    ]);
    expect(setOf(charged.effects, addOn._id)).toMatchObject({ chargedCents: 332, billedUntil: month(2) });
  });
});

describe('refunds start from what was charged so far (BILL-MONTHLY, MONEY-PRORATE)', () => {
  it('BILL-MONTHLY: cancelled on day 7, a 1-year term at 720.00 billed monthly refunds 60.00 - 720.00 x 7 / 365 = 46.19', () => {
    const d = allowed(decideCancel({ subscription: bought(), addOns: [], actor: adminAgent, now: at(7 * DAY) }));
    expect(d).toMatchObject({ rule: 'CANCEL-NCE-30D', refundCents: 4_619 });
  });

  it('BILL-MONTHLY: the same term billed annually refunds 720.00 - 13.81 = 706.19 on day 7', () => {
    const d = allowed(decideCancel({ subscription: bought('annual'), addOns: [], actor: adminAgent, now: at(7 * DAY) }));
    expect(d.refundCents).toBe(70_619);
  });

  it('BILL-MONTHLY: cancelled within 24 h, the refund is what was charged so far (60.00)', () => {
    const d = allowed(decideCancel({ subscription: bought(), addOns: [], actor: adminAgent, now: at(DAY - 1) }));
    expect(d).toMatchObject({ rule: 'CANCEL-NCE-24H', refundCents: 6_000 });
  });

  it('BILL-MONTHLY: a cancellation ends the charges: a cancelled subscription has no next month', () => {
    const s = bought();
    const cancelled = after(s, allowed(decideCancel({ subscription: s, addOns: [], actor: adminAgent, now: at(7 * DAY) })).effects);
    expect(nextEvent(cancelled, TERM_END)).toBeNull();
  });
});

describe('pauses and suspensions (BILL-MONTHLY, PAUSE-EFFECT, SUSP-REACTIVATE)', () => {
  it('PAUSE-EFFECT: a paused subscription is still billed: its next month is charged at its start', () => {
    const s = bought();
    const paused = after(s, allowed(decidePause({ subscription: s, addOns: [], actor: adminAgent, now: at(5 * DAY) })).effects);
    expect(paused.status).toBe('suspended');
    expect(nextEvent(paused, month(1))).toEqual({ kind: 'monthly_charge', subscriptionId: s._id, due: month(1) });
  });

  it('BILL-MONTHLY: a suspension stops the charges while it lasts; on reactivation billing resumes at the next month start', () => {
    const s = legacySub({
      billingCycle: 'monthly',
      termDuration: 'P1Y',
      unitPriceCents: 72_000,
      quantity: 1,
      chargedCents: 6_000,
      billedUntil: month(1),
    });
    const suspended = after(
      s,
      allowed(
        decideSuspend({ subscription: s, addOns: [], customer: customer(), reason: 'non_payment', actor: adminAgent, now: at(20 * DAY) }),
      ).effects,
    );
    // Suspended through the starts of months 2 and 3: nothing is due but its data deletion.
    expect(nextEvent(suspended, month(2))).toBeNull();
    const back = allowed(decideReactivate({ subscription: suspended, addOns: [], actor: adminAgent, now: at(70 * DAY) }));
    expect(setOf(back.effects, s._id)).toMatchObject({ status: 'active', billedUntil: month(3) });
    expect(nextEvent(after(suspended, back.effects), month(3))).toEqual({ kind: 'monthly_charge', subscriptionId: s._id, due: month(3) });
  });

  it('BILL-MONTHLY: reactivated exactly at a month start, billing resumes with that month', () => {
    const s = { effectiveStartDate: T0, commitmentEndDate: TERM_END, billedUntil: month(1) };
    expect(billedUntilOnResume(s, month(2))).toEqual(month(2));
    expect(billedUntilOnResume(s, new Date(month(2).getTime() + 1))).toEqual(month(3));
    expect(billedUntilOnResume(s, new Date(month(1).getTime() - 1))).toEqual(month(1));
  });
});
