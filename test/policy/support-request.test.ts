import { describe, expect, it } from 'vitest';
import type { PartnerRole } from '../../src/db/documents.js';
import {
  customerRefKind,
  decideCreateSupportRequest,
  SUPPORT_REQUEST_KINDS,
  validateSupportRequest,
  type SupportRequestFields,
  type SupportRequestKind,
  type SupportResource,
} from '../../src/policy/support-request.js';
import { adminAgent, allowed, anActor, at, customer, CUSTOMER_ID, DAY, ids, kinds, refused, T0 } from './harness.js';

/*
 * The generic support request (SW-SUPPORT-REQUEST for software refunds, RES-SUPPORT-REQUEST for
 * reservation refunds and exchanges): every field the rules name is validated, and a refusal
 * names the field; the kind fixes problem type, category and issue type, and the role.
 */

const ORDER_ID = '0123456789ab';
const RESERVATION_ID = 'a1b2c3d4-0000-4000-8000-00000000e5e5';
const adatum = customer({ domain: 'adatum.onmicrosoft.com', domainLower: 'adatum.onmicrosoft.com' });
const orderResource: SupportResource = { type: 'software_order', id: ORDER_ID, customerId: CUSTOMER_ID, currency: 'USD' };
const reservationResource: SupportResource = { type: 'reservation', id: RESERVATION_ID, customerId: CUSTOMER_ID, currency: 'USD' };

function softwareFields(overrides: Partial<SupportRequestFields> = {}): SupportRequestFields {
  return {
    problemType: 'CSP purchase/refund on behalf of customers',
    impact: 'Moderate: the customer was charged for licences it did not use',
    title: 'Refund of Windows Server order',
    customer: CUSTOMER_ID,
    resourceId: ORDER_ID,
    reason: 'Bought for the wrong customer; the 30-day window passed during the holidays.',
    amountRequestedInCents: 615_500,
    contact: { name: 'Megan Bowen', email: 'megan@contoso.com', phone: '+1 425 555 0100' },
    attachmentNames: ['invoice-2026-11.pdf'],
    ...overrides,
  };
}

function reservationFields(overrides: Partial<SupportRequestFields> = {}): SupportRequestFields {
  return {
    title: 'Refund of an unused reservation',
    customer: 'adatum.onmicrosoft.com',
    resourceId: RESERVATION_ID,
    reason: 'The workload moved to another region.',
    contact: { name: 'Megan Bowen', email: 'megan@contoso.com', phone: '+1 425 555 0100' },
    ...overrides,
  };
}

const create = (
  kind: SupportRequestKind,
  fields: SupportRequestFields,
  resource: SupportResource | null = kind === 'software_refund' ? orderResource : reservationResource,
  roles: PartnerRole[] = ['admin_agent'],
) => decideCreateSupportRequest({ kind, fields, customer: adatum, resource, actor: anActor(roles), now: at(40 * DAY), ids });

describe('software purchase refunds (SW-SUPPORT-REQUEST)', () => {
  it('SW-SUPPORT-REQUEST: a complete request is recorded open, with the fixed problem type, the amount asked in cents and the contact', () => {
    const d = allowed(create('software_refund', softwareFields()));
    expect(d.request).toEqual({
      _id: 'sub-0',
      partnerId: adatum.partnerId,
      customerId: CUSTOMER_ID,
      kind: 'software_refund',
      problemType: 'CSP purchase/refund on behalf of customers',
      category: null,
      impact: 'Moderate: the customer was charged for licences it did not use',
      title: 'Refund of Windows Server order',
      resourceId: ORDER_ID,
      reason: 'Bought for the wrong customer; the 30-day window passed during the holidays.',
      amountRequestedCents: 615_500,
      currency: 'USD',
      contact: { name: 'Megan Bowen', email: 'megan@contoso.com', phone: '+1 425 555 0100' },
      attachmentNames: ['invoice-2026-11.pdf'],
      status: 'open',
      createdAt: at(40 * DAY),
      version: 0,
    });
    expect(kinds(d.effects)).toEqual(['insert', 'audit']);
    expect(d.summary).toContain('6155.00 USD');
  });

  it('SW-SUPPORT-REQUEST: the problem type may be omitted (it is fixed), and attachments are optional', () => {
    const d = allowed(create('software_refund', softwareFields({ problemType: null, attachmentNames: null })));
    expect(d.request.problemType).toBe('CSP purchase/refund on behalf of customers');
    expect(d.request.attachmentNames).toEqual([]);
  });

  it('SW-SUPPORT-REQUEST: the customer is named by tenant ID or domain, in any case', () => {
    expect(allowed(create('software_refund', softwareFields({ customer: 'ADATUM.onmicrosoft.com' }))).request.customerId).toBe(CUSTOMER_ID);
    expect(allowed(create('software_refund', softwareFields({ customer: CUSTOMER_ID.toUpperCase() }))).request.customerId).toBe(
      CUSTOMER_ID,
    );
    expect(customerRefKind(CUSTOMER_ID)).toBe('tenant_id');
    expect(customerRefKind('adatum.onmicrosoft.com')).toBe('domain');
    expect(customerRefKind('Adatum Corporation')).toBeNull();
  });

  it('SW-SUPPORT-REQUEST: a subscription ID is accepted as well as an order ID', () => {
    const sub: SupportResource = {
      type: 'subscription',
      id: 'b1b2c3d4-0000-4000-8000-00000000e5e5',
      customerId: CUSTOMER_ID,
      currency: 'USD',
    };
    expect(allowed(create('software_refund', softwareFields({ resourceId: sub.id }), sub)).request.resourceId).toBe(sub.id);
  });

  const invalid: [string, Partial<SupportRequestFields>, string][] = [
    ['a problem type that is not exactly the fixed one', { problemType: 'CSP purchase/refund on behalf of customer' }, 'problemType'],
    ['a problem type in another case', { problemType: 'csp purchase/refund on behalf of customers' }, 'problemType'],
    ['an issue type (software refunds have none)', { issueType: 'billing' }, 'issueType'],
    ['a category (software refunds have none)', { category: 'Exchanges and refunds' }, 'category'],
    ['no impact', { impact: null }, 'impact'],
    ['a blank impact', { impact: '   ' }, 'impact'],
    ['no title', { title: '' }, 'title'],
    ['a title of 201 characters', { title: 'x'.repeat(201) }, 'title'],
    ['no customer', { customer: null }, 'customer'],
    ['a customer that is neither a GUID nor a domain', { customer: 'Adatum Corporation' }, 'customer'],
    ['no order or subscription ID', { resourceId: ' ' }, 'resourceId'],
    ['no reason', { reason: null }, 'reason'],
    ['no amount', { amountRequestedInCents: null }, 'amountRequestedInCents'],
    ['an amount of 0 cents', { amountRequestedInCents: 0 }, 'amountRequestedInCents'],
    ['a negative amount', { amountRequestedInCents: -100 }, 'amountRequestedInCents'],
    ['a fractional amount of cents', { amountRequestedInCents: 10.5 }, 'amountRequestedInCents'],
    ['no contact', { contact: null }, 'contact.name'],
    ['no contact name', { contact: { name: '', email: 'megan@contoso.com', phone: '+1 425 555 0100' } }, 'contact.name'],
    ['no e-mail', { contact: { name: 'Megan', email: null, phone: '+1 425 555 0100' } }, 'contact.email'],
    ['an e-mail without a domain', { contact: { name: 'Megan', email: 'megan@contoso', phone: '+1 425 555 0100' } }, 'contact.email'],
    ['an e-mail with a space', { contact: { name: 'Megan', email: 'megan bowen@contoso.com', phone: '+1 425 555 0100' } }, 'contact.email'],
    ['no phone', { contact: { name: 'Megan', email: 'megan@contoso.com', phone: '' } }, 'contact.phone'],
    ['a phone with letters', { contact: { name: 'Megan', email: 'megan@contoso.com', phone: 'call me' } }, 'contact.phone'],
    ['a phone of 5 digits', { contact: { name: 'Megan', email: 'megan@contoso.com', phone: '12345' } }, 'contact.phone'],
    ['11 attachments', { attachmentNames: Array.from({ length: 11 }, (_, i) => `f${i}.pdf`) }, 'attachmentNames'],
    ['an attachment name with a path', { attachmentNames: ['ok.pdf', '../etc/passwd'] }, 'attachmentNames.1'],
    ['a blank attachment name', { attachmentNames: [' '] }, 'attachmentNames.0'],
  ];

  it.each(invalid)('SW-SUPPORT-REQUEST: %s is refused (INVALID_VALUE or LIMIT_EXCEEDED), naming the field', (_what, overrides, field) => {
    const r = refused(create('software_refund', softwareFields(overrides)));
    expect(r.rule).toBe('SW-SUPPORT-REQUEST');
    expect(['INVALID_VALUE', 'LIMIT_EXCEEDED']).toContain(r.code);
    expect(r.field).toBe(field);
    // The same check without a customer or record: validation is pure and needs neither.
    expect(validateSupportRequest('software_refund', softwareFields(overrides))?.field).toBe(field);
  });

  it('SW-SUPPORT-REQUEST: a tenant ID or domain of another customer is refused, naming the customer field', () => {
    const r = refused(create('software_refund', softwareFields({ customer: 'fabrikam.onmicrosoft.com' })));
    expect(r).toMatchObject({ rule: 'SW-SUPPORT-REQUEST', code: 'INVALID_VALUE', field: 'customer' });
    expect(r.message).toContain('adatum.onmicrosoft.com');
  });

  it('SW-SUPPORT-REQUEST: an order the customer does not have, or a reservation, is refused (NOT_ELIGIBLE) on resourceId', () => {
    expect(refused(create('software_refund', softwareFields(), null))).toMatchObject({ code: 'NOT_ELIGIBLE', field: 'resourceId' });
    expect(refused(create('software_refund', softwareFields(), { ...orderResource, customerId: 'someone-else' }))).toMatchObject({
      field: 'resourceId',
    });
    expect(refused(create('software_refund', softwareFields(), reservationResource))).toMatchObject({ field: 'resourceId' });
  });

  it('ROLE-SOFTWARE: a software refund request needs an admin agent or a global admin; a helpdesk agent is refused (ROLE_NOT_ALLOWED)', () => {
    expect(allowed(create('software_refund', softwareFields(), orderResource, ['global_admin'])).request.kind).toBe('software_refund');
    expect(refused(create('software_refund', softwareFields(), orderResource, ['helpdesk_agent']))).toMatchObject({
      rule: 'ROLE-SOFTWARE',
      code: 'ROLE_NOT_ALLOWED',
    });
  });
});

describe('reservation refunds and exchanges (RES-SUPPORT-REQUEST)', () => {
  it('RES-SUPPORT-REQUEST: issue type billing, problem type "Reservation management", category "Exchanges and refunds" are fixed by the kind', () => {
    for (const kind of ['reservation_refund', 'reservation_exchange'] as const) {
      expect(SUPPORT_REQUEST_KINDS[kind]).toMatchObject({
        rule: 'RES-SUPPORT-REQUEST',
        role: 'ROLE-RESERVATIONS',
        issueType: 'billing',
        problemType: 'Reservation management',
        category: 'Exchanges and refunds',
      });
    }
    expect(SUPPORT_REQUEST_KINDS.software_refund).toMatchObject({
      rule: 'SW-SUPPORT-REQUEST',
      role: 'ROLE-SOFTWARE',
      issueType: null,
      problemType: 'CSP purchase/refund on behalf of customers',
      category: null,
    });
  });

  it('RES-SUPPORT-REQUEST: a refund request with contact details is recorded; impact and amount are optional', () => {
    const d = allowed(create('reservation_refund', reservationFields()));
    expect(d.request).toMatchObject({
      kind: 'reservation_refund',
      problemType: 'Reservation management',
      category: 'Exchanges and refunds',
      impact: null,
      resourceId: RESERVATION_ID,
      amountRequestedCents: null,
      currency: null,
      contact: { name: 'Megan Bowen', email: 'megan@contoso.com', phone: '+1 425 555 0100' },
      createdAt: at(40 * DAY),
    });
  });

  it('RES-SUPPORT-REQUEST: an exchange request names the fixed classification explicitly and is recorded as an exchange', () => {
    const d = allowed(
      create(
        'reservation_exchange',
        reservationFields({ issueType: 'billing', problemType: 'Reservation management', category: 'Exchanges and refunds' }),
      ),
    );
    expect(d.request.kind).toBe('reservation_exchange');
  });

  it.each([
    ['issue type technical', { issueType: 'technical' }, 'issueType'],
    ['problem type of a software refund', { problemType: 'CSP purchase/refund on behalf of customers' }, 'problemType'],
    ['category "Refunds"', { category: 'Refunds' }, 'category'],
    ['no contact e-mail', { contact: { name: 'Megan', email: '', phone: '+1 425 555 0100' } }, 'contact.email'],
    ['an amount of 0 cents', { amountRequestedInCents: 0 }, 'amountRequestedInCents'],
    ['no title', { title: null }, 'title'],
  ] as [string, Partial<SupportRequestFields>, string][])(
    'RES-SUPPORT-REQUEST: %s is refused, naming the field',
    (_what, overrides, field) => {
      expect(refused(create('reservation_refund', reservationFields(overrides)))).toMatchObject({
        rule: 'RES-SUPPORT-REQUEST',
        code: 'INVALID_VALUE',
        field,
      });
    },
  );

  it('RES-SUPPORT-REQUEST: a software order is not a reservation (NOT_ELIGIBLE on resourceId)', () => {
    expect(refused(create('reservation_refund', reservationFields({ resourceId: ORDER_ID }), orderResource))).toMatchObject({
      rule: 'RES-SUPPORT-REQUEST',
      code: 'NOT_ELIGIBLE',
      field: 'resourceId',
    });
  });

  it('ROLE-RESERVATIONS: a helpdesk agent may ask for a reservation refund; a billing admin may not', () => {
    expect(allowed(create('reservation_refund', reservationFields(), reservationResource, ['helpdesk_agent'])).request.kind).toBe(
      'reservation_refund',
    );
    expect(refused(create('reservation_refund', reservationFields(), reservationResource, ['billing_admin']))).toMatchObject({
      rule: 'ROLE-RESERVATIONS',
      code: 'ROLE_NOT_ALLOWED',
    });
  });

  it('GEN-UTC: the request is recorded at the decision instant, never the wall clock', () => {
    expect(allowed(create('reservation_exchange', reservationFields())).request.createdAt).toEqual(new Date(T0.getTime() + 40 * DAY));
    expect(adminAgent.roles).toEqual(['admin_agent']);
  });
});
