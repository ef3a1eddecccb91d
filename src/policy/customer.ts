/**
 * Creating a customer tenant (Partner Center `POST /v1/customers`, audit operation `add_customer`).
 * Two steps, both pure: `validateNewCustomer` checks the input alone (answered as BAD_USER_INPUT,
 * naming the field: no rule of the spec covers a malformed company profile), and
 * `decideCreateCustomer` decides against the database as it is under the lock (the caller's
 * roles, the domain still free) and builds the document with every field a rule reads.
 */
import type { CustomerDoc, CustomerSegment, PartnerDoc } from '../db/documents.js';
import type { Caller } from '../shared/caller.js';
import { auditFor } from './common.js';
import { customerNameFields } from './customer-keys.js';
import { allow, refuse, type Decision } from './decision.js';
import type { RuleId } from './rule-ids.js';
import type { Effect, IdSource } from './effects.js';
import { phrased } from './mood.js';
import { checkRole } from './roles.js';

/** Partner Center states no maximum for `companyName`; 250 characters is this gateway's. */
export const MAX_COMPANY_NAME = 250;

/** ISO 3166-1 alpha-2: every officially assigned code (249). */
export const ISO_COUNTRIES: ReadonlySet<string> = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW'
  ).split(' '),
);

/** A DNS name of at least two labels, each 1-63 letters, digits or inner hyphens, at most 253 characters in all. */
const DNS_NAME = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/i;

/** What the partner asked for; `field` paths of problems are relative to the mutation's `input`. */
export interface NewCustomerFields {
  companyName: string;
  domain: string;
  /** ISO 3166-1 alpha-2, any case. */
  country: string;
  segment: CustomerSegment;
  relationshipToPartner: CustomerDoc['relationshipToPartner'];
  /** MPN ID of the indirect reseller of record; only an indirect provider names one. */
  associatedPartnerId: string | null;
  /**
   * In a sandbox only (docs/sandboxes.md, "Building the scenario"): when the account was opened
   * and first billed, instants of the sandbox's past (SUSP-DATA-DELETION). Absent or null: now.
   */
  accountOpenedAt?: Date | null;
  firstBillingAt?: Date | null;
}

/** A malformed input: the field (path under `input`) and what was expected, in a sentence. */
export interface InputProblem {
  field: string;
  message: string;
}

/** Whether `partner` is a test sandbox's (docs/sandboxes.md): real partners have no sandboxAdminId. */
export function isSandboxPartner(partner: Pick<PartnerDoc, 'sandboxAdminId'>): boolean {
  return partner.sandboxAdminId !== undefined;
}

/**
 * The input alone, in field order; null when every field is well-formed. Partner Center refuses
 * these with 400 before looking anything up, so they are input errors, not rule refusals. `now`,
 * the partner's clock when known, checks that sandbox dates lie in its past (the decision checks
 * again under the lock).
 */
export function validateNewCustomer(
  fields: NewCustomerFields,
  partner: Pick<PartnerDoc, 'partnerType' | 'sandboxAdminId'>,
  now?: Date,
): InputProblem | null {
  const name = fields.companyName.trim();
  if (name.length === 0) return { field: 'companyProfile.companyName', message: 'The company name must not be empty.' };
  if (name.length > MAX_COMPANY_NAME) {
    return {
      field: 'companyProfile.companyName',
      message: `The company name must be at most ${MAX_COMPANY_NAME} characters, but has ${name.length}.`,
    };
  }
  const domain = fields.domain.trim();
  if (!DNS_NAME.test(domain)) {
    return {
      field: 'companyProfile.domain',
      message: `The domain must be a DNS name such as contoso.onmicrosoft.com (labels of letters, digits and inner hyphens, separated by dots), but got '${domain}'.`,
    };
  }
  const country = fields.country.trim().toUpperCase();
  if (!ISO_COUNTRIES.has(country)) {
    return {
      field: 'billingProfile.defaultAddress.country',
      message: `The country must be an ISO 3166-1 alpha-2 code such as US or NL, but got '${fields.country}'.`,
    };
  }
  if (fields.associatedPartnerId !== null && partner.partnerType !== 'indirect_provider') {
    return {
      field: 'associatedPartnerId',
      message: 'Only an indirect provider names an indirect reseller of record for a customer; leave associatedPartnerId out.',
    };
  }
  return validateAccountDates(fields, partner, now);
}

/** accountOpenedAt and firstBillingAt: a sandbox's only, in its past, first billing not before opening. */
function validateAccountDates(
  fields: NewCustomerFields,
  partner: Pick<PartnerDoc, 'sandboxAdminId'>,
  now: Date | undefined,
): InputProblem | null {
  const opened = fields.accountOpenedAt ?? null;
  const billed = fields.firstBillingAt ?? null;
  for (const [field, value] of [
    ['accountOpenedAt', opened],
    ['firstBillingAt', billed],
  ] as const) {
    if (value === null) continue;
    if (!isSandboxPartner(partner)) {
      return {
        field,
        message: `${field} may be set in a test sandbox only (docs/sandboxes.md); a real partner's customer is opened and first billed now. Leave ${field} out.`,
      };
    }
    if (now !== undefined && value > now) {
      return {
        field,
        message: `${field} must be an instant in the sandbox's past, at or before its clock's ${now.toISOString()}, but got ${value.toISOString()}.`,
      };
    }
  }
  // Either left out is now; without `now` (no clock read yet) only two given instants compare.
  const openedAt = opened ?? now;
  if (billed !== null && openedAt !== undefined && billed < openedAt) {
    return {
      field: 'firstBillingAt',
      message: `firstBillingAt must not be before the account was opened (${openedAt.toISOString()}), but got ${billed.toISOString()}.`,
    };
  }
  return null;
}

export interface CreateCustomerInput {
  fields: NewCustomerFields;
  partner: PartnerDoc;
  /**
   * A customer of the caller's realm that already has the domain (case-insensitive), read under
   * the lock; null when it is free. Real partners share one realm (Entra domains are global), each
   * sandbox is one of its own (CustomerDoc.domainRealm); the database holds them unique (domain_unique).
   */
  domainTakenBy: Pick<CustomerDoc, '_id' | 'partnerId' | 'companyName'> | null;
  /**
   * A sandbox's partner only: its customers, counted under the partner lock, and the most it may
   * hold (SANDBOX_MAX_CUSTOMERS). Real partners have no such quota.
   */
  sandboxQuota?: { customers: number; max: number };
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface CreateCustomerOutcome {
  effects: Effect[];
  customer: CustomerDoc;
  summary: string;
  quoteSummary: string;
}

/**
 * A new customer of the caller's partner. ROLE-SUBSCRIPTIONS decides who may: creating a customer
 * is the first step of buying subscriptions for it, and its roles include the global admins,
 * admin agents and sales agents that Partner Center lets add customers. A domain already in use
 * is refused; it names the holder only when that is the caller's own customer (ROLE-TENANT: another
 * partner's customers do not exist for this one, and "in use" is all Entra itself tells anyone).
 * Account opened and first billing are now on the simulation clock (SUSP-DATA-DELETION: no extra
 * grace days) unless a sandbox set them in its past (either left out is now), the country is stored upper-cased (RES-MARKETS, PRICE-TAX, CAT-UNAVAILABLE), the
 * segment as given (CAT-FILTER).
 */
export function decideCreateCustomer(input: CreateCustomerInput): Decision<CreateCustomerOutcome, 'SANDBOX-QUOTA' | RuleId> {
  const { fields, partner, domainTakenBy, actor, now, ids, sandboxQuota } = input;
  const role = checkRole(actor, 'ROLE-SUBSCRIPTIONS', 'create customers');
  if (role) return role;
  const sandbox = isSandboxPartner(partner);
  // SANDBOX-QUOTA (docs/sandboxes.md): decided from the count read under the partner lock, which
  // serialises the sandbox's creations, so concurrent ones cannot pass the quota together.
  if (sandbox && sandboxQuota && sandboxQuota.customers >= sandboxQuota.max) {
    return refuse(
      'SANDBOX-QUOTA',
      'LIMIT_EXCEEDED',
      `This sandbox already holds ${sandboxQuota.customers} customers, the most SANDBOX_MAX_CUSTOMERS (${sandboxQuota.max}) allows; create another sandbox for more.`,
    );
  }
  // Validated before the lock against the clock then; checked again here because restoring a
  // sandbox may move its clock back in between.
  const dates = validateAccountDates(fields, partner, now);
  if (dates) return refuse('GEN-CLOCK', 'INVALID_VALUE', dates.message, dates.field);
  const domain = fields.domain.trim();
  if (domainTakenBy) {
    const holder =
      domainTakenBy.partnerId === partner._id ? `your customer '${domainTakenBy.companyName}' (${domainTakenBy._id})` : 'another tenant';
    return refuse(
      'ROLE-TENANT',
      'INVALID_VALUE',
      `The domain '${domain}' is already in use by ${holder}; choose another domain.`,
      'companyProfile.domain',
    );
  }
  const companyName = fields.companyName.trim();
  const customer: CustomerDoc = {
    _id: ids.customer(0),
    partnerId: partner._id,
    companyName,
    domain,
    ...customerNameFields(companyName, domain),
    domainRealm: sandbox ? partner._id : null,
    billingCountry: fields.country.trim().toUpperCase(),
    segment: fields.segment,
    relationshipToPartner: fields.relationshipToPartner,
    associatedPartnerId: fields.associatedPartnerId,
    accountOpenedAt: fields.accountOpenedAt ?? now,
    firstBillingAt: fields.firstBillingAt ?? now,
    createdAt: now,
    version: 0,
  };
  const audit = auditFor(actor, {
    partnerId: partner._id,
    customerId: customer._id,
    operationType: 'add_customer',
    resourceType: 'customer',
    resourceId: customer._id,
    at: now,
    after: customer,
  });
  const what = `customer '${companyName}' (${customer._id}, ${domain})`;
  return allow({
    effects: [{ kind: 'insert', collection: 'customers', doc: customer }, audit],
    customer,
    ...phrased(`Created ${what}.`, `Would create ${what}.`),
  });
}
