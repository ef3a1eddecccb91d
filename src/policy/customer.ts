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
import { allow, refuse, type Decision } from './decision.js';
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
}

/** A malformed input: the field (path under `input`) and what was expected, in a sentence. */
export interface InputProblem {
  field: string;
  message: string;
}

/**
 * The input alone, in field order; null when every field is well-formed. Partner Center refuses
 * these with 400 before looking anything up, so they are input errors, not rule refusals.
 */
export function validateNewCustomer(fields: NewCustomerFields, partner: Pick<PartnerDoc, 'partnerType'>): InputProblem | null {
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
  return null;
}

export interface CreateCustomerInput {
  fields: NewCustomerFields;
  partner: PartnerDoc;
  /**
   * A customer of any partner that already has the domain (case-insensitive), read under the
   * lock; null when it is free. Entra domains are global, and the database holds them unique.
   */
  domainTakenBy: Pick<CustomerDoc, '_id' | 'partnerId' | 'companyName'> | null;
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
 * grace days), the country is stored upper-cased (RES-MARKETS, PRICE-TAX, CAT-UNAVAILABLE), the
 * segment as given (CAT-FILTER).
 */
export function decideCreateCustomer(input: CreateCustomerInput): Decision<CreateCustomerOutcome> {
  const { fields, partner, domainTakenBy, actor, now, ids } = input;
  const role = checkRole(actor, 'ROLE-SUBSCRIPTIONS', 'create customers');
  if (role) return role;
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
    companyNameLower: companyName.toLowerCase(),
    domain,
    domainLower: domain.toLowerCase(),
    billingCountry: fields.country.trim().toUpperCase(),
    segment: fields.segment,
    relationshipToPartner: fields.relationshipToPartner,
    associatedPartnerId: fields.associatedPartnerId,
    accountOpenedAt: now,
    firstBillingAt: now,
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
