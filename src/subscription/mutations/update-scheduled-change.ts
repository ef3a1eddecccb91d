import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { Context } from '../../shared/context.js';
import { SubscriptionChangePayload } from '../subscription-payload.types.js';
import { ScheduleChangeInput } from '../subscription.mutation-input.js';
import { schedule } from './schedule.js';

@Resolver()
export class UpdateScheduledChangeMutation {
  @Mutation(() => SubscriptionChangePayload, { description: 'SCHED-MANAGE: change the saved change (it must exist).' })
  updateScheduledChange(
    @Arg('input', () => ScheduleChangeInput) input: ScheduleChangeInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return schedule(ctx, input, true);
  }
}
