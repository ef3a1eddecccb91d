import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AddOnResolver } from '../addon/addon.resolver.js';
import { AuditResolver } from '../audit/audit.resolver.js';
import { ClockMutationResolver } from '../clock/clock.mutation.js';
import { ClockResolver } from '../clock/clock.resolver.js';
import { CustomerLedgerResolver, InvoiceResolver, LedgerEntryResolver } from '../ledger/ledger.resolver.js';
import { PurchaseMutationResolver } from '../purchase/purchase.mutation.js';
import { SubscriptionMutationResolver } from '../subscription/subscription.mutation.js';
import { CustomerResolver } from '../customer/customer.resolver.js';
import { OfferResolver } from '../offer/offer.resolver.js';
import { OrderLineItemResolver, OrderResolver } from '../order/order.resolver.js';
import { ViewerResolver } from '../partner/viewer.resolver.js';
import { ReservationMutationResolver } from '../reservation/reservation.mutation.js';
import { ReservationResolver } from '../reservation/reservation.resolver.js';
import { SoftwareOrderMutationResolver } from '../software-order/software-order.mutation.js';
import {
  CustomerSupportRequestsResolver,
  SoftwareActivityResolver,
  SoftwareOrderResolver,
  SupportRequestResolver,
} from '../software-order/software-order.resolver.js';
import { SubscriptionFieldsResolver } from '../subscription/subscription-fields.resolver.js';
import { SubscriptionResolver } from '../subscription/subscription.resolver.js';
import { DateTimeISOScalar } from '../shared/date-time.scalar.js';

export const RESOLVERS = [
  ViewerResolver,
  CustomerResolver,
  SubscriptionResolver,
  SubscriptionFieldsResolver,
  AddOnResolver,
  OfferResolver,
  OrderResolver,
  OrderLineItemResolver,
  SoftwareOrderResolver,
  SoftwareActivityResolver,
  SupportRequestResolver,
  CustomerSupportRequestsResolver,
  SoftwareOrderMutationResolver,
  ReservationResolver,
  ReservationMutationResolver,
  ClockResolver,
  SubscriptionMutationResolver,
  PurchaseMutationResolver,
  ClockMutationResolver,
  CustomerLedgerResolver,
  LedgerEntryResolver,
  InvoiceResolver,
  AuditResolver,
] as const;

/** The executable schema, built from the decorated classes; `schema/schema.graphql` is its printout. */
export function createSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    validate: false,
    emitSchemaFile: false,
    // Every `Date` is DateTimeISO, ours: it also takes a bare date and says what it expected.
    scalarsMap: [{ type: Date, scalar: DateTimeISOScalar }],
  });
}
