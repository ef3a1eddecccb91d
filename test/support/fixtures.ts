import { createHash } from 'node:crypto';
import type { Collections } from '../../src/db/collections.js';
import { customerNameFields } from '../../src/policy/customer-keys.js';
import type { CustomerDoc, OfferDoc, OrderDoc, PartnerDoc, SubscriptionDoc } from '../../src/db/documents.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';

/*
 * Small named builders for test data: each returns a complete, valid document with plain
 * defaults, and a test overrides only what it is about.
 */

/** A GUID derived from a label, so tests read `guid('customer-1')` and IDs are stable. */
export function guid(label: string): string {
  const h = createHash('sha256').update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function orderId(label: string): string {
  return createHash('sha256').update(`order:${label}`).digest('hex').slice(0, 12);
}

export const T0 = new Date('2026-11-01T09:00:00.000Z');

export function partners(): PartnerDoc[] {
  return Object.values(DEMO_PARTNERS).map((p) => ({
    _id: p.id,
    name: p.name,
    partnerType: p.partnerType,
    mpnId: p.mpnId,
    indirectProviderId: p.partnerType === 'indirect_reseller' ? DEMO_PARTNERS.fabrikam.id : null,
    createdAt: new Date('2020-01-01T00:00:00Z'),
  }));
}

export function anOffer(overrides: Partial<OfferDoc> & { _id: string }): OfferDoc {
  const [productId = 'CFQ7TTC0TEST', skuId = '0001'] = overrides._id.split(':');
  return {
    productId,
    skuId,
    name: `Offer ${overrides._id}`,
    description: 'A test offer',
    publisher: 'microsoft',
    publisherName: 'Microsoft Corporation',
    commerceType: 'new_commerce',
    billingType: 'license',
    category: 'enterprise',
    productType: 'OnlineServicesNCE',
    segments: ['commercial'],
    currency: 'USD',
    billingPlans: [{ billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: 1200 }],
    trial: null,
    onePerCustomer: false,
    isAddOn: false,
    upgradeTargetIds: [],
    eligibleAddOnIds: [],
    countries: null,
    cspAvailable: true,
    exclusivePartnerIds: [],
    transactable: true,
    minQuantity: 1,
    maxQuantity: 300,
    softwareKind: null,
    softwareVendorPlan: null,
    reservationType: null,
    ...overrides,
  };
}

export function aCustomer(overrides: Partial<CustomerDoc> & { _id: string; companyName: string }): CustomerDoc {
  const domain = overrides.domain ?? `${overrides.companyName.toLowerCase().replace(/[^a-z0-9]+/g, '')}.onmicrosoft.com`;
  return {
    partnerId: DEMO_PARTNERS.contoso.id,
    domain,
    ...customerNameFields(overrides.companyName, domain),
    billingCountry: 'US',
    segment: 'commercial',
    relationshipToPartner: 'reseller',
    associatedPartnerId: null,
    accountOpenedAt: new Date('2024-01-01T00:00:00Z'),
    firstBillingAt: new Date('2024-01-15T00:00:00Z'),
    createdAt: new Date('2024-01-01T00:00:00Z'),
    version: 1,
    ...overrides,
  };
}

export function aSubscription(overrides: Partial<SubscriptionDoc> & { _id: string; customerId: string; offerId: string }): SubscriptionDoc {
  const start = overrides.effectiveStartDate ?? T0;
  const end = new Date(start);
  end.setUTCFullYear(end.getUTCFullYear() + 1);
  return {
    partnerId: DEMO_PARTNERS.contoso.id,
    offerName: `Offer ${overrides.offerId}`,
    commerceType: 'new_commerce',
    billingType: 'license',
    publisher: 'microsoft',
    friendlyName: `Subscription ${overrides._id.slice(0, 8)}`,
    quantity: 10,
    status: 'active',
    suspensionReasons: [],
    suspendedBy: null,
    suspendedAt: null,
    dataDeletionAt: null,
    autoRenewEnabled: true,
    billingCycle: 'monthly',
    termDuration: 'P1Y',
    unitPriceCents: 1200,
    currency: 'USD',
    chargedCents: 12000,
    isTrial: false,
    trialConvertsToOfferId: null,
    creationDate: start,
    effectiveStartDate: start,
    commitmentEndDate: end,
    orderId: orderId(overrides._id),
    orderedAt: start,
    parentSubscriptionId: null,
    upgradedFromSubscriptionId: null,
    partnerIdOnRecord: '',
    fulfilment: null,
    scheduledNextTermInstructions: null,
    scheduledUpgrade: null,
    cancelAtTermEnd: false,
    deletedReason: null,
    deletedAt: null,
    updatedAt: start,
    version: 1,
    ...overrides,
  };
}

export function anOrder(overrides: Partial<OrderDoc> & { _id: string; customerId: string }): OrderDoc {
  return {
    partnerId: DEMO_PARTNERS.contoso.id,
    billingCycle: 'monthly',
    currencyCode: 'USD',
    creationDate: T0,
    status: 'completed',
    lineItems: [],
    totalPriceCents: 0,
    pricesIncludeTax: false,
    version: 1,
    ...overrides,
  };
}

/** Inserts whatever is given, in one insertMany per collection. */
export async function insertWorld(
  cols: Collections,
  world: { customers?: CustomerDoc[]; offers?: OfferDoc[]; subscriptions?: SubscriptionDoc[]; orders?: OrderDoc[] },
): Promise<void> {
  if (world.offers?.length) await cols.offers.insertMany(world.offers);
  if (world.customers?.length) await cols.customers.insertMany(world.customers);
  if (world.subscriptions?.length) await cols.subscriptions.insertMany(world.subscriptions);
  if (world.orders?.length) await cols.orders.insertMany(world.orders);
}
