/** Software orders (SW-*): perpetual licences and software subscriptions, their keys, views and cancellations. */
import type { OfferDoc, SoftwareKey, SoftwareOrderDoc } from '../db/documents.js';
import {
  activityRecord,
  bitnessesOf,
  cancellationVisibleAt,
  checkCancelExcluded,
  checkCancelWindow,
  downloadUrlFor,
  MAK_ALPHABET,
  MAX_SOFTWARE_CANCEL_DELAY_MS,
  productVersionOf,
  SOFTWARE_CANCEL_WINDOW,
  softwareCredit,
  softwarePrice,
} from '../policy/software.js';
import { addTerm, HOUR, MINUTE } from '../policy/time.js';
import { CATALOG } from './catalog.js';
import { LANGUAGE_BY_COUNTRY } from './names.js';
import type { PlannedSoftware } from './showcase.js';
import { clamp, type Tenant } from './tenant.js';
import { HISTORY } from './timeline.js';

export function addSoftwareOrder(g: Tenant, planned?: PlannedSoftware): void {
  const offers = CATALOG.filter((o) => o.commerceType === 'software' && g.available(o));
  const offer = planned ? offers.find((o) => o._id === planned.offerId) : offers.length > 0 ? g.rng.pick(offers) : undefined;
  if (!offer) return;
  const plan = offer.billingPlans[0]!;
  // Recent ones are inside SW-CANCEL-30D's window.
  const recent = planned?.recent ?? g.rng.chance(0.35);
  const purchasedAt = recent ? g.past(3 * HOUR, SOFTWARE_CANCEL_WINDOW) : g.past(SOFTWARE_CANCEL_WINDOW, HISTORY);
  if (purchasedAt === null) return;
  const quantity = clamp(g.rng.int(1, 16), offer);
  const { amountCents: amount, pricesIncludeTax } = softwarePrice(plan.unitPriceCents, quantity, g.customer);
  const id = g.nextOrderId();
  const bought = { _id: id, productName: offer.name, softwareVendorPlan: offer.softwareVendorPlan, purchasedAt: new Date(purchasedAt) };
  // Some of those the policy would still let the partner cancel (SW-CANCEL-EXCLUDED, SW-CANCEL-30D) were cancelled.
  const cancellable =
    g.now - purchasedAt > 2 * HOUR && checkCancelExcluded(bought) === null && checkCancelWindow(bought, new Date(g.now)) === null;
  const cancelledAt =
    cancellable && (planned?.cancelled ?? g.rng.chance(0.35))
      ? g.between(purchasedAt + HOUR, Math.min(purchasedAt + SOFTWARE_CANCEL_WINDOW - MINUTE, g.now - MINUTE))
      : null;
  const termEnd = offer.softwareKind === 'subscription' ? addTerm(new Date(purchasedAt), plan.termDuration) : null;
  const c = g.customer;
  const order: SoftwareOrderDoc = {
    _id: id,
    partnerId: c.partnerId,
    customerId: c._id,
    offerId: offer._id,
    productName: offer.name,
    softwareKind: offer.softwareKind ?? 'perpetual',
    softwareVendorPlan: offer.softwareVendorPlan,
    quantity,
    purchasedAt: new Date(purchasedAt),
    termEndDate: termEnd,
    status: cancelledAt === null ? 'active' : 'cancelled',
    cancelledAt: cancelledAt === null ? null : new Date(cancelledAt),
    cancellationVisibleAt: cancelledAt === null ? null : cancellationVisibleAt(new Date(cancelledAt), MAX_SOFTWARE_CANCEL_DELAY_MS),
    amountCents: amount,
    currency: offer.currency,
    pricesIncludeTax,
    keys: softwareKeys(g, offer, id, cancelledAt !== null),
    version: 0,
  };
  g.out.softwareOrders.push(order);
  // SW-ACTIVITY-LOG: an active order's first key was viewed ten minutes after purchase, so the
  // activity log has something to show. Derived, not drawn: the random stream stays as it was.
  const viewed = order.keys[0];
  if (cancelledAt === null && viewed && purchasedAt + 10 * MINUTE < g.now) {
    const admin = { userId: `${c.partnerId}/admin-agent` };
    g.out.softwareActivity.push(
      activityRecord({
        order,
        key: viewed,
        activity: 'view_key',
        actor: admin,
        now: new Date(purchasedAt + 10 * MINUTE),
        id: `${id}:view_key`,
      }),
    );
  }
  const source = { type: 'software_order', id } as const;
  g.ledger({
    amountCents: amount,
    kind: 'charge',
    source,
    orderId: id,
    ruleId: null,
    description: `${offer.name} x ${quantity}`,
    at: purchasedAt,
  });
  if (cancelledAt !== null) {
    // SW-POST-CANCEL: 100 % for perpetual software, prorated for software subscriptions.
    g.ledger({
      amountCents: -softwareCredit(order, new Date(cancelledAt)),
      kind: 'credit',
      source,
      orderId: id,
      ruleId: 'SW-POST-CANCEL',
      description: `Cancellation credit: ${offer.name}`,
      at: cancelledAt,
    });
  }
}

/** SW-KEYS, SW-MAK: one MAK per product version, language and bitness; SUSE and Red Hat register with the vendor instead. */
function softwareKeys(g: Tenant, offer: OfferDoc, orderId: string, revoked: boolean): SoftwareKey[] {
  if (offer.softwareVendorPlan !== null) return [];
  const version = productVersionOf(offer);
  const languages = ['en-us'];
  const local = LANGUAGE_BY_COUNTRY[g.customer.billingCountry];
  if (local && g.rng.chance(0.6)) languages.push(local);
  const keys: SoftwareKey[] = [];
  for (const language of languages) {
    for (const bitness of bitnessesOf(offer)) {
      const groups = Array.from({ length: 5 }, () => g.rng.chars(MAK_ALPHABET, 5));
      keys.push({
        productVersion: version,
        language,
        bitness,
        keyType: 'MAK',
        productKey: groups.join('-'),
        downloadUrl: downloadUrlFor(orderId, version, language, bitness),
        revoked,
      });
    }
  }
  return keys;
}
