import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, OFFER_IDS as O } from '../../src/seed/catalog.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import {
  CcAdvanceClockDocument,
  CcAuditRecordsDocument,
  CcClockDocument,
  CcCreateDocument,
  CcCustomerDocument,
  CcCustomersDocument,
  CcPurchaseDocument,
  type CreateCustomerInput,
} from '../generated/graphql.js';
import { aCustomer, guid } from '../support/fixtures.js';
import { startTestGateway, type CallOptions, type GraphQLResponse, type TestGateway } from '../support/gateway.js';

/*
 * createCustomer end to end through GraphQL against the real database (Partner Center's
 * POST /v1/customers): a journaled, audited insert through the one write path, with the fields
 * the rules read (country: RES-MARKETS, PRICE-TAX; segment: CAT-FILTER; account opened and first
 * billing: SUSP-DATA-DELETION; reseller of record: partnerId on subscriptions), idempotent with
 * MS-RequestId, quoted without writing by dryRun, and invisible to other partners (ROLE-TENANT).
 */

const ADMIN: CallOptions = { roles: 'admin_agent' };
const FABRIKAM: CallOptions = { roles: 'admin_agent', partner: DEMO_PARTNERS.fabrikam.id };
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/;

let gw: TestGateway;

beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await cols.offers.insertMany(CATALOG.map((o) => ({ ...o })));
    // Fabrikam's customer, whose domain Contoso must not be able to take or learn about.
    await cols.customers.insertOne(
      aCustomer({
        _id: guid('cc-fabrikam-customer'),
        companyName: 'Hidden Fabrikam Customer',
        domain: 'hidden.onmicrosoft.com',
        partnerId: DEMO_PARTNERS.fabrikam.id,
      }),
    );
  });
});
afterAll(() => gw?.close());

/** Fails with the response's errors, so an unexpected error reads plainly in the test output. */
function ok<R>(r: GraphQLResponse<R>): R {
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  expect(r.status).toBe(200);
  return r.data!;
}

/** A complete input for `label`: its own domain, so tests do not collide. */
function input(label: string, overrides: Partial<CreateCustomerInput> = {}): CreateCustomerInput {
  return {
    companyProfile: { companyName: `Cc ${label} Ltd`, domain: `cc-${label}.onmicrosoft.com` },
    billingProfile: { defaultAddress: { country: 'US' } },
    ...overrides,
  };
}

const create = (i: CreateCustomerInput, as: CallOptions = ADMIN) => gw.execute(CcCreateDocument, { input: i }, as);
const now = async () => ok(await gw.execute(CcClockDocument, {}, ADMIN)).simulationClock.now;
const customerCount = () => gw.collections.customers.countDocuments({});

/** Creates a customer and returns the payload, which must be clean. */
async function created(i: CreateCustomerInput, as: CallOptions = ADMIN) {
  const p = ok(await create(i, as)).createCustomer;
  expect(p.userErrors).toEqual([]);
  return p;
}

describe('createCustomer', () => {
  it('creates a customer with every field a rule reads, dated now on the simulation clock, and reads it back through customer(id) and customers(filter)', async () => {
    const clock = await now();
    const p = await created(
      input('roundtrip', {
        companyProfile: { companyName: '  Adatum Roundtrip  ', domain: 'Adatum-Roundtrip.onmicrosoft.com' },
        billingProfile: { defaultAddress: { country: 'nl' } },
        segment: 'EDUCATION',
        relationshipToPartner: 'ADVISOR',
      }),
    );
    expect(p.dryRun).toBe(false);
    expect(p.operationId).toMatch(/^[0-9a-f-]{36}$/);
    const id = p.customer!.id;
    expect(id).toMatch(GUID);
    const expected = {
      id,
      segment: 'EDUCATION',
      relationshipToPartner: 'ADVISOR',
      associatedPartnerId: null,
      accountOpenedDate: clock,
      firstBillingDate: clock,
      companyProfile: { tenantId: id, domain: 'Adatum-Roundtrip.onmicrosoft.com', companyName: 'Adatum Roundtrip' },
      billingProfile: { companyName: 'Adatum Roundtrip', defaultAddress: { country: 'NL' } },
    };
    expect(p.customer).toEqual(expected);
    expect(p.summary).toBe(`Created customer 'Adatum Roundtrip' (${id}, Adatum-Roundtrip.onmicrosoft.com).`);
    expect(ok(await gw.execute(CcCustomerDocument, { id }, ADMIN)).customer).toEqual(expected);

    for (const filter of [
      { search: 'adatum round' },
      { search: 'ADATUM-ROUNDTRIP.onmicrosoft' },
      { segment: ['EDUCATION' as const], billingCountry: ['NL'] },
    ]) {
      const nodes = ok(await gw.execute(CcCustomersDocument, { filter }, ADMIN)).customers.nodes.map((n) => n.id);
      expect(nodes, JSON.stringify(filter)).toContain(id);
    }
  });

  it('the accepted creation is audited as add_customer with the new customer, journaled as one done operation', async () => {
    const p = await created(input('audited'));
    const id = p.customer!.id;
    const operation = await gw.collections.operations.findOne({ _id: p.operationId! });
    expect(operation).toMatchObject({ kind: 'add_customer', status: 'done', customerId: null });
    const clock = new Date(await now());
    const records = ok(
      await gw.execute(
        CcAuditRecordsDocument,
        {
          from: new Date(clock.getTime() - 60_000).toISOString(),
          to: new Date(clock.getTime() + 60_000).toISOString(),
          filter: { resourceId: id },
        },
        { roles: 'global_admin' },
      ),
    ).auditRecords.nodes;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operationType: 'add_customer', resourceType: 'customer', customerId: id, outcome: 'accepted' });
    expect(JSON.parse(records[0]!.resourceNewValue!)).toMatchObject({
      _id: id,
      domain: 'cc-audited.onmicrosoft.com',
      billingCountry: 'US',
    });
  });

  it('dryRun quotes the customer it would create and writes nothing: no customer, no operation, no audit record', async () => {
    const before = {
      customers: await customerCount(),
      operations: await gw.collections.operations.countDocuments({}),
      audit: await gw.collections.auditEvents.countDocuments({}),
    };
    const p = await created(input('quote', { dryRun: true }));
    expect(p).toMatchObject({ dryRun: true, operationId: null });
    expect(p.customer!.companyProfile.domain).toBe('cc-quote.onmicrosoft.com');
    expect(p.summary).toMatch(/^Would create customer 'Cc quote Ltd'/);
    expect({
      customers: await customerCount(),
      operations: await gw.collections.operations.countDocuments({}),
      audit: await gw.collections.auditEvents.countDocuments({}),
    }).toEqual(before);
    expect(await gw.collections.customers.findOne({ domainLower: 'cc-quote.onmicrosoft.com' })).toBeNull();
  });

  it('is idempotent with MS-RequestId: a retry answers the same customer and creates nothing more', async () => {
    const key = { ...ADMIN, headers: { 'MS-RequestId': 'cc-idempotent-1' } };
    const first = await created(input('idempotent'), key);
    const before = await customerCount();
    const again = await created(input('idempotent'), key);
    expect(again).toEqual(first);
    expect(await customerCount()).toBe(before);
    expect(await gw.collections.customers.countDocuments({ domainLower: 'cc-idempotent.onmicrosoft.com' })).toBe(1);
  });

  it('ROLE-TENANT: a domain already in use is refused on companyProfile.domain, case-insensitively, audited, and nothing is written', async () => {
    const mine = await created(input('taken'));
    const before = await customerCount();
    const p = ok(
      await create(input('taken-again', { companyProfile: { companyName: 'Someone Else', domain: 'CC-TAKEN.onmicrosoft.com' } })),
    ).createCustomer;
    expect(p).toMatchObject({ customer: null, operationId: null, dryRun: false, summary: null });
    expect(p.userErrors).toEqual([
      {
        code: 'INVALID_VALUE',
        rule: 'ROLE-TENANT',
        field: ['input', 'companyProfile', 'domain'],
        message: `The domain 'CC-TAKEN.onmicrosoft.com' is already in use by your customer 'Cc taken Ltd' (${mine.customer!.id}); choose another domain.`,
      },
    ]);
    expect(await customerCount()).toBe(before);
    const refused = await gw.collections.auditEvents.findOne({ operationType: 'add_customer', outcome: 'refused', rule: 'ROLE-TENANT' });
    expect(refused).toMatchObject({ code: 'INVALID_VALUE', partnerId: DEMO_PARTNERS.contoso.id });
  });

  it("ROLE-TENANT: another partner's customer's domain is refused too (Entra domains are global), naming neither that partner nor its customer", async () => {
    const before = await customerCount();
    const p = ok(
      await create(input('hidden', { companyProfile: { companyName: 'Copycat', domain: 'hidden.onmicrosoft.com' } })),
    ).createCustomer;
    expect(p.userErrors).toEqual([
      {
        code: 'INVALID_VALUE',
        rule: 'ROLE-TENANT',
        field: ['input', 'companyProfile', 'domain'],
        message: "The domain 'hidden.onmicrosoft.com' is already in use by another tenant; choose another domain.",
      },
    ]);
    expect(JSON.stringify(p)).not.toMatch(/Hidden Fabrikam|Fabrikam|cc-fabrikam/i);
    expect(await customerCount()).toBe(before);
  });

  it.each([
    [
      'an empty company name',
      { companyProfile: { companyName: '   ', domain: 'cc-empty.onmicrosoft.com' } },
      'companyProfile.companyName',
      /must not be empty/,
    ],
    [
      'a company name of 251 characters',
      { companyProfile: { companyName: 'x'.repeat(251), domain: 'cc-long.onmicrosoft.com' } },
      'companyProfile.companyName',
      /at most 250 characters, but has 251/,
    ],
    ['a domain of one label', { companyProfile: { companyName: 'Cc', domain: 'contoso' } }, 'companyProfile.domain', /must be a DNS name/],
    [
      'a domain with an underscore',
      { companyProfile: { companyName: 'Cc', domain: 'cc_x.onmicrosoft.com' } },
      'companyProfile.domain',
      /DNS name/,
    ],
    [
      'a label starting with a hyphen',
      { companyProfile: { companyName: 'Cc', domain: '-cc.onmicrosoft.com' } },
      'companyProfile.domain',
      /DNS name/,
    ],
    [
      'an unknown country code',
      { billingProfile: { defaultAddress: { country: 'XX' } } },
      'billingProfile.defaultAddress.country',
      /ISO 3166-1 alpha-2.*'XX'/,
    ],
    [
      'a three-letter country',
      { billingProfile: { defaultAddress: { country: 'USA' } } },
      'billingProfile.defaultAddress.country',
      /ISO 3166-1/,
    ],
    [
      'a reseller of record named by a direct-bill partner',
      { associatedPartnerId: DEMO_PARTNERS.tailspin.mpnId },
      'associatedPartnerId',
      /Only an indirect provider/,
    ],
  ] as [string, Partial<CreateCustomerInput>, string, RegExp][])(
    '%s is BAD_USER_INPUT naming the field and what was expected; nothing is written',
    async (_, overrides, field, message) => {
      const before = await customerCount();
      const r = await create(input('bad', overrides));
      expect(r.errors).toHaveLength(1);
      expect(r.errors![0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', argumentName: 'input', field: `input.${field}` });
      expect(r.errors![0]!.message).toMatch(message);
      expect(await customerCount()).toBe(before);
    },
  );

  it('an indirect provider names only a reseller that buys through it: an unknown MPN ID is BAD_USER_INPUT on associatedPartnerId', async () => {
    const r = await create(input('unknown-reseller', { associatedPartnerId: '9999999' }), FABRIKAM);
    expect(r.errors?.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', argumentName: 'input', field: 'input.associatedPartnerId' },
    ]);
  });

  it("an indirect provider naming another partner's MPN ID gets the very answer of an unknown one (ROLE-TENANT)", async () => {
    const answer = async (mpn: string) => {
      const r = await create(input('other-reseller', { associatedPartnerId: mpn }), FABRIKAM);
      return JSON.stringify({ status: r.status, data: r.data, errors: r.errors }).replaceAll(mpn, '<MPN>');
    };
    const foreign = await answer(DEMO_PARTNERS.contoso.mpnId);
    expect(foreign).toContain('BAD_USER_INPUT');
    expect(foreign).toBe(await answer('9999999'));
  });

  it('a segment outside the enum is refused by GraphQL before anything runs', async () => {
    const r = await gw.post(
      JSON.stringify({
        query: 'mutation($input: CreateCustomerInput!) { createCustomer(input: $input) { dryRun } }',
        variables: { input: { ...input('segment'), segment: 'RETAIL' } },
      }),
      ADMIN,
    );
    const body = JSON.parse(r.text) as { errors: { message: string; extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0]!.message).toMatch(/RETAIL.*CustomerSegment/s);
  });

  it('ROLE-SUBSCRIPTIONS: a caller without one of its roles is FORBIDDEN, and nothing is written', async () => {
    const before = await customerCount();
    const r = await create(input('forbidden'), { roles: 'account_admin' });
    expect(r.errors?.map((e) => e.extensions)).toEqual([{ code: 'FORBIDDEN', rule: 'ROLE-SUBSCRIPTIONS' }]);
    expect(await customerCount()).toBe(before);
  });

  it('CAT-CART: the new customer can buy at once, and after the clock moves on it is still the same customer', async () => {
    const id = (await created(input('buyer'))).customer!.id;
    const bought = ok(
      await gw.execute(
        CcPurchaseDocument,
        {
          input: {
            customerId: id,
            lineItems: [{ offerId: O.m365BusinessBasic, quantity: 3, billingCycle: 'MONTHLY', termDuration: 'P1M' }],
          },
        },
        ADMIN,
      ),
    ).purchase;
    expect(bought.userErrors).toEqual([]);
    expect(bought.subscriptions).toEqual([{ id: expect.any(String), status: 'ACTIVE', partnerId: '' }]);
    expect(ok(await gw.execute(CcAdvanceClockDocument, { by: 'PT1H' }, ADMIN)).advanceClock.userErrors).toEqual([]);
    expect(ok(await gw.execute(CcCustomerDocument, { id }, ADMIN)).customer!.id).toBe(id);
  });

  it("an indirect provider's customer with a reseller of record: its subscriptions name that reseller (Partner Center's partnerId)", async () => {
    const p = await created(input('reseller', { associatedPartnerId: DEMO_PARTNERS.tailspin.mpnId }), FABRIKAM);
    expect(p.customer!.associatedPartnerId).toBe(DEMO_PARTNERS.tailspin.mpnId);
    const bought = ok(
      await gw.execute(
        CcPurchaseDocument,
        {
          input: {
            customerId: p.customer!.id,
            lineItems: [{ offerId: O.m365BusinessBasic, quantity: 1, billingCycle: 'MONTHLY', termDuration: 'P1M' }],
          },
        },
        FABRIKAM,
      ),
    ).purchase;
    expect(bought.userErrors).toEqual([]);
    expect(bought.subscriptions[0]!.partnerId).toBe(DEMO_PARTNERS.tailspin.mpnId);
  });

  it('ROLE-TENANT: another partner cannot see the new customer: customer(id) is NOT_FOUND and customers(filter) leaves it out', async () => {
    const id = (await created(input('private'))).customer!.id;
    const lookup = await gw.execute(CcCustomerDocument, { id }, FABRIKAM);
    expect(lookup.data).toEqual({ customer: null });
    expect(lookup.errors?.map((e) => e.extensions?.code)).toEqual(['NOT_FOUND']);
    const search = ok(await gw.execute(CcCustomersDocument, { filter: { search: 'cc-private' } }, FABRIKAM)).customers;
    expect(search).toEqual({ totalCount: 0, nodes: [] });
    expect(ok(await gw.execute(CcCustomersDocument, { filter: { search: 'cc-private' } }, ADMIN)).customers.nodes).toEqual([{ id }]);
  });
});
