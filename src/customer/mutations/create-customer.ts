import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { asQuote } from '../../mutation/quote.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { decideCreateCustomer, isSandboxPartner, validateNewCustomer, type NewCustomerFields } from '../../policy/customer.js';
import { checkRole } from '../../policy/roles.js';
import type { Context } from '../../shared/context.js';
import { badUserInput, forbidden } from '../../shared/errors.js';
import { CreateCustomerPayload } from '../customer-payload.types.js';
import { CreateCustomerInput } from '../customer.mutation-input.js';

@Resolver()
export class CreateCustomerMutation {
  @Mutation(() => CreateCustomerPayload, {
    description:
      "Create a customer tenant of your partner (Partner Center POST /v1/customers; ROLE-SUBSCRIPTIONS), with the country, segment and reseller of record the rules read; account opened and first billing now, on your partner's simulation clock (a test sandbox may date them in its past). Domains are unique among real partners' customers and within each sandbox. A sandbox holds at most SANDBOX_MAX_CUSTOMERS customers (SANDBOX-QUOTA: FORBIDDEN).",
  })
  async createCustomer(
    @Arg('input', () => CreateCustomerInput) input: CreateCustomerInput,
    @Ctx() ctx: Context,
  ): Promise<CreateCustomerPayload> {
    const cols = ctx.write.collections;
    const partner = ctx.caller.partner;
    const role = checkRole(ctx.caller, 'ROLE-SUBSCRIPTIONS', 'create customers');
    if (role) throw forbidden(role);
    const fields: NewCustomerFields = {
      companyName: input.companyProfile.companyName,
      domain: input.companyProfile.domain,
      country: input.billingProfile.defaultAddress.country,
      segment: `${input.segment}`,
      relationshipToPartner: `${input.relationshipToPartner}`,
      associatedPartnerId: input.associatedPartnerId ?? null,
      accountOpenedAt: input.accountOpenedAt ?? null,
      firstBillingAt: input.firstBillingAt ?? null,
    };
    const sandbox = isSandboxPartner(partner);
    // The clock only moves forward between here and the lock (but for a restore, which the
    // decision checks again for): a date in the past now is in the past then.
    const clockNow = sandbox && (fields.accountOpenedAt || fields.firstBillingAt) ? await ctx.readClock() : undefined;
    const problem = validateNewCustomer(fields, partner, clockNow);
    if (problem) throw badUserInput(problem.message, { argumentName: `input.${problem.field}` });
    if (fields.associatedPartnerId !== null) {
      // Partners do not change at run time: the reseller is checked once, outside the lock.
      const reseller = await cols.partners.findOne({ mpnId: fields.associatedPartnerId, indirectProviderId: partner._id });
      if (!reseller) {
        throw badUserInput(`No indirect reseller with MPN ID '${fields.associatedPartnerId}' buys through your partner`, {
          argumentName: 'input.associatedPartnerId',
        });
      }
    }
    const domainLower = fields.domain.trim().toLowerCase();
    const result = await runMutation(
      ctx,
      {
        kind: 'add_customer',
        partnerId: partner._id,
        // Partner-wide lock: creations of one partner are serialised, so the domain check holds.
        customerId: null,
        at: (l) => l.now,
        load: async () => {
          const now = await ctx.readClock();
          // The caller's realm (CustomerDoc.domainRealm): its sandbox, or the real partners' shared
          // one (null, which also matches customers written before the field existed).
          const domainTakenBy = await cols.customers.findOne(
            { domainLower, domainRealm: sandbox ? partner._id : null },
            { projection: { _id: 1, partnerId: 1, companyName: 1 } },
          );
          const sandboxQuota = sandbox
            ? { customers: await cols.customers.countDocuments({ partnerId: partner._id }), max: ctx.sandboxes.config.sandbox.maxCustomers }
            : undefined;
          return { now, domainTakenBy, sandboxQuota };
        },
        decide: (l, ids) =>
          decideCreateCustomer({
            fields,
            partner,
            domainTakenBy: l.domainTakenBy,
            sandboxQuota: l.sandboxQuota,
            actor: ctx.caller,
            now: l.now,
            ids,
          }),
      },
      input,
    );
    return mutationPayload(input, result, {
      refused: () => ({ customer: null }),
      accepted: async (o, applied) => ({
        customer: applied ? await ctx.loaders.customerById.load(o.customer._id) : asQuote(o.customer),
        summary: o.summary,
      }),
    });
  }
}
