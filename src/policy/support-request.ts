/**
 * Support requests for a refund or an exchange, asked of Microsoft support on a customer's behalf
 * (SW-SUPPORT-REQUEST for software purchases, RES-SUPPORT-REQUEST for Azure reservations). One
 * generic decision for every kind: the kind fixes the problem type, category and issue type, the
 * role that may ask, and the record the request is about; every field the rule names is
 * validated, and a refusal names the input field.
 */
import type { CustomerDoc, SupportRequestDoc } from '../db/documents.js';
import { auditFor } from './common.js';
import { allow, refuse, type Decision, type Refused } from './decision.js';
import type { Effect, IdSource } from './effects.js';
import { formatMoney } from './money.js';
import { checkRole, type RoleRule } from './roles.js';
import type { Caller } from '../shared/caller.js';
import { phrased } from './mood.js';

export type SupportRequestKind = SupportRequestDoc['kind'];

/** What a support request can be about: a software order, a subscription or a reservation of the customer. */
export type SupportResourceType = 'software_order' | 'subscription' | 'reservation';

export interface SupportRequestKindSpec {
  /** The rule that names the request's fields. */
  rule: 'SW-SUPPORT-REQUEST' | 'RES-SUPPORT-REQUEST';
  /** Who may ask: ROLE-SOFTWARE for software purchases, ROLE-RESERVATIONS for reservations. */
  role: RoleRule;
  /** Fixed by the kind; an input that names one must name exactly this. */
  issueType: string | null;
  problemType: string;
  category: string | null;
  /** What `resourceId` may name. */
  resourceTypes: readonly SupportResourceType[];
  /** SW-SUPPORT-REQUEST names impact and the amount asked; RES-SUPPORT-REQUEST does not. */
  impactRequired: boolean;
  amountRequired: boolean;
  /** For messages: "a software purchase refund". */
  label: string;
}

/** SW-SUPPORT-REQUEST, RES-SUPPORT-REQUEST: the fixed classification of each kind of request. */
export const SUPPORT_REQUEST_KINDS: Readonly<Record<SupportRequestKind, SupportRequestKindSpec>> = {
  software_refund: {
    rule: 'SW-SUPPORT-REQUEST',
    role: 'ROLE-SOFTWARE',
    issueType: null,
    problemType: 'CSP purchase/refund on behalf of customers',
    category: null,
    resourceTypes: ['software_order', 'subscription'],
    impactRequired: true,
    amountRequired: true,
    label: 'a software purchase refund',
  },
  reservation_refund: {
    rule: 'RES-SUPPORT-REQUEST',
    role: 'ROLE-RESERVATIONS',
    issueType: 'billing',
    problemType: 'Reservation management',
    category: 'Exchanges and refunds',
    resourceTypes: ['reservation'],
    impactRequired: false,
    amountRequired: false,
    label: 'a reservation refund',
  },
  reservation_exchange: {
    rule: 'RES-SUPPORT-REQUEST',
    role: 'ROLE-RESERVATIONS',
    issueType: 'billing',
    problemType: 'Reservation management',
    category: 'Exchanges and refunds',
    resourceTypes: ['reservation'],
    impactRequired: false,
    amountRequired: false,
    label: 'a reservation exchange',
  },
};

/** The request as the partner filled it in; every field may be missing, and is then refused if the kind needs it. */
export interface SupportRequestFields {
  issueType?: string | null;
  problemType?: string | null;
  category?: string | null;
  impact?: string | null;
  title?: string | null;
  /** The customer's tenant ID (GUID) or domain. */
  customer?: string | null;
  /** The order or subscription ID (software), or the reservation ID. */
  resourceId?: string | null;
  reason?: string | null;
  /** The amount asked, in integer cents (MONEY-EXACT). */
  amountRequestedInCents?: number | null;
  contact?: { name?: string | null; email?: string | null; phone?: string | null } | null;
  /** Names of attached files (optional). */
  attachmentNames?: readonly string[] | null;
}

/** The record `resourceId` named, as loaded for the customer; null when no such record exists. */
export interface SupportResource {
  type: SupportResourceType;
  id: string;
  customerId: string;
  currency: string;
}

export const SUPPORT_LIMITS = {
  title: 200,
  impact: 200,
  reason: 4000,
  contactName: 200,
  attachments: 10,
  attachmentName: 255,
} as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{4,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const EMAIL = /^[^\s@]{1,64}@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const PHONE = /^\+?[0-9 ().-]{6,24}$/;

/** A customer reference: a tenant ID (GUID) or a domain name. */
export function customerRefKind(ref: string): 'tenant_id' | 'domain' | null {
  const text = ref.trim();
  return GUID.test(text) ? 'tenant_id' : DOMAIN.test(text) ? 'domain' : null;
}

function blank(value: string | null | undefined): boolean {
  return value == null || value.trim() === '';
}

/** A required free-text field: present, not blank, at most `max` characters. */
function requiredText(args: { spec: SupportRequestKindSpec; value: string | null | undefined; field: string; what: string; max: number }) {
  const { spec, value, field, what, max } = args;
  if (blank(value)) return refuse(spec.rule, 'INVALID_VALUE', `A support request for ${spec.label} needs ${what}.`, field);
  if (value!.trim().length > max) {
    return refuse(spec.rule, 'INVALID_VALUE', `${capitalise(what)} has at most ${max} characters; got ${value!.trim().length}.`, field);
  }
  return null;
}

/** A classification fixed by the kind: omitted means the fixed value; given, it must be exactly that. */
function fixedValue(args: {
  spec: SupportRequestKindSpec;
  given: string | null | undefined;
  fixed: string | null;
  field: string;
  what: string;
}) {
  const { spec, given, fixed, field, what } = args;
  if (given == null) return null;
  if (fixed === null) {
    return refuse(spec.rule, 'INVALID_VALUE', `A support request for ${spec.label} has no ${what}; got '${given.slice(0, 80)}'.`, field);
  }
  if (given !== fixed) {
    return refuse(
      spec.rule,
      'INVALID_VALUE',
      `The ${what} of a support request for ${spec.label} is exactly '${fixed}'; got '${given.slice(0, 80)}'.`,
      field,
    );
  }
  return null;
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * SW-SUPPORT-REQUEST (and RES-SUPPORT-REQUEST for the reservation kinds): every field the rule
 * names, checked in the order of the form: issue type, problem type and category (fixed by the
 * kind), impact, title, the customer's tenant ID or domain, the order, subscription or reservation
 * ID, the reason, the amount asked (positive integer cents), the contact's name, e-mail and phone,
 * and the optional attachments. Pure shape checks; whether the customer and record match is
 * `checkSupportRequestTargets`.
 */
export function validateSupportRequest(kind: SupportRequestKind, f: SupportRequestFields): Refused | null {
  const spec = SUPPORT_REQUEST_KINDS[kind];
  const contact = f.contact ?? {};
  const customerRef = f.customer?.trim() ?? '';
  return (
    fixedValue({ spec, given: f.issueType, fixed: spec.issueType, field: 'issueType', what: 'issue type' }) ??
    fixedValue({ spec, given: f.problemType, fixed: spec.problemType, field: 'problemType', what: 'problem type' }) ??
    fixedValue({ spec, given: f.category, fixed: spec.category, field: 'category', what: 'category' }) ??
    (spec.impactRequired || !blank(f.impact)
      ? requiredText({ spec, value: f.impact, field: 'impact', what: 'an impact', max: SUPPORT_LIMITS.impact })
      : null) ??
    requiredText({ spec, value: f.title, field: 'title', what: 'a title', max: SUPPORT_LIMITS.title }) ??
    (customerRef === ''
      ? refuse(spec.rule, 'INVALID_VALUE', `A support request for ${spec.label} needs the customer's tenant ID or domain.`, 'customer')
      : customerRefKind(customerRef) === null
        ? refuse(
            spec.rule,
            'INVALID_VALUE',
            `The customer is named by its tenant ID (a GUID) or its domain (such as contoso.onmicrosoft.com); got '${customerRef.slice(0, 80)}'.`,
            'customer',
          )
        : null) ??
    (blank(f.resourceId)
      ? refuse(
          spec.rule,
          'INVALID_VALUE',
          `A support request for ${spec.label} needs the ${spec.resourceTypes.includes('reservation') ? 'reservation ID' : 'order or subscription ID'}.`,
          'resourceId',
        )
      : null) ??
    requiredText({ spec, value: f.reason, field: 'reason', what: 'a reason', max: SUPPORT_LIMITS.reason }) ??
    checkAmount(spec, f.amountRequestedInCents) ??
    requiredText({ spec, value: contact.name, field: 'contact.name', what: "a contact's name", max: SUPPORT_LIMITS.contactName }) ??
    (blank(contact.email)
      ? refuse(spec.rule, 'INVALID_VALUE', `A support request for ${spec.label} needs a contact e-mail address.`, 'contact.email')
      : !EMAIL.test(contact.email!.trim())
        ? refuse(
            spec.rule,
            'INVALID_VALUE',
            `The contact e-mail must be an address such as name@contoso.com; got '${contact.email!.slice(0, 80)}'.`,
            'contact.email',
          )
        : null) ??
    (blank(contact.phone)
      ? refuse(spec.rule, 'INVALID_VALUE', `A support request for ${spec.label} needs a contact phone number.`, 'contact.phone')
      : !PHONE.test(contact.phone!.trim()) || contact.phone!.replace(/\D/g, '').length < 6
        ? refuse(
            spec.rule,
            'INVALID_VALUE',
            `The contact phone must be a number of at least 6 digits, such as +1 425 555 0100; got '${contact.phone!.slice(0, 40)}'.`,
            'contact.phone',
          )
        : null) ??
    checkAttachments(spec, f.attachmentNames ?? [])
  );
}

/** The amount asked: required for software refunds, optional otherwise; always a positive whole number of cents. */
function checkAmount(spec: SupportRequestKindSpec, amount: number | null | undefined): Refused | null {
  if (amount == null) {
    return spec.amountRequired
      ? refuse(
          spec.rule,
          'INVALID_VALUE',
          `A support request for ${spec.label} needs the amount asked, in cents.`,
          'amountRequestedInCents',
        )
      : null;
  }
  if (!Number.isSafeInteger(amount) || amount <= 0) {
    return refuse(
      spec.rule,
      'INVALID_VALUE',
      `The amount asked is a positive whole number of cents; got ${amount}.`,
      'amountRequestedInCents',
    );
  }
  return null;
}

/** Attachments are optional: at most 10, each a plain file name. */
function checkAttachments(spec: SupportRequestKindSpec, names: readonly string[]): Refused | null {
  if (names.length > SUPPORT_LIMITS.attachments) {
    return refuse(
      spec.rule,
      'LIMIT_EXCEEDED',
      `A support request has at most ${SUPPORT_LIMITS.attachments} attachments; got ${names.length}.`,
      'attachmentNames',
    );
  }
  for (const [i, name] of names.entries()) {
    const text = name.trim();
    if (text === '' || text.length > SUPPORT_LIMITS.attachmentName || /[/\\]/.test(text) || text === '.' || text === '..') {
      return refuse(
        spec.rule,
        'INVALID_VALUE',
        `Attachment ${i + 1} must be a file name of 1 to ${SUPPORT_LIMITS.attachmentName} characters without '/' or '\\'; got '${name.slice(0, 80)}'.`,
        `attachmentNames.${i}`,
      );
    }
  }
  return null;
}

/**
 * SW-SUPPORT-REQUEST / RES-SUPPORT-REQUEST: the tenant ID or domain names this customer, and the
 * record named is one of this customer's, of a type the kind is about.
 */
export function checkSupportRequestTargets(
  kind: SupportRequestKind,
  f: SupportRequestFields,
  customer: Pick<CustomerDoc, '_id' | 'domain' | 'companyName'>,
  resource: SupportResource | null,
): Refused | null {
  const spec = SUPPORT_REQUEST_KINDS[kind];
  const ref = (f.customer ?? '').trim().toLowerCase();
  if (ref !== customer._id.toLowerCase() && ref !== customer.domain.toLowerCase()) {
    return refuse(
      spec.rule,
      'INVALID_VALUE',
      `'${(f.customer ?? '').slice(0, 80)}' is neither the tenant ID nor the domain of ${customer.companyName} (${customer._id}, ${customer.domain}).`,
      'customer',
    );
  }
  const wanted = spec.resourceTypes.map((t) => t.replace('_', ' ')).join(' or ');
  if (resource === null || resource.customerId !== customer._id || !spec.resourceTypes.includes(resource.type)) {
    return refuse(
      spec.rule,
      'NOT_ELIGIBLE',
      `${customer.companyName} has no ${wanted} with ID '${(f.resourceId ?? '').slice(0, 80)}'.`,
      'resourceId',
    );
  }
  return null;
}

export interface CreateSupportRequestInput {
  kind: SupportRequestKind;
  fields: SupportRequestFields;
  /** The customer the request is for (resolved from `fields.customer`). */
  customer: CustomerDoc;
  /** The record `fields.resourceId` names, if the customer has it. */
  resource: SupportResource | null;
  actor: Caller;
  now: Date;
  ids: IdSource;
}

export interface CreateSupportRequestOutcome {
  effects: Effect[];
  request: SupportRequestDoc;
  summary: string;
  /** The summary in the conditional, for a quote (dryRun; src/policy/mood.ts). */
  quoteSummary: string;
}

/**
 * SW-SUPPORT-REQUEST / RES-SUPPORT-REQUEST: create a support request of any kind: the kind's role
 * (ROLE-SOFTWARE, ROLE-RESERVATIONS), then every field, then the customer and the record it is
 * about. The request is recorded open, with the kind's fixed classification.
 */
export function decideCreateSupportRequest(input: CreateSupportRequestInput): Decision<CreateSupportRequestOutcome> {
  const { kind, fields: f, customer, resource, actor, now, ids } = input;
  const spec = SUPPORT_REQUEST_KINDS[kind];
  const bad =
    checkRole(actor, spec.role, `ask for ${spec.label}`) ??
    validateSupportRequest(kind, f) ??
    checkSupportRequestTargets(kind, f, customer, resource);
  if (bad) return bad;
  const contact = f.contact!;
  const amount = f.amountRequestedInCents ?? null;
  const request: SupportRequestDoc = {
    _id: ids.subscription(0),
    partnerId: customer.partnerId,
    customerId: customer._id,
    kind,
    problemType: spec.problemType,
    category: spec.category,
    impact: blank(f.impact) ? null : f.impact!.trim(),
    title: f.title!.trim(),
    resourceId: resource!.id,
    reason: f.reason!.trim(),
    amountRequestedCents: amount,
    currency: amount === null ? null : resource!.currency,
    contact: { name: contact.name!.trim(), email: contact.email!.trim(), phone: contact.phone!.trim() },
    attachmentNames: (f.attachmentNames ?? []).map((n) => n.trim()),
    status: 'open',
    createdAt: now,
    version: 0,
  };
  const effects: Effect[] = [
    { kind: 'insert', collection: 'supportRequests', doc: request },
    auditFor(actor, {
      partnerId: customer.partnerId,
      customerId: customer._id,
      operationType: 'create_support_request',
      resourceType: 'support_request',
      resourceId: request._id,
      at: now,
      after: { kind, resourceId: request.resourceId, amountRequestedCents: amount },
    }),
  ];
  const asked = amount === null ? '' : ` for ${formatMoney(amount, request.currency!)}`;
  return allow({
    effects,
    request,
    ...phrased(
      `Support request ${request._id} (${spec.problemType}) opened for ${spec.label} of ${customer.companyName}, ${resource!.type.replace('_', ' ')} ${resource!.id}${asked}.`,
      `Would open a support request (${spec.problemType}) for ${spec.label} of ${customer.companyName}, ${resource!.type.replace('_', ' ')} ${resource!.id}${asked}.`,
    ),
  });
}
