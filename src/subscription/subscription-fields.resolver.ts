import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import { allowedActions, type ActionAvailability } from '../policy/allowed-actions.js';
import { cancellationAllowedUntil, decideCancel, refundableQuantity } from '../policy/cancellation.js';
import { canViewMarketplace } from '../policy/roles.js';
import { usersHaveAccess } from '../policy/states.js';
import { AllowedAction, CancellationQuote, RefundableQuantity } from './subscription-rules.type.js';
import type { CustomerDoc, OfferDoc, OrderDoc, SubscriptionDoc } from '../db/documents.js';
import { Customer } from '../customer/customer.type.js';
import { Offer } from '../offer/offer.type.js';
import { Order } from '../order/order.type.js';
import type { Context } from '../shared/context.js';
import { FulfilmentStatusEnum } from '../shared/enums.js';
import { Money, money } from '../shared/money.type.js';
import { SubscriptionFields } from './subscription.type.js';
import { isQuote } from '../mutation/quote.js';

/**
 * Field resolvers common to Subscription and AddOn, declared once on their shared base type;
 * both object types inherit them.
 */
@Resolver(() => SubscriptionFields)
export class SubscriptionFieldsResolver {
  @FieldResolver(() => Customer, {
    nullable: true,
    description: 'The customer it was bought for; null with an error if it cannot be read.',
  })
  customer(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<CustomerDoc> {
    return ctx.loaders.customerById.load(s.customerId);
  }

  @FieldResolver(() => Offer, { nullable: true, description: 'The catalog offer; null with an error if it cannot be read.' })
  offer(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<OfferDoc> {
    return ctx.loaders.offerById.load(s.offerId);
  }

  @FieldResolver(() => Order, {
    nullable: true,
    description: "The order that created it; null with an error if it cannot be read, and null in a dry run's quote (no order is written).",
  })
  async order(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<OrderDoc | null> {
    if (isQuote(s)) return null;
    return ctx.loaders.orderById.load(s.orderId);
  }

  @FieldResolver(() => Money, { description: 'Price of one unit for one term.' })
  unitPrice(@Root() s: SubscriptionDoc): Money {
    return money(s.unitPriceCents, s.currency);
  }

  @FieldResolver(() => String, { description: "Partner Center unitType: 'Licenses' or 'Usage-based'." })
  unitType(@Root() s: SubscriptionDoc): string {
    return s.billingType === 'usage' ? 'Usage-based' : 'Licenses';
  }

  @FieldResolver(() => Boolean)
  isMicrosoftProduct(@Root() s: SubscriptionDoc): boolean {
    return s.publisher === 'microsoft';
  }

  @FieldResolver(() => FulfilmentStatusEnum, {
    nullable: true,
    description: 'Marketplace SaaS only: whether the publisher has confirmed set-up (CAT-ISV-FULFILMENT).',
  })
  fulfilmentStatus(@Root() s: SubscriptionDoc): string | null {
    return s.fulfilment?.status ?? null;
  }

  @FieldResolver(() => Boolean, { description: 'True while a marketplace subscription awaits the publisher ("action needed").' })
  attentionNeeded(@Root() s: SubscriptionDoc): boolean {
    return s.fulfilment?.status === 'action_needed';
  }

  @FieldResolver(() => [AllowedAction], {
    nullable: true,
    description:
      'Every action on it, allowed or not, with the rule and reason when not; the same decisions the mutations make, at the simulation clock. Null, with the error, when its offer or customer cannot be read.',
  })
  async allowedActions(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<ActionAvailability[]> {
    const [offer, customer, now] = await Promise.all([
      ctx.loaders.offerById.load(s.offerId),
      ctx.loaders.customerById.load(s.customerId),
      ctx.now(),
    ]);
    return allowedActions({ subscription: s, offer, customer, partner: ctx.caller.partner, actor: ctx.caller, now });
  }

  @FieldResolver(() => Date, {
    nullable: true,
    description:
      'CANCEL-WINDOW-SHOWN: cancellation is possible before this instant (new commerce: 30 days from the start; marketplace: the term end); null when it cannot be cancelled.',
  })
  async cancellationAllowedUntilDate(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<Date | null> {
    return cancellationAllowedUntil(s, await ctx.now());
  }

  @FieldResolver(() => RefundableQuantity, { description: "CANCEL-WINDOW-SHOWN: Partner Center's refundableQuantity." })
  async refundableQuantity(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<RefundableQuantity> {
    return refundableQuantity(s, await ctx.now());
  }

  @FieldResolver(() => CancellationQuote, {
    description: 'CANCEL-WINDOW-SHOWN: what cancelling now would do (refund or scheduled at renewal), without changing anything.',
  })
  async cancellationQuote(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): Promise<CancellationQuote> {
    const addOns = s.parentSubscriptionId === null ? await ctx.loaders.addOnsByParentId.load(s._id) : [];
    const d = decideCancel({ subscription: s, addOns, actor: ctx.caller, now: await ctx.now() });
    if (!d.allowed) return { allowed: false, mode: null, rule: d.rule, refund: null, effectiveDate: null, reason: d.message };
    const total = d.refundCents + d.addOns.reduce((n, a) => n + a.refundCents, 0);
    return { allowed: true, mode: d.mode, rule: d.rule, refund: money(total, d.currency), effectiveDate: d.effectiveDate, reason: null };
  }

  @FieldResolver(() => Boolean, {
    description: "SUSP-EFFECT: whether the customer's users can sign in and use the service (only while active).",
  })
  usersHaveAccess(@Root() s: SubscriptionDoc): boolean {
    return usersHaveAccess(s);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description:
      "CAT-ISV-LINK: the marketplace publisher's personalised activation link; shown to global admins and admin agents only (ROLE-MARKETPLACE).",
  })
  activationLink(@Root() s: SubscriptionDoc, @Ctx() ctx: Context): string | null {
    return s.fulfilment && canViewMarketplace(ctx.caller) ? s.fulfilment.activationLink : null;
  }
}
