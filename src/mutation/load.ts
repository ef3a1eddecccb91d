/**
 * Fresh reads for the write path (never the request's DataLoader caches): every read is scoped to
 * the caller's partner (ROLE-TENANT), so another partner's ID is NOT_FOUND like an unknown one.
 */
import type { Collections } from '../db/collections.js';
import type { CustomerDoc, OfferDoc, SubscriptionDoc } from '../db/documents.js';
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

export async function loadOffer(cols: Collections, id: string): Promise<OfferDoc> {
  const doc = await cols.offers.findOne({ _id: id });
  if (!doc) throw notFound('offer', id);
  return doc;
}

/** Offers by ID in one `$in` read; unknown IDs are simply absent. */
export async function loadOffers(cols: Collections, ids: readonly string[]): Promise<Map<string, OfferDoc>> {
  const unique = [...new Set(ids)];
  const rows = unique.length ? await cols.offers.find({ _id: { $in: unique } }).toArray() : [];
  return new Map(rows.map((o) => [o._id, o]));
}
