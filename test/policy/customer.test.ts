import { describe, expect, it } from 'vitest';
import type { PartnerDoc, PartnerRole } from '../../src/db/documents.js';
import { ROLE_RULES } from '../../src/policy/roles.js';
import {
  decideCreateCustomer,
  ISO_COUNTRIES,
  MAX_COMPANY_NAME,
  validateNewCustomer,
  type NewCustomerFields,
} from '../../src/policy/customer.js';
import { ALL_ROLES, allowed, anActor, at, contoso, DAY, fabrikam, ids, refused, tailspin } from './harness.js';

/*
 * Creating a customer (Partner Center POST /v1/customers): the input checked alone, then the
 * decision under the lock (roles, the domain still free) that builds the document every rule reads.
 */

const NOW = at(10 * DAY);

function fields(overrides: Partial<NewCustomerFields> = {}): NewCustomerFields {
  return {
    companyName: 'Adatum Corporation',
    domain: 'adatum.onmicrosoft.com',
    country: 'US',
    segment: 'commercial',
    relationshipToPartner: 'reseller',
    associatedPartnerId: null,
    ...overrides,
  };
}

const decide = (
  f: NewCustomerFields,
  options: { roles?: PartnerRole[]; taken?: { _id: string; partnerId: string; companyName: string } } = {},
) =>
  decideCreateCustomer({
    fields: f,
    partner: contoso,
    domainTakenBy: options.taken ?? null,
    actor: anActor(options.roles ?? ['admin_agent']),
    now: NOW,
    ids,
  });

describe('validateNewCustomer: the input alone', () => {
  it('a complete input has no problem; the country is read case-insensitively', () => {
    expect(validateNewCustomer(fields(), contoso)).toBeNull();
    expect(validateNewCustomer(fields({ country: 'nl' }), contoso)).toBeNull();
    expect(validateNewCustomer(fields({ companyName: 'x'.repeat(MAX_COMPANY_NAME) }), contoso)).toBeNull();
  });

  it.each([
    ['', 'companyProfile.companyName'],
    ['  ', 'companyProfile.companyName'],
    ['x'.repeat(MAX_COMPANY_NAME + 1), 'companyProfile.companyName'],
  ])('company name %j is a problem of %s', (companyName, field) => {
    expect(validateNewCustomer(fields({ companyName }), contoso)?.field).toBe(field);
  });

  it.each([
    'contoso',
    'a..b.com',
    '-a.com',
    'a-.com',
    'a_b.com',
    'a.com.',
    `${'a'.repeat(64)}.com`,
    `${'a.'.repeat(127)}com`,
    'adatum.123',
  ])('domain %j is not a DNS name: a problem of companyProfile.domain', (domain) => {
    expect(validateNewCustomer(fields({ domain }), contoso)?.field).toBe('companyProfile.domain');
  });

  it.each(['a.co', 'adatum.onmicrosoft.com', 'x-1.example.org', `${'a'.repeat(63)}.com`])('domain %j is a DNS name', (domain) => {
    expect(validateNewCustomer(fields({ domain }), contoso)).toBeNull();
  });

  it.each(['XX', 'USA', 'U', '', 'EU', 'UK'])('country %j is no ISO 3166-1 alpha-2 code', (country) => {
    expect(validateNewCustomer(fields({ country }), contoso)).toMatchObject({ field: 'billingProfile.defaultAddress.country' });
  });

  it('the list of countries holds the 249 assigned ISO 3166-1 alpha-2 codes', () => {
    expect(ISO_COUNTRIES.size).toBe(249);
    for (const code of ['US', 'NL', 'AU', 'BR', 'AX', 'YE', 'GB']) expect(ISO_COUNTRIES.has(code), code).toBe(true);
  });

  it('only an indirect provider names a reseller of record (Partner Center associatedPartnerId)', () => {
    const named = fields({ associatedPartnerId: tailspin.mpnId });
    expect(validateNewCustomer(named, fabrikam)).toBeNull();
    expect(validateNewCustomer(named, contoso)?.field).toBe('associatedPartnerId');
    expect(validateNewCustomer(named, tailspin)?.field).toBe('associatedPartnerId');
  });
});

describe('decideCreateCustomer', () => {
  it('SUSP-DATA-DELETION, CAT-FILTER, RES-MARKETS: the new customer carries every field the rules read, opened and first billed now, with the ID of the operation', () => {
    const d = allowed(decide(fields({ companyName: ' Adatum ', domain: 'Adatum.onmicrosoft.com', country: 'ye', segment: 'education' })));
    expect(d.customer).toEqual({
      _id: 'cust-0',
      partnerId: contoso._id,
      companyName: 'Adatum',
      companyNameLower: 'adatum',
      domain: 'Adatum.onmicrosoft.com',
      domainLower: 'adatum.onmicrosoft.com',
      // Every prefix of the name and of the domain, up to 20 code points, once each.
      searchPrefixes: [
        'a',
        'ad',
        'ada',
        'adat',
        'adatu',
        'adatum',
        'adatum.',
        'adatum.o',
        'adatum.on',
        'adatum.onm',
        'adatum.onmi',
        'adatum.onmic',
        'adatum.onmicr',
        'adatum.onmicro',
        'adatum.onmicros',
        'adatum.onmicroso',
        'adatum.onmicrosof',
        'adatum.onmicrosoft',
        'adatum.onmicrosoft.',
        'adatum.onmicrosoft.c',
      ],
      domainRealm: null,
      billingCountry: 'YE',
      segment: 'education',
      relationshipToPartner: 'reseller',
      associatedPartnerId: null,
      accountOpenedAt: NOW,
      firstBillingAt: NOW,
      createdAt: NOW,
      version: 0,
    });
    expect(d.effects).toEqual([
      { kind: 'insert', collection: 'customers', doc: d.customer },
      {
        kind: 'audit',
        event: expect.objectContaining({
          operationType: 'add_customer',
          resourceType: 'customer',
          resourceId: 'cust-0',
          customerId: 'cust-0',
          at: NOW,
          resourceOldValue: null,
          resourceNewValue: JSON.stringify(d.customer),
        }),
      },
    ]);
    expect(d.summary).toBe("Created customer 'Adatum' (cust-0, Adatum.onmicrosoft.com).");
    expect(d.quoteSummary).toBe("Would create customer 'Adatum' (cust-0, Adatum.onmicrosoft.com).");
  });

  it('ROLE-SUBSCRIPTIONS: only its roles create customers; every other role is refused with ROLE_NOT_ALLOWED', () => {
    const all = ALL_ROLES;
    for (const role of all) {
      const d = decide(fields(), { roles: [role] });
      if ((ROLE_RULES['ROLE-SUBSCRIPTIONS'] as readonly PartnerRole[]).includes(role)) expect(d.allowed, role).toBe(true);
      else expect(refused(d), role).toMatchObject({ rule: 'ROLE-SUBSCRIPTIONS', code: 'ROLE_NOT_ALLOWED' });
    }
    expect(refused(decide(fields(), { roles: [] })).rule).toBe('ROLE-SUBSCRIPTIONS');
  });

  it("ROLE-TENANT: a domain in use is refused on companyProfile.domain, naming the holder only when it is the partner's own customer", () => {
    const own = refused(decide(fields(), { taken: { _id: 'c-1', partnerId: contoso._id, companyName: 'Adatum Old' } }));
    expect(own).toEqual({
      allowed: false,
      rule: 'ROLE-TENANT',
      code: 'INVALID_VALUE',
      field: 'companyProfile.domain',
      message: "The domain 'adatum.onmicrosoft.com' is already in use by your customer 'Adatum Old' (c-1); choose another domain.",
    });
    const foreign = refused(decide(fields(), { taken: { _id: 'c-2', partnerId: fabrikam._id, companyName: 'Secret Co' } }));
    expect(foreign.message).toBe("The domain 'adatum.onmicrosoft.com' is already in use by another tenant; choose another domain.");
    expect(foreign.message).not.toMatch(/Secret|c-2/);
  });

  it('a reseller of record is kept as given, for the subscriptions to record (partnerIdOnRecord)', () => {
    const d = allowed(
      decideCreateCustomer({
        fields: fields({ associatedPartnerId: tailspin.mpnId, relationshipToPartner: 'reseller' }),
        partner: fabrikam,
        domainTakenBy: null,
        actor: anActor(['admin_agent'], fabrikam),
        now: NOW,
        ids,
      }),
    );
    expect(d.customer).toMatchObject({ partnerId: fabrikam._id, associatedPartnerId: tailspin.mpnId });
  });
});

describe('createCustomer in a test sandbox (docs/sandboxes.md, "Building the scenario")', () => {
  const sandbox: PartnerDoc = { ...contoso, _id: 'sandbox-partner', mpnId: 'sandbox-sandbox-partner', sandboxAdminId: contoso._id };
  const decideIn = (f: NewCustomerFields, quota?: { customers: number; max: number }) =>
    decideCreateCustomer({
      fields: f,
      partner: sandbox,
      domainTakenBy: null,
      sandboxQuota: quota,
      actor: anActor(['admin_agent'], sandbox),
      now: NOW,
      ids,
    });

  it("SUSP-DATA-DELETION: a sandbox dates the account's opening and first billing in its past; the domain's realm is the sandbox", () => {
    const opened = at(-90 * DAY);
    const billed = at(-20 * DAY);
    expect(validateNewCustomer(fields({ accountOpenedAt: opened, firstBillingAt: billed }), sandbox, NOW)).toBeNull();
    const d = allowed(decideIn(fields({ accountOpenedAt: opened, firstBillingAt: billed })));
    expect(d.customer).toMatchObject({ accountOpenedAt: opened, firstBillingAt: billed, createdAt: NOW, domainRealm: sandbox._id });
    // Either left out is now.
    expect(allowed(decideIn(fields({ accountOpenedAt: opened }))).customer).toMatchObject({ accountOpenedAt: opened, firstBillingAt: NOW });
    expect(allowed(decideIn(fields())).customer).toMatchObject({ accountOpenedAt: NOW, firstBillingAt: NOW });
    // A real partner's customer has no realm of its own: Entra domains are global.
    expect(allowed(decide(fields())).customer.domainRealm).toBeNull();
  });

  it('outside a sandbox, accountOpenedAt and firstBillingAt are input problems naming the field', () => {
    expect(validateNewCustomer(fields({ accountOpenedAt: at(-DAY) }), contoso, NOW)).toMatchObject({
      field: 'accountOpenedAt',
      message: expect.stringContaining('test sandbox only'),
    });
    expect(validateNewCustomer(fields({ firstBillingAt: at(-DAY) }), contoso)?.field).toBe('firstBillingAt');
  });

  it.each([
    [{ accountOpenedAt: at(11 * DAY) }, 'accountOpenedAt', "in the sandbox's past"],
    [{ firstBillingAt: at(10 * DAY + 1) }, 'firstBillingAt', "in the sandbox's past"],
    [{ accountOpenedAt: at(-DAY), firstBillingAt: at(-2 * DAY) }, 'firstBillingAt', 'not be before the account was opened'],
    [{ firstBillingAt: at(-DAY) }, 'firstBillingAt', 'not be before the account was opened'],
  ])('GEN-CLOCK: sandbox dates %j are a problem of %s, before the lock and again in the decision', (dates, field, expected) => {
    expect(validateNewCustomer(fields(dates), sandbox, NOW)).toMatchObject({ field, message: expect.stringContaining(expected) });
    expect(refused(decideIn(fields(dates)))).toMatchObject({ rule: 'GEN-CLOCK', code: 'INVALID_VALUE', field });
  });

  it('SANDBOX-QUOTA: a sandbox holding SANDBOX_MAX_CUSTOMERS customers is refused the next; one fewer is allowed; real partners have no quota', () => {
    expect(refused(decideIn(fields(), { customers: 3, max: 3 }))).toMatchObject({
      rule: 'SANDBOX-QUOTA',
      code: 'LIMIT_EXCEEDED',
      message: expect.stringContaining('SANDBOX_MAX_CUSTOMERS (3)'),
    });
    expect(decideIn(fields(), { customers: 2, max: 3 }).allowed).toBe(true);
    const real = decideCreateCustomer({
      fields: fields(),
      partner: contoso,
      domainTakenBy: null,
      sandboxQuota: { customers: 5, max: 3 },
      actor: anActor(),
      now: NOW,
      ids,
    });
    expect(real.allowed).toBe(true);
  });
});
