import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { AddOnResolver } from '../addon/addon.resolver.js';
import { AuditResolver } from '../audit/audit.resolver.js';
import { ClockMutationResolver } from '../clock/clock.mutation.js';
import { ClockResolver } from '../clock/clock.resolver.js';
import { EventResolver } from '../event/event.resolver.js';
import { CustomerLedgerResolver, InvoiceResolver, LedgerEntryResolver } from '../ledger/ledger.resolver.js';
import { purchaseMutations } from '../purchase/mutations/index.js';
import { CustomerResolver } from '../customer/customer.resolver.js';
import { customerMutations } from '../customer/mutations/index.js';
import { OfferResolver } from '../offer/offer.resolver.js';
import { OrderLineItemResolver, OrderResolver } from '../order/order.resolver.js';
import { ViewerResolver } from '../partner/viewer.resolver.js';
import { reservationMutations } from '../reservation/mutations/index.js';
import { ReservationResolver } from '../reservation/reservation.resolver.js';
import { softwareOrderMutations } from '../software-order/mutations/index.js';
import {
  CustomerSupportRequestsResolver,
  SoftwareActivityResolver,
  SoftwareOrderResolver,
  SupportRequestResolver,
} from '../software-order/software-order.resolver.js';
import { SubscriptionFieldsResolver } from '../subscription/subscription-fields.resolver.js';
import { SubscriptionResolver } from '../subscription/subscription.resolver.js';
import { subscriptionMutations } from '../subscription/mutations/index.js';
import { sandboxMutations } from '../sandbox/mutations/index.js';
import { SandboxResolver } from '../sandbox/sandbox.resolver.js';
import { offerMutations } from '../offer/mutations/index.js';
import { webhookMutations } from '../webhook/mutations/index.js';
import { WebhookResolver } from '../webhook/webhook.resolver.js';
import { DateTimeISOScalar } from '../shared/date-time.scalar.js';

export const RESOLVERS = [
  ViewerResolver,
  CustomerResolver,
  ...customerMutations,
  SubscriptionResolver,
  SubscriptionFieldsResolver,
  AddOnResolver,
  OfferResolver,
  ...offerMutations,
  OrderResolver,
  OrderLineItemResolver,
  SoftwareOrderResolver,
  SoftwareActivityResolver,
  SupportRequestResolver,
  CustomerSupportRequestsResolver,
  ...softwareOrderMutations,
  ReservationResolver,
  ...reservationMutations,
  ClockResolver,
  ...subscriptionMutations,
  ...purchaseMutations,
  ClockMutationResolver,
  CustomerLedgerResolver,
  LedgerEntryResolver,
  InvoiceResolver,
  AuditResolver,
  EventResolver,
  SandboxResolver,
  ...sandboxMutations,
  WebhookResolver,
  ...webhookMutations,
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
