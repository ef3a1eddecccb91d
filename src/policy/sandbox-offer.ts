/**
 * A test sandbox's own offers (docs/sandboxes.md, "Building the scenario"; audit operation
 * `create_offer`). Two steps, both pure, as for customers (src/policy/customer.ts):
 * `validateNewOffer` checks the input alone against the shapes the seeded catalog has (answered as
 * BAD_USER_INPUT naming the field), and `decideCreateOffer` decides under the partner lock: who may
 * (ROLE-SUBSCRIPTIONS), where (SANDBOX-OFFERS: a sandbox only), and the offers it names (a trial's
 * paid offer, upgrade targets, add-on bases) as the caller's catalog holds them.
 *
 * A sandbox offer lives in `sandboxOffers` with its partner's ID, never in the global catalog, so
 * no other partner can see it; `catalogView` is the one place that lays a sandbox's offers over the
 * global catalog, for the request reads and the write path alike.
 */
import type {
  BillingCycle,
  BillingPlan,
  BillingType,
  CommerceType,
  CustomerSegment,
  OfferCategory,
  OfferDoc,
  PartnerDoc,
  Publisher,
  SandboxOfferDoc,
  TermDuration,
} from '../db/documents.js';
import type { Caller } from '../shared/caller.js';
import { auditFor } from './common.js';
import { ISO_COUNTRIES, isSandboxPartner, type InputProblem } from './customer.js';
import { allow, refuse, type Decision } from './decision.js';
import type { Effect, IdSource } from './effects.js';
import { phrased } from './mood.js';
import { checkRole } from './roles.js';
import type { RuleId } from './rule-ids.js';

export const MAX_OFFER_NAME = 250;
export const MAX_OFFER_DESCRIPTION = 2000;
/** The largest quantity bound a sandbox offer may set (the seeded catalog's largest is 10,000). */
export const MAX_OFFER_QUANTITY = 100_000;
/** CAT-TRIAL: the longest free trial a sandbox offer may have (the seeded trials run 30 days). */
export const MAX_TRIAL_DAYS = 90;

/**
 * The billing plans (cycle/term) each commerce type sells in the seeded catalog, which the rules
 * are written for: new commerce month-to-month or one and three years (trials: `none/P1M`),
 * legacy one year, marketplace month or year, software and reservations paid once (RES-REFUND-TABLE
 * and SW-CANCEL-30D read their one-time price).
 */
export const PLANS_BY_COMMERCE_TYPE: Readonly<Record<CommerceType, readonly string[]>> = {
  new_commerce: ['monthly/P1M', 'monthly/P1Y', 'annual/P1Y', 'annual/P3Y', 'triennial/P3Y'],
  legacy: ['monthly/P1Y', 'annual/P1Y'],
  marketplace_saas: ['monthly/P1M', 'monthly/P1Y', 'annual/P1Y'],
  software: ['one_time/P1Y', 'one_time/P3Y'],
  reservation: ['one_time/P1Y', 'one_time/P3Y'],
};

/** Partner Center `productType.id` by commerce type; new-commerce usage-based offers are `Azure`. */
export const PRODUCT_TYPES: Readonly<Record<CommerceType, readonly string[]>> = {
  new_commerce: ['OnlineServicesNCE', 'Azure'],
  legacy: ['OnlineServices'],
  marketplace_saas: ['SaaS'],
  software: ['Software'],
  reservation: ['Azure'],
};

/** Who publishes each commerce type in the catalog: marketplace offers are ISVs', software either. */
const PUBLISHERS: Readonly<Record<CommerceType, readonly Publisher[]>> = {
  new_commerce: ['microsoft'],
  legacy: ['microsoft'],
  marketplace_saas: ['isv'],
  software: ['microsoft', 'isv'],
  reservation: ['microsoft'],
};

export interface NewOfferPlan {
  billingCycle: BillingCycle;
  termDuration: TermDuration;
  /** One unit for one whole term, integer cents (MONEY-EXACT). */
  unitPriceCents: number;
  /** ISO 4217, any case; every plan of an offer has the same. */
  currency: string;
}

/** What the sandbox asked for; `field` paths of problems are relative to the mutation's `input`. */
export interface NewOfferFields {
  name: string;
  description: string;
  commerceType: CommerceType;
  /** Null: the commerce type's usual one (PRODUCT_TYPES' first). */
  productType: string | null;
  publisher: Publisher;
  billingType: BillingType;
  /** Null: `trial` for a trial, else `enterprise`. */
  category: OfferCategory | null;
  segments: CustomerSegment[];
  /** Billing countries served (CAT-UNAVAILABLE); null: every country. */
  markets: string[] | null;
  billingPlans: NewOfferPlan[];
  trial: { days: number; convertsToOfferId: string } | null;
  /** An add-on (ADDON-NOT-CATALOG) of these base offers (ADDON-ELIGIBLE); empty for a base offer. */
  addOnBaseOfferIds: string[];
  upgradeTargetIds: string[];
  onePerCustomer: boolean;
  minQuantity: number;
  maxQuantity: number;
  softwareKind: 'perpetual' | 'subscription' | null;
  reservationType: SandboxOfferDoc['reservationType'];
}

const planKey = (p: Pick<BillingPlan, 'billingCycle' | 'termDuration'>) => `${p.billingCycle}/${p.termDuration}`;

/**
 * The input alone, in field order; null when every field is well-formed and the offer has a shape
 * the seeded catalog has (so every rule reading offers applies to it as written).
 */
export function validateNewOffer(f: NewOfferFields): InputProblem | null {
  const name = f.name.trim();
  if (name.length === 0 || name.length > MAX_OFFER_NAME) {
    return { field: 'name', message: `The offer name must be 1 to ${MAX_OFFER_NAME} characters, but has ${name.length}.` };
  }
  if (f.description.length > MAX_OFFER_DESCRIPTION) {
    return {
      field: 'description',
      message: `The description must be at most ${MAX_OFFER_DESCRIPTION} characters, but has ${f.description.length}.`,
    };
  }
  const productTypes = PRODUCT_TYPES[f.commerceType];
  if (f.productType !== null && !productTypes.includes(f.productType)) {
    return {
      field: 'productType',
      message: `A ${f.commerceType} offer's product type is one of ${productTypes.join(', ')}, but got '${f.productType.slice(0, 40)}'.`,
    };
  }
  if (!PUBLISHERS[f.commerceType].includes(f.publisher)) {
    return {
      field: 'publisher',
      message: `A ${f.commerceType} offer is published by ${PUBLISHERS[f.commerceType].join(' or ')}, but got ${f.publisher}.`,
    };
  }
  if (f.commerceType === 'reservation' && f.billingType !== 'usage') {
    return {
      field: 'billingType',
      message: 'An Azure reservation is usage-billed (it prepays usage), as in the catalog: set billingType USAGE.',
    };
  }
  if (f.trial !== null && f.category !== null && f.category !== 'trial') {
    return { field: 'category', message: `A trial offer's category is TRIAL (CAT-TRIAL), but got ${f.category}.` };
  }
  if (f.trial === null && f.category === 'trial') {
    return {
      field: 'trial',
      message: 'An offer of the category TRIAL needs a trial: its days and the paid offer it converts to (CAT-TRIAL).',
    };
  }
  if (f.segments.length === 0) return { field: 'segments', message: 'An offer is sold to at least one segment (CAT-FILTER).' };
  if (f.markets !== null) {
    if (f.markets.length === 0) {
      return {
        field: 'markets',
        message: 'Markets lists the billing countries served (CAT-UNAVAILABLE): leave it out for every country, or name at least one.',
      };
    }
    const bad = f.markets.find((c) => !ISO_COUNTRIES.has(c.trim().toUpperCase()));
    if (bad !== undefined) {
      return {
        field: 'markets',
        message: `Each market must be an ISO 3166-1 alpha-2 code such as US or NL, but got '${bad.slice(0, 20)}'.`,
      };
    }
  }
  return validatePlans(f) ?? validateShape(f);
}

function validatePlans(f: NewOfferFields): InputProblem | null {
  if (f.billingPlans.length === 0) return { field: 'billingPlans', message: 'An offer has at least one billing plan.' };
  const allowed = f.trial
    ? ['none/P1M']
    : f.billingType === 'usage' && f.commerceType !== 'reservation'
      ? ['monthly/P1M']
      : PLANS_BY_COMMERCE_TYPE[f.commerceType];
  const seen = new Set<string>();
  const currency = f.billingPlans[0]!.currency.trim().toUpperCase();
  for (const [i, plan] of f.billingPlans.entries()) {
    const key = planKey(plan);
    const at = `billingPlans.${i}`;
    if (!allowed.includes(key)) {
      const what = f.trial
        ? 'A trial'
        : f.billingType === 'usage' && f.commerceType !== 'reservation'
          ? 'A usage-based offer'
          : `A ${f.commerceType} offer`;
      return { field: `${at}.billingCycle`, message: `${what} is sold on the plans ${allowed.join(', ')}, but got ${key}.` };
    }
    if (seen.has(key)) return { field: `${at}.billingCycle`, message: `The plan ${key} is listed twice.` };
    seen.add(key);
    if (!Number.isSafeInteger(plan.unitPriceCents) || plan.unitPriceCents < 0) {
      return {
        field: `${at}.price.amountInCents`,
        message: `A price is a whole number of cents from 0 (MONEY-EXACT), but got ${plan.unitPriceCents}.`,
      };
    }
    const free = f.trial !== null || (f.billingType === 'usage' && f.commerceType !== 'reservation');
    if (free && plan.unitPriceCents !== 0) {
      return {
        field: `${at}.price.amountInCents`,
        message: `${f.trial ? 'A trial is free (CAT-TRIAL)' : 'A usage-based offer has no licence price: the meter bills it'}; its price must be 0, but got ${plan.unitPriceCents}.`,
      };
    }
    const code = plan.currency.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(code)) {
      return {
        field: `${at}.price.currencyCode`,
        message: `A currency is an ISO 4217 code such as USD or EUR, but got '${plan.currency.slice(0, 20)}'.`,
      };
    }
    if (code !== currency) {
      return {
        field: `${at}.price.currencyCode`,
        message: `Every plan of an offer has the same currency: ${currency} first, then ${code}.`,
      };
    }
  }
  return null;
}

function validateShape(f: NewOfferFields): InputProblem | null {
  if (f.trial !== null) {
    if (f.commerceType !== 'new_commerce') {
      return { field: 'trial', message: `Trials are new-commerce offers in the catalog (CAT-TRIAL), but the offer is ${f.commerceType}.` };
    }
    if (!Number.isInteger(f.trial.days) || f.trial.days < 1 || f.trial.days > MAX_TRIAL_DAYS) {
      return { field: 'trial.days', message: `A trial lasts 1 to ${MAX_TRIAL_DAYS} days (CAT-TRIAL), but got ${f.trial.days}.` };
    }
    if (f.addOnBaseOfferIds.length > 0)
      return { field: 'addOnBaseOfferIds', message: 'A trial is not an add-on: leave addOnBaseOfferIds out.' };
  }
  if ((f.commerceType === 'software') !== (f.softwareKind !== null)) {
    return {
      field: 'softwareKind',
      message:
        f.softwareKind === null
          ? 'A software offer is a PERPETUAL licence or a SUBSCRIPTION (SW-POST-CANCEL): set softwareKind.'
          : 'Only a software offer has a softwareKind: leave it out.',
    };
  }
  if ((f.commerceType === 'reservation') !== (f.reservationType !== null)) {
    return {
      field: 'reservationType',
      message:
        f.reservationType === null
          ? 'An Azure reservation has a type (RES-EXCHANGE stays within it): set reservationType.'
          : 'Only an Azure reservation has a reservationType: leave it out.',
    };
  }
  const { minQuantity: min, maxQuantity: max } = f;
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min || max > MAX_OFFER_QUANTITY) {
    return {
      field: 'maxQuantity',
      message: `The quantity bounds must be whole numbers with 1 <= minQuantity <= maxQuantity <= ${MAX_OFFER_QUANTITY}, but got ${min} to ${max}.`,
    };
  }
  if (new Set(f.upgradeTargetIds).size !== f.upgradeTargetIds.length)
    return { field: 'upgradeTargetIds', message: 'An upgrade target is listed twice.' };
  if (new Set(f.addOnBaseOfferIds).size !== f.addOnBaseOfferIds.length)
    return { field: 'addOnBaseOfferIds', message: 'A base offer is listed twice.' };
  if (f.addOnBaseOfferIds.length > 0 && f.upgradeTargetIds.length > 0) {
    return {
      field: 'upgradeTargetIds',
      message: 'An add-on has no upgrade targets of its own (UPG-ELIGIBLE applies to its base): leave upgradeTargetIds out.',
    };
  }
  return null;
}

export interface CreateOfferInput {
  fields: NewOfferFields;
  partner: PartnerDoc;
  /**
   * The offers the new one names (trial.convertsToOfferId, upgradeTargetIds, addOnBaseOfferIds)
   * as the caller's catalog holds them (catalogView), read under the lock; an ID it lacks is absent.
   */
  referenced: ReadonlyMap<string, OfferDoc>;
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface CreateOfferOutcome {
  effects: Effect[];
  offer: SandboxOfferDoc;
  summary: string;
  quoteSummary: string;
}

/**
 * A new offer of the caller's sandbox. SANDBOX-OFFERS: only a test sandbox's partner makes offers
 * (a real partner's catalog is Microsoft's and its publishers'), and only it ever sees them.
 * ROLE-SUBSCRIPTIONS decides who, as for creating a customer: the offer exists to be bought. The
 * offers it names must be in the caller's catalog and fit: a trial converts to a paid offer of its
 * commerce type (CAT-TRIAL); an upgrade goes to a base offer of the same commerce type
 * (UPG-ELIGIBLE); an add-on is for base offers (ADDON-ELIGIBLE) and sells every billing plan of
 * each, so it can always align with its base (ADDON-ALIGN). The ID is the gateway's: `S` and 11 hex
 * digits from the operation's ID, `:0001`, a catalog item ID of the usual shape.
 */
export function decideCreateOffer(input: CreateOfferInput): Decision<CreateOfferOutcome, RuleId | 'SANDBOX-OFFERS'> {
  const { fields: f, partner, referenced, actor, now, ids } = input;
  const role = checkRole(actor, 'ROLE-SUBSCRIPTIONS', 'create offers');
  if (role) return role;
  if (!isSandboxPartner(partner)) {
    return refuse(
      'SANDBOX-OFFERS',
      'NOT_SUPPORTED',
      "Offers can be created in a test sandbox only (docs/sandboxes.md); a real partner's catalog is Microsoft's and its publishers'.",
    );
  }
  const refusal = checkReferences(f, referenced);
  if (refusal) return refusal;
  const productId = `S${ids.order(0).slice(0, 11).toUpperCase()}`;
  const skuId = '0001';
  const currency = f.billingPlans[0]!.currency.trim().toUpperCase();
  const name = f.name.trim();
  const offer: SandboxOfferDoc = {
    _id: `${productId}:${skuId}`,
    partnerId: partner._id,
    productId,
    skuId,
    name,
    description: f.description,
    publisher: f.publisher,
    publisherName: f.publisher === 'microsoft' ? 'Microsoft Corporation' : `${partner.name} (sandbox publisher)`,
    commerceType: f.commerceType,
    billingType: f.billingType,
    category: f.category ?? (f.trial ? 'trial' : 'enterprise'),
    productType: f.productType ?? PRODUCT_TYPES[f.commerceType][0]!,
    segments: [...new Set(f.segments)],
    currency,
    billingPlans: f.billingPlans.map((p) => ({
      billingCycle: p.billingCycle,
      termDuration: p.termDuration,
      unitPriceCents: p.unitPriceCents,
    })),
    trial: f.trial,
    onePerCustomer: f.onePerCustomer,
    isAddOn: f.addOnBaseOfferIds.length > 0,
    addOnBaseOfferIds: f.addOnBaseOfferIds,
    upgradeTargetIds: f.upgradeTargetIds,
    eligibleAddOnIds: [],
    countries: f.markets === null ? null : [...new Set(f.markets.map((c) => c.trim().toUpperCase()))],
    cspAvailable: true,
    exclusivePartnerIds: [],
    transactable: true,
    minQuantity: f.minQuantity,
    maxQuantity: f.maxQuantity,
    softwareKind: f.softwareKind,
    softwareVendorPlan: null,
    reservationType: f.reservationType,
    createdAt: now,
  };
  const audit = auditFor(actor, {
    partnerId: partner._id,
    customerId: null,
    operationType: 'create_offer',
    resourceType: 'offer',
    resourceId: offer._id,
    at: now,
    after: offer,
  });
  const what = `offer '${name}' (${offer._id})`;
  return allow({
    effects: [{ kind: 'insert', collection: 'sandboxOffers', doc: offer }, audit],
    offer,
    ...phrased(`Created ${what}.`, `Would create ${what}.`),
  });
}

function checkReferences(f: NewOfferFields, referenced: ReadonlyMap<string, OfferDoc>) {
  const missing = (rule: RuleId, field: string, id: string, role: string) =>
    refuse(rule, 'NOT_ELIGIBLE', `There is no offer '${id}' in your catalog to be ${role}.`, field);
  if (f.trial) {
    const field = 'trial.convertsToOfferId';
    const target = referenced.get(f.trial.convertsToOfferId);
    if (!target) return missing('CAT-TRIAL', field, f.trial.convertsToOfferId, 'the paid offer the trial converts to');
    if (target.trial || target.isAddOn || target.commerceType !== f.commerceType) {
      return refuse(
        'CAT-TRIAL',
        'NOT_ELIGIBLE',
        `A trial converts to a paid ${f.commerceType} base offer; '${target.name}' is not one.`,
        field,
      );
    }
  }
  for (const [i, id] of f.upgradeTargetIds.entries()) {
    const field = `upgradeTargetIds.${i}`;
    const target = referenced.get(id);
    if (!target) return missing('UPG-ELIGIBLE', field, id, 'an upgrade target');
    if (target.trial || target.isAddOn || target.commerceType !== f.commerceType) {
      return refuse(
        'UPG-ELIGIBLE',
        'NOT_ELIGIBLE',
        `An upgrade goes to a paid ${f.commerceType} base offer; '${target.name}' is not one.`,
        field,
      );
    }
  }
  const plans = new Set(f.billingPlans.map(planKey));
  for (const [i, id] of f.addOnBaseOfferIds.entries()) {
    const field = `addOnBaseOfferIds.${i}`;
    const base = referenced.get(id);
    if (!base) return missing('ADDON-ELIGIBLE', field, id, 'an add-on base');
    if (base.isAddOn || base.trial || base.commerceType !== f.commerceType) {
      return refuse(
        'ADDON-ELIGIBLE',
        'NOT_ELIGIBLE',
        `An add-on is for paid ${f.commerceType} base offers; '${base.name}' is not one.`,
        field,
      );
    }
    const lacking = base.billingPlans.map(planKey).filter((k) => !plans.has(k));
    if (lacking.length > 0) {
      return refuse(
        'ADDON-ALIGN',
        'NOT_ELIGIBLE',
        `An add-on sells every billing plan of its base, to align with it; '${base.name}' has ${lacking.join(', ')}, which the add-on lacks.`,
        'billingPlans',
      );
    }
  }
  return null;
}

/**
 * The caller's catalog: the global one with a sandbox's own offers laid over it. An own add-on is
 * listed among its bases' eligible add-ons (ADDON-ELIGIBLE reads the base), on copies: the global
 * catalog's documents are shared by every request and never changed.
 */
export function catalogView(global: Iterable<OfferDoc>, own: readonly SandboxOfferDoc[]): Map<string, OfferDoc> {
  const byId = new Map<string, OfferDoc>();
  for (const o of global) byId.set(o._id, o);
  for (const o of own) byId.set(o._id, o);
  for (const addOn of own) {
    for (const baseId of addOn.addOnBaseOfferIds) {
      const base = byId.get(baseId);
      if (base && !base.eligibleAddOnIds.includes(addOn._id))
        byId.set(baseId, { ...base, eligibleAddOnIds: [...base.eligibleAddOnIds, addOn._id] });
    }
  }
  return byId;
}
