import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSandbox, type Sandbox } from 'partner-center-gateway/testing';
import { gateway } from './gateway.js';
import { buySeats, cancel, createCustomer, ledger } from './scenario.js';

/*
 * One purchase, two futures: the sandbox is snapshotted right after buying 10 seats of Business
 * Basic (720.00 USD, term 2026-03-01 to 2027-03-01, 365 days), cancelled 23 h later, restored, and
 * quoted again 25 h later, from the same start. By hand: at 23 h the full-refund window is open
 * (CANCEL-NCE-24H: 720.00 back); at 25 h it has closed, 2 started days are used (MONEY-PRORATE):
 * 720.00 - 720.00 x 2 / 365 = 720.00 - 3.95 = 716.05 (CANCEL-NCE-30D).
 */

const START = '2026-03-01T00:00:00.000Z';
let sb: Sandbox;
let customerId: string;
let subscriptionId: string;

beforeAll(async () => {
  sb = await createSandbox({ ...gateway, name: 'Snapshot and restore', clockStart: START, ttl: 'PT1H' });
  customerId = await createCustomer(sb, { companyName: 'Two Futures Ltd' });
  ({ subscriptionId } = await buySeats(sb, customerId, 'CFQ7TTC0LH18:0001', 10));
});
afterAll(() => sb?.delete());

describe('snapshotSandbox and restoreSandbox', () => {
  it('snapshotSandbox saves the sandbox under a name with its clock', async () => {
    const snapshot = await sb.snapshot('bought');
    expect(snapshot).toMatchObject({ name: 'bought', clockNow: START });
    expect(snapshot.documentCount).toBeGreaterThan(0);
  });

  it('CANCEL-NCE-24H: 23 h after buying, cancelling refunds the full 720.00', async () => {
    await sb.advance('PT23H');
    expect(await cancel(sb, subscriptionId, false)).toMatchObject({
      rule: 'CANCEL-NCE-24H',
      refund: { amount: '720.00', currencyCode: 'USD' },
      subscription: { status: 'DELETED' },
      userErrors: [],
    });
  });

  it('restoreSandbox brings back the clock, the active subscription and the one-entry ledger of the snapshot', async () => {
    await sb.restore('bought');
    expect(await sb.now()).toBe(START);
    expect(await cancel(sb, subscriptionId, true)).toMatchObject({ subscription: { status: 'ACTIVE' }, userErrors: [] });
    expect((await ledger(sb, customerId)).map((e) => [e.kind, e.amount.amount])).toEqual([['CHARGE', '720.00']]);
  });

  it('CANCEL-NCE-30D, MONEY-PRORATE: from the same snapshot, 25 h after buying the quote is 720.00 - 3.95 = 716.05', async () => {
    await sb.advance('PT25H');
    expect(await cancel(sb, subscriptionId, true)).toMatchObject({
      rule: 'CANCEL-NCE-30D',
      refund: { amount: '716.05', currencyCode: 'USD' },
      userErrors: [],
    });
  });

  it('a snapshot outlives a restore: restoring it again goes back to the start once more', async () => {
    await sb.restore('bought');
    expect(await sb.now()).toBe(START);
  });

  it('restoring a snapshot that does not exist is a coded error naming it, and changes nothing', async () => {
    await sb.advance('PT1H');
    await expect(sb.restore('no-such-snapshot')).rejects.toMatchObject({
      name: 'SandboxError',
      message: expect.stringContaining('no-such-snapshot'),
    });
    expect(await sb.now()).toBe('2026-03-01T01:00:00.000Z');
  });
});
