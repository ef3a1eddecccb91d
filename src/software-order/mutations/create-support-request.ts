import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { loadCustomer } from '../../mutation/load.js';
import { mutationPayload, refusalErrors, refusedPayload, runMutation } from '../../mutation/run-mutation.js';
import { forbidden } from '../../shared/errors.js';
import { checkRole } from '../../policy/roles.js';
import {
  decideCreateSupportRequest,
  SUPPORT_REQUEST_KINDS,
  validateSupportRequest,
  type SupportRequestFields,
} from '../../policy/support-request.js';
import type { Context } from '../../shared/context.js';
import { CreateSupportRequestInput } from '../software-order.input.js';
import { CreateSupportRequestPayload } from '../software-order.payload.js';
import { findCustomerByRef, findSupportResource } from './software-load.js';

@Resolver()
export class CreateSupportRequestMutation {
  @Mutation(() => CreateSupportRequestPayload, {
    description:
      'Ask Microsoft support for a software purchase refund (SW-SUPPORT-REQUEST; ROLE-SOFTWARE) or a reservation refund or exchange (RES-SUPPORT-REQUEST; ROLE-RESERVATIONS), on behalf of a customer named by tenant ID or domain.',
  })
  async createSupportRequest(
    @Arg('input', () => CreateSupportRequestInput) input: CreateSupportRequestInput,
    @Ctx() ctx: Context,
  ): Promise<CreateSupportRequestPayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const kind = input.kind;
    const spec = SUPPORT_REQUEST_KINDS[kind];
    const role = checkRole(ctx.caller, spec.role, `ask for ${spec.label}`);
    if (role) throw forbidden(role);
    const fields: SupportRequestFields = {
      problemType: input.problemType,
      issueType: input.issueType,
      category: input.category,
      impact: input.impact,
      title: input.title,
      customer: input.customer,
      resourceId: input.resourceId,
      reason: input.reason,
      amountRequestedInCents: input.amountRequestedInCents,
      contact: input.contact,
      attachmentNames: input.attachmentNames,
    };
    // Every field first, before the customer is looked up, so a malformed one is named as such.
    const invalid = validateSupportRequest(kind, fields);
    if (invalid) {
      const userErrors = refusalErrors(ctx, { operationType: 'create_support_request', customerId: null }, invalid, input);
      return refusedPayload(input, userErrors, { supportRequest: null });
    }
    const first = await findCustomerByRef(cols, partnerId, input.customer);
    const result = await runMutation(
      ctx,
      {
        kind: 'create_support_request',
        partnerId,
        customerId: first._id,
        at: (l) => l.now,
        load: async () => {
          const now = await ctx.readClock();
          const customer = await loadCustomer(cols, partnerId, first._id);
          return { now, customer, resource: await findSupportResource(cols, partnerId, customer._id, input.resourceId) };
        },
        decide: (l, ids) =>
          decideCreateSupportRequest({ kind, fields, customer: l.customer, resource: l.resource, actor: ctx.caller, now: l.now, ids }),
      },
      input,
    );
    return mutationPayload(input, result, {
      refused: () => ({ supportRequest: null }),
      accepted: async (o, applied) => ({
        supportRequest: applied ? await cols.supportRequests.findOne({ _id: o.request._id, partnerId }) : o.request,
        summary: o.summary,
      }),
    });
  }
}
