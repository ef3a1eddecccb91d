import { describe, expect, it } from 'vitest';
import { decideCancel } from '../../src/policy/cancellation.js';
import { asQuote, phrased } from '../../src/policy/mood.js';
import { decidePause } from '../../src/policy/pause.js';
import { adminAgent, allowed, at, DAY, isvSub, nceSub, T0 } from './harness.js';

describe('a quote speaks in the conditional (src/policy/mood.ts)', () => {
  it('asQuote puts the conditional message in summary and changes nothing else', () => {
    const outcome = {
      effects: [],
      refundCents: 5,
      ...phrased('Cancelled it; 0.05 USD is credited.', 'Would cancel it; 0.05 USD would be credited.'),
    };
    expect(asQuote(outcome)).toEqual({ ...outcome, summary: 'Would cancel it; 0.05 USD would be credited.' });
    expect(outcome.summary).toBe('Cancelled it; 0.05 USD is credited.');
  });

  it('asQuote leaves an outcome worded in one mood only as it is', () => {
    const outcome = { summary: 'Logged.' };
    expect(asQuote(outcome)).toBe(outcome);
  });

  it('CANCEL-NCE-24H: the applied message says the credit is made, the quote that it would be', () => {
    const d = allowed(decideCancel({ subscription: nceSub(), addOns: [], actor: adminAgent, now: T0 }));
    expect(d.summary).toMatch(/^Cancelled .*: access ends now; 120\.00 USD is credited to the partner\.$/);
    expect(asQuote(d).summary).toMatch(/^Would cancel .*: access would end now; 120\.00 USD would be credited to the partner\.$/);
    expect(asQuote(d).summary).not.toMatch(/\bis credited\b|^Cancelled/);
  });

  it('CANCEL-ISV-MONTHLY: a cancellation scheduled for renewal is quoted as one that would be scheduled', () => {
    const d = allowed(decideCancel({ subscription: isvSub(), addOns: [], actor: adminAgent, now: at(40 * DAY) }));
    expect(d.mode).toBe('at_term_end');
    expect(d.summary).toMatch(/is scheduled for renewal/);
    expect(asQuote(d).summary).toMatch(/^Would schedule the cancellation of .* would run until .* would not be refunded\.$/);
  });

  it('PAUSE-EFFECT: a paused subscription is quoted as one that would be paused', () => {
    const d = allowed(decidePause({ subscription: nceSub(), addOns: [], actor: adminAgent, now: at(40 * DAY) }));
    expect(d.summary).toMatch(/^Paused /);
    expect(asQuote(d).summary).toMatch(/^Would pause .*users would lose access now, billing would continue/);
  });
});
