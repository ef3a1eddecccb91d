/** Moving a partner's simulation clock (GEN-CLOCK). */
import { auditFor } from './common.js';
import { allow, refuse, type Decision } from './decision.js';
import type { AuditEffect } from './effects.js';
import type { Caller } from '../shared/caller.js';
import { DAY, elapsed } from './time.js';

/** The longest single advance: ten years of events is plenty for a test and bounds the work. */
export const MAX_ADVANCE_MS = 3653 * DAY;

/** GEN-CLOCK: a partner's clock moves forward only, and by at most MAX_ADVANCE_MS at a time. */
export function decideAdvanceClock(input: { current: Date; target: Date }): Decision<{ from: Date; to: Date }> {
  const step = elapsed(input.current, input.target);
  if (Number.isNaN(step))
    return refuse('GEN-UTC', 'INVALID_VALUE', 'The target is not a valid ISO-8601 instant such as 2026-12-01T00:00:00Z.', 'to');
  if (step <= 0) {
    return refuse(
      'GEN-CLOCK',
      'INVALID_VALUE',
      `The simulation clock moves forward only: it is ${input.current.toISOString()}, and ${input.target.toISOString()} is ${step === 0 ? 'the same instant' : 'earlier'}.`,
      'to',
    );
  }
  if (step > MAX_ADVANCE_MS)
    return refuse('GEN-CLOCK', 'LIMIT_EXCEEDED', `One advance moves the clock at most 3653 days (ten years); split a longer one.`, 'by');
  return allow({ from: input.current, to: input.target });
}

/**
 * GEN-CLOCK: the audit record of an accepted advance, like every mutation's. The clock itself
 * moves by compare-and-set, not as an effect; the record is at `from`, the instant the caller
 * acted, so it precedes the lifecycle events the advance applied (each audited at its due time).
 */
export function advanceClockAudit(actor: Caller, move: { from: Date; to: Date; events: number }): AuditEffect {
  return auditFor(actor, {
    partnerId: actor.partner._id,
    customerId: null,
    operationType: 'advance_clock',
    resourceType: 'clock',
    resourceId: actor.partner._id,
    at: move.from,
    before: { now: move.from },
    after: { now: move.to, events: move.events },
  });
}
