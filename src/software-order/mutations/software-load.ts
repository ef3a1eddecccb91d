/** Fresh reads the software mutations share, each scoped to the caller's partner (ROLE-TENANT). */
import type { Collections } from '../../db/collections.js';
import type { CustomerDoc, SoftwareOrderDoc } from '../../db/documents.js';
import { loadCustomer } from '../../mutation/load.js';
import { customerRefKind, type SupportResource } from '../../policy/support-request.js';
import { notFound } from '../../shared/errors.js';

/** A fresh read of one software order of the partner (ROLE-TENANT): another partner's order is NOT_FOUND. */
export async function loadSoftwareOrder(cols: Collections, partnerId: string, id: string): Promise<SoftwareOrderDoc> {
  const doc = await cols.softwareOrders.findOne({ _id: id, partnerId });
  if (!doc) throw notFound('software order', id);
  return doc;
}

/** The customer a support request names by tenant ID or domain; an unknown one is NOT_FOUND, like an unknown ID. */
export async function findCustomerByRef(cols: Collections, partnerId: string, ref: string): Promise<CustomerDoc> {
  const text = ref.trim();
  if (customerRefKind(text) === 'tenant_id') return loadCustomer(cols, partnerId, text.toLowerCase());
  const doc = await cols.customers.findOne({ partnerId, domainLower: text.toLowerCase() });
  if (!doc) throw notFound('customer', text);
  return doc;
}

/** The record a support request is about, if the customer has one by that ID: software order, subscription or reservation. */
export async function findSupportResource(
  cols: Collections,
  partnerId: string,
  customerId: string,
  rawId: string,
): Promise<SupportResource | null> {
  const id = rawId.trim().toLowerCase();
  const [order, subscription, reservation] = await Promise.all([
    cols.softwareOrders.findOne({ _id: id, partnerId, customerId }),
    cols.subscriptions.findOne({ _id: id, partnerId, customerId }),
    cols.reservations.findOne({ $or: [{ _id: id }, { reservationOrderId: id }], partnerId, customerId }),
  ]);
  if (order) return { type: 'software_order', id: order._id, customerId, currency: order.currency };
  if (subscription) return { type: 'subscription', id: subscription._id, customerId, currency: subscription.currency };
  if (reservation) return { type: 'reservation', id: reservation._id, customerId, currency: reservation.currency };
  return null;
}
