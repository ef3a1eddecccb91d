import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Collections } from '../db/collections.js';
import type { CustomerDoc, SoftwareOrderDoc } from '../db/documents.js';
import { customerOfferPlan } from '../mutation/customer-offer-plan.js';
import { loadCustomer } from '../mutation/load.js';
import { forbidden, runMutation } from '../mutation/run-mutation.js';
import { userError } from '../mutation/user-error.type.js';
import {
  checkSoftwareCancelRole,
  checkSoftwareKeysRole,
  checkSoftwareRole,
  decideCancelSoftware,
  decideGetKey,
  decidePurchaseSoftware,
} from '../policy/software.js';
import {
  customerRefKind,
  decideCreateSupportRequest,
  SUPPORT_REQUEST_KINDS,
  validateSupportRequest,
  type SupportRequestFields,
  type SupportResource,
} from '../policy/support-request.js';
import { checkRole } from '../policy/roles.js';
import type { Context } from '../shared/context.js';
import { notFound } from '../shared/errors.js';
import { parseId } from '../shared/ids.js';
import { money } from '../shared/money.type.js';
import { CancelSoftwareOrderInput, CreateSupportRequestInput, GetSoftwareKeyInput, PurchaseSoftwareInput } from './software-order.input.js';
import {
  CancelSoftwareOrderPayload,
  CreateSupportRequestPayload,
  PurchaseSoftwarePayload,
  SoftwareKeyPayload,
} from './software-order.payload.js';

/** A fresh read of one software order of the partner (ROLE-TENANT): another partner's order is NOT_FOUND. */
async function loadSoftwareOrder(cols: Collections, partnerId: string, id: string): Promise<SoftwareOrderDoc> {
  const doc = await cols.softwareOrders.findOne({ _id: id, partnerId });
  if (!doc) throw notFound('software order', id);
  return doc;
}

/** The customer a support request names by tenant ID or domain; an unknown one is NOT_FOUND, like an unknown ID. */
async function findCustomerByRef(cols: Collections, partnerId: string, ref: string): Promise<CustomerDoc> {
  const text = ref.trim();
  if (customerRefKind(text) === 'tenant_id') return loadCustomer(cols, partnerId, text.toLowerCase());
  const doc = await cols.customers.findOne({ partnerId, domainLower: text.toLowerCase() });
  if (!doc) throw notFound('customer', text);
  return doc;
}

/** The record a support request is about, if the customer has one by that ID: software order, subscription or reservation. */
async function findSupportResource(
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

/**
 * Software purchases (SW-*) and support requests. Each: authorise (roles are FORBIDDEN), load
 * fresh under the customer's lock with the clock read there, ask the policy
 * (src/policy/software.ts, support-request.ts), apply through the one write path.
 */
@Resolver()
export class SoftwareOrderMutationResolver {
  @Mutation(() => PurchaseSoftwarePayload, {
    description: 'Buy software for a customer (ROLE-SOFTWARE): one software order, charged in full (SW-PRICE), with MAK keys (SW-KEYS).',
  })
  async purchaseSoftware(
    @Arg('input', () => PurchaseSoftwareInput) input: PurchaseSoftwareInput,
    @Ctx() ctx: Context,
  ): Promise<PurchaseSoftwarePayload> {
    const role = checkSoftwareRole(ctx.caller);
    if (role) throw forbidden(role);
    const customerId = parseId('customer', input.customerId, 'input.customerId');
    const offerId = parseId('offer', input.offerId, 'input.offerId');
    const result = await runMutation(
      ctx,
      customerOfferPlan(ctx, 'create_software_order', customerId, offerId, (l, ids) =>
        decidePurchaseSoftware({
          customer: l.customer,
          partner: ctx.caller.partner,
          offer: l.offer,
          quantity: input.quantity,
          languages: input.languages,
          actor: ctx.caller,
          now: l.now,
          ids,
        }),
      ),
      input,
    );
    const empty = { softwareOrder: null, amount: null, pricesIncludeTax: null, dryRun: input.dryRun, operationId: null, summary: null };
    if (!result.ok) return { ...empty, userErrors: result.userErrors };
    const o = result.outcome;
    return {
      softwareOrder: result.dryRun ? o.order : await ctx.loaders.softwareOrderById.load(o.order._id),
      amount: money(o.amountCents, o.currency),
      pricesIncludeTax: o.pricesIncludeTax,
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }

  @Mutation(() => SoftwareKeyPayload, {
    description:
      'SW-KEYS: the MAK (SW-MAK) and download links of one product version, language and bitness; admin agents only (ROLE-SOFTWARE-KEYS). A mutation because every view or download is logged (SW-ACTIVITY-LOG).',
  })
  async getSoftwareKey(
    @Arg('input', () => GetSoftwareKeyInput) input: GetSoftwareKeyInput,
    @Ctx() ctx: Context,
  ): Promise<SoftwareKeyPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const id = parseId('software order', input.softwareOrderId, 'input.softwareOrderId');
    const first = await loadSoftwareOrder(cols, partnerId, id);
    const role = checkSoftwareKeysRole(ctx.caller);
    if (role) throw forbidden(role);
    const result = await runMutation(
      ctx,
      {
        kind: input.activity === 'download' ? 'download_software' : 'get_software_key',
        partnerId,
        customerId: first.customerId,
        at: (l) => l.now,
        load: async () => ({ now: await ctx.readClock(), order: await loadSoftwareOrder(cols, partnerId, id) }),
        decide: (l, ids) =>
          decideGetKey({
            order: l.order,
            choice: { productVersion: input.productVersion, language: input.language, bitness: input.bitness, keyType: input.keyType },
            activity: input.activity,
            actor: ctx.caller,
            now: l.now,
            ids,
          }),
      },
      input,
    );
    const empty = {
      softwareOrder: await ctx.loaders.softwareOrderById.load(id),
      productKey: null,
      keyType: null,
      productVersion: null,
      language: null,
      bitness: null,
      downloadLink: null,
      copyLink: null,
      activity: null,
      dryRun: input.dryRun,
      operationId: null,
      summary: null,
    };
    if (!result.ok) return { ...empty, userErrors: result.userErrors };
    const o = result.outcome;
    const shown = !result.dryRun;
    return {
      ...empty,
      productKey: shown ? o.key.productKey : null,
      keyType: o.key.keyType,
      productVersion: o.key.productVersion,
      language: o.key.language,
      bitness: o.key.bitness,
      downloadLink: shown ? o.key.downloadUrl : null,
      copyLink: shown ? o.copyLink : null,
      activity: shown ? o.activity : null,
      summary: shown ? o.summary : `The key can be got; nothing was shown or logged (dryRun).`,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }

  @Mutation(() => CancelSoftwareOrderPayload, {
    description:
      'Cancel one software order (SW-CANCEL-PER-ORDER) within 30 days of its purchase (SW-CANCEL-30D), admin agents only (ROLE-SOFTWARE-CANCEL); with dryRun, quote the credit. Confirmed at once, shown on the order after a delay (SW-CANCEL-DELAY).',
  })
  async cancelSoftwareOrder(
    @Arg('input', () => CancelSoftwareOrderInput) input: CancelSoftwareOrderInput,
    @Ctx() ctx: Context,
  ): Promise<CancelSoftwareOrderPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const id = parseId('software order', input.softwareOrderId, 'input.softwareOrderId');
    const first = await loadSoftwareOrder(cols, partnerId, id);
    const role = checkSoftwareCancelRole(ctx.caller);
    if (role) throw forbidden(role);
    const result = await runMutation(
      ctx,
      {
        kind: 'cancel_software_order',
        partnerId,
        customerId: first.customerId,
        at: (l) => l.now,
        load: async () => {
          const now = await ctx.readClock();
          const order = await loadSoftwareOrder(cols, partnerId, id);
          return { now, order, customer: await loadCustomer(cols, partnerId, order.customerId) };
        },
        decide: (l) =>
          decideCancelSoftware({
            order: l.order,
            customer: l.customer,
            customerRef: input.customer,
            actor: ctx.caller,
            now: l.now,
            delayMs: ctx.settings.softwareCancelDelayMs,
          }),
      },
      input,
    );
    const base = {
      softwareOrder: await ctx.loaders.softwareOrderById.load(id),
      rule: null,
      credit: null,
      cancellationDate: null,
      cancellationVisibleAt: null,
      keysRevoked: null,
      dryRun: input.dryRun,
      operationId: null,
      summary: null,
    };
    if (!result.ok) return { ...base, userErrors: result.userErrors };
    const o = result.outcome;
    return {
      ...base,
      rule: o.rule,
      credit: money(o.creditCents, o.currency),
      cancellationDate: o.cancelledAt,
      cancellationVisibleAt: o.visibleAt,
      keysRevoked: o.keysRevoked,
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }

  @Mutation(() => CreateSupportRequestPayload, {
    description:
      'Ask Microsoft support for a software purchase refund (SW-SUPPORT-REQUEST; ROLE-SOFTWARE) or a reservation refund or exchange (RES-SUPPORT-REQUEST; ROLE-RESERVATIONS), on behalf of a customer named by tenant ID or domain.',
  })
  async createSupportRequest(
    @Arg('input', () => CreateSupportRequestInput) input: CreateSupportRequestInput,
    @Ctx() ctx: Context,
  ): Promise<CreateSupportRequestPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const kind = input.kind;
    const spec = SUPPORT_REQUEST_KINDS[kind];
    const role = checkRole(ctx.caller, spec.role, `ask for ${spec.label}`);
    if (role) throw forbidden(role);
    const fields: SupportRequestFields = {
      problemType: input.problemType,
      issueType: input.issueType,
      category: input.category,
      impact: input.impact,
      title: input.title,
      customer: input.customer,
      resourceId: input.resourceId,
      reason: input.reason,
      amountRequestedInCents: input.amountRequestedInCents,
      contact: input.contact,
      attachmentNames: input.attachmentNames,
    };
    const empty = { supportRequest: null, dryRun: input.dryRun, operationId: null, summary: null };
    // Every field first, before the customer is looked up, so a malformed one is named as such.
    const invalid = validateSupportRequest(kind, fields);
    if (invalid) return { ...empty, userErrors: [userError(invalid)] };
    const first = await findCustomerByRef(cols, partnerId, input.customer);
    const result = await runMutation(
      ctx,
      {
        kind: 'create_support_request',
        partnerId,
        customerId: first._id,
        at: (l) => l.now,
        load: async () => {
          const now = await ctx.readClock();
          const customer = await loadCustomer(cols, partnerId, first._id);
          return { now, customer, resource: await findSupportResource(cols, partnerId, customer._id, input.resourceId) };
        },
        decide: (l, ids) =>
          decideCreateSupportRequest({ kind, fields, customer: l.customer, resource: l.resource, actor: ctx.caller, now: l.now, ids }),
      },
      input,
    );
    if (!result.ok) return { ...empty, userErrors: result.userErrors };
    const o = result.outcome;
    return {
      supportRequest: result.dryRun ? o.request : await cols.supportRequests.findOne({ _id: o.request._id, partnerId }),
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }
}
