import { Arg, Ctx, Field, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import { operationRequest, refusalErrors, refusedPayload } from '../mutation/run-mutation.js';
import { MutationPayload } from '../mutation/payload.types.js';
import { EventCount, LifecycleEventResult } from './clock-payload.types.js';
import { checkRole } from '../policy/roles.js';
import { addDuration, parseDuration } from '../policy/time.js';
import type { Context } from '../shared/context.js';
import { badUserInput, forbidden } from '../shared/errors.js';
import { advanceClock } from './lifecycle-engine.js';
import { SimulationClock } from './clock.type.js';

@InputType({ description: 'GEN-CLOCK: move your partner’s simulation clock forward, by a duration or to an instant (exactly one).' })
export class AdvanceClockInput {
  @Field(() => String, { nullable: true, description: "An ISO-8601 duration: 'PT24H', 'P30D', 'P1M' (calendar month), 'P1DT2H30M'." })
  by?: string | null;

  @Field(() => Date, { nullable: true, description: 'An instant later than the clock, e.g. 2026-12-01T00:00:00Z.' })
  to?: Date | null;

  @Field(() => Boolean, {
    defaultValue: false,
    description: 'List the lifecycle events the advance would apply, and change nothing: the clock stays where it is.',
  })
  dryRun!: boolean;
}

@ObjectType({
  description: 'What a clock advance did (or, with dryRun, would do): the instants, and every lifecycle event it applied, in time order.',
})
export class AdvanceClockPayload extends MutationPayload {
  @Field(() => SimulationClock, { nullable: true })
  clock!: SimulationClock | null;

  @Field(() => Date, { nullable: true })
  from!: Date | null;

  @Field(() => Date, { nullable: true, description: 'The instant the advance goes to; the clock is there when `completed`.' })
  to!: Date | null;

  @Field(() => Boolean, {
    description:
      'False: the call used its time budget (ADVANCE_CLOCK_BUDGET_MS) before reaching `to`; the clock is at `clock.now`, every event due until then applied. Call again with the same `by`, or with `to: continueTo`, to continue.',
  })
  completed!: boolean;

  @Field(() => Date, { nullable: true, description: 'Where an unfinished advance is going (call again to continue); null once completed.' })
  continueTo!: Date | null;

  @Field(() => [LifecycleEventResult])
  events!: LifecycleEventResult[];

  @Field(() => [EventCount], { description: 'Events applied, by kind.' })
  eventCounts!: EventCount[];
}

@Resolver()
export class ClockMutationResolver {
  @Mutation(() => AdvanceClockPayload, {
    description:
      'GEN-CLOCK: advance your partner’s clock (forward only) and apply every lifecycle event that fell due: trial conversions, renewals with scheduled changes, terms ending, scheduled cancellations, data deletions. With dryRun, list those events and change nothing. Audited, accepted or refused.',
  })
  async advanceClock(@Arg('input', () => AdvanceClockInput) input: AdvanceClockInput, @Ctx() ctx: Context): Promise<AdvanceClockPayload> {
    const role = checkRole(ctx.caller, 'ROLE-SUBSCRIPTIONS', 'advance the simulation clock');
    if (role) throw forbidden(role);
    if ((input.by == null) === (input.to == null))
      throw badUserInput(
        "Give exactly one of 'by' (an ISO-8601 duration such as 'P30D') or 'to' (an instant such as 2026-12-01T00:00:00Z)",
        { argumentName: 'input' },
      );
    const duration = input.by != null ? parseDuration(input.by) : null;
    if (input.by != null && duration === null) {
      throw badUserInput(
        `Argument 'input.by' must be an ISO-8601 duration such as 'PT24H', 'P30D' or 'P1M', but got '${input.by.slice(0, 40)}'`,
        { argumentName: 'input.by' },
      );
    }
    const result = await advanceClock(
      { write: ctx.write, clock: ctx.repositories.clock, request: operationRequest(ctx, input) },
      {
        actor: ctx.caller,
        target: (current) => (duration ? addDuration(current, duration) : input.to!),
        by: input.by ?? null,
        dryRun: input.dryRun,
      },
    );
    const empty = { clock: null, from: null, to: null, completed: false, continueTo: null, events: [], eventCounts: [] };
    if (!result.ok) {
      const userErrors = refusalErrors(ctx, { operationType: 'advance_clock', customerId: null }, result.refusal, input);
      return refusedPayload<AdvanceClockPayload>(input, userErrors, empty);
    }
    const counts = new Map<string, number>();
    for (const e of result.events) counts.set(e.kind, (counts.get(e.kind) ?? 0) + 1);
    const [from, to, reached] = [result.from, result.to, result.reached].map((d) => d.toISOString());
    return {
      clock: { now: result.reached },
      dryRun: result.dryRun,
      operationId: result.operationId,
      from: result.from,
      to: result.to,
      completed: result.completed,
      continueTo: result.completed ? null : result.to,
      events: result.events,
      eventCounts: [...counts].map(([kind, count]) => ({ kind, count })),
      summary: result.dryRun
        ? `Would move the clock from ${from} to ${to}; ${result.events.length} lifecycle event(s) would be applied.`
        : result.completed
          ? `Clock moved from ${from} to ${to}; ${result.events.length} lifecycle event(s) applied.`
          : `Clock moved from ${from} to ${reached} of ${to} within this call's time budget; ${result.events.length} lifecycle event(s) applied. Call advanceClock again with the same 'by', or with 'to: ${to}', to continue.`,
      userErrors: [],
    };
  }
}
