/** Moving a partner's simulation clock (GEN-CLOCK). */
import { allow, refuse, type Decision } from './decision.js';
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
