/**
 * Software purchases (SW-*): buying perpetual software and software subscriptions as software
 * orders, getting their MAK keys and downloads (logged), and cancelling an order inside its
 * 30-day window, with the credit and the revocation that follow. The cancellation's display
 * delay is configuration, passed in as data (`delayMs`).
 */
import type { CustomerDoc, OfferDoc, PartnerDoc, SoftwareActivityDoc, SoftwareKey, SoftwareOrderDoc } from '../db/documents.js';
import { checkAvailable, checkQuantity, checkSegment } from './catalog.js';
import { auditFor, iso } from './common.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect, IdSource, LedgerEffect, UpdateEffect } from './effects.js';
import { formatMoney, pricesIncludeTax, proratedRefund } from './money.js';
import { checkRole } from './roles.js';
import type { Caller } from '../shared/caller.js';
import type { RuleId } from './rule-ids.js';
import { addMs, addTerm, DAY, elapsed, MINUTE, within, windowEnd } from './time.js';
import { phrased } from './mood.js';

/** SW-CANCEL-30D: the cancellation window, from the purchase (GEN-WINDOW: elapsed < 30 days). */
export const SOFTWARE_CANCEL_WINDOW = 30 * DAY;

/** SW-CANCEL-DELAY: a cancellation shows on the order at most this long after it is confirmed. */
export const MAX_SOFTWARE_CANCEL_DELAY_MS = 15 * MINUTE;

export const MAX_KEY_LANGUAGES = 10;

export type SoftwareBitness = SoftwareKey['bitness'];
export type SoftwareActivityKind = SoftwareActivityDoc['activity'];

/** The characters of a MAK (no vowels, no look-alikes), as the seeder uses. */
export const MAK_ALPHABET = 'BCDFGHJKMPQRTVWXY2346789';
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const LANGUAGE = /^[a-z]{2,3}-[a-z]{2,4}$/;

export const DOWNLOAD_HOST = 'https://download.partner-center.example';

// ---- roles ---------------------------------------------------------------------------------------

/** ROLE-SOFTWARE: buying and managing software (and Azure reservations) needs an admin agent or a global admin. */
export function checkSoftwareRole(actor: Pick<Caller, 'roles'>, what = 'buy software'): Refused | null {
  return checkRole(actor, 'ROLE-SOFTWARE', what);
}

/** ROLE-SOFTWARE-KEYS: product keys and downloads are for admin agents only. */
export function checkSoftwareKeysRole(actor: Pick<Caller, 'roles'>): Refused | null {
  return checkRole(actor, 'ROLE-SOFTWARE-KEYS', 'get software product keys and downloads');
}

/** ROLE-SOFTWARE-CANCEL: only an admin agent may cancel a software purchase. */
export function checkSoftwareCancelRole(actor: Pick<Caller, 'roles'>): Refused | null {
  return checkRole(actor, 'ROLE-SOFTWARE-CANCEL', 'cancel a software purchase');
}

/** ROLE-ACTIVITY-LOG: the log of key views and downloads is for global, account, referral and marketing content admins. */
export function checkActivityLogRole(actor: Pick<Caller, 'roles'>): Refused | null {
  return checkRole(actor, 'ROLE-ACTIVITY-LOG', 'read the activity log of software key views and downloads');
}

// ---- purchase ------------------------------------------------------------------------------------

/** SW-PRICE: a software order costs the plan's unit price times the quantity, and follows PRICE-TAX (tax-inclusive in AU and BR). */
export function softwarePrice(
  unitPriceCents: number,
  quantity: number,
  customer: Pick<CustomerDoc, 'billingCountry'>,
): { amountCents: number; pricesIncludeTax: boolean } {
  return { amountCents: unitPriceCents * quantity, pricesIncludeTax: pricesIncludeTax(customer.billingCountry) };
}

/** The product version keys are got for: the offer's name without its licence-pack suffix. */
export function productVersionOf(offer: Pick<OfferDoc, 'name'>): string {
  return offer.name.replace(/ - .*$/, '');
}

/** Desktop software (Office) comes in 64 and 32 bits; server software in 64 bits only. (decision) */
export function bitnessesOf(offer: Pick<OfferDoc, 'name'>): SoftwareBitness[] {
  return /^Office\b/i.test(offer.name) ? ['x64', 'x86'] : ['x64'];
}

/** A 25-character MAK in five groups, derived from an operation token, so a replay names the same key. */
export function makFromToken(token: string): string {
  const chars: string[] = [];
  for (let j = 0; j < 25; j++) {
    const c = token.charAt(j % Math.max(1, token.length));
    const n = Math.max(0, TOKEN_ALPHABET.indexOf(c)) + j * 7 + Math.floor(j / Math.max(1, token.length)) * 11;
    chars.push(MAK_ALPHABET.charAt(n % MAK_ALPHABET.length));
  }
  return [0, 5, 10, 15, 20].map((i) => chars.slice(i, i + 5).join('')).join('-');
}

export function downloadUrlFor(orderId: string, productVersion: string, language: string, bitness: SoftwareBitness): string {
  const file = productVersion.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return `${DOWNLOAD_HOST}/software/${orderId}/${file}_${language}_${bitness}.iso`;
}

/**
 * SW-KEYS, SW-MAK: one key per product version, language and bitness, always a MAK. SUSE and Red
 * Hat plans register with their vendor and carry no Microsoft key (as the seeder does).
 */
export function softwareKeys(offer: OfferDoc, orderId: string, languages: readonly string[], ids: IdSource): SoftwareKey[] {
  if (offer.softwareVendorPlan !== null) return [];
  const productVersion = productVersionOf(offer);
  const keys: SoftwareKey[] = [];
  for (const language of languages) {
    for (const bitness of bitnessesOf(offer)) {
      keys.push({
        productVersion,
        language,
        bitness,
        keyType: 'MAK',
        productKey: makFromToken(ids.token(keys.length)),
        downloadUrl: downloadUrlFor(orderId, productVersion, language, bitness),
        revoked: false,
      });
    }
  }
  return keys;
}

/** SW-KEYS: the languages keys are issued in: one to ten distinct tags such as en-us. */
export function checkKeyLanguages(languages: readonly string[]): Refused | null {
  if (languages.length === 0 || languages.length > MAX_KEY_LANGUAGES) {
    return refuse(
      'SW-KEYS',
      'INVALID_VALUE',
      `Give 1 to ${MAX_KEY_LANGUAGES} languages for the keys; got ${languages.length}.`,
      'languages',
    );
  }
  const bad = languages.findIndex((l) => !LANGUAGE.test(l));
  if (bad >= 0) {
    return refuse(
      'SW-KEYS',
      'INVALID_VALUE',
      `Language ${bad + 1} must be a lower-case language tag such as en-us or nl-nl; got '${languages[bad]!.slice(0, 20)}'.`,
      `languages.${bad}`,
    );
  }
  if (new Set(languages).size !== languages.length)
    return refuse('SW-KEYS', 'INVALID_VALUE', 'The languages repeat one another.', 'languages');
  return null;
}

/** A software ledger entry (MONEY-EXACT), tied to the software order that caused it. */
function softwareLedger(
  order: Pick<SoftwareOrderDoc, '_id' | 'partnerId' | 'customerId' | 'currency'>,
  args: { amountCents: number; kind: LedgerEffect['entry']['kind']; rule: RuleId; description: string; at: Date },
): LedgerEffect {
  return {
    kind: 'ledger',
    entry: {
      partnerId: order.partnerId,
      customerId: order.customerId,
      amountCents: args.amountCents,
      currency: order.currency,
      kind: args.kind,
      source: { type: 'software_order', id: order._id },
      orderId: order._id,
      ruleId: args.rule,
      description: args.description,
      at: args.at,
    },
  };
}

export interface PurchaseSoftwareInput {
  customer: CustomerDoc;
  partner: PartnerDoc;
  offer: OfferDoc;
  quantity: number;
  /** Languages of the keys and downloads; default en-us. */
  languages?: readonly string[];
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface PurchaseSoftwareOutcome {
  effects: Effect[];
  order: SoftwareOrderDoc;
  amountCents: number;
  currency: string;
  pricesIncludeTax: boolean;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * Buy software for a customer (ROLE-SOFTWARE): a software offer of the customer's segment
 * (CAT-FILTER) that is available (CAT-UNAVAILABLE), within its quantity bounds, becomes one
 * software order charged in full (SW-PRICE), with a MAK per product version, language and bitness
 * (SW-KEYS, SW-MAK); a software subscription's term ends one term after the purchase.
 */
export function decidePurchaseSoftware(input: PurchaseSoftwareInput): Decision<PurchaseSoftwareOutcome> {
  const { customer, partner, offer, quantity, actor, now, ids } = input;
  const languages = input.languages ?? ['en-us'];
  const role = checkSoftwareRole(actor);
  if (role) return role;
  const plan = offer.billingPlans[0];
  const bad =
    (offer.commerceType !== 'software'
      ? refuse(
          'CAT-CART',
          'NOT_SUPPORTED',
          `'${offer.name}' is not software (it is ${offer.commerceType.replace('_', ' ')}): buy it with purchase.`,
          'offerId',
        )
      : null) ??
    checkSegment(offer, customer, 'offerId') ??
    checkAvailable(offer, customer, partner, 'offerId') ??
    checkQuantity(offer, quantity, 'quantity', 'CAT-CART') ??
    (plan === undefined ? refuse('CAT-CART', 'NOT_ELIGIBLE', `'${offer.name}' has no price.`, 'offerId') : null) ??
    checkKeyLanguages(languages);
  if (bad) return bad;
  const orderId = ids.order(0);
  const price = softwarePrice(plan!.unitPriceCents, quantity, customer);
  const kind = offer.softwareKind ?? 'perpetual';
  const order: SoftwareOrderDoc = {
    _id: orderId,
    partnerId: customer.partnerId,
    customerId: customer._id,
    offerId: offer._id,
    productName: offer.name,
    softwareKind: kind,
    softwareVendorPlan: offer.softwareVendorPlan,
    quantity,
    purchasedAt: now,
    termEndDate: kind === 'subscription' ? addTerm(now, plan!.termDuration) : null,
    status: 'active',
    cancelledAt: null,
    cancellationVisibleAt: null,
    amountCents: price.amountCents,
    currency: offer.currency,
    pricesIncludeTax: price.pricesIncludeTax,
    keys: softwareKeys(offer, orderId, languages, ids),
    version: 0,
  };
  const effects: Effect[] = [
    { kind: 'insert', collection: 'softwareOrders', doc: order },
    softwareLedger(order, {
      amountCents: order.amountCents,
      kind: 'charge',
      rule: 'SW-PRICE',
      description: `Software purchase: ${offer.name} x ${quantity}`,
      at: now,
    }),
    auditFor(actor, {
      partnerId: customer.partnerId,
      customerId: customer._id,
      operationType: 'create_order',
      resourceType: 'software_order',
      resourceId: orderId,
      at: now,
      after: { offerId: offer._id, quantity, amountCents: order.amountCents, pricesIncludeTax: order.pricesIncludeTax },
    }),
  ];
  return allow({
    effects,
    order,
    amountCents: order.amountCents,
    currency: order.currency,
    pricesIncludeTax: order.pricesIncludeTax,
    ...phrased(
      `Software order ${orderId}: ${offer.name} x ${quantity} for ${customer.companyName}, ${formatMoney(order.amountCents, order.currency)}; ` +
        `prices ${order.pricesIncludeTax ? 'include' : 'exclude'} tax (SW-PRICE).`,
      `Would order ${offer.name} x ${quantity} for ${customer.companyName}, ${formatMoney(order.amountCents, order.currency)} would be charged; ` +
        `prices ${order.pricesIncludeTax ? 'include' : 'exclude'} tax (SW-PRICE).`,
    ),
  });
}

// ---- keys and downloads --------------------------------------------------------------------------

/** SW-MAK: CSP software activates with a MAK; a KMS key is never issued, even when asked for. */
export function checkMak(keyType: string): Refused | null {
  return keyType.toUpperCase() === 'MAK'
    ? null
    : refuse(
        'SW-MAK',
        'NOT_SUPPORTED',
        `CSP software activates with a Multiple Activation Key (MAK); ${keyType.toUpperCase()} keys are never issued, even on request.`,
        'keyType',
      );
}

/** SW-POST-CANCEL: a cancelled order's keys and download links are revoked. */
export function checkNotRevoked(order: SoftwareOrderDoc, key?: SoftwareKey): Refused | null {
  if (order.status !== 'cancelled' && !key?.revoked) return null;
  return refuse(
    'SW-POST-CANCEL',
    'INVALID_STATUS',
    `Software order ${order._id} was cancelled${order.cancelledAt ? ` at ${iso(order.cancelledAt)}` : ''}: its keys and download links are revoked.`,
  );
}

export interface KeyChoice {
  productVersion: string;
  language: string;
  bitness: SoftwareBitness;
  /** MAK; anything else (KMS) is refused (SW-MAK). */
  keyType: string;
}

/** SW-KEYS: the key of one product version, language and bitness; a refusal lists what the order has. */
export function findKey(order: SoftwareOrderDoc, choice: Omit<KeyChoice, 'keyType'>): SoftwareKey | Refused {
  if (order.keys.length === 0) {
    return refuse(
      'SW-KEYS',
      'NOT_SUPPORTED',
      `'${order.productName}' has no Microsoft product key or download: ${order.softwareVendorPlan === 'redhat' ? 'Red Hat' : 'SUSE'} software is registered with its vendor.`,
    );
  }
  const key = order.keys.find(
    (k) => k.productVersion === choice.productVersion && k.language === choice.language && k.bitness === choice.bitness,
  );
  if (key) return key;
  const field = !order.keys.some((k) => k.productVersion === choice.productVersion)
    ? 'productVersion'
    : !order.keys.some((k) => k.productVersion === choice.productVersion && k.language === choice.language)
      ? 'language'
      : 'bitness';
  const has = order.keys.map((k) => `${k.productVersion} ${k.language} ${k.bitness}`).join('; ');
  return refuse(
    'SW-KEYS',
    'NOT_ELIGIBLE',
    `Software order ${order._id} has no key for ${choice.productVersion} ${choice.language} ${choice.bitness}; it has: ${has}.`,
    field,
  );
}

export interface GetKeyInput {
  order: SoftwareOrderDoc;
  choice: KeyChoice;
  /** What the partner does with it: shows the key, or downloads the bits (both are logged). */
  activity: SoftwareActivityKind;
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface GetKeyOutcome {
  effects: Effect[];
  key: SoftwareKey;
  /** A link to send to the customer (copy link). */
  copyLink: string;
  activity: SoftwareActivityDoc;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/** SW-ACTIVITY-LOG: one record per product-key view or download: who, what, when. */
export function activityRecord(args: {
  order: SoftwareOrderDoc;
  key: SoftwareKey;
  activity: SoftwareActivityKind;
  actor: Pick<Caller, 'userId'>;
  now: Date;
  id: string;
}): SoftwareActivityDoc {
  const { order, key, activity, actor, now, id } = args;
  return {
    _id: id,
    partnerId: order.partnerId,
    customerId: order.customerId,
    softwareOrderId: order._id,
    activity,
    productVersion: key.productVersion,
    language: key.language,
    bitness: key.bitness,
    userId: actor.userId,
    at: now,
  };
}

/**
 * Get a key and its downloads (SW-KEYS), admin agents only (ROLE-SOFTWARE-KEYS): a MAK (SW-MAK)
 * of a live order (SW-POST-CANCEL), shown with its download link and a copyable link; the view or
 * download is logged (SW-ACTIVITY-LOG).
 */
export function decideGetKey(input: GetKeyInput): Decision<GetKeyOutcome> {
  const { order, choice, activity, actor, now, ids } = input;
  const bad = checkSoftwareKeysRole(actor) ?? checkMak(choice.keyType) ?? checkNotRevoked(order);
  if (bad) return bad;
  const key = findKey(order, choice);
  if ('allowed' in key) return key;
  const revoked = checkNotRevoked(order, key);
  if (revoked) return revoked;
  const token = ids.token(0);
  const record = activityRecord({ order, key, activity, actor, now, id: `act-${token}` });
  const effects: Effect[] = [
    { kind: 'insert', collection: 'softwareActivity', doc: record },
    auditFor(actor, {
      partnerId: order.partnerId,
      customerId: order.customerId,
      operationType: activity === 'download' ? 'download_software' : 'get_software_key',
      resourceType: 'software_order',
      resourceId: order._id,
      at: now,
      after: { productVersion: key.productVersion, language: key.language, bitness: key.bitness, keyType: key.keyType },
    }),
  ];
  return allow({
    effects,
    key,
    copyLink: `${key.downloadUrl}?share=${encodeURIComponent(token)}`,
    activity: record,
    ...phrased(
      `${activity === 'download' ? 'Download' : 'Product key'} of ${key.productVersion} (${key.language}, ${key.bitness}, MAK) for order ${order._id}; logged (SW-ACTIVITY-LOG).`,
      `${activity === 'download' ? 'Download' : 'Product key'} of ${key.productVersion} (${key.language}, ${key.bitness}, MAK) for order ${order._id} would be logged (SW-ACTIVITY-LOG).`,
    ),
  });
}

// ---- cancellation --------------------------------------------------------------------------------

/** SW-CANCEL-EXCLUDED: SUSE Linux and Red Hat software plans cannot be cancelled or exchanged. */
export function checkCancelExcluded(order: Pick<SoftwareOrderDoc, '_id' | 'productName' | 'softwareVendorPlan'>): Refused | null {
  if (order.softwareVendorPlan === null) return null;
  return refuse(
    'SW-CANCEL-EXCLUDED',
    'NOT_SUPPORTED',
    `'${order.productName}' (order ${order._id}) is a ${order.softwareVendorPlan === 'suse' ? 'SUSE Linux' : 'Red Hat'} software plan: it cannot be cancelled or exchanged.`,
  );
}

/**
 * SW-CANCEL-30D: a software purchase can be cancelled within 30 days of its purchase (GEN-WINDOW:
 * elapsed < 30 days), with no early termination fee; from 30 days on it cannot, and only a
 * support request (SW-SUPPORT-REQUEST) can ask for a refund.
 */
export function checkCancelWindow(order: Pick<SoftwareOrderDoc, '_id' | 'purchasedAt'>, now: Date): Refused | null {
  if (within(order.purchasedAt, now, SOFTWARE_CANCEL_WINDOW)) return null;
  return refuse(
    'SW-CANCEL-30D',
    'WINDOW_CLOSED',
    `Software order ${order._id} was bought ${iso(order.purchasedAt)}; its 30-day cancellation window closed at ${iso(windowEnd(order.purchasedAt, SOFTWARE_CANCEL_WINDOW))}. ` +
      'To ask for a refund, open a support request (createSupportRequest).',
  );
}

/**
 * SW-CANCEL-PER-ORDER: a cancellation names one order; the customer, when the partner names it, is
 * identified by its company name, tenant ID or domain, and must be the order's customer.
 */
export function checkOrderCustomer(
  order: Pick<SoftwareOrderDoc, '_id'>,
  customer: Pick<CustomerDoc, '_id' | 'companyName' | 'domain'>,
  customerRef: string | null | undefined,
): Refused | null {
  if (customerRef == null) return null;
  const ref = customerRef.trim().toLowerCase();
  if (ref === customer._id.toLowerCase() || ref === customer.domain.toLowerCase() || ref === customer.companyName.trim().toLowerCase()) {
    return null;
  }
  return refuse(
    'SW-CANCEL-PER-ORDER',
    'INVALID_VALUE',
    `Order ${order._id} belongs to ${customer.companyName} (${customer._id}, ${customer.domain}); '${customerRef.slice(0, 80)}' names no such customer. Cancel each order with its own customer.`,
    'customer',
  );
}

/** SW-CANCEL-DELAY: the instant a cancellation confirmed `at` shows on the order: at most 15 minutes later. */
export function cancellationVisibleAt(at: Date, delayMs: number): Date {
  const delay = Number.isFinite(delayMs) ? Math.min(Math.max(0, Math.floor(delayMs)), MAX_SOFTWARE_CANCEL_DELAY_MS) : 0;
  return addMs(at, delay);
}

/** SW-CANCEL-DELAY: what the order shows at `now`: active until its cancellation is visible, then cancelled. */
export function visibleStatus(order: Pick<SoftwareOrderDoc, 'status' | 'cancellationVisibleAt'>, now: Date): SoftwareOrderDoc['status'] {
  if (order.status !== 'cancelled') return order.status;
  return order.cancellationVisibleAt === null || elapsed(order.cancellationVisibleAt, now) >= 0 ? 'cancelled' : 'active';
}

/**
 * SW-CANCEL-DELAY: a cancellation is confirmed but its order's status does not show it yet (it
 * will from `cancellationVisibleAt`). Only the status waits: the cancellation date, the instant it
 * shows and the revoked keys are on the order at once (listedKeys).
 */
export function isCancellationPending(order: Pick<SoftwareOrderDoc, 'status' | 'cancellationVisibleAt'>, now: Date): boolean {
  return order.status === 'cancelled' && visibleStatus(order, now) !== 'cancelled';
}

/**
 * SW-POST-CANCEL: the keys and download links an order lists: none from the moment a cancellation
 * is confirmed, whatever its status shows meanwhile (SW-CANCEL-DELAY), as getSoftwareKey refuses
 * them from then (checkNotRevoked); the item itself stays listed.
 */
export function listedKeys(order: Pick<SoftwareOrderDoc, 'status' | 'keys'>): SoftwareKey[] {
  return order.status === 'cancelled' ? [] : order.keys.filter((k) => !k.revoked);
}

/**
 * SW-POST-CANCEL: the credit of a cancellation: 100 % for perpetual software; for a software
 * subscription, the amount minus the prorated days used from purchase to term end (MONEY-PRORATE).
 */
export function softwareCredit(
  order: Pick<SoftwareOrderDoc, 'softwareKind' | 'amountCents' | 'purchasedAt' | 'termEndDate'>,
  now: Date,
): number {
  if (order.softwareKind === 'perpetual' || order.termEndDate === null) return order.amountCents;
  return proratedRefund({
    chargedCents: order.amountCents,
    termPriceCents: order.amountCents,
    termStart: order.purchasedAt,
    termEnd: order.termEndDate,
    at: now,
  });
}

export type SoftwareCancelState = 'cancellable' | 'window_passed' | 'excluded' | 'cancelled';

export interface SoftwareCancelInfo {
  state: SoftwareCancelState;
  /** The rule that decides the state. */
  rule: RuleId;
  /** Whole days left to cancel (a started day counts), 0 when it cannot be cancelled. */
  daysLeft: number;
  /** Cancellation is possible before this instant; null when it is not possible. */
  cancellableUntil: Date | null;
  /** A refund can be asked only through a support request (SW-SUPPORT-REQUEST). */
  supportRequestNeeded: boolean;
  message: string;
}

/**
 * SW-CANCEL-INFO: before cancelling, the days left to cancel an order, or that its window has
 * passed and a support request is needed (SW-CANCEL-30D), or that it cannot be cancelled at all
 * (SW-CANCEL-EXCLUDED), or that it is cancelled already (SW-POST-CANCEL).
 */
export function softwareCancelInfo(order: SoftwareOrderDoc, now: Date): SoftwareCancelInfo {
  if (order.status === 'cancelled') {
    return {
      state: 'cancelled',
      rule: 'SW-POST-CANCEL',
      daysLeft: 0,
      cancellableUntil: null,
      supportRequestNeeded: false,
      message:
        `Order ${order._id} was cancelled${order.cancelledAt ? ` at ${iso(order.cancelledAt)}` : ''}; its keys are revoked.` +
        (!isCancellationPending(order, now) ? '' : ` Its status shows it from ${iso(order.cancellationVisibleAt!)} (SW-CANCEL-DELAY).`),
    };
  }
  const excluded = checkCancelExcluded(order);
  if (excluded) {
    return {
      state: 'excluded',
      rule: excluded.rule,
      daysLeft: 0,
      cancellableUntil: null,
      supportRequestNeeded: false,
      message: excluded.message,
    };
  }
  const closed = checkCancelWindow(order, now);
  if (closed) {
    return {
      state: 'window_passed',
      rule: closed.rule,
      daysLeft: 0,
      cancellableUntil: null,
      supportRequestNeeded: true,
      message: closed.message,
    };
  }
  const until = windowEnd(order.purchasedAt, SOFTWARE_CANCEL_WINDOW);
  const daysLeft = Math.ceil(Math.min(elapsed(now, until), SOFTWARE_CANCEL_WINDOW) / DAY);
  return {
    state: 'cancellable',
    rule: 'SW-CANCEL-30D',
    daysLeft,
    cancellableUntil: until,
    supportRequestNeeded: false,
    message: `${daysLeft} day${daysLeft === 1 ? '' : 's'} left to cancel order ${order._id} (until ${iso(until)}), with no early termination fee.`,
  };
}

export interface CancelSoftwareInput {
  order: SoftwareOrderDoc;
  customer: CustomerDoc;
  /** SW-CANCEL-PER-ORDER: the customer as the partner names it (company name, tenant ID or domain), if given. */
  customerRef?: string | null;
  actor: Caller;
  now: Date;
  /** SW-CANCEL-DELAY: how long the cancellation takes to show on the order (configuration, at most 15 minutes). */
  delayMs: number;
}

export interface CancelSoftwareOutcome {
  effects: Effect[];
  /** SW-POST-CANCEL: credited to the partner (positive cents). */
  creditCents: number;
  currency: string;
  rule: RuleId;
  cancelledAt: Date;
  visibleAt: Date;
  /** Keys and download links revoked (SW-POST-CANCEL). */
  keysRevoked: number;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * Cancel one software order (SW-CANCEL-PER-ORDER), admin agents only (ROLE-SOFTWARE-CANCEL): not a
 * SUSE or Red Hat plan (SW-CANCEL-EXCLUDED), within 30 days of its purchase (SW-CANCEL-30D).
 * Confirmed now, shown on the order after the delay (SW-CANCEL-DELAY); every key is revoked and the
 * partner credited, 100 % for perpetual software, prorated for subscriptions (SW-POST-CANCEL).
 */
export function decideCancelSoftware(input: CancelSoftwareInput): Decision<CancelSoftwareOutcome> {
  const { order, customer, actor, now } = input;
  const bad =
    checkSoftwareCancelRole(actor) ??
    checkOrderCustomer(order, customer, input.customerRef) ??
    (order.status === 'cancelled'
      ? refuse('SW-POST-CANCEL', 'NO_CHANGE', `Software order ${order._id} is already cancelled; a cancellation cannot be repeated.`)
      : null) ??
    checkCancelExcluded(order) ??
    checkCancelWindow(order, now);
  if (bad) return bad;
  const creditCents = softwareCredit(order, now);
  const visibleAt = cancellationVisibleAt(now, input.delayMs);
  const set: Partial<SoftwareOrderDoc> = {
    status: 'cancelled',
    cancelledAt: now,
    cancellationVisibleAt: visibleAt,
    keys: order.keys.map((k) => ({ ...k, revoked: true })),
  };
  const update: UpdateEffect = {
    kind: 'update',
    collection: 'softwareOrders',
    id: order._id,
    expectedVersion: order.version,
    set: set as Record<string, unknown>,
  };
  const perpetual = order.softwareKind === 'perpetual' || order.termEndDate === null;
  const effects: Effect[] = [update];
  if (creditCents > 0) {
    effects.push(
      softwareLedger(order, {
        amountCents: -creditCents,
        kind: 'credit',
        rule: 'SW-POST-CANCEL',
        description: `Cancellation credit (${perpetual ? '100 %' : 'prorated'}): ${order.productName} x ${order.quantity}`,
        at: now,
      }),
    );
  }
  effects.push(
    auditFor(actor, {
      partnerId: order.partnerId,
      customerId: order.customerId,
      operationType: 'cancel_software_order',
      resourceType: 'software_order',
      resourceId: order._id,
      at: now,
      before: { status: order.status },
      after: { status: 'cancelled', cancellationVisibleAt: visibleAt, creditCents },
    }),
  );
  return allow({
    effects,
    creditCents,
    currency: order.currency,
    rule: 'SW-POST-CANCEL',
    cancelledAt: now,
    visibleAt,
    keysRevoked: order.keys.length,
    ...phrased(
      `Software order ${order._id} cancelled: ${order.keys.length} key(s) revoked, ${formatMoney(creditCents, order.currency)} credited ` +
        `(${perpetual ? '100 % of perpetual software' : 'prorated software subscription'}); the order shows it from ${iso(visibleAt)} (SW-CANCEL-DELAY).`,
      `Would cancel software order ${order._id}: ${order.keys.length} key(s) would be revoked, ${formatMoney(creditCents, order.currency)} would be credited ` +
        `(${perpetual ? '100 % of perpetual software' : 'prorated software subscription'}); the order would show it from ${iso(visibleAt)} (SW-CANCEL-DELAY).`,
    ),
  });
}

// ---- the activity log ----------------------------------------------------------------------------

/** SW-ACTIVITY-LOG: the longest date range the activity log is read for at once. */
export const ACTIVITY_LOG_MAX_RANGE = 90 * DAY;

/**
 * SW-ACTIVITY-LOG: the log is read for a date range [from, to): `from` before `to`, at most 90
 * days apart. Returns why not, with the argument concerned, or null.
 */
export function checkActivityLogRange(from: Date, to: Date): { argumentName: 'from' | 'to'; message: string } | null {
  if (Number.isNaN(from.getTime())) return { argumentName: 'from', message: "Argument 'from' must be an ISO-8601 instant" };
  if (Number.isNaN(to.getTime())) return { argumentName: 'to', message: "Argument 'to' must be an ISO-8601 instant" };
  if (elapsed(from, to) <= 0) {
    return { argumentName: 'to', message: `Argument 'to' must be later than 'from' (${iso(from)}), but got ${iso(to)}` };
  }
  if (elapsed(from, to) > ACTIVITY_LOG_MAX_RANGE) {
    return {
      argumentName: 'to',
      message: `The activity log is read for at most 90 days at once, but 'from' ${iso(from)} to 'to' ${iso(to)} spans ${(elapsed(from, to) / DAY).toFixed(3).replace(/\.?0+$/, '')} days`,
    };
  }
  return null;
}

// ---- what can be done ----------------------------------------------------------------------------

export const SOFTWARE_ORDER_ACTIONS = ['get_key', 'cancel', 'request_refund'] as const;
export type SoftwareOrderAction = (typeof SOFTWARE_ORDER_ACTIONS)[number];

export interface SoftwareActionAvailability {
  action: SoftwareOrderAction;
  allowed: boolean;
  rule: RuleId | null;
  code: Refused['code'] | null;
  reason: string | null;
}

const QUOTE_IDS: IdSource = {
  customer: (n) => `quote-${n}`,
  subscription: (n) => `quote-${n}`,
  order: (n) => `quote${n}`,
  token: (n) => `quote-${n}`,
};

/**
 * Every action on a software order, allowed or not, with the rule and reason when not: the same
 * decisions the mutations make, run as quotes (the first key stands for get_key).
 */
export function softwareAllowedActions(input: {
  order: SoftwareOrderDoc;
  customer: CustomerDoc;
  actor: Caller;
  now: Date;
  delayMs: number;
}): SoftwareActionAvailability[] {
  const { order, customer, actor, now } = input;
  const first = order.keys[0];
  const decisions: Record<SoftwareOrderAction, () => Decision<object> | Refused | null> = {
    get_key: () =>
      decideGetKey({
        order,
        choice: first
          ? { productVersion: first.productVersion, language: first.language, bitness: first.bitness, keyType: 'MAK' }
          : { productVersion: productVersionOf({ name: order.productName }), language: 'en-us', bitness: 'x64', keyType: 'MAK' },
        activity: 'view_key',
        actor,
        now,
        ids: QUOTE_IDS,
      }),
    cancel: () => decideCancelSoftware({ order, customer, actor, now, delayMs: input.delayMs }),
    request_refund: () => checkSoftwareRole(actor, 'ask for a software purchase refund'),
  };
  return SOFTWARE_ORDER_ACTIONS.map((action) => {
    const d = decisions[action]();
    if (d === null || d.allowed) return { action, allowed: true, rule: null, code: null, reason: null };
    return { action, allowed: false, rule: d.rule, code: d.code, reason: d.message };
  });
}
