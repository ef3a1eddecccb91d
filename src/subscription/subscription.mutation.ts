import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { BillingCycle, OfferDoc, TermDuration } from '../db/documents.js';
import { runMutation } from '../mutation/run-mutation.js';
import { changePayload, changeSubscription, placed, subscriptionPlan } from '../mutation/subscription-plan.js';
import { loadOffer, loadSubscription } from '../mutation/load.js';
import { AddOnRefund, CancelSubscriptionPayload, SubscriptionChangePayload, UpgradePayload } from '../mutation/payload.types.js';
import { decideCancel } from '../policy/cancellation.js';
import { decideUpdate } from '../policy/edit.js';
import { decideConfirmFulfillment } from '../policy/fulfilment.js';
import { decidePause, decideResume } from '../policy/pause.js';
import { decideDeleteScheduledChange, decideScheduleChange, type ScheduleOutcome } from '../policy/scheduled-change.js';
import { decideReactivate, decideSuspend } from '../policy/suspension.js';
import { decideUpgrade } from '../policy/upgrade.js';
import type { Context } from '../shared/context.js';
import { parseId } from '../shared/ids.js';
import { money } from '../shared/money.type.js';
import {
  CancelSubscriptionInput,
  PartialUpgradeInput,
  ScheduleChangeInput,
  SubscriptionTargetInput,
  SuspendSubscriptionInput,
  UpdateSubscriptionInput,
  UpgradeSubscriptionInput,
} from './subscription.mutation-input.js';

/**
 * Mutations on one subscription or add-on. Each: authenticate (context), load fresh, ask the
 * policy, apply through the one write path (src/write/); role refusals are FORBIDDEN, other
 * refusals come back as `userErrors`.
 */
@Resolver()
export class SubscriptionMutationResolver {
  @Mutation(() => SubscriptionChangePayload, { description: 'SUB-EDIT: nickname, quantity, auto-renew, indirect reseller.' })
  updateSubscription(
    @Arg('input', () => UpdateSubscriptionInput) input: UpdateSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    const patch = {
      friendlyName: input.friendlyName,
      quantity: input.quantity,
      autoRenewEnabled: input.autoRenewEnabled,
      partnerIdOnRecord: input.partnerId,
    };
    return changeSubscription(ctx, 'update_subscription', input, (l, now) =>
      decideUpdate({ subscription: l.subscription, offer: l.offer, patch, actor: ctx.caller, now }),
    );
  }

  @Mutation(() => SubscriptionChangePayload, { description: 'SUSP-*: suspend a legacy subscription (and its add-ons) for a reason.' })
  suspendSubscription(
    @Arg('input', () => SuspendSubscriptionInput) input: SuspendSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'suspend_subscription', input, (l, now) =>
      decideSuspend({
        subscription: l.subscription,
        addOns: l.addOns,
        customer: l.customer,
        reason: input.reason,
        actor: ctx.caller,
        now,
      }),
    );
  }

  @Mutation(() => SubscriptionChangePayload, { description: 'SUSP-REACTIVATE: reactivate a suspended legacy subscription.' })
  reactivateSubscription(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'reactivate_subscription', input, (l, now) =>
      decideReactivate({ subscription: l.subscription, addOns: l.addOns, actor: ctx.caller, now }),
    );
  }

  @Mutation(() => SubscriptionChangePayload, { description: 'PAUSE-*: pause a new-commerce subscription for non-payment.' })
  pauseSubscription(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'pause_subscription', input, (l, now) =>
      decidePause({ subscription: l.subscription, addOns: l.addOns, actor: ctx.caller, now }),
    );
  }

  @Mutation(() => SubscriptionChangePayload, { description: 'PAUSE-RESUME: resume a paused subscription.' })
  resumeSubscription(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'resume_subscription', input, (l, now) =>
      decideResume({ subscription: l.subscription, addOns: l.addOns, actor: ctx.caller, now }),
    );
  }

  @Mutation(() => SubscriptionChangePayload, {
    description: 'CAT-ISV-FULFILMENT (simulation): the publisher confirms set-up of a marketplace SaaS subscription.',
  })
  confirmFulfillment(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'activate_subscription', input, (l, now) =>
      decideConfirmFulfillment({ subscription: l.subscription, actor: ctx.caller, now }),
    );
  }

  @Mutation(() => SubscriptionChangePayload, { description: 'SCHED-*: save (or replace) a change that takes effect at renewal.' })
  scheduleChange(
    @Arg('input', () => ScheduleChangeInput) input: ScheduleChangeInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return this.schedule(input, ctx, false);
  }

  @Mutation(() => SubscriptionChangePayload, { description: 'SCHED-MANAGE: change the saved change (it must exist).' })
  updateScheduledChange(
    @Arg('input', () => ScheduleChangeInput) input: ScheduleChangeInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return this.schedule(input, ctx, true);
  }

  @Mutation(() => SubscriptionChangePayload, { description: 'SCHED-MANAGE: delete the saved change.' })
  deleteScheduledChange(
    @Arg('input', () => SubscriptionTargetInput) input: SubscriptionTargetInput,
    @Ctx() ctx: Context,
  ): Promise<SubscriptionChangePayload> {
    return changeSubscription(ctx, 'update_subscription', input, (l, now) =>
      decideDeleteScheduledChange({ subscription: l.subscription, actor: ctx.caller, now }),
    );
  }

  private async schedule(input: ScheduleChangeInput, ctx: Context, mustExist: boolean): Promise<SubscriptionChangePayload> {
    const cols = ctx.write.collections;
    const targetId = input.offerId ? parseId('offer', input.offerId, 'input.offerId') : null;
    const change = {
      offerId: targetId,
      quantity: input.quantity,
      billingCycle: input.billingCycle as BillingCycle | null,
      termDuration: input.termDuration as TermDuration | null,
    };
    const plan = await subscriptionPlan<ScheduleOutcome, OfferDoc>(
      ctx,
      'update_subscription',
      input.subscriptionId,
      (l, now) =>
        decideScheduleChange({
          subscription: l.subscription,
          offer: l.offer,
          targetOffer: l.extra,
          change,
          actor: ctx.caller,
          now,
          mustExist,
        }),
      // An omitted offer keeps the SKU already scheduled, else the current one (SCHED-MANAGE).
      (s) => loadOffer(cols, targetId ?? s.scheduledNextTermInstructions?.offerId ?? s.offerId),
    );
    return changePayload(ctx, input, await runMutation(ctx, plan, input));
  }

  @Mutation(() => CancelSubscriptionPayload, {
    description: 'CANCEL-*: cancel (or with dryRun, quote the cancellation of) a subscription and its add-ons.',
  })
  async cancelSubscription(
    @Arg('input', () => CancelSubscriptionInput) input: CancelSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<CancelSubscriptionPayload> {
    const plan = await subscriptionPlan(ctx, 'cancel_subscription', input.subscriptionId, (l, now) =>
      decideCancel({ subscription: l.subscription, addOns: l.addOns, actor: ctx.caller, now, reason: input.reason }),
    );
    const result = await runMutation(ctx, plan, input);
    const current = await ctx.loaders.subscriptionById.load(parseId('subscription', input.subscriptionId, 'input.subscriptionId'));
    const base = {
      ...placed(current),
      dryRun: input.dryRun,
      operationId: null,
      summary: null,
      mode: null,
      rule: null,
      refund: null,
      totalRefund: null,
      effectiveDate: null,
      addOnRefunds: [] as AddOnRefund[],
    };
    if (!result.ok) return { ...base, userErrors: result.userErrors };
    const o = result.outcome;
    const total = o.refundCents + o.addOns.reduce((n, a) => n + a.refundCents, 0);
    return {
      ...base,
      dryRun: result.dryRun,
      operationId: result.operationId,
      summary: o.summary,
      mode: o.mode,
      rule: o.rule,
      refund: money(o.refundCents, o.currency),
      totalRefund: money(total, o.currency),
      effectiveDate: o.effectiveDate,
      addOnRefunds: o.addOns.map((a) => ({ addOnId: a.id, refund: money(a.refundCents, o.currency), rule: a.rule })),
      userErrors: [],
    };
  }

  @Mutation(() => UpgradePayload, {
    description: 'UPG-PARTIAL: move some (or all) licences to another SKU, now or at term end, into a new or existing subscription.',
  })
  partialUpgrade(@Arg('input', () => PartialUpgradeInput) input: PartialUpgradeInput, @Ctx() ctx: Context): Promise<UpgradePayload> {
    return this.upgrade(ctx, input, input.quantity);
  }

  @Mutation(() => UpgradePayload, { description: 'UPG-FULL: move all licences to another SKU; the source ends (upgraded).' })
  upgradeSubscription(
    @Arg('input', () => UpgradeSubscriptionInput) input: UpgradeSubscriptionInput,
    @Ctx() ctx: Context,
  ): Promise<UpgradePayload> {
    return this.upgrade(ctx, input, null);
  }

  private async upgrade(
    ctx: Context,
    input: UpgradeSubscriptionInput | PartialUpgradeInput,
    quantity: number | null,
  ): Promise<UpgradePayload> {
    const cols = ctx.write.collections;
    const partnerId = ctx.caller.partner._id;
    const targetOffer = await loadOffer(cols, parseId('offer', input.targetOfferId, 'input.targetOfferId'));
    const targetSubId = input.targetSubscriptionId
      ? parseId('subscription', input.targetSubscriptionId, 'input.targetSubscriptionId')
      : null;
    const plan = await subscriptionPlan(
      ctx,
      'upgrade_subscription',
      input.subscriptionId,
      (l, now, ids) =>
        decideUpgrade({
          source: l.subscription,
          sourceOffer: l.offer,
          targetOffer,
          targetSubscription: l.extra,
          quantity: quantity ?? l.subscription.quantity,
          timing: input.timing,
          sourceAddOns: l.addOns,
          customer: l.customer,
          partner: ctx.caller.partner,
          actor: ctx.caller,
          now,
          ids,
        }),
      async () => (targetSubId ? loadSubscription(cols, partnerId, targetSubId) : null),
    );
    const result = await runMutation(ctx, plan, input);
    const source = await ctx.loaders.subscriptionById.load(parseId('subscription', input.subscriptionId, 'input.subscriptionId'));
    const empty = {
      sourceSubscription: source,
      targetSubscription: null,
      upgradeType: null,
      timing: null,
      credit: null,
      charge: null,
      licenceReassignmentRequired: null,
      dryRun: input.dryRun,
      operationId: null,
      summary: null,
    };
    if (!result.ok) return { ...empty, userErrors: result.userErrors };
    const o = result.outcome;
    const target =
      o.targetSubscriptionId && !result.dryRun
        ? await ctx.loaders.subscriptionById.load(o.targetSubscriptionId)
        : targetSubId
          ? await ctx.loaders.subscriptionById.load(targetSubId)
          : null;
    return {
      ...empty,
      targetSubscription: target,
      upgradeType: o.upgradeType,
      timing: o.timing,
      credit: money(o.creditCents, source.currency),
      charge: money(o.chargeCents, source.currency),
      licenceReassignmentRequired: o.licenceReassignmentRequired,
      summary: o.summary,
      dryRun: result.dryRun,
      operationId: result.operationId,
      userErrors: [],
    };
  }
}
