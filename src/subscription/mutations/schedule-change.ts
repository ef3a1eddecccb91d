import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { ScheduleChangeInput } from '../subscription.mutation-input.js';
import { schedule } from './schedule.js';

@Resolver()
export class ScheduleChangeMutation {
  @Mutation(() => SubscriptionChangePayload, { description: 'SCHED-*: save (or replace) a change that takes effect at renewal.' })
  scheduleChange(
    @Arg('input', () => ScheduleChangeInput) input: ScheduleChangeInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return schedule(ctx, input, false);
  }
}
