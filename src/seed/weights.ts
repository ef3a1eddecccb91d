/** How the generated world is mixed: countries, segments, partners and offers, by weight. */
import type { CustomerSegment } from '../db/documents.js';
import { OFFER_IDS } from './catalog.js';
import type { DEMO_PARTNERS } from './demo-ids.js';

/**
 * Billing countries by weight. AU and BR are tax-inclusive (PRICE-TAX); CN, AZ and KH are in
 * the markets where Azure reservations cannot be bought (RES-MARKETS), so their customers have none.
 */
export const COUNTRY_WEIGHTS: readonly (readonly [string, number])[] = [
  ['US', 30],
  ['GB', 9],
  ['DE', 8],
  ['NL', 5],
  ['FR', 5],
  ['CA', 5],
  ['AU', 7],
  ['BR', 6],
  ['JP', 3],
  ['IN', 3],
  ['SE', 2],
  ['ES', 2],
  ['IT', 2],
  ['IE', 2],
  ['MX', 2],
  ['NZ', 1.5],
  ['SG', 1.5],
  ['ZA', 1.5],
  ['CN', 2],
  ['AZ', 1],
  ['KH', 1],
];

export const SEGMENT_WEIGHTS: readonly (readonly [CustomerSegment, number])[] = [
  ['commercial', 84],
  ['education', 7],
  ['government', 4],
  ['nonprofit', 5],
];

export type PartnerKey = keyof typeof DEMO_PARTNERS;
export const PARTNER_WEIGHTS: readonly (readonly [PartnerKey, number])[] = [
  ['contoso', 50],
  ['fabrikam', 30],
  ['tailspin', 20],
];

/** How often a subscribable offer is picked, relative to 1. */
export const OFFER_POPULARITY: Record<string, number> = {
  [OFFER_IDS.m365BusinessBasic]: 6,
  [OFFER_IDS.m365BusinessStandard]: 6,
  [OFFER_IDS.m365BusinessPremium]: 7,
  [OFFER_IDS.m365E3]: 5,
  [OFFER_IDS.m365E5]: 3,
  [OFFER_IDS.o365E3]: 4,
  [OFFER_IDS.o365E1]: 2,
  [OFFER_IDS.exchangeOnlinePlan1]: 4,
  [OFFER_IDS.powerBiPro]: 4,
  [OFFER_IDS.azurePlan]: 3,
  [OFFER_IDS.m365BusinessPremiumNonprofit]: 8,
  [OFFER_IDS.m365A3Faculty]: 8,
  [OFFER_IDS.o365G3Gcc]: 8,
  [OFFER_IDS.litwareBackup]: 2,
  [OFFER_IDS.prosewareCrm]: 1.5,
  [OFFER_IDS.adatumESign]: 1.5,
};
