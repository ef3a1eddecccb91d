import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';
import { buySeats, cancel, cents, createCustomer, ledger } from './scenario.js';

/*
 * The 25-hour cancellation suite of issue 15, as a test team writes it: buy 10 seats, advance the
 * clock 25 h, quote, cancel, check the refund and the ledger. Its five tests share one sandbox and
 * run in order. vitest.config.ts runs this file twice at once: each run has its own sandbox and
 * clock, and both see the same exact amounts.
 *
 * The amounts, by hand. Microsoft 365 Business Basic (CFQ7TTC0LH18:0001), 10 seats, 1-year term:
 * 10 x 72.00 = 720.00 charged at the start, 2026-03-01T00:00Z (CAT-CART). The term ends
 * 2027-03-01T00:00Z: 365 days in term. 25 h later the 24-hour full-refund window is closed
 * (CANCEL-NCE-24H) and the 30-day one is open (CANCEL-NCE-30D). Days used = started 24 h periods =
 * ceil(25 / 24) = 2 (MONEY-PRORATE). Value used = 720.00 x 2 / 365 = 3.945... -> 3.95 (rounded
 * once, half up). Refund = 720.00 - 3.95 = 716.05. The ledger nets 720.00 - 716.05 = 3.95, the
 * value of the two days used.
 */

const START = '2026-03-01T00:00:00.000Z';
const AFTER_25H = '2026-03-02T01:00:00.000Z';
const BUSINESS_BASIC = 'CFQ7TTC0LH18:0001';

let sb: Sandbox;
let customerId: string;
let subscriptionId: string;

beforeAll(async () => {
  sb = await createSandbox({ ...gateway, name: 'Cancellation suite', clockStart: START, roles: ['ADMIN_AGENT'], ttl: 'PT1H' });
  customerId = await createCustomer(sb, { companyName: 'Cancellation Co' });
});
afterAll(() => sb?.delete());

describe('cancelling 10 seats of Business Basic 25 h after buying them', () => {
  it('CAT-CART: buying 10 seats for a year charges 10 x 72.00 = 720.00 USD at the sandbox clock start', async () => {
    const bought = await buySeats(sb, customerId, BUSINESS_BASIC, 10);
    expect(bought).toMatchObject({
      effectiveStartDate: START,
      commitmentEndDate: '2027-03-01T00:00:00.000Z',
      total: { amount: '720.00', currencyCode: 'USD' },
    });
    subscriptionId = bought.subscriptionId;
  });

  it('GEN-CLOCK: advancing 25 h moves this sandbox’s clock exactly 25 h, whatever other runs do', async () => {
    expect(await sb.advance('PT25H')).toEqual({ from: START, to: AFTER_25H });
    expect(await sb.now()).toBe(AFTER_25H);
  });

  it('CANCEL-NCE-24H, CANCEL-NCE-30D, MONEY-PRORATE: after 25 h a quote refunds 720.00 - 720.00 x 2/365 = 716.05 and changes nothing', async () => {
    expect(await cancel(sb, subscriptionId, true)).toEqual({
      dryRun: true,
      rule: 'CANCEL-NCE-30D',
      refund: { amount: '716.05', currencyCode: 'USD' },
      subscription: { status: 'ACTIVE' },
      userErrors: [],
    });
    expect(await ledger(sb, customerId)).toHaveLength(1);
  });

  it('CANCEL-NCE-30D, CANCEL-FINAL: cancelling refunds 716.05 USD and ends the subscription', async () => {
    expect(await cancel(sb, subscriptionId, false)).toEqual({
      dryRun: false,
      rule: 'CANCEL-NCE-30D',
      refund: { amount: '716.05', currencyCode: 'USD' },
      subscription: { status: 'DELETED' },
      userErrors: [],
    });
  });

  it('MONEY-EXACT, MONEY-PRORATE: the ledger holds the 720.00 charge and the 716.05 refund, netting 3.95 for the 2 days used', async () => {
    const entries = await ledger(sb, customerId);
    expect(entries).toEqual([
      { at: START, kind: 'CHARGE', amount: { amount: '720.00' }, ruleId: 'CAT-CART' },
      { at: AFTER_25H, kind: 'REFUND', amount: { amount: '-716.05' }, ruleId: 'CANCEL-NCE-30D' },
    ]);
    expect(entries.reduce((sum, e) => sum + cents(e.amount.amount), 0)).toBe(395);
  });
});
