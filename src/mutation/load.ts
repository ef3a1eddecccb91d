/**
 * Fresh reads for the write path (never the request's DataLoader caches): every read is scoped to
 * the caller's partner (ROLE-TENANT), so another partner's ID is NOT_FOUND like an unknown one.
 */
import type { Collections } from '../db/collections.js';
import type { CustomerDoc, OfferDoc, PartnerDoc, SubscriptionDoc } from '../db/documents.js';
import { isSandboxPartner } from '../policy/customer.js';
import { catalogView } from '../policy/sandbox-offer.js';
import { notFound } from '../shared/errors.js';

export async function loadSubscription(cols: Collections, partnerId: string, id: string, kind = 'subscription'): Promise<SubscriptionDoc> {
  const doc = await cols.subscriptions.findOne({ _id: id, partnerId });
  if (!doc) throw notFound(kind, id);
  return doc;
}

export async function loadAddOns(cols: Collections, partnerId: string, baseId: string): Promise<SubscriptionDoc[]> {
  return cols.subscriptions.find({ partnerId, parentSubscriptionId: baseId }).toArray();
}

export async function loadCustomer(cols: Collections, partnerId: string, id: string): Promise<CustomerDoc> {
  const doc = await cols.customers.findOne({ _id: id, partnerId });
  if (!doc) throw notFound('customer', id);
  return doc;
}

/** An offer of the partner's catalog (`loadOffers`); NOT_FOUND when it has none with that ID. */
export async function loadOffer(cols: Collections, partner: OfferOwner, id: string): Promise<OfferDoc> {
  const doc = (await loadOffers(cols, partner, [id])).get(id);
  if (!doc) throw notFound('offer', id);
  return doc;
}

/** The partner a catalog read is for: a sandbox's (sandboxAdminId set) sees its own offers too. */
export type OfferOwner = Pick<PartnerDoc, '_id' | 'sandboxAdminId'>;

/**
 * Offers by ID of the partner's catalog, in one `$in` read; unknown IDs are simply absent. A test
 * sandbox's catalog is the global one with its own offers laid over it (catalogView), read with
 * them in one more `find` by its partner ID; no other partner ever reads them (ROLE-TENANT).
 */
export async function loadOffers(cols: Collections, partner: OfferOwner, ids: readonly string[]): Promise<Map<string, OfferDoc>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const global = cols.offers.find({ _id: { $in: unique } }).toArray();
  if (!isSandboxPartner(partner)) return new Map((await global).map((o) => [o._id, o]));
  const [rows, own] = await Promise.all([global, cols.sandboxOffers.find({ partnerId: partner._id }).toArray()]);
  const view = catalogView(rows, own);
  return new Map(unique.flatMap((id) => (view.has(id) ? [[id, view.get(id)!] as const] : [])));
}
