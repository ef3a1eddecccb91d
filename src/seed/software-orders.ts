/** Software orders (SW-*): perpetual licences and software subscriptions, their keys, views and cancellations. */
import type { OfferDoc, SoftwareKey } from '../db/documents.js';
import { softwareCredit } from '../policy/software.js';
import { addTerm, DAY, HOUR, MINUTE, within } from '../policy/time.js';
import { CATALOG, OFFER_IDS } from './catalog.js';
import { LANGUAGE_BY_COUNTRY } from './names.js';
import type { PlannedSoftware } from './showcase.js';
import { clamp, type Tenant } from './tenant.js';
import { HISTORY } from './timeline.js';

const MAK_ALPHABET = 'BCDFGHJKMPQRTVWXY2346789';

export function addSoftwareOrder(g: Tenant, planned?: PlannedSoftware): void {
  const offers = CATALOG.filter((o) => o.commerceType === 'software' && g.available(o));
  const offer = planned ? offers.find((o) => o._id === planned.offerId) : offers.length > 0 ? g.rng.pick(offers) : undefined;
  if (!offer) return;
  const plan = offer.billingPlans[0]!;
  const recent = planned?.recent ?? g.rng.chance(0.35);
  const purchasedAt = recent ? g.past(3 * HOUR, 30 * DAY) : g.past(30 * DAY, HISTORY);
  if (purchasedAt === null) return;
  const quantity = clamp(g.rng.int(1, 16), offer);
  const amount = plan.unitPriceCents * quantity;
  const id = g.nextOrderId();
  // SW-CANCEL-30D, SW-CANCEL-EXCLUDED: only orders still inside the window, never SUSE or Red Hat.
  const cancellable =
    offer.softwareVendorPlan === null && g.now - purchasedAt > 2 * HOUR && within(new Date(purchasedAt), new Date(g.now), 30 * DAY);
  const cancelledAt =
    cancellable && (planned?.cancelled ?? g.rng.chance(0.35))
      ? g.between(purchasedAt + HOUR, Math.min(purchasedAt + 30 * DAY - MINUTE, g.now - MINUTE))
      : null;
  const termEnd = offer.softwareKind === 'subscription' ? addTerm(new Date(purchasedAt), plan.termDuration) : null;
  const c = g.customer;
  g.out.softwareOrders.push({
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
    cancellationVisibleAt: cancelledAt === null ? null : new Date(cancelledAt + 15 * MINUTE), // SW-CANCEL-DELAY
    amountCents: amount,
    currency: offer.currency,
    pricesIncludeTax: g.pricesIncludeTax,
    keys: softwareKeys(g, offer, id, cancelledAt !== null),
    version: 0,
  });
  // SW-ACTIVITY-LOG: an active order's first key was viewed ten minutes after purchase, so the
  // activity log has something to show. Derived, not drawn: the random stream stays as it was.
  const viewed = g.out.softwareOrders.at(-1)!.keys[0];
  if (cancelledAt === null && viewed && purchasedAt + 10 * MINUTE < g.now) {
    g.out.softwareActivity.push({
      _id: `${id}:view_key`,
      partnerId: c.partnerId,
      customerId: c._id,
      softwareOrderId: id,
      activity: 'view_key',
      productVersion: viewed.productVersion,
      language: viewed.language,
      bitness: viewed.bitness,
      userId: `${c.partnerId}/admin-agent`,
      at: new Date(purchasedAt + 10 * MINUTE),
    });
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
    const credit = softwareCredit(
      {
        softwareKind: termEnd !== null ? 'subscription' : 'perpetual',
        amountCents: amount,
        purchasedAt: new Date(purchasedAt),
        termEndDate: termEnd,
      },
      new Date(cancelledAt),
    );
    g.ledger({
      amountCents: -credit,
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
  const version = offer.name.replace(/ - .*$/, '');
  const languages = ['en-us'];
  const local = LANGUAGE_BY_COUNTRY[g.customer.billingCountry];
  if (local && g.rng.chance(0.6)) languages.push(local);
  const bitnesses: ('x64' | 'x86')[] = offer._id === OFFER_IDS.officeLtscProPlus2021 ? ['x64', 'x86'] : ['x64'];
  const file = version.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  const keys: SoftwareKey[] = [];
  for (const language of languages) {
    for (const bitness of bitnesses) {
      const groups = Array.from({ length: 5 }, () => g.rng.chars(MAK_ALPHABET, 5));
      keys.push({
        productVersion: version,
        language,
        bitness,
        keyType: 'MAK',
        productKey: groups.join('-'),
        downloadUrl: `https://download.partner-center.example/software/${orderId}/${file}_${language}_${bitness}.iso`,
        revoked,
      });
    }
  }
  return keys;
}
