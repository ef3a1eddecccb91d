/**
 * The rule registry: every rule ID -> the function that decides it (its doc comment cites the ID).
 * test/policy/rule-registry.test.ts fails when a rule of an implemented section of
 * docs/rules.md has no entry here, when an entry's file does not cite its ID, or when an
 * ID is named in no test. Software rules (SW-*) are decided in software.ts and support-request.ts;
 * reservation rules (RES-*) in reservation.ts and reservation-markets.ts.
 */
import { checkAddOnEligible, checkAddOnPartnerType, checkBaseActive, decidePurchaseAddOn } from './add-on.js';
import { allowedActions } from './allowed-actions.js';
import { termStartCharge } from './billing.js';
import {
  cancelIsvLicence,
  cancelIsvUsage,
  cancellationAllowedUntil,
  cancelNce24h,
  cancelNce30d,
  cancelNceAfter,
  cancelWindowStart,
  decideCancel,
} from './cancellation.js';
import { checkAvailable, checkNotAddOn, checkSegment } from './catalog.js';
import { decideAdvanceClock } from './clock.js';
import { ledgerFor } from './common.js';
import { checkActionNeeded, checkQuantityDecrease, checkRenewToggle, decideUpdate } from './edit.js';
import { decideConfirmFulfillment } from './fulfilment.js';
import { decideLifecycleEvent, nextEvent } from './lifecycle.js';
import { pricesIncludeTax, prorate } from './money.js';
import { decidePause, decideResume } from './pause.js';
import { activationLink, checkOnePerCustomer, decidePurchase, trialTerm } from './purchase.js';
import {
  applyRefundCap,
  decideCancelReservation,
  decideExchangeReservation,
  decideUpdateReservation,
  partnerCredit,
  reservationRefundTerms,
} from './reservation.js';
import { checkReservationMarket } from './reservation-markets.js';
import { canViewMarketplace, checkRole, checkSubscriptionRoles, ownedByActor } from './roles.js';
import type { RuleId } from './rule-ids.js';
import { checkSchedulable, checkSchedulePrereq, decideDeleteScheduledChange, decideScheduleChange } from './scheduled-change.js';
import { canTransition, usersHaveAccess } from './states.js';
import { cascadeTargets, checkReason, checkSelfServeSuspension, dataDeletionDate, decideReactivate } from './suspension.js';
import {
  activityRecord,
  cancellationVisibleAt,
  checkActivityLogRole,
  checkCancelExcluded,
  checkCancelWindow,
  checkMak,
  checkOrderCustomer,
  checkSoftwareCancelRole,
  checkSoftwareKeysRole,
  checkSoftwareRole,
  decideCancelSoftware,
  decideGetKey,
  softwareCancelInfo,
  softwarePrice,
} from './software.js';
import { decideCreateSupportRequest } from './support-request.js';
import { invalidInstant, within } from './time.js';
import { checkUpgradeActive, checkUpgradeEligible, checkUpgradeQuantity, checkUpgradeTarget, decideUpgrade } from './upgrade.js';

/** `decidedBy` is the function whose doc comment cites the rule; signatures differ, so it is held as a plain callable. */
export interface RuleEntry {
  decidedBy: (...args: never[]) => unknown;
  file: string;
}

const at = (file: string, decidedBy: RuleEntry['decidedBy']): RuleEntry => ({ decidedBy, file });

export const RULES: Partial<Record<RuleId, RuleEntry>> = {
  'GEN-UTC': at('time.ts', invalidInstant),
  'GEN-CLOCK': at('clock.ts', decideAdvanceClock),
  'GEN-REASON': at('suspension.ts', checkReason),
  'GEN-WINDOW': at('time.ts', within),
  'ROLE-SUBSCRIPTIONS': at('roles.ts', checkSubscriptionRoles),
  'ROLE-MARKETPLACE': at('roles.ts', canViewMarketplace),
  'ROLE-SOFTWARE': at('software.ts', checkSoftwareRole),
  'ROLE-SOFTWARE-KEYS': at('software.ts', checkSoftwareKeysRole),
  'ROLE-SOFTWARE-CANCEL': at('software.ts', checkSoftwareCancelRole),
  'ROLE-ACTIVITY-LOG': at('software.ts', checkActivityLogRole),
  'ROLE-RESERVATIONS': at('roles.ts', checkRole),
  'ROLE-TENANT': at('roles.ts', ownedByActor),
  'CAT-FILTER': at('catalog.ts', checkSegment),
  'CAT-ONE-PER-CUSTOMER': at('purchase.ts', checkOnePerCustomer),
  'CAT-UNAVAILABLE': at('catalog.ts', checkAvailable),
  'CAT-CART': at('purchase.ts', decidePurchase),
  'BILL-MONTHLY': at('billing.ts', termStartCharge),
  'CAT-ISV-LINK': at('purchase.ts', activationLink),
  'CAT-ISV-FULFILMENT': at('fulfilment.ts', decideConfirmFulfillment),
  'CAT-TRIAL': at('purchase.ts', trialTerm),
  'PRICE-TAX': at('money.ts', pricesIncludeTax),
  'ADDON-BASE-ACTIVE': at('add-on.ts', checkBaseActive),
  'ADDON-NOT-CATALOG': at('catalog.ts', checkNotAddOn),
  'ADDON-PARTNER-TYPE': at('add-on.ts', checkAddOnPartnerType),
  'ADDON-ELIGIBLE': at('add-on.ts', checkAddOnEligible),
  'ADDON-CASCADE': at('suspension.ts', cascadeTargets),
  'ADDON-ALIGN': at('add-on.ts', decidePurchaseAddOn),
  'SUB-EDIT': at('edit.ts', decideUpdate),
  'SUB-ACTION-NEEDED': at('edit.ts', checkActionNeeded),
  'SUB-QTY-INCREASE': at('edit.ts', decideUpdate),
  'SUB-QTY-DECREASE-NCE': at('edit.ts', checkQuantityDecrease),
  'SUSP-EFFECT': at('states.ts', usersHaveAccess),
  'SUSP-STATES': at('states.ts', canTransition),
  'SUSP-DATA-DELETION': at('suspension.ts', dataDeletionDate),
  'SUSP-REACTIVATE': at('suspension.ts', decideReactivate),
  'SUSP-NCE-SUPPORT': at('suspension.ts', checkSelfServeSuspension),
  'PAUSE-EFFECT': at('pause.ts', decidePause),
  'PAUSE-RESUME': at('pause.ts', decideResume),
  'PAUSE-SIDE-EFFECTS': at('pause.ts', decidePause),
  'CANCEL-ISV-MONTHLY': at('cancellation.ts', cancelIsvLicence),
  'CANCEL-ISV-ANNUAL': at('cancellation.ts', cancelIsvLicence),
  'CANCEL-ISV-USAGE': at('cancellation.ts', cancelIsvUsage),
  'CANCEL-NCE-24H': at('cancellation.ts', cancelNce24h),
  'CANCEL-NCE-30D': at('cancellation.ts', cancelNce30d),
  'CANCEL-NCE-AFTER': at('cancellation.ts', cancelNceAfter),
  'CANCEL-NCE-RENEWED': at('cancellation.ts', cancelWindowStart),
  'CANCEL-FINAL': at('cancellation.ts', decideCancel),
  'CANCEL-WINDOW-SHOWN': at('cancellation.ts', cancellationAllowedUntil),
  'RENEW-DEFAULT': at('lifecycle.ts', nextEvent),
  'RENEW-TOGGLE': at('edit.ts', checkRenewToggle),
  'RENEW-OFF-ENDS': at('lifecycle.ts', decideLifecycleEvent),
  'SCHED-KINDS': at('scheduled-change.ts', checkSchedulable),
  'SCHED-PREREQ': at('scheduled-change.ts', checkSchedulePrereq),
  'SCHED-APPLY': at('lifecycle.ts', decideLifecycleEvent),
  'SCHED-MANAGE': at('scheduled-change.ts', decideDeleteScheduledChange),
  'SCHED-TRIAL': at('lifecycle.ts', nextEvent),
  'SCHED-REASSIGN': at('scheduled-change.ts', decideScheduleChange),
  'SCHED-CLEARED': at('edit.ts', decideUpdate),
  'UPG-PARTIAL': at('upgrade.ts', checkUpgradeQuantity),
  'UPG-ACTIVE': at('upgrade.ts', checkUpgradeActive),
  'UPG-ELIGIBLE': at('upgrade.ts', checkUpgradeEligible),
  'UPG-TIMING': at('upgrade.ts', decideUpgrade),
  'UPG-CLEARS-SCHEDULED': at('upgrade.ts', decideUpgrade),
  'UPG-SAME-END': at('upgrade.ts', decideUpgrade),
  'UPG-TARGET': at('upgrade.ts', checkUpgradeTarget),
  'UPG-FULL': at('upgrade.ts', decideUpgrade),
  'SW-PRICE': at('software.ts', softwarePrice),
  'SW-KEYS': at('software.ts', decideGetKey),
  'SW-MAK': at('software.ts', checkMak),
  'SW-ACTIVITY-LOG': at('software.ts', activityRecord),
  'SW-CANCEL-30D': at('software.ts', checkCancelWindow),
  'SW-CANCEL-EXCLUDED': at('software.ts', checkCancelExcluded),
  'SW-CANCEL-PER-ORDER': at('software.ts', checkOrderCustomer),
  'SW-CANCEL-INFO': at('software.ts', softwareCancelInfo),
  'SW-CANCEL-DELAY': at('software.ts', cancellationVisibleAt),
  'SW-POST-CANCEL': at('software.ts', decideCancelSoftware),
  'SW-SUPPORT-REQUEST': at('support-request.ts', decideCreateSupportRequest),
  'RES-MARKETS': at('reservation-markets.ts', checkReservationMarket),
  'RES-MANAGE': at('reservation.ts', decideUpdateReservation),
  'RES-CANCEL': at('reservation.ts', decideCancelReservation),
  'RES-REFUND-TABLE': at('reservation.ts', reservationRefundTerms),
  'RES-REFUND-CAP': at('reservation.ts', applyRefundCap),
  'RES-EXCHANGE': at('reservation.ts', decideExchangeReservation),
  'RES-PARTNER-CREDIT': at('reservation.ts', partnerCredit),
  'RES-SUPPORT-REQUEST': at('support-request.ts', decideCreateSupportRequest),
  'MONEY-PRORATE': at('money.ts', prorate),
  'MONEY-EXACT': at('common.ts', ledgerFor),
};

/** Also exported for the registry test: the quote used by Subscription.allowedActions. */
export { allowedActions, decideResume };
