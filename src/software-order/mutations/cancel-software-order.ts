import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { loadCustomer } from '../../mutation/load.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { forbidden } from '../../shared/errors.js';
import { checkSoftwareCancelRole, decideCancelSoftware } from '../../policy/software.js';
import type { Context } from '../../shared/context.js';
import { parseId } from '../../shared/ids.js';
import { money } from '../../shared/money.type.js';
import { CancelSoftwareOrderInput } from '../software-order.input.js';
import { CancelSoftwareOrderPayload } from '../software-order.payload.js';
import { loadSoftwareOrder } from './software-load.js';

@Resolver()
export class CancelSoftwareOrderMutation {
  @Mutation(() => CancelSoftwareOrderPayload, {
    description:
      'Cancel one software order (SW-CANCEL-PER-ORDER) within 30 days of its purchase (SW-CANCEL-30D), admin agents only (ROLE-SOFTWARE-CANCEL); with dryRun, quote the credit. Confirmed at once, shown on the order after a delay (SW-CANCEL-DELAY).',
  })
  async cancelSoftwareOrder(
    @Arg('input', () => CancelSoftwareOrderInput) input: CancelSoftwareOrderInput,
    @Ctx() ctx: Context,
  ): Promise<CancelSoftwareOrderPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const id = parseId('software order', input.softwareOrderId, 'input.softwareOrderId');
    const first = await loadSoftwareOrder(cols, partnerId, id);
    const role = checkSoftwareCancelRole(ctx.caller);
    if (role) throw forbidden(role);
    const result = await runMutation(
      ctx,
      {
        kind: 'cancel_software_order',
        partnerId,
        customerId: first.customerId,
        at: (l) => l.now,
        load: async () => {
          const now = await ctx.readClock();
          const order = await loadSoftwareOrder(cols, partnerId, id);
          return { now, order, customer: await loadCustomer(cols, partnerId, order.customerId) };
        },
        decide: (l) =>
          decideCancelSoftware({
            order: l.order,
            customer: l.customer,
            customerRef: input.customer,
            actor: ctx.caller,
            now: l.now,
            delayMs: ctx.settings.softwareCancelDelayMs,
          }),
      },
      input,
    );
    const softwareOrder = await ctx.loaders.softwareOrderById.load(id);
    return mutationPayload(input, result, {
      refused: () => ({
        softwareOrder,
        rule: null,
        credit: null,
        cancellationDate: null,
        cancellationVisibleAt: null,
        keysRevoked: null,
      }),
      accepted: (o) => ({
        softwareOrder,
        rule: o.rule,
        credit: money(o.creditCents, o.currency),
        cancellationDate: o.cancelledAt,
        cancellationVisibleAt: o.visibleAt,
        keysRevoked: o.keysRevoked,
        summary: o.summary,
      }),
    });
  }
}
