import { describe, expect, it } from 'vitest';
import { advanceClockAudit, decideAdvanceClock, MAX_ADVANCE_MS } from '../../src/policy/clock.js';
import { adminAgent, allowed, at, DAY, refused, T0 } from './harness.js';

describe('advancing the simulation clock (GEN-CLOCK)', () => {
  it('GEN-CLOCK: the clock moves forward by as little as 1 ms', () => {
    expect(allowed(decideAdvanceClock({ current: T0, target: at(1) }))).toEqual({ allowed: true, from: T0, to: at(1) });
  });

  it('GEN-CLOCK: advancing to the same instant is refused (INVALID_VALUE, field to)', () => {
    const r = refused(decideAdvanceClock({ current: T0, target: at(0) }));
    expect(r).toMatchObject({ rule: 'GEN-CLOCK', code: 'INVALID_VALUE', field: 'to' });
    expect(r.message).toContain('the same instant');
  });

  it('GEN-CLOCK: moving the clock back is refused: it moves forward only', () => {
    const r = refused(decideAdvanceClock({ current: T0, target: at(-1) }));
    expect(r).toMatchObject({ rule: 'GEN-CLOCK', code: 'INVALID_VALUE', field: 'to' });
    expect(r.message).toContain('earlier');
    expect(r.message).toContain('2026-11-01T09:00:00.000Z');
  });

  it('GEN-CLOCK: one advance moves at most 3653 days (ten years); 1 ms more is refused (LIMIT_EXCEEDED)', () => {
    expect(MAX_ADVANCE_MS).toBe(3653 * DAY);
    expect(allowed(decideAdvanceClock({ current: T0, target: at(3653 * DAY) })).to).toEqual(new Date('2036-11-01T09:00:00.000Z'));
    expect(refused(decideAdvanceClock({ current: T0, target: at(3653 * DAY + 1) }))).toMatchObject({
      rule: 'GEN-CLOCK',
      code: 'LIMIT_EXCEEDED',
    });
  });

  it('GEN-UTC: an invalid target instant is refused as not ISO-8601', () => {
    expect(refused(decideAdvanceClock({ current: T0, target: new Date('soon') }))).toMatchObject({
      rule: 'GEN-UTC',
      code: 'INVALID_VALUE',
      field: 'to',
    });
  });

  it('GEN-CLOCK: an accepted advance is audited at the instant it was asked, by its caller, with the instants and the events it applied', () => {
    expect(advanceClockAudit(adminAgent, { from: T0, to: at(DAY), events: 3 })).toEqual({
      kind: 'audit',
      event: {
        partnerId: adminAgent.partner._id,
        customerId: null,
        operationType: 'advance_clock',
        resourceType: 'clock',
        resourceId: adminAgent.partner._id,
        userId: adminAgent.userId,
        roles: ['admin_agent'],
        at: T0,
        resourceOldValue: JSON.stringify({ now: T0 }),
        resourceNewValue: JSON.stringify({ now: at(DAY), events: 3 }),
      },
    });
  });
});
