/**
 * Showcase customers: the first customers of every world, so that even a small world (the demo,
 * the tests) holds every status, commerce type and add-on case. Contoso's get add-ons.
 */
import type { BillingCycle, CustomerSegment, TermDuration } from '../db/documents.js';
import { OFFER_IDS } from './catalog.js';
import type { PartnerKey } from './weights.js';

export type Scenario =
  | 'active'
  | 'recent_24h'
  | 'recent_14d'
  | 'recent_30d'
  | 'paused'
  | 'disabled'
  | 'cancelled'
  | 'term_ended'
  | 'upgraded'
  | 'trial_active'
  | 'trial_expired'
  | 'suspended'
  | 'data_deleted'
  | 'action_needed'
  | 'isv_cancelled';

export interface PlannedAddOn {
  offerId: string;
  /** Suspended by the partner before its base was (ADDON-CASCADE: not restored with the base). */
  suspendedByPartner?: boolean;
  sameOrder?: boolean;
}

export interface PlannedSub {
  offerId: string;
  scenario: Scenario;
  plan?: [BillingCycle, TermDuration];
  quantity?: number;
  addOns?: PlannedAddOn[];
  schedule?: boolean;
}

export interface PlannedSoftware {
  offerId: string;
  /** Bought within the last 30 days (SW-CANCEL-30D), else earlier. */
  recent: boolean;
  cancelled: boolean;
}

export interface Showcase {
  partner: PartnerKey;
  country: string;
  segment: CustomerSegment;
  subs: PlannedSub[];
  software?: PlannedSoftware[];
  reservations?: number;
}

const O = OFFER_IDS;
export const SHOWCASE: readonly Showcase[] = [
  {
    partner: 'contoso',
    country: 'US',
    segment: 'commercial',
    software: [
      { offerId: O.windowsServer2022Datacenter, recent: true, cancelled: false },
      { offerId: O.officeLtscProPlus2021, recent: false, cancelled: false },
    ],
    subs: [
      {
        offerId: O.m365BusinessPremium,
        scenario: 'active',
        plan: ['monthly', 'P1Y'],
        quantity: 25,
        addOns: [{ offerId: O.teamsPhoneStandard, sameOrder: true }, { offerId: O.m365Copilot }],
      },
      {
        offerId: O.m365E3,
        scenario: 'active',
        plan: ['annual', 'P1Y'],
        quantity: 120,
        schedule: true,
        addOns: [{ offerId: O.audioConferencing }],
      },
      { offerId: O.litwareBackup, scenario: 'action_needed', plan: ['monthly', 'P1M'], quantity: 40 },
    ],
  },
  {
    partner: 'contoso',
    country: 'AU',
    segment: 'commercial',
    subs: [
      {
        offerId: O.m365BusinessStandard,
        scenario: 'recent_24h',
        plan: ['monthly', 'P1M'],
        quantity: 10,
        addOns: [{ offerId: O.audioConferencing, sameOrder: true }],
      },
      {
        offerId: O.legacyO365E3,
        scenario: 'suspended',
        plan: ['monthly', 'P1Y'],
        quantity: 30,
        addOns: [{ offerId: O.legacyExtraFileStorage, suspendedByPartner: true }, { offerId: O.legacyExtraFileStorage }],
      },
      { offerId: O.m365BusinessPremiumTrial, scenario: 'trial_active', quantity: 25 },
    ],
  },
  {
    partner: 'contoso',
    country: 'GB',
    segment: 'commercial',
    subs: [
      { offerId: O.m365E3, scenario: 'paused', plan: ['monthly', 'P1Y'], quantity: 60, addOns: [{ offerId: O.teamsPhoneStandard }] },
      {
        offerId: O.o365E3,
        scenario: 'recent_14d',
        plan: ['annual', 'P1Y'],
        quantity: 45,
        addOns: [{ offerId: O.m365Copilot, sameOrder: true }],
      },
      { offerId: O.litwareBackup, scenario: 'active', plan: ['annual', 'P1Y'], quantity: 45 },
    ],
  },
  {
    partner: 'contoso',
    country: 'BR',
    segment: 'commercial',
    software: [
      { offerId: O.suseSles1Y, recent: true, cancelled: false },
      { offerId: O.sqlServer2022StandardSub1Y, recent: true, cancelled: true },
    ],
    subs: [
      {
        offerId: O.legacyO365E1,
        scenario: 'active',
        plan: ['monthly', 'P1Y'],
        quantity: 15,
        addOns: [{ offerId: O.legacyExtraFileStorage }],
      },
      { offerId: O.m365BusinessBasic, scenario: 'cancelled', plan: ['monthly', 'P1Y'], quantity: 8 },
      { offerId: O.powerBiProTrial, scenario: 'trial_expired', quantity: 5 },
      { offerId: O.m365E5, scenario: 'recent_30d', plan: ['monthly', 'P1M'], quantity: 12, addOns: [{ offerId: O.m365Copilot }] },
    ],
  },
  {
    partner: 'contoso',
    country: 'DE',
    segment: 'commercial',
    reservations: 2,
    subs: [
      { offerId: O.m365E5, scenario: 'active', plan: ['triennial', 'P3Y'], quantity: 200, addOns: [{ offerId: O.m365Copilot }] },
      { offerId: O.m365BusinessStandard, scenario: 'upgraded', plan: ['monthly', 'P1Y'], quantity: 18 },
      { offerId: O.m365BusinessBasic, scenario: 'active', plan: ['monthly', 'P1Y'], quantity: 40, schedule: true },
    ],
  },
  {
    partner: 'contoso',
    country: 'CN',
    segment: 'commercial',
    subs: [
      {
        offerId: O.exchangeOnlinePlan1,
        scenario: 'recent_30d',
        plan: ['monthly', 'P1Y'],
        quantity: 50,
        addOns: [{ offerId: O.exchangeOnlineArchiving, sameOrder: true }],
      },
      { offerId: O.legacyExchangePlan1, scenario: 'data_deleted', plan: ['monthly', 'P1Y'], quantity: 20 },
      { offerId: O.o365E1, scenario: 'disabled', plan: ['monthly', 'P1Y'], quantity: 9 },
      { offerId: O.azurePlan, scenario: 'active' },
    ],
  },
  {
    partner: 'fabrikam',
    country: 'US',
    segment: 'commercial',
    subs: [
      { offerId: O.adatumESign, scenario: 'active', plan: ['monthly', 'P1Y'], quantity: 30 },
      { offerId: O.woodgroveThreatIntel, scenario: 'active' },
      { offerId: O.m365BusinessBasic, scenario: 'term_ended', plan: ['monthly', 'P1M'], quantity: 6 },
      { offerId: O.prosewareCrm, scenario: 'isv_cancelled', plan: ['annual', 'P1Y'], quantity: 5 },
    ],
  },
  {
    partner: 'tailspin',
    country: 'US',
    segment: 'commercial',
    subs: [
      { offerId: O.m365BusinessBasic, scenario: 'active', plan: ['annual', 'P1Y'], quantity: 12 },
      { offerId: O.prosewareCrm, scenario: 'recent_24h', plan: ['monthly', 'P1M'], quantity: 3 },
      { offerId: O.litwareBackupMetered, scenario: 'isv_cancelled' },
    ],
  },
];
