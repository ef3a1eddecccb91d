import type { Sandbox } from 'partner-center-gateway/testing';

/*
 * The suite's own building blocks, as a test team keeps them next to its tests: each is one public
 * GraphQL operation through the sandbox helper, and a business refusal (userErrors) throws with its
 * rule, so that a scenario's set-up cannot fail silently.
 */

export interface UserError {
  code: string;
  rule: string | null;
  message: string;
}

function refused(what: string, errors: UserError[]): void {
  if (errors.length > 0) throw new Error(`${what} was refused: ${errors.map((e) => `${e.rule ?? e.code}: ${e.message}`).join('; ')}`);
}

export interface NewCustomer {
  companyName: string;
  /** ISO 3166-1 alpha-2: pricing and markets read it (PRICE-TAX, RES-MARKETS). */
  country?: string;
  /** COMMERCIAL, EDUCATION, GOVERNMENT or NONPROFIT: the catalog reads it (CAT-FILTER). */
  segment?: string;
}

/** createCustomer in the sandbox; the domain is made from the name and the sandbox's partner, so it is the sandbox's own. */
export async function createCustomer(sb: Sandbox, customer: NewCustomer): Promise<string> {
  const slug = customer.companyName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const { createCustomer: created } = await sb.request<{ createCustomer: { customer: { id: string } | null; userErrors: UserError[] } }>(
    `mutation CreateCustomer($input: CreateCustomerInput!) {
      createCustomer(input: $input) { customer { id } userErrors { code rule message } }
    }`,
    {
      input: {
        companyProfile: { companyName: customer.companyName, domain: `${slug}-${sb.partnerId.slice(0, 8)}.onmicrosoft.com` },
        billingProfile: { defaultAddress: { country: customer.country ?? 'US' } },
        ...(customer.segment ? { segment: customer.segment } : {}),
      },
    },
  );
  refused(`createCustomer(${customer.companyName})`, created.userErrors);
  return created.customer!.id;
}

export interface Bought {
  subscriptionId: string;
  effectiveStartDate: string;
  commitmentEndDate: string;
  total: { amount: string; currencyCode: string };
}

/** Buys `quantity` seats of a new-commerce offer on a 1-year term billed annually (CAT-CART). */
export async function buySeats(sb: Sandbox, customerId: string, offerId: string, quantity: number): Promise<Bought> {
  const { purchase } = await sb.request<{
    purchase: {
      subscriptions: { id: string; effectiveStartDate: string; commitmentEndDate: string }[];
      total: { amount: string; currencyCode: string };
      userErrors: UserError[];
    };
  }>(
    `mutation Buy($c: ID!, $offer: ID!, $quantity: Int!) {
      purchase(input: { customerId: $c, lineItems: [{ offerId: $offer, quantity: $quantity, billingCycle: ANNUAL, termDuration: P1Y }] }) {
        subscriptions { id effectiveStartDate commitmentEndDate }
        total { amount currencyCode }
        userErrors { code rule message }
      }
    }`,
    { c: customerId, offer: offerId, quantity },
  );
  refused(`purchase(${offerId} x ${quantity})`, purchase.userErrors);
  const [subscription] = purchase.subscriptions;
  return {
    subscriptionId: subscription!.id,
    effectiveStartDate: subscription!.effectiveStartDate,
    commitmentEndDate: subscription!.commitmentEndDate,
    total: purchase.total,
  };
}

export interface CancelQuote {
  dryRun: boolean;
  rule: string | null;
  refund: { amount: string; currencyCode: string } | null;
  subscription: { status: string } | null;
  userErrors: UserError[];
}

/** cancelSubscription, or with `dryRun` its quote (CANCEL-WINDOW-SHOWN); refusals stay in userErrors, for the test to read. */
export async function cancel(sb: Sandbox, subscriptionId: string, dryRun: boolean): Promise<CancelQuote> {
  const { cancelSubscription } = await sb.request<{ cancelSubscription: CancelQuote }>(
    `mutation Cancel($id: ID!, $dryRun: Boolean!) {
      cancelSubscription(input: { subscriptionId: $id, dryRun: $dryRun }) {
        dryRun rule
        refund { amount currencyCode }
        subscription { status }
        userErrors { code rule message }
      }
    }`,
    { id: subscriptionId, dryRun },
  );
  return cancelSubscription;
}

export interface LedgerEntry {
  at: string;
  kind: string;
  amount: { amount: string };
  ruleId: string;
}

export async function ledger(sb: Sandbox, customerId: string): Promise<LedgerEntry[]> {
  const { customer } = await sb.request<{ customer: { ledger: { nodes: LedgerEntry[] } } }>(
    'query Ledger($c: ID!) { customer(id: $c) { ledger(first: 50) { nodes { at kind amount { amount } ruleId } } } }',
    { c: customerId },
  );
  return customer.ledger.nodes;
}

/** A decimal amount such as '-716.05' in integer cents (MONEY-EXACT: no binary floating point). */
export function cents(amount: string): number {
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const value = Number(whole) * 100 + Number(fraction.padEnd(2, '0'));
  return amount.startsWith('-') ? -value : value;
}
