/** A customer and everything it bought: a showcase's plan, or random purchases. */
import type { CustomerDoc, OfferDoc, PartnerDoc } from '../db/documents.js';
import { customerNameFields } from '../policy/customer-keys.js';
import { DAY, SECOND } from '../policy/time.js';
import { CATALOG } from './catalog.js';
import { DEMO_PARTNERS } from './demo-ids.js';
import type { Buffers } from './docs.js';
import { IdSlots } from './ids.js';
import { companyName, initialDomain } from './names.js';
import { Rng } from './random.js';
import { addReservations } from './reservations.js';
import { SHOWCASE, type Showcase } from './showcase.js';
import { addSoftwareOrder } from './software-orders.js';
import { addSubscription } from './subscriptions.js';
import { MAX_SUBSCRIPTIONS, Tenant } from './tenant.js';
import { randomScenario } from './timeline.js';
import { COUNTRY_WEIGHTS, OFFER_POPULARITY, PARTNER_WEIGHTS, SEGMENT_WEIGHTS, type PartnerKey } from './weights.js';

/** Random purchases for a customer that is not a showcase. */
function fillRandom(g: Tenant): void {
  const pool = CATALOG.filter(
    (o) =>
      !o.isAddOn &&
      (o.commerceType === 'legacy' || o.commerceType === 'new_commerce' || o.commerceType === 'marketplace_saas') &&
      g.available(o),
  );
  const bases = g.rng.weighted([
    [1, 10],
    [2, 22],
    [3, 30],
    [4, 23],
    [5, 15],
  ]);
  const chosen = new Set<string>();
  for (let attempt = 0; chosen.size < bases && attempt < bases * 3 && g.subCount < MAX_SUBSCRIPTIONS; attempt++) {
    const remaining = pool.filter((o) => !chosen.has(o._id));
    if (remaining.length === 0) break;
    const offer = g.rng.weighted(remaining.map((o): [OfferDoc, number] => [o, OFFER_POPULARITY[o._id] ?? 1]));
    chosen.add(offer._id);
    if (offer.trial && chosen.has(offer.trial.convertsToOfferId)) continue;
    // Every customer has at least one subscription: the last chance is a plain active one.
    const last = g.subCount === 0 && (chosen.size === bases || remaining.length === 1);
    const scenario = randomScenario(g, offer);
    if (!addSubscription(g, { offerId: offer._id, scenario }) && last) addSubscription(g, { offerId: offer._id, scenario: 'active' });
  }
  if (g.subCount === 0) {
    for (const offer of pool) if (!offer.trial && addSubscription(g, { offerId: offer._id, scenario: 'active' })) break;
  }
  if (g.rng.chance(0.18)) {
    const n = g.rng.weighted([
      [1, 80],
      [2, 20],
    ]);
    for (let i = 0; i < n; i++) addSoftwareOrder(g);
  }
  if (g.rng.chance(0.1))
    addReservations(
      g,
      g.rng.weighted([
        [1, 75],
        [2, 25],
      ]),
    );
}

function fillShowcase(g: Tenant, showcase: Showcase): void {
  for (const planned of showcase.subs) addSubscription(g, planned);
  for (const software of showcase.software ?? []) addSoftwareOrder(g, software);
  if (showcase.reservations) addReservations(g, showcase.reservations);
}

export interface CustomerArgs {
  seed: string;
  /** The customer's position in the world, from 0: the first ones are the showcase. */
  ordinal: number;
  /** Customers in the world. */
  total: number;
  /** The world's simulation instant, epoch milliseconds. */
  now: number;
  /** The world's order-ID permutation keys (ids.ts). */
  orderKeys: readonly number[];
  /** The world's partners (partners.ts). */
  partners: Readonly<Record<PartnerKey, PartnerDoc>>;
  /** A sandbox's partner (world.ts): the customer is its, whichever demo partner the stream draws. */
  sandboxPartner?: PartnerDoc | undefined;
  out: Buffers;
}

/** Generates one customer and everything it bought into `out`, from its own random stream (`seed#ordinal`). */
export function generateCustomer(args: CustomerArgs): void {
  const { seed, ordinal, total, now, orderKeys, partners, sandboxPartner, out } = args;
  const rng = new Rng(`${seed}#${ordinal}`);
  // A sandbox's IDs from a stream of their own: its other values stay those of the seed alone.
  const ids = new IdSlots(sandboxPartner ? new Rng(`${sandboxPartner._id}/${seed}#${ordinal}`) : rng, ordinal, total);
  const showcase = ordinal < SHOWCASE.length ? SHOWCASE[ordinal]! : null;
  // Drawn in a sandbox too, so that its customers' names are the demo world's for the same seed.
  const partnerKey = showcase?.partner ?? rng.weighted(PARTNER_WEIGHTS);
  const partner = sandboxPartner ?? partners[partnerKey];
  const segment = showcase?.segment ?? rng.weighted(SEGMENT_WEIGHTS);
  const country = showcase?.country ?? (segment === 'government' && rng.chance(0.85) ? 'US' : rng.weighted(COUNTRY_WEIGHTS));
  const { name, label } = companyName(rng, segment, country);
  const domain = initialDomain(label, ordinal + 1);
  const openedAt = showcase
    ? now - rng.int(400, 1000) * DAY - rng.int(0, 86_399) * SECOND
    : rng.chance(0.06)
      ? now - rng.int(2 * 3600, 30 * 86_400) * SECOND
      : now - rng.int(30 * 86_400, 3 * 365 * 86_400 + 180 * 86_400) * SECOND;
  // The indirect provider's customers name the demo world's reseller of record (an MPN ID, no tenant).
  const associatedPartnerId = partner.partnerType === 'indirect_provider' && rng.chance(0.6) ? DEMO_PARTNERS.tailspin.mpnId : null;
  const customer: CustomerDoc = {
    _id: ids.guid(),
    partnerId: partner._id,
    companyName: name,
    domain,
    ...customerNameFields(name, domain),
    // Each sandbox is a domain realm of its own; the real partners share one (an explicit null:
    // FerretDB indexes a missing field apart from every value, CustomerDoc.domainRealm).
    domainRealm: sandboxPartner ? sandboxPartner._id : null,
    billingCountry: country,
    segment,
    relationshipToPartner:
      partner.partnerType === 'direct_bill'
        ? rng.weighted<CustomerDoc['relationshipToPartner']>([
            ['reseller', 80],
            ['advisor', 15],
            ['none', 5],
          ])
        : 'reseller',
    associatedPartnerId,
    accountOpenedAt: new Date(openedAt),
    firstBillingAt: new Date(openedAt + rng.int(0, 45) * DAY),
    createdAt: new Date(openedAt),
    version: 0,
  };
  out.customers.push(customer);
  const g = new Tenant({
    rng,
    ids,
    now,
    ordinal,
    orderKeys,
    customer,
    partner,
    out,
  });
  if (showcase) fillShowcase(g, showcase);
  else fillRandom(g);
  g.finish();
}
