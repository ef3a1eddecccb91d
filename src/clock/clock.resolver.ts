import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../shared/context.js';
import { SimulationClock } from './clock.type.js';

@Resolver(() => SimulationClock)
export class ClockResolver {
  @Query(() => SimulationClock, { description: 'The shared simulation clock (GEN-CLOCK).' })
  async simulationClock(@Ctx() ctx: Context): Promise<SimulationClock> {
    return { now: await ctx.now() };
  }
}
