import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../shared/context.js';
import { Viewer } from './partner.type.js';

@Resolver(() => Viewer)
export class ViewerResolver {
  @Query(() => Viewer, { description: 'The calling partner and user.' })
  viewer(@Ctx() ctx: Context): Viewer {
    return { partner: ctx.caller.partner, userId: ctx.caller.userId, roles: ctx.caller.roles };
  }
}
