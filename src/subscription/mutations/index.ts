/**
 * Mutations on one subscription or add-on, one resolver class per field (type-graphql merges them
 * into Mutation). Each: arguments -> plan (src/mutation/subscription-plan.ts: load fresh under the
 * customer's lock) -> policy decision -> the one write path (src/write/) -> payload
 * (mutationPayload); role refusals are FORBIDDEN, other refusals come back as `userErrors`.
 */
import { CancelSubscriptionMutation } from './cancel-subscription.js';
import { ConfirmFulfillmentMutation } from './confirm-fulfillment.js';
import { DeleteScheduledChangeMutation } from './delete-scheduled-change.js';
import { PartialUpgradeMutation } from './partial-upgrade.js';
import { PauseSubscriptionMutation } from './pause-subscription.js';
import { ReactivateSubscriptionMutation } from './reactivate-subscription.js';
import { ResumeSubscriptionMutation } from './resume-subscription.js';
import { ScheduleChangeMutation } from './schedule-change.js';
import { SuspendSubscriptionMutation } from './suspend-subscription.js';
import { UpdateScheduledChangeMutation } from './update-scheduled-change.js';
import { UpdateSubscriptionMutation } from './update-subscription.js';
import { UpgradeSubscriptionMutation } from './upgrade-subscription.js';

export const subscriptionMutations = [
  UpdateSubscriptionMutation,
  SuspendSubscriptionMutation,
  ReactivateSubscriptionMutation,
  PauseSubscriptionMutation,
  ResumeSubscriptionMutation,
  ConfirmFulfillmentMutation,
  ScheduleChangeMutation,
  UpdateScheduledChangeMutation,
  DeleteScheduledChangeMutation,
  CancelSubscriptionMutation,
  PartialUpgradeMutation,
  UpgradeSubscriptionMutation,
] as const;
