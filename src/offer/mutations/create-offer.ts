import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import { loadOffers } from '../../mutation/load.js';
import { mutationPayload, runMutation } from '../../mutation/run-mutation.js';
import { checkRole } from '../../policy/roles.js';
import { decideCreateOffer, validateNewOffer, type NewOfferFields } from '../../policy/sandbox-offer.js';
import type { Context } from '../../shared/context.js';
import { badUserInput, forbidden } from '../../shared/errors.js';
import { parseId } from '../../shared/ids.js';
import { CreateOfferPayload } from '../offer-payload.types.js';
import { CreateOfferInput } from '../offer.mutation-input.js';

@Resolver()
export class CreateOfferMutation {
  @Mutation(() => CreateOfferPayload, {
    description:
      "In a test sandbox only (SANDBOX-OFFERS; ROLE-SUBSCRIPTIONS): an offer of the sandbox's own, at the price and terms the test wants, with the same validation as the seeded catalog. Only the sandbox sees it, beside the global catalog, everywhere an offer is read or bought. The gateway gives it its ID.",
  })
  async createOffer(@Arg('input', () => CreateOfferInput) input: CreateOfferInput, @Ctx() ctx: Context): Promise<CreateOfferPayload> {
    const cols = ctx.write.collections;
    const partner = ctx.caller.partner;
    const role = checkRole(ctx.caller, 'ROLE-SUBSCRIPTIONS', 'create offers');
    if (role) throw forbidden(role);
    const ids = (list: readonly string[], name: string) => list.map((id, i) => parseId('offer', id, `input.${name}.${i}`));
    const fields: NewOfferFields = {
      name: input.name,
      description: input.description,
      commerceType: input.commerceType,
      productType: input.productType ?? null,
      publisher: input.publisher,
      billingType: input.billingType,
      category: input.category ?? null,
      segments: input.segments,
      markets: input.markets ?? null,
      billingPlans: input.billingPlans.map((p) => ({
        billingCycle: p.billingCycle,
        termDuration: p.termDuration,
        unitPriceCents: p.price.amountInCents,
        currency: p.price.currencyCode,
      })),
      trial: input.trial
        ? { days: input.trial.days, convertsToOfferId: parseId('offer', input.trial.convertsToOfferId, 'input.trial.convertsToOfferId') }
        : null,
      addOnBaseOfferIds: ids(input.addOnBaseOfferIds, 'addOnBaseOfferIds'),
      upgradeTargetIds: ids(input.upgradeTargetIds, 'upgradeTargetIds'),
      onePerCustomer: input.onePerCustomer,
      minQuantity: input.minQuantity,
      maxQuantity: input.maxQuantity,
      softwareKind: input.softwareKind ?? null,
      reservationType: input.reservationType ?? null,
    };
    const problem = validateNewOffer(fields);
    if (problem) throw badUserInput(problem.message, { argumentName: `input.${problem.field}` });
    const named = [...(fields.trial ? [fields.trial.convertsToOfferId] : []), ...fields.upgradeTargetIds, ...fields.addOnBaseOfferIds];
    const result = await runMutation(
      ctx,
      {
        kind: 'create_offer',
        partnerId: partner._id,
        // Partner-wide lock, as for createCustomer: the offers it names are read as they stand.
        customerId: null,
        at: (l) => l.now,
        load: async () => ({ now: await ctx.readClock(), referenced: await loadOffers(cols, partner, named) }),
        decide: (l, opIds) => decideCreateOffer({ fields, partner, referenced: l.referenced, actor: ctx.caller, now: l.now, ids: opIds }),
      },
      input,
    );
    return mutationPayload(input, result, {
      refused: () => ({ offer: null }),
      accepted: (o) => ({ offer: o.offer, summary: o.summary }),
    });
  }
}
