/**
 * Deterministic world generator: partners, catalog, customers and everything they bought, as
 * streamed batches per collection, and the writers that put a world into the database.
 *
 * Determinism: every value comes from the seed, the number of customers and `now` (never the
 * wall clock); each customer draws from its own PRNG stream (`seed#ordinal`). Order IDs are unique
 * by construction, not by luck (see orderIdFor).
 *
 * Consistency kept for the gateway's rules (IDs in comments):
 * - a subscription's current term is [effectiveStartDate, commitmentEndDate), its end is
 *   `addTerm(effectiveStartDate, termDuration)` (30 days for trials), and every live term
 *   contains `now`: anything older has renewed (RENEW-DEFAULT) or ended (RENEW-OFF-ENDS);
 * - add-ons share their base's commitmentEndDate and term (ADDON-ALIGN); add-ons of a suspended
 *   base are suspended by 'cascade' (ADDON-CASCADE); indirect resellers have none (ADDON-PARTNER-TYPE);
 * - suspended legacy subscriptions show dataDeletionAt within SUSP-DATA-DELETION's grace, those
 *   past it are deleted ('data_deleted'); paused ones have auto-renew off (PAUSE-SIDE-EFFECTS);
 * - marketplace subscriptions awaiting fulfilment are 'pending', not yet charged (CAT-ISV-FULFILMENT);
 * - money is integer cents; the ledger holds a charge per order line, the current term's renewal
 *   charge, and the refunds/credits of cancellations (MONEY-EXACT), rounded half up (MONEY-PRORATE);
 * - terms, days and cents come from the rule maths in src/policy/time.ts and src/policy/money.ts,
 *   the same functions the gateway decides with, so seeded and live amounts cannot drift apart.
 */
import type { Collection, Document } from 'mongodb';
import type { Collections } from '../db/collections.js';
import type {
  BillingCycle,
  BillingPlan,
  ClockDoc,
  CustomerDoc,
  CustomerSegment,
  LedgerEntryDoc,
  OfferDoc,
  OrderDoc,
  OrderLineItem,
  PartnerDoc,
  RefundCapDoc,
  ReservationDoc,
  ReservationScopeType,
  SoftwareActivityDoc,
  SoftwareKey,
  SoftwareOrderDoc,
  SubscriptionDoc,
  SubscriptionStatus,
  SuspensionReason,
  TermDuration,
} from '../db/documents.js';
import { percentOf, pricesIncludeTax, proratedCharge, proratedRefund } from '../policy/money.js';
import { RES_REFUND_CAP_WINDOW } from '../policy/reservation.js';
import { softwareCredit } from '../policy/software.js';
import { addTerm, atMost, DAY, daysInTerm, HOUR, MINUTE, SECOND, within } from '../policy/time.js';
import type { Logger } from '../shared/logger.js';
import { CATALOG, OFFER_IDS, OFFERS_BY_ID } from './catalog.js';
import { DEMO_PARTNERS, SEED_CLOCK_START } from './demo-ids.js';
import { Rng } from './random.js';

// ---------------------------------------------------------------------------------------------
// Time and money
// ---------------------------------------------------------------------------------------------

/** Creation dates spread over this much history before `now`. */
const HISTORY = 3 * 365 * DAY;
/** The longest each term can be, for choosing starts whose first term is already over. */
const TERM_MAX: Record<TermDuration, number> = { P1M: 31 * DAY, P1Y: 366 * DAY, P3Y: 1097 * DAY };

// ---------------------------------------------------------------------------------------------
// Word lists and mixes
// ---------------------------------------------------------------------------------------------

const STEMS = [
  'Northwind',
  'Blue Harbor',
  'Silverline',
  'Redwood',
  'Summit',
  'Evergreen',
  'Ironbridge',
  'Lakeside',
  'Brightwater',
  'Cedar Point',
  'Falcon',
  'Granite',
  'Harborview',
  'Juniper',
  'Keystone',
  'Lighthouse',
  'Maple Leaf',
  'Nimbus',
  'Oakridge',
  'Pinnacle',
  'Quartz',
  'Riverbend',
  'Sterling',
  'Tidewater',
  'Upland',
  'Vanguard',
  'Westfield',
  'Yellowpine',
  'Zephyr',
  'Alder',
  'Beacon',
  'Copperfield',
  'Driftwood',
  'Eastgate',
  'Foxglove',
  'Goldcrest',
  'Highland',
  'Jasper',
  'Kingfisher',
  'Larkspur',
  'Meridian',
  'Northstar',
  'Orchard',
  'Pacific Rim',
  'Quayside',
  'Rosewood',
  'Sapphire',
  'Thornbury',
  'Unity',
  'Valley Forge',
  'Willowbrook',
  'Aurora',
  'Bramble',
  'Crescent',
  'Dovetail',
  'Emberly',
  'Fairhaven',
  'Glacier',
  'Hawthorn',
  'Ironwood',
  'Kestrel',
  'Lindenhof',
  'Moonstone',
  'Nordlicht',
  'Oceanic',
  'Parkside',
  'Ravensworth',
  'Stonegate',
  'Trident',
];
const TRADES = [
  'Logistics',
  'Dental',
  'Consulting',
  'Engineering',
  'Bakery',
  'Architects',
  'Legal',
  'Accounting',
  'Marine',
  'Solar',
  'Foods',
  'Healthcare',
  'Robotics',
  'Analytics',
  'Construction',
  'Motors',
  'Pharmacy',
  'Textiles',
  'Media',
  'Studios',
  'Outfitters',
  'Veterinary',
  'Realty',
  'Insurance',
  'Brewing',
  'Freight',
  'Labs',
  'Systems',
  'Partners',
  'Hospitality',
  'Electric',
  'Printing',
  'Aviation',
  'Dairy',
  'Furniture',
  'Optics',
  'Security',
  'Recruitment',
  'Travel',
  'Wealth',
];
const EDUCATION_KINDS = ['College', 'University', 'School District', 'Academy', 'Grammar School', 'Institute of Technology'];
const GOVERNMENT_KINDS = ['City of', 'County of', 'Town of', 'Port Authority of', 'Water Board of'];
const NONPROFIT_KINDS = ['Foundation', 'Community Trust', 'Relief Fund', 'Wildlife Society', 'Food Bank', 'Youth Alliance'];
const LEGAL_FORMS: Record<string, readonly string[]> = {
  US: ['Inc.', 'LLC', 'Corp.'],
  CA: ['Inc.', 'Ltd.'],
  GB: ['Ltd', 'plc'],
  IE: ['Ltd', 'DAC'],
  DE: ['GmbH', 'AG'],
  NL: ['B.V.', 'N.V.'],
  FR: ['SAS', 'SARL'],
  ES: ['S.L.', 'S.A.'],
  IT: ['S.r.l.', 'S.p.A.'],
  SE: ['AB'],
  AU: ['Pty Ltd'],
  NZ: ['Limited'],
  BR: ['Ltda.', 'S.A.'],
  MX: ['S.A. de C.V.'],
  JP: ['K.K.', 'G.K.'],
  IN: ['Pvt. Ltd.'],
  SG: ['Pte. Ltd.'],
  ZA: ['(Pty) Ltd'],
  CN: ['Co., Ltd.'],
  AZ: ['LLC'],
  KH: ['Co., Ltd.'],
};
const NICKNAMES = [
  'Head office',
  'Sales team',
  'Finance',
  'Warehouse staff',
  'Contractors',
  'Executive team',
  'Support desk',
  'Engineering',
  'Field technicians',
  'Marketing',
  'Front desk',
  'Seasonal staff',
  'Branch offices',
  'IT admins',
];
const AZURE_REGIONS = [
  'eastus',
  'eastus2',
  'westus2',
  'centralus',
  'westeurope',
  'northeurope',
  'uksouth',
  'germanywestcentral',
  'australiaeast',
  'brazilsouth',
  'japaneast',
  'southeastasia',
  'canadacentral',
  'francecentral',
];
const LANGUAGE_BY_COUNTRY: Record<string, string> = {
  DE: 'de-de',
  NL: 'nl-nl',
  FR: 'fr-fr',
  ES: 'es-es',
  IT: 'it-it',
  SE: 'sv-se',
  BR: 'pt-br',
  MX: 'es-es',
  JP: 'ja-jp',
  CN: 'zh-cn',
};

/**
 * Billing countries by weight. AU and BR are tax-inclusive (PRICE-TAX); CN, AZ and KH are in
 * seed 002's list of markets where Azure reservations cannot be bought (RES-MARKETS).
 */
const COUNTRY_WEIGHTS: readonly (readonly [string, number])[] = [
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
/** The seeded countries that seed 002 lists as reservation-unavailable markets: no reservations there. */
const SEEDED_NO_RESERVATION_MARKETS = new Set(['CN', 'AZ', 'KH']);

const SEGMENT_WEIGHTS: readonly (readonly [CustomerSegment, number])[] = [
  ['commercial', 84],
  ['education', 7],
  ['government', 4],
  ['nonprofit', 5],
];

type PartnerKey = keyof typeof DEMO_PARTNERS;
const PARTNER_WEIGHTS: readonly (readonly [PartnerKey, number])[] = [
  ['contoso', 50],
  ['fabrikam', 30],
  ['tailspin', 20],
];

/** How often a subscribable offer is picked, relative to 1. */
const OFFER_POPULARITY: Record<string, number> = {
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

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** The document type of each collection the seeder writes. */
export interface SeedDocs {
  partners: PartnerDoc;
  offers: OfferDoc;
  clock: ClockDoc;
  customers: CustomerDoc;
  subscriptions: SubscriptionDoc;
  orders: OrderDoc;
  softwareOrders: SoftwareOrderDoc;
  softwareActivity: SoftwareActivityDoc;
  reservations: ReservationDoc;
  ledger: LedgerEntryDoc;
  refundCaps: RefundCapDoc;
}

export type SeedCollection = keyof SeedDocs;

export const SEED_COLLECTIONS: readonly SeedCollection[] = [
  'partners',
  'offers',
  'clock',
  'customers',
  'subscriptions',
  'orders',
  'softwareOrders',
  'softwareActivity',
  'reservations',
  'ledger',
  'refundCaps',
];

/** One batch of documents for one collection; `customersDone` customers are fully generated. */
export type WorldBatch = {
  [K in SeedCollection]: { collection: K; docs: SeedDocs[K][]; customersDone: number; customersTotal: number };
}[SeedCollection];

export interface GenerateOptions {
  customers: number;
  seed: string | number;
  /** The simulation clock of the new world: every date is derived from it. */
  now: Date;
  /** A collection's buffer is emitted when it holds this many documents. @default 2000 */
  batchSize?: number;
}

/** Customers in the world `npm start` seeds into an empty database. */
export const demoWorldSize = 40;

// ---------------------------------------------------------------------------------------------
// Showcase customers: the first customers of every world, so that even a small world (the demo,
// the tests) holds every status, commerce type and add-on case. Contoso's get add-ons.
// ---------------------------------------------------------------------------------------------

type Scenario =
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

interface PlannedAddOn {
  offerId: string;
  /** Suspended by the partner before its base was (ADDON-CASCADE: not restored with the base). */
  suspendedByPartner?: boolean;
  sameOrder?: boolean;
}

interface PlannedSub {
  offerId: string;
  scenario: Scenario;
  plan?: [BillingCycle, TermDuration];
  quantity?: number;
  addOns?: PlannedAddOn[];
  schedule?: boolean;
}

interface PlannedSoftware {
  offerId: string;
  /** Bought within the last 30 days (SW-CANCEL-30D), else earlier. */
  recent: boolean;
  cancelled: boolean;
}

interface Showcase {
  partner: PartnerKey;
  country: string;
  segment: CustomerSegment;
  subs: PlannedSub[];
  software?: PlannedSoftware[];
  reservations?: number;
}

const O = OFFER_IDS;
const SHOWCASE: readonly Showcase[] = [
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

// ---------------------------------------------------------------------------------------------
// IDs with locality
//
// FerretDB's SQLite backend spends most of a bulk load on index pages: random keys dirty a
// different B-tree page per document. So every customer owns a slot of the ID space, in
// generation order: its GUIDs start with a random 32-bit prefix inside its slot, its order IDs
// with a random 24-bit prefix inside its slot. Consecutive inserts then land on neighbouring
// pages (the whole 100k seed is about a fifth faster), and the IDs still look random.
// ---------------------------------------------------------------------------------------------

/** Worlds up to this size keep order IDs unique by construction (2^24 order-ID slots). */
export const MAX_WORLD_CUSTOMERS = 10_000_000;

function mix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A four-round Feistel network on 24 bits: a keyed bijection, so distinct inputs stay distinct. */
function permute24(keys: readonly number[], x: number): number {
  let left = (x >>> 12) & 0xfff;
  let right = x & 0xfff;
  for (const key of keys) {
    const next = (left ^ mix32(right ^ key)) & 0xfff;
    left = right;
    right = next;
  }
  return (left << 12) | right;
}

/**
 * Twelve hex digits: a 24-bit prefix in the customer's slot, then a keyed permutation of
 * (ordinal mod 65536, purchase number). Only neighbouring customers can share a prefix, and their
 * ordinals differ mod 65536, so two purchases never get the same ID.
 */
function orderIdFor(keys: readonly number[], slot24: number, ordinal: number, purchaseNo: number): string {
  if (purchaseNo > 0xff) throw new RangeError(`orderIdFor: a customer makes at most 256 purchases, got ${purchaseNo + 1}`);
  const low = permute24(keys, ((ordinal & 0xffff) << 8) | purchaseNo);
  return slot24.toString(16).padStart(6, '0') + low.toString(16).padStart(6, '0');
}

/** The customer's slots: [ordinal, ordinal + 1) scaled to 2^bits, at a random point inside. */
class IdSlots {
  constructor(
    private readonly rng: Rng,
    private readonly ordinal: number,
    private readonly total: number,
  ) {}

  prefix(bits: 24 | 32): number {
    return Math.floor(((this.ordinal + this.rng.next()) * 2 ** bits) / this.total);
  }

  guid(): string {
    return this.rng.guid(this.prefix(32));
  }
}

// ---------------------------------------------------------------------------------------------
// Per-customer generation
// ---------------------------------------------------------------------------------------------

type Buffers = { [K in SeedCollection]: SeedDocs[K][] };

interface PartnerSpec {
  id: string;
  partnerType: PartnerDoc['partnerType'];
  mpnId: string;
}

interface Timeline {
  c: number;
  s: number;
  e: number;
  status: SubscriptionStatus;
  autoRenew: boolean;
  suspendedBy: SubscriptionDoc['suspendedBy'];
  suspendedAt: number | null;
  dataDeletionAt: number | null;
  reasons: SuspensionReason[];
  deletedReason: SubscriptionDoc['deletedReason'];
  deletedAt: number | null;
  fulfilment: 'action_needed' | 'fulfilled' | null;
  /** A cancellation that credits: when, how, and under which rule. */
  cancel: { at: number; refund: 'full' | 'prorated' | 'none'; ruleId: string } | null;
  upgradeAt: number | null;
}

interface OrderDraft {
  id: string;
  at: number;
  billingCycle: BillingCycle;
  lines: OrderLineItem[];
  ledger: { amount: number; kind: LedgerEntryDoc['kind']; ruleId: string | null; source: LedgerEntryDoc['source'] }[];
  /** Every line was cancelled for a full refund: the order shows cancelled. */
  fullyCancelled: boolean[];
}

/** A customer has 1 to 6 subscriptions, add-ons included. */
const MAX_SUBSCRIPTIONS = 6;
const MAK_ALPHABET = 'BCDFGHJKMPQRTVWXY2346789';
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const NCE_REFUND_RULE = { full24h: 'CANCEL-NCE-24H', prorated30d: 'CANCEL-NCE-30D' } as const;

class CustomerBuilder {
  private purchaseNo = 0;
  private readonly orderSlot: number;
  private subCount = 0;
  private azureSubscriptionId: string | null = null;
  /** RES-REFUND-CAP: this customer's reservation refunds that still count toward its cap. */
  private readonly capRefunds: RefundCapDoc['refunds'] = [];
  private readonly opened: number;
  private readonly graceDays: number;
  private readonly pricesIncludeTax: boolean;
  private readonly partnerIdOnRecord: string;

  constructor(
    private readonly rng: Rng,
    private readonly ids: IdSlots,
    private readonly now: number,
    private readonly ordinal: number,
    private readonly orderKeys: readonly number[],
    private readonly customer: CustomerDoc,
    private readonly partner: PartnerSpec,
    private readonly out: Buffers,
  ) {
    this.opened = customer.accountOpenedAt.getTime();
    this.orderSlot = ids.prefix(24);
    // SUSP-DATA-DELETION: 90 days plus the days from opening to first billing, at most 120.
    this.graceDays = Math.min(120, 90 + daysInTerm(customer.accountOpenedAt, customer.firstBillingAt));
    this.pricesIncludeTax = pricesIncludeTax(customer.billingCountry); // PRICE-TAX
    this.partnerIdOnRecord = customer.associatedPartnerId ?? (partner.partnerType === 'indirect_reseller' ? partner.mpnId : '');
  }

  /** Documents that summarise the customer once everything is generated: its refund-cap record. */
  finish(): void {
    if (this.capRefunds.length === 0) return;
    this.capRefunds.sort((a, b) => a.at.getTime() - b.at.getTime());
    this.out.refundCaps.push({ _id: this.customer._id, partnerId: this.customer.partnerId, refunds: this.capRefunds, version: 0 });
  }

  // ---- random time helpers -----------------------------------------------------------------

  /** A whole-second instant in [lo, hi]. */
  private between(lo: number, hi: number): number {
    const a = Math.ceil(lo / SECOND);
    const b = Math.floor(hi / SECOND);
    return (b < a ? a : this.rng.int(a, b)) * SECOND;
  }

  /** An instant between maxAgo and minAgo before now, not before the account opened; null if none. */
  private past(minAgo: number, maxAgo: number): number | null {
    const lo = Math.max(this.now - maxAgo, this.opened + MINUTE);
    const hi = this.now - minAgo;
    return hi < lo ? null : this.between(lo, hi);
  }

  private nextOrderId(): string {
    return orderIdFor(this.orderKeys, this.orderSlot, this.ordinal, this.purchaseNo++);
  }

  // ---- catalog helpers ---------------------------------------------------------------------

  available(offer: OfferDoc): boolean {
    const c = this.customer;
    return (
      offer.segments.includes(c.segment) &&
      (offer.countries === null || offer.countries.includes(c.billingCountry)) &&
      offer.cspAvailable &&
      offer.transactable &&
      (offer.exclusivePartnerIds.length === 0 || offer.exclusivePartnerIds.includes(this.partner.id))
    );
  }

  private planOf(offer: OfferDoc, cycle: BillingCycle, term: TermDuration): BillingPlan | undefined {
    return offer.billingPlans.find((p) => p.billingCycle === cycle && p.termDuration === term);
  }

  private pickPlan(offer: OfferDoc): BillingPlan {
    if (offer.billingPlans.length === 1) return offer.billingPlans[0]!;
    return this.rng.weighted(
      offer.billingPlans.map((p): [BillingPlan, number] => {
        if (p.termDuration === 'P1M') return [p, 25];
        if (p.termDuration === 'P3Y') return [p, 3];
        return [p, p.billingCycle === 'monthly' ? 45 : 25];
      }),
    );
  }

  private pickQuantity(offer: OfferDoc): number {
    if (offer.maxQuantity <= offer.minQuantity) return offer.minQuantity;
    const [lo, hi] = this.rng.weighted<[number, number]>([
      [[1, 5], 35],
      [[6, 25], 35],
      [[26, 100], 20],
      [[101, 300], 8],
      [[301, 2000], 2],
    ]);
    const min = Math.max(offer.minQuantity, Math.min(lo, offer.maxQuantity));
    const max = Math.min(offer.maxQuantity, hi);
    return min >= max ? min : this.rng.int(min, max);
  }

  private nickname(offer: OfferDoc): string {
    return this.rng.chance(0.25) ? `${offer.name} - ${this.rng.pick(NICKNAMES)}` : offer.name;
  }

  // ---- orders and ledger ---------------------------------------------------------------------

  private draft(at: number, billingCycle: BillingCycle): OrderDraft {
    return { id: this.nextOrderId(), at, billingCycle, lines: [], ledger: [], fullyCancelled: [] };
  }

  private addLine(
    d: OrderDraft,
    line: Omit<OrderLineItem, 'lineItemNumber'>,
    charge: { amount: number; kind: LedgerEntryDoc['kind']; ruleId: string | null; source: LedgerEntryDoc['source'] } | null,
    fullyCancelled = false,
  ): void {
    d.lines.push({ lineItemNumber: d.lines.length, ...line });
    if (charge && charge.amount !== 0) d.ledger.push(charge);
    d.fullyCancelled.push(fullyCancelled);
  }

  private closeOrder(d: OrderDraft): void {
    if (d.lines.length === 0) return;
    const c = this.customer;
    this.out.orders.push({
      _id: d.id,
      partnerId: c.partnerId,
      customerId: c._id,
      billingCycle: d.billingCycle,
      currencyCode: 'USD',
      creationDate: new Date(d.at),
      status: d.fullyCancelled.every(Boolean) ? 'cancelled' : 'completed',
      lineItems: d.lines,
      totalPriceCents: d.lines.reduce((sum, l) => sum + l.totalPriceCents, 0),
      pricesIncludeTax: this.pricesIncludeTax,
      version: 0,
    });
    for (const entry of d.ledger) {
      const line = d.lines.find((l) => l.subscriptionId === entry.source.id || l.reservationId === entry.source.id);
      this.ledger(entry.amount, entry.kind, entry.source, d.id, entry.ruleId, describeLine(line), d.at);
    }
  }

  private ledger(
    amountCents: number,
    kind: LedgerEntryDoc['kind'],
    source: LedgerEntryDoc['source'],
    orderId: string | null,
    ruleId: string | null,
    description: string,
    at: number,
  ): void {
    if (amountCents === 0) return;
    const c = this.customer;
    this.out.ledger.push({
      _id: this.ids.guid(),
      partnerId: c.partnerId,
      customerId: c._id,
      amountCents,
      currency: 'USD',
      kind,
      source,
      orderId,
      ruleId,
      description,
      at: new Date(at),
    });
  }

  // ---- subscription timelines ----------------------------------------------------------------

  private currentTerm(c: number, term: TermDuration, until: number): { s: number; e: number } {
    let s = c;
    let e = addTerm(new Date(s), term).getTime();
    while (e <= until) {
      s = e;
      e = addTerm(new Date(s), term).getTime();
    }
    return { s, e };
  }

  private reasons(): SuspensionReason[] {
    const first = this.rng.weighted<SuspensionReason>([
      ['customer_request', 40],
      ['non_payment', 45],
      ['fraud', 15],
    ]);
    if (!this.rng.chance(0.1)) return [first];
    const second = this.rng.pick((['customer_request', 'non_payment', 'fraud'] as const).filter((r) => r !== first));
    return [first, second];
  }

  /** The subscription's history for a scenario, or null when the customer's age does not allow it. */
  private timeline(offer: OfferDoc, plan: BillingPlan, scenario: Scenario): Timeline | null {
    const term = plan.termDuration;
    const legacy = offer.commerceType === 'legacy';
    const marketplace = offer.commerceType === 'marketplace_saas';
    const base = (c: number, s: number, e: number): Timeline => ({
      c,
      s,
      e,
      status: 'active',
      autoRenew: legacy || offer.billingType === 'usage' ? true : this.rng.chance(marketplace ? 0.8 : 0.85),
      suspendedBy: null,
      suspendedAt: null,
      dataDeletionAt: null,
      reasons: [],
      deletedReason: null,
      deletedAt: null,
      fulfilment: marketplace ? 'fulfilled' : null,
      cancel: null,
      upgradeAt: null,
    });
    const live = (c: number | null): Timeline | null => {
      if (c === null) return null;
      const { s, e } = this.currentTerm(c, term, this.now);
      return base(c, s, e);
    };
    switch (scenario) {
      case 'active':
        return live(this.past(legacy ? 180 * DAY : HOUR, HISTORY));
      case 'recent_24h':
        return live(this.past(5 * MINUTE, 23 * HOUR));
      case 'recent_14d':
        return live(this.past(DAY, 14 * DAY));
      case 'recent_30d':
        return live(this.past(14 * DAY, 30 * DAY));
      case 'paused':
      case 'disabled': {
        const t = live(this.past(2 * DAY, HISTORY));
        if (!t) return null;
        const lo = Math.max(t.s, this.now - 60 * DAY);
        if (lo > this.now - HOUR) return null;
        t.suspendedAt = this.between(lo, this.now - HOUR);
        t.autoRenew = false;
        if (scenario === 'paused') {
          t.status = 'suspended';
          t.suspendedBy = 'pause';
          t.reasons = ['non_payment'];
        } else {
          // Disabled by Microsoft, not by the partner: no self-serve way back.
          t.status = 'disabled';
          t.reasons = ['fraud'];
        }
        return t;
      }
      case 'suspended': {
        const t = live(this.past(legacy ? 180 * DAY : 2 * DAY, HISTORY));
        if (!t) return null;
        const lo = Math.max(t.s, this.now - (this.graceDays - 1) * DAY);
        if (lo > this.now - HOUR) return null;
        t.status = 'suspended';
        t.suspendedBy = 'partner';
        t.suspendedAt = this.between(lo, this.now - HOUR);
        t.dataDeletionAt = t.suspendedAt + this.graceDays * DAY;
        t.reasons = this.reasons();
        return t;
      }
      case 'data_deleted': {
        const c = this.past(this.graceDays * DAY + 2 * DAY, HISTORY);
        if (c === null) return null;
        const suspendedAt = this.between(c + DAY, this.now - this.graceDays * DAY - HOUR);
        const { s, e } = this.currentTerm(c, term, suspendedAt);
        const t = base(c, s, e);
        t.status = 'deleted';
        t.suspendedBy = 'partner';
        t.suspendedAt = suspendedAt;
        t.dataDeletionAt = suspendedAt + this.graceDays * DAY;
        t.reasons = this.reasons();
        t.deletedReason = 'data_deleted';
        t.deletedAt = t.dataDeletionAt;
        return t;
      }
      case 'cancelled': {
        const c = this.past(HOUR, HISTORY);
        if (c === null) return null;
        const e = addTerm(new Date(c), term).getTime();
        const windowEnd = Math.min(c + 30 * DAY - SECOND, this.now - MINUTE, e - MINUTE);
        const within24h = this.rng.chance(0.4);
        const at = this.between(c + MINUTE, within24h ? Math.min(c + DAY - SECOND, windowEnd) : windowEnd);
        const t = base(c, c, e);
        t.status = 'deleted';
        t.autoRenew = false;
        t.deletedReason = 'cancelled';
        t.deletedAt = at;
        const full = within(new Date(c), new Date(at), DAY);
        t.cancel = { at, refund: full ? 'full' : 'prorated', ruleId: full ? NCE_REFUND_RULE.full24h : NCE_REFUND_RULE.prorated30d };
        return t;
      }
      case 'isv_cancelled': {
        const c = this.past(HOUR, HISTORY);
        if (c === null) return null;
        const e = addTerm(new Date(c), term).getTime();
        const t = base(c, c, e);
        t.status = 'deleted';
        t.autoRenew = false;
        t.deletedReason = 'cancelled';
        if (offer.billingType === 'usage') {
          // CANCEL-ISV-USAGE: deprovisioned at once, never refunded.
          t.deletedAt = this.between(c + MINUTE, Math.min(e, this.now) - MINUTE);
          t.cancel = { at: t.deletedAt, refund: 'none', ruleId: 'CANCEL-ISV-USAGE' };
        } else {
          const annual = plan.billingCycle === 'annual';
          const window = annual ? 14 * DAY : DAY;
          t.deletedAt = this.between(c + MINUTE, Math.min(c + window - SECOND, this.now - MINUTE, e - MINUTE));
          t.cancel = { at: t.deletedAt, refund: 'full', ruleId: annual ? 'CANCEL-ISV-ANNUAL' : 'CANCEL-ISV-MONTHLY' };
        }
        return t;
      }
      case 'term_ended': {
        const c = this.past(TERM_MAX[term] + HOUR, HISTORY);
        if (c === null) return null;
        const e = addTerm(new Date(c), term).getTime();
        const t = base(c, c, e);
        t.status = 'deleted';
        t.autoRenew = false;
        t.deletedReason = 'term_ended';
        t.deletedAt = e;
        return t;
      }
      case 'upgraded': {
        const t = live(this.past(2 * DAY, HISTORY));
        if (!t) return null;
        const lo = Math.max(t.s + HOUR, this.now - 90 * DAY);
        if (lo > this.now - HOUR) return null;
        t.upgradeAt = this.between(lo, this.now - HOUR);
        t.status = 'deleted';
        t.autoRenew = false;
        t.deletedReason = 'upgraded';
        t.deletedAt = t.upgradeAt;
        return t;
      }
      case 'trial_active': {
        const c = this.past(HOUR, 29 * DAY);
        if (c === null) return null;
        return base(c, c, c + (offer.trial?.days ?? 30) * DAY);
      }
      case 'trial_expired': {
        const days = offer.trial?.days ?? 30;
        const c = this.past(days * DAY + HOUR, 2 * 365 * DAY);
        if (c === null) return null;
        const t = base(c, c, c + days * DAY);
        // SCHED-TRIAL: conversion was turned off, so the trial ran out.
        t.status = 'expired';
        t.autoRenew = false;
        return t;
      }
      case 'action_needed': {
        const t = live(this.past(10 * MINUTE, 10 * DAY));
        if (!t) return null;
        t.status = 'pending';
        t.fulfilment = 'action_needed';
        return t;
      }
    }
  }

  private randomScenario(offer: OfferDoc): Scenario {
    const w = <T>(entries: readonly (readonly [T, number])[]): T => this.rng.weighted(entries);
    if (offer.trial)
      return w<Scenario>([
        ['trial_active', 55],
        ['trial_expired', 45],
      ]);
    switch (offer.commerceType) {
      case 'legacy':
        return w<Scenario>([
          ['active', 66],
          ['suspended', 22],
          ['data_deleted', 12],
        ]);
      case 'marketplace_saas':
        return offer.billingType === 'usage'
          ? w<Scenario>([
              ['active', 75],
              ['action_needed', 10],
              ['isv_cancelled', 15],
            ])
          : w<Scenario>([
              ['active', 58],
              ['recent_24h', 6],
              ['recent_14d', 6],
              ['action_needed', 15],
              ['isv_cancelled', 9],
              ['term_ended', 6],
            ]);
      default:
        if (offer.billingType === 'usage')
          return w<Scenario>([
            ['active', 95],
            ['paused', 5],
          ]);
        return w<Scenario>([
          ['active', 58],
          ['recent_24h', 5],
          ['recent_14d', 5],
          ['recent_30d', 6],
          ['paused', 4],
          ['cancelled', 7],
          ['term_ended', 6],
          ['upgraded', 4],
          ['disabled', 1.5],
        ]);
    }
  }

  // ---- subscriptions -------------------------------------------------------------------------

  private subscriptionDoc(
    offer: OfferDoc,
    plan: BillingPlan,
    quantity: number,
    t: Timeline,
    orderId: string,
    orderedAt: number,
    chargedCents: number,
    parentSubscriptionId: string | null,
  ): SubscriptionDoc {
    const c = this.customer;
    const id = this.ids.guid();
    const fulfilment =
      t.fulfilment === null
        ? null
        : (() => {
            const code = this.rng.chars(TOKEN_ALPHABET, 43);
            const host = offer.publisherName
              .toLowerCase()
              .replace(/[^a-z]+/g, '')
              .slice(0, 20);
            return {
              status: t.fulfilment,
              activationLink: `https://marketplace.${host}.example/activate?token=${code}`,
              authorizationCode: code,
            };
          })();
    const updatedAt = Math.max(t.s, t.suspendedAt ?? 0, t.deletedAt ?? 0);
    return {
      _id: id,
      partnerId: c.partnerId,
      customerId: c._id,
      offerId: offer._id,
      offerName: offer.name,
      commerceType: offer.commerceType,
      billingType: offer.billingType,
      publisher: offer.publisher,
      friendlyName: this.nickname(offer),
      quantity,
      status: t.status,
      suspensionReasons: t.reasons,
      suspendedBy: t.suspendedBy,
      suspendedAt: t.suspendedAt === null ? null : new Date(t.suspendedAt),
      dataDeletionAt: t.dataDeletionAt === null ? null : new Date(t.dataDeletionAt),
      autoRenewEnabled: t.autoRenew,
      billingCycle: plan.billingCycle,
      termDuration: plan.termDuration,
      unitPriceCents: plan.unitPriceCents,
      currency: offer.currency,
      chargedCents,
      isTrial: offer.trial !== null,
      trialConvertsToOfferId: offer.trial?.convertsToOfferId ?? null,
      creationDate: new Date(t.c),
      effectiveStartDate: new Date(t.s),
      commitmentEndDate: new Date(t.e),
      orderId,
      orderedAt: new Date(orderedAt),
      parentSubscriptionId,
      upgradedFromSubscriptionId: null,
      partnerIdOnRecord: this.partnerIdOnRecord,
      fulfilment,
      scheduledNextTermInstructions: null,
      scheduledUpgrade: null,
      cancelAtTermEnd: false,
      deletedReason: t.deletedReason,
      deletedAt: t.deletedAt === null ? null : new Date(t.deletedAt),
      updatedAt: new Date(updatedAt),
      version: 0,
    };
  }

  /** Adds a base subscription, its add-ons and follow-ups; false when the customer cannot have it. */
  addBase(planned: PlannedSub): boolean {
    const offer = OFFERS_BY_ID.get(planned.offerId);
    if (!offer || !this.available(offer)) return false;
    const plan = (planned.plan && this.planOf(offer, ...planned.plan)) || this.pickPlan(offer);
    let scenario = planned.scenario;
    let upgradeTo: OfferDoc | undefined;
    if (scenario === 'upgraded') {
      // The upgrade adds a subscription: only when the customer stays within six.
      upgradeTo = this.subCount < MAX_SUBSCRIPTIONS - 1 ? this.upgradeTarget(offer, plan) : undefined;
      if (!upgradeTo) scenario = 'active';
    }
    // A scenario the customer's age does not allow falls back to a plain active one (never for a
    // trial, whose 30 days do not follow the renewal schedule).
    const t = this.timeline(offer, plan, scenario) ?? (scenario === 'active' || offer.trial ? null : this.timeline(offer, plan, 'active'));
    if (!t) return false;
    const quantity = clamp(planned.quantity ?? this.pickQuantity(offer), offer);

    const termPrice = plan.unitPriceCents * quantity;
    const charged = t.fulfilment === 'action_needed' ? 0 : termPrice;
    const order = this.draft(t.c, plan.billingCycle);
    const doc = this.subscriptionDoc(offer, plan, quantity, t, order.id, t.c, charged, null);
    const source = { type: 'subscription', id: doc._id } as const;
    this.addLine(
      order,
      lineFor(offer, doc, 'new', termPrice),
      t.fulfilment === 'action_needed' ? null : { amount: termPrice, kind: 'charge', ruleId: null, source },
      t.cancel?.refund === 'full',
    );
    this.subCount++;
    if (t.s > t.c && charged > 0) {
      this.ledger(charged, 'charge', source, null, 'RENEW-DEFAULT', `Renewal: ${offer.name} x ${quantity}`, t.s);
    }
    if (t.cancel && t.cancel.refund !== 'none') {
      const refund =
        t.cancel.refund === 'full'
          ? charged
          : proratedRefund({
              chargedCents: charged,
              termPriceCents: termPrice,
              termStart: new Date(t.s),
              termEnd: new Date(t.e),
              at: new Date(t.cancel.at),
            });
      this.ledger(-refund, 'refund', source, order.id, t.cancel.ruleId, `Cancellation refund: ${offer.name}`, t.cancel.at);
    }

    const addOns = this.addOnsFor(offer, plan, doc, t, planned);
    for (const a of addOns) this.addAddOn(a.offer, a.plan, doc, t, order, a.planned);

    if (upgradeTo && t.upgradeAt !== null) this.addUpgradeTarget(offer, upgradeTo, plan, doc, t);
    if (
      doc.status === 'active' &&
      doc.autoRenewEnabled &&
      doc.commerceType === 'new_commerce' &&
      !doc.isTrial &&
      doc.billingType === 'license' &&
      (planned.schedule || this.rng.chance(0.1))
    ) {
      doc.scheduledNextTermInstructions = this.scheduledChange(offer, plan, quantity);
    }
    this.out.subscriptions.push(doc);
    this.closeOrder(order);
    return true;
  }

  private upgradeTarget(offer: OfferDoc, plan: BillingPlan): OfferDoc | undefined {
    const targets = offer.upgradeTargetIds
      .map((id) => OFFERS_BY_ID.get(id))
      .filter((o): o is OfferDoc => !!o && this.available(o) && !!this.planOf(o, plan.billingCycle, plan.termDuration));
    return targets.length > 0 ? this.rng.pick(targets) : undefined;
  }

  /** UPG-SAME-END, UPG-FULL: the new subscription ends with its source, and takes all its licences. */
  private addUpgradeTarget(source: OfferDoc, target: OfferDoc, plan: BillingPlan, from: SubscriptionDoc, t: Timeline): void {
    const at = t.upgradeAt!;
    const targetPlan = this.planOf(target, plan.billingCycle, plan.termDuration)!;
    const quantity = clamp(from.quantity, target);
    const termStart = new Date(t.s);
    const termEnd = new Date(t.e);
    const charged = proratedCharge({ unitPriceCents: targetPlan.unitPriceCents, quantity, termStart, termEnd, at: new Date(at) });
    const tt: Timeline = {
      c: at,
      s: at,
      e: t.e,
      status: 'active',
      autoRenew: this.rng.chance(0.85),
      suspendedBy: null,
      suspendedAt: null,
      dataDeletionAt: null,
      reasons: [],
      deletedReason: null,
      deletedAt: null,
      fulfilment: null,
      cancel: null,
      upgradeAt: null,
    };
    const order = this.draft(at, plan.billingCycle);
    const doc = {
      ...this.subscriptionDoc(target, targetPlan, quantity, tt, order.id, at, charged, null),
      upgradedFromSubscriptionId: from._id,
    };
    this.addLine(order, lineFor(target, doc, 'convert', charged), {
      amount: charged,
      kind: 'prorated_charge',
      ruleId: 'UPG-SAME-END',
      source: { type: 'subscription', id: doc._id },
    });
    // The source's unused days come back as a credit.
    const credit = proratedRefund({
      chargedCents: from.chargedCents,
      termPriceCents: from.unitPriceCents * from.quantity,
      termStart,
      termEnd,
      at: new Date(at),
    });
    this.ledger(
      -credit,
      'credit',
      { type: 'subscription', id: from._id },
      order.id,
      'UPG-FULL',
      `Upgrade credit: ${source.name} to ${target.name}`,
      at,
    );
    this.out.subscriptions.push(doc);
    this.subCount++;
    this.closeOrder(order);
  }

  private addOnsFor(
    offer: OfferDoc,
    plan: BillingPlan,
    base: SubscriptionDoc,
    t: Timeline,
    planned: PlannedSub,
  ): { offer: OfferDoc; plan: BillingPlan; planned: PlannedAddOn }[] {
    if (this.partner.partnerType === 'indirect_reseller') return []; // ADDON-PARTNER-TYPE
    if (base.status !== 'active' && !(base.status === 'suspended' && base.suspendedBy !== null)) return [];
    if (base.isTrial || offer.eligibleAddOnIds.length === 0) return [];
    const eligible = (id: string) => {
      const a = OFFERS_BY_ID.get(id);
      if (!a || !a.segments.includes(this.customer.segment)) return null;
      if (a.countries !== null && !a.countries.includes(this.customer.billingCountry)) return null; // ADDON-ELIGIBLE
      const p = this.planOf(a, plan.billingCycle, plan.termDuration);
      return p ? { offer: a, plan: p } : null;
    };
    if (planned.addOns) {
      return planned.addOns.flatMap((pa) => {
        const e = eligible(pa.offerId);
        return e ? [{ ...e, planned: pa }] : [];
      });
    }
    const candidates = offer.eligibleAddOnIds.flatMap((id) => {
      const e = eligible(id);
      return e ? [e] : [];
    });
    const wanted = this.rng.weighted([
      [0, 50],
      [1, 36],
      [2, 14],
    ]);
    const room = Math.max(0, MAX_SUBSCRIPTIONS - this.subCount);
    const suspendedBase = t.status === 'suspended' && t.suspendedBy === 'partner';
    return this.rng.sample(candidates, Math.min(wanted, room)).map((e) => ({
      ...e,
      planned: { offerId: e.offer._id, sameOrder: this.rng.chance(0.5), suspendedByPartner: suspendedBase && this.rng.chance(0.15) },
    }));
  }

  /** ADDON-ALIGN: the add-on's term ends with its base's; bought mid-term, its first charge is prorated. */
  private addAddOn(
    offer: OfferDoc,
    plan: BillingPlan,
    base: SubscriptionDoc,
    bt: Timeline,
    baseOrder: OrderDraft,
    planned: PlannedAddOn,
  ): void {
    const lastMoment = (bt.suspendedAt ?? this.now) - 10 * MINUTE;
    const lo = Math.max(bt.c, bt.s) + HOUR;
    const sameOrder = planned.sameOrder === true || lo > lastMoment;
    const bought = sameOrder ? bt.c : this.between(lo, lastMoment);
    const start = sameOrder ? bt.s : bought;
    const quantity =
      offer._id === OFFER_IDS.legacyExtraFileStorage
        ? clamp(this.rng.int(10, 2000), offer)
        : clamp(Math.min(base.quantity, this.pickQuantity(offer)), offer);
    const prorated = !sameOrder;
    const charged = prorated
      ? proratedCharge({
          unitPriceCents: plan.unitPriceCents,
          quantity,
          termStart: new Date(bt.s),
          termEnd: new Date(bt.e),
          at: new Date(bought),
        })
      : plan.unitPriceCents * quantity;

    const t: Timeline = {
      c: bought,
      s: start,
      e: bt.e,
      status: 'active',
      autoRenew: bt.autoRenew,
      suspendedBy: null,
      suspendedAt: null,
      dataDeletionAt: null,
      reasons: [],
      deletedReason: null,
      deletedAt: null,
      fulfilment: null,
      cancel: null,
      upgradeAt: null,
    };
    if (bt.status === 'suspended' && bt.suspendedAt !== null) {
      t.status = 'suspended';
      const partnerLo = Math.max(bought + HOUR, this.now - (this.graceDays - 1) * DAY);
      const partnerHi = bt.suspendedAt - HOUR;
      if (planned.suspendedByPartner && bt.suspendedBy === 'partner' && partnerLo <= partnerHi) {
        t.suspendedBy = 'partner';
        t.suspendedAt = this.between(partnerLo, partnerHi);
        t.dataDeletionAt = t.suspendedAt + this.graceDays * DAY;
        t.reasons = this.reasons();
      } else {
        // ADDON-CASCADE: suspended with its base, restored with it.
        t.suspendedBy = 'cascade';
        t.suspendedAt = bt.suspendedAt;
        t.dataDeletionAt = bt.dataDeletionAt;
        t.reasons = bt.reasons.slice();
      }
    }
    const order = sameOrder ? baseOrder : this.draft(bought, plan.billingCycle);
    const doc = this.subscriptionDoc(offer, plan, quantity, t, order.id, bought, charged, base._id);
    const source = { type: 'subscription', id: doc._id } as const;
    this.addLine(order, lineFor(offer, doc, 'new', charged), {
      amount: charged,
      kind: prorated ? 'prorated_charge' : 'charge',
      ruleId: prorated ? 'ADDON-ALIGN' : null,
      source,
    });
    if (sameOrder && bt.s > bt.c) {
      this.ledger(charged, 'charge', source, null, 'RENEW-DEFAULT', `Renewal: ${offer.name} x ${quantity}`, bt.s);
    }
    this.out.subscriptions.push(doc);
    this.subCount++;
    if (!sameOrder) this.closeOrder(order);
  }

  /** SCHED-KINDS: a change saved for the next term: fewer seats, another billing plan, or a downgrade. */
  private scheduledChange(offer: OfferDoc, plan: BillingPlan, quantity: number): SubscriptionDoc['scheduledNextTermInstructions'] {
    const options: NonNullable<SubscriptionDoc['scheduledNextTermInstructions']>[] = [];
    const same = { billingCycle: plan.billingCycle, termDuration: plan.termDuration };
    if (quantity > offer.minQuantity) {
      options.push({ offerId: offer._id, quantity: this.rng.int(offer.minQuantity, quantity - 1), ...same });
    }
    for (const p of offer.billingPlans) {
      if (p !== plan && (p.termDuration === plan.termDuration || (plan.termDuration === 'P1M' && p.termDuration === 'P1Y'))) {
        options.push({ offerId: offer._id, quantity, billingCycle: p.billingCycle, termDuration: p.termDuration });
      }
    }
    for (const lower of CATALOG) {
      if (lower.upgradeTargetIds.includes(offer._id) && this.available(lower) && this.planOf(lower, plan.billingCycle, plan.termDuration)) {
        options.push({ offerId: lower._id, quantity: clamp(quantity, lower), ...same });
      }
    }
    return options.length > 0 ? this.rng.pick(options) : null;
  }

  // ---- software --------------------------------------------------------------------------------

  addSoftwareOrder(planned?: PlannedSoftware): void {
    const offers = CATALOG.filter((o) => o.commerceType === 'software' && this.available(o));
    const offer = planned ? offers.find((o) => o._id === planned.offerId) : offers.length > 0 ? this.rng.pick(offers) : undefined;
    if (!offer) return;
    const plan = offer.billingPlans[0]!;
    const recent = planned?.recent ?? this.rng.chance(0.35);
    const purchasedAt = recent ? this.past(3 * HOUR, 30 * DAY) : this.past(30 * DAY, HISTORY);
    if (purchasedAt === null) return;
    const quantity = clamp(this.rng.int(1, 16), offer);
    const amount = plan.unitPriceCents * quantity;
    const id = this.nextOrderId();
    // SW-CANCEL-30D, SW-CANCEL-EXCLUDED: only orders still inside the window, never SUSE or Red Hat.
    const cancellable =
      offer.softwareVendorPlan === null && this.now - purchasedAt > 2 * HOUR && within(new Date(purchasedAt), new Date(this.now), 30 * DAY);
    const cancelledAt =
      cancellable && (planned?.cancelled ?? this.rng.chance(0.35))
        ? this.between(purchasedAt + HOUR, Math.min(purchasedAt + 30 * DAY - MINUTE, this.now - MINUTE))
        : null;
    const termEnd = offer.softwareKind === 'subscription' ? addTerm(new Date(purchasedAt), plan.termDuration) : null;
    const c = this.customer;
    this.out.softwareOrders.push({
      _id: id,
      partnerId: c.partnerId,
      customerId: c._id,
      offerId: offer._id,
      productName: offer.name,
      softwareKind: offer.softwareKind ?? 'perpetual',
      softwareVendorPlan: offer.softwareVendorPlan,
      quantity,
      purchasedAt: new Date(purchasedAt),
      termEndDate: termEnd,
      status: cancelledAt === null ? 'active' : 'cancelled',
      cancelledAt: cancelledAt === null ? null : new Date(cancelledAt),
      cancellationVisibleAt: cancelledAt === null ? null : new Date(cancelledAt + 15 * MINUTE), // SW-CANCEL-DELAY
      amountCents: amount,
      currency: offer.currency,
      pricesIncludeTax: this.pricesIncludeTax,
      keys: this.softwareKeys(offer, id, cancelledAt !== null),
      version: 0,
    });
    // SW-ACTIVITY-LOG: an active order's first key was viewed ten minutes after purchase, so the
    // activity log has something to show. Derived, not drawn: the random stream stays as it was.
    const viewed = this.out.softwareOrders.at(-1)!.keys[0];
    if (cancelledAt === null && viewed && purchasedAt + 10 * MINUTE < this.now) {
      this.out.softwareActivity.push({
        _id: `${id}:view_key`,
        partnerId: c.partnerId,
        customerId: c._id,
        softwareOrderId: id,
        activity: 'view_key',
        productVersion: viewed.productVersion,
        language: viewed.language,
        bitness: viewed.bitness,
        userId: `${c.partnerId}/admin-agent`,
        at: new Date(purchasedAt + 10 * MINUTE),
      });
    }
    const source = { type: 'software_order', id } as const;
    this.ledger(amount, 'charge', source, id, null, `${offer.name} x ${quantity}`, purchasedAt);
    if (cancelledAt !== null) {
      // SW-POST-CANCEL: 100 % for perpetual software, prorated for software subscriptions.
      const credit = softwareCredit(
        {
          softwareKind: termEnd !== null ? 'subscription' : 'perpetual',
          amountCents: amount,
          purchasedAt: new Date(purchasedAt),
          termEndDate: termEnd,
        },
        new Date(cancelledAt),
      );
      this.ledger(-credit, 'credit', source, id, 'SW-POST-CANCEL', `Cancellation credit: ${offer.name}`, cancelledAt);
    }
  }

  /** SW-KEYS, SW-MAK: one MAK per product version, language and bitness; SUSE and Red Hat register with the vendor instead. */
  private softwareKeys(offer: OfferDoc, orderId: string, revoked: boolean): SoftwareKey[] {
    if (offer.softwareVendorPlan !== null) return [];
    const version = offer.name.replace(/ - .*$/, '');
    const languages = ['en-us'];
    const local = LANGUAGE_BY_COUNTRY[this.customer.billingCountry];
    if (local && this.rng.chance(0.6)) languages.push(local);
    const bitnesses: ('x64' | 'x86')[] = offer._id === OFFER_IDS.officeLtscProPlus2021 ? ['x64', 'x86'] : ['x64'];
    const file = version.toLowerCase().replace(/[^a-z0-9]+/g, '_');
    const keys: SoftwareKey[] = [];
    for (const language of languages) {
      for (const bitness of bitnesses) {
        const groups = Array.from({ length: 5 }, () => this.rng.chars(MAK_ALPHABET, 5));
        keys.push({
          productVersion: version,
          language,
          bitness,
          keyType: 'MAK',
          productKey: groups.join('-'),
          downloadUrl: `https://download.partner-center.example/software/${orderId}/${file}_${language}_${bitness}.iso`,
          revoked,
        });
      }
    }
    return keys;
  }

  // ---- reservations ----------------------------------------------------------------------------

  addReservations(count: number): void {
    if (SEEDED_NO_RESERVATION_MARKETS.has(this.customer.billingCountry)) return; // RES-MARKETS
    if (this.azureSubscriptionId === null) {
      // Reservations are bought for an Azure subscription of the customer's Azure plan.
      if (!this.out.subscriptions.some((s) => s.customerId === this.customer._id && s.offerId === OFFER_IDS.azurePlan)) {
        if (this.subCount >= MAX_SUBSCRIPTIONS) return;
        if (!this.addBase({ offerId: OFFER_IDS.azurePlan, scenario: 'active' })) return;
      }
      this.azureSubscriptionId = this.ids.guid();
    }
    const offers = CATALOG.filter((o) => o.commerceType === 'reservation' && this.available(o));
    for (let i = 0; i < count && offers.length > 0; i++) {
      const offer = this.rng.pick(offers);
      const plan = this.rng.weighted(offer.billingPlans.map((p): [BillingPlan, number] => [p, p.termDuration === 'P1Y' ? 60 : 40]));
      const purchasedAt = this.rng.chance(0.2) ? this.past(HOUR, 5 * DAY) : this.past(5 * DAY, HISTORY);
      if (purchasedAt === null) continue;
      // At most 8 units, so a customer's refunds stay under RES-REFUND-CAP's USD 50,000.
      const quantity = clamp(this.rng.int(1, offer.reservationType === 'cosmos_db' ? 40 : 8), offer);
      const res = this.reservationDoc(offer, plan, quantity, purchasedAt);
      const order = this.draft(purchasedAt, 'one_time');
      this.addLine(order, reservationLine(offer, res, plan), {
        amount: res.priceCents,
        kind: 'charge',
        ruleId: null,
        source: { type: 'reservation', id: res._id },
      });
      this.closeOrder(order);
      this.out.reservations.push(res);
      if (res.status !== 'active' || this.now - purchasedAt < 2 * HOUR) continue;
      const outcome = this.rng.weighted([
        ['keep', 82],
        ['cancel', 11],
        ['exchange', 7],
      ] as const);
      if (outcome === 'keep') continue;
      const at = this.between(purchasedAt + HOUR, this.now - HOUR);
      const refundable = proratedRefund({
        chargedCents: res.priceCents,
        termPriceCents: res.priceCents,
        termStart: res.purchasedAt,
        termEnd: res.expiryDateTime,
        at: new Date(at),
      });
      res.cancelledAt = new Date(at);
      const source = { type: 'reservation', id: res._id } as const;
      if (outcome === 'cancel') {
        res.status = 'cancelled';
        // RES-REFUND-TABLE: 5 days or fewer without usage: everything back; with usage: prorated;
        // later: prorated minus a 12 % fee (of the prorated amount).
        const early = atMost(res.purchasedAt, new Date(at), 5 * DAY);
        const refund = early && !res.hasUsage ? res.priceCents : refundable;
        const fee = early ? 0 : percentOf(refund, 12);
        this.ledger(-refund, 'refund', source, order.id, 'RES-REFUND-TABLE', `Reservation refund: ${res.displayName}`, at);
        this.ledger(fee, 'fee', source, order.id, 'RES-REFUND-TABLE', `Early termination fee: ${res.displayName}`, at);
        // RES-REFUND-CAP: refunds of the last 365 days count toward the customer's cap (after the fee).
        if (within(new Date(at), new Date(this.now), RES_REFUND_CAP_WINDOW) && refund - fee > 0) {
          this.capRefunds.push({ reservationId: res._id, amountCents: refund - fee, at: new Date(at) });
        }
      } else {
        // RES-EXCHANGE: the prorated refund is credited toward a new reservation of the same type costing at least as much.
        res.status = 'exchanged';
        const same = offers.filter((o) => o.reservationType === offer.reservationType);
        const newOffer = this.rng.pick(same);
        const newPlan = newOffer.billingPlans.find((p) => p.termDuration === plan.termDuration) ?? newOffer.billingPlans[0]!;
        const newQuantity = clamp(Math.max(quantity, Math.ceil(refundable / newPlan.unitPriceCents)), newOffer);
        const fresh = this.reservationDoc(newOffer, newPlan, newQuantity, at);
        const newOrder = this.draft(at, 'one_time');
        this.addLine(newOrder, reservationLine(newOffer, fresh, newPlan), {
          amount: fresh.priceCents,
          kind: 'charge',
          ruleId: 'RES-EXCHANGE',
          source: { type: 'reservation', id: fresh._id },
        });
        this.ledger(-refundable, 'credit', source, newOrder.id, 'RES-EXCHANGE', `Exchange credit: ${res.displayName}`, at);
        this.closeOrder(newOrder);
        this.out.reservations.push(fresh);
      }
    }
  }

  private reservationDoc(offer: OfferDoc, plan: BillingPlan, quantity: number, purchasedAt: number): ReservationDoc {
    const expiry = addTerm(new Date(purchasedAt), plan.termDuration).getTime();
    const age = this.now - purchasedAt;
    const utilization =
      age < DAY
        ? 0
        : age <= 5 * DAY && this.rng.chance(0.4)
          ? 0
          : this.rng.weighted([
              [0, 3],
              [this.rng.int(20, 69), 25],
              [this.rng.int(70, 100), 72],
            ]);
    const scopeType = this.rng.weighted<ReservationScopeType>([
      ['single', 50],
      ['shared', 30],
      ['resource_group', 15],
      ['management_group', 5],
    ]);
    const azure = this.azureSubscriptionId!;
    const slug = this.customer.domain
      .split('.')[0]!
      .replace(/[0-9]+$/, '')
      .slice(0, 12);
    const prefix = { virtual_machines: 'VM_RI', sql_database: 'SQL_RI', cosmos_db: 'CosmosDB_RI' }[offer.reservationType!];
    const d = new Date(purchasedAt);
    const stamp = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${d.getUTCFullYear()}_${pad(d.getUTCHours())}-${pad(d.getUTCMinutes())}`;
    const c = this.customer;
    return {
      _id: this.ids.guid(),
      reservationOrderId: this.ids.guid(),
      partnerId: c.partnerId,
      customerId: c._id,
      offerId: offer._id,
      displayName: `${prefix}_${stamp}`,
      reservationType: offer.reservationType!,
      region: this.rng.pick(AZURE_REGIONS),
      quantity,
      termDuration: plan.termDuration === 'P3Y' ? 'P3Y' : 'P1Y',
      priceCents: plan.unitPriceCents * quantity,
      currency: offer.currency,
      purchasedAt: new Date(purchasedAt),
      expiryDateTime: new Date(expiry),
      scope: {
        type: scopeType,
        subscriptionId: scopeType === 'single' || scopeType === 'resource_group' ? azure : null,
        resourceGroupId: scopeType === 'resource_group' ? `rg-${slug}-${this.rng.pick(['prod', 'app', 'data', 'web'])}` : null,
        managementGroupId: scopeType === 'management_group' ? `mg-${slug}` : null,
      },
      azureSubscriptionId: azure,
      utilizationPercent: expiry <= this.now ? this.rng.int(60, 100) : utilization,
      hasUsage: utilization > 0 || expiry <= this.now,
      status: expiry <= this.now ? 'expired' : 'active',
      cancelledAt: null,
      exchangedForReservationId: null,
      exchangedFromReservationId: null,
      version: 0,
    };
  }

  // ---- the whole customer ----------------------------------------------------------------------

  /** Random purchases for a customer that is not a showcase. */
  fillRandom(): void {
    const pool = CATALOG.filter(
      (o) =>
        !o.isAddOn &&
        (o.commerceType === 'legacy' || o.commerceType === 'new_commerce' || o.commerceType === 'marketplace_saas') &&
        this.available(o),
    );
    const bases = this.rng.weighted([
      [1, 10],
      [2, 22],
      [3, 30],
      [4, 23],
      [5, 15],
    ]);
    const chosen = new Set<string>();
    for (let attempt = 0; chosen.size < bases && attempt < bases * 3 && this.subCount < MAX_SUBSCRIPTIONS; attempt++) {
      const remaining = pool.filter((o) => !chosen.has(o._id));
      if (remaining.length === 0) break;
      const offer = this.rng.weighted(remaining.map((o): [OfferDoc, number] => [o, OFFER_POPULARITY[o._id] ?? 1]));
      chosen.add(offer._id);
      if (offer.trial && chosen.has(offer.trial.convertsToOfferId)) continue;
      // Every customer has at least one subscription: the last chance is a plain active one.
      const last = this.subCount === 0 && (chosen.size === bases || remaining.length === 1);
      const scenario = this.randomScenario(offer);
      if (!this.addBase({ offerId: offer._id, scenario }) && last) this.addBase({ offerId: offer._id, scenario: 'active' });
    }
    if (this.subCount === 0) {
      for (const offer of pool) if (!offer.trial && this.addBase({ offerId: offer._id, scenario: 'active' })) break;
    }
    if (this.rng.chance(0.18)) {
      const n = this.rng.weighted([
        [1, 80],
        [2, 20],
      ]);
      for (let i = 0; i < n; i++) this.addSoftwareOrder();
    }
    if (this.rng.chance(0.1))
      this.addReservations(
        this.rng.weighted([
          [1, 75],
          [2, 25],
        ]),
      );
  }

  fillShowcase(showcase: Showcase): void {
    for (const planned of showcase.subs) this.addBase(planned);
    for (const software of showcase.software ?? []) this.addSoftwareOrder(software);
    if (showcase.reservations) this.addReservations(showcase.reservations);
  }
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function clamp(quantity: number, offer: OfferDoc): number {
  return Math.min(offer.maxQuantity, Math.max(offer.minQuantity, quantity));
}

function lineFor(
  offer: OfferDoc,
  sub: SubscriptionDoc,
  transactionType: OrderLineItem['transactionType'],
  total: number,
): Omit<OrderLineItem, 'lineItemNumber'> {
  return {
    offerId: offer._id,
    subscriptionId: sub._id,
    reservationId: null,
    friendlyName: sub.friendlyName,
    quantity: sub.quantity,
    billingCycle: sub.billingCycle,
    termDuration: sub.termDuration,
    transactionType,
    unitPriceCents: sub.unitPriceCents,
    totalPriceCents: total,
  };
}

function reservationLine(offer: OfferDoc, res: ReservationDoc, plan: BillingPlan): Omit<OrderLineItem, 'lineItemNumber'> {
  return {
    offerId: offer._id,
    subscriptionId: null,
    reservationId: res._id,
    friendlyName: res.displayName,
    quantity: res.quantity,
    billingCycle: 'one_time',
    termDuration: plan.termDuration,
    transactionType: 'new',
    unitPriceCents: plan.unitPriceCents,
    totalPriceCents: res.priceCents,
  };
}

function describeLine(line: OrderLineItem | undefined): string {
  if (!line) return 'Order charge';
  const offer = OFFERS_BY_ID.get(line.offerId);
  const plan = line.termDuration ? `${line.termDuration}, billed ${line.billingCycle.replace('_', '-')}` : line.billingCycle;
  return `${offer?.name ?? line.offerId} x ${line.quantity} (${plan})`;
}

// ---------------------------------------------------------------------------------------------
// Customers and the world
// ---------------------------------------------------------------------------------------------

/** A company name, and the words of it that make its initial domain (no legal form). */
function companyName(rng: Rng, segment: CustomerSegment, country: string): { name: string; label: string } {
  const stem = rng.pick(STEMS);
  switch (segment) {
    case 'education': {
      const name = `${stem} ${rng.pick(EDUCATION_KINDS)}`;
      return { name, label: name };
    }
    case 'government': {
      const name = `${rng.pick(GOVERNMENT_KINDS)} ${stem}`;
      return { name, label: name };
    }
    case 'nonprofit': {
      const name = `${stem} ${rng.pick(NONPROFIT_KINDS)}`;
      return { name, label: name };
    }
    case 'commercial': {
      const label = `${stem} ${rng.pick(TRADES)}`;
      return { name: `${label} ${rng.pick(LEGAL_FORMS[country] ?? ['Ltd'])}`, label };
    }
  }
}

/**
 * The initial domain: the label's letters, at most 24, then the customer's ordinal in decimal.
 * Letters followed by digits parse one way only, so no two customers share one (domain_unique).
 */
function initialDomain(label: string, ordinal: number): string {
  const letters =
    label
      .toLowerCase()
      .replace(/[^a-z]/g, '')
      .slice(0, 24) || 'tenant';
  return `${letters}${ordinal}.onmicrosoft.com`;
}

function partnerDocs(now: number): PartnerDoc[] {
  const ages: Record<PartnerKey, number> = { contoso: 8 * 365, fabrikam: 10 * 365, tailspin: 5 * 365 };
  return (Object.keys(DEMO_PARTNERS) as PartnerKey[]).map((key) => {
    const p = DEMO_PARTNERS[key];
    return {
      _id: p.id,
      name: p.name,
      partnerType: p.partnerType,
      mpnId: p.mpnId,
      indirectProviderId: key === 'tailspin' ? DEMO_PARTNERS.fabrikam.id : null,
      createdAt: new Date(Math.floor((now - ages[key] * DAY) / DAY) * DAY),
    };
  });
}

/** GEN-CLOCK: one simulation clock per partner tenant, all starting at the world's `now`. */
function clockDocs(now: number): ClockDoc[] {
  return Object.values(DEMO_PARTNERS).map((p) => ({ _id: p.id, now: new Date(now), version: 0, updatedAt: new Date(now) }));
}

function generateCustomer(seed: string, ordinal: number, total: number, now: number, orderKeys: readonly number[], out: Buffers): void {
  const rng = new Rng(`${seed}#${ordinal}`);
  const ids = new IdSlots(rng, ordinal, total);
  const showcase = ordinal < SHOWCASE.length ? SHOWCASE[ordinal]! : null;
  const partnerKey = showcase?.partner ?? rng.weighted(PARTNER_WEIGHTS);
  const partner = DEMO_PARTNERS[partnerKey];
  const segment = showcase?.segment ?? rng.weighted(SEGMENT_WEIGHTS);
  const country = showcase?.country ?? (segment === 'government' && rng.chance(0.85) ? 'US' : rng.weighted(COUNTRY_WEIGHTS));
  const { name, label } = companyName(rng, segment, country);
  const domain = initialDomain(label, ordinal + 1);
  const openedAt = showcase
    ? now - rng.int(400, 1000) * DAY - rng.int(0, 86_399) * SECOND
    : rng.chance(0.06)
      ? now - rng.int(2 * 3600, 30 * 86_400) * SECOND
      : now - rng.int(30 * 86_400, 3 * 365 * 86_400 + 180 * 86_400) * SECOND;
  const associatedPartnerId = partnerKey === 'fabrikam' && rng.chance(0.6) ? DEMO_PARTNERS.tailspin.mpnId : null;
  const customer: CustomerDoc = {
    _id: ids.guid(),
    partnerId: partner.id,
    companyName: name,
    companyNameLower: name.toLowerCase(),
    domain,
    domainLower: domain.toLowerCase(),
    billingCountry: country,
    segment,
    relationshipToPartner:
      partnerKey === 'contoso'
        ? rng.weighted<CustomerDoc['relationshipToPartner']>([
            ['reseller', 80],
            ['advisor', 15],
            ['none', 5],
          ])
        : 'reseller',
    associatedPartnerId,
    accountOpenedAt: new Date(openedAt),
    firstBillingAt: new Date(openedAt + rng.int(0, 45) * DAY),
    createdAt: new Date(openedAt),
    version: 0,
  };
  out.customers.push(customer);
  const builder = new CustomerBuilder(
    rng,
    ids,
    now,
    ordinal,
    orderKeys,
    customer,
    { id: partner.id, partnerType: partner.partnerType, mpnId: partner.mpnId },
    out,
  );
  if (showcase) builder.fillShowcase(showcase);
  else builder.fillRandom();
  builder.finish();
}

function emptyBuffers(): Buffers {
  return {
    partners: [],
    offers: [],
    clock: [],
    customers: [],
    subscriptions: [],
    orders: [],
    softwareOrders: [],
    softwareActivity: [],
    reservations: [],
    ledger: [],
    refundCaps: [],
  };
}

/**
 * Generates a world as batches, one collection per batch: first the partners, the catalog and the
 * clock, then customers with everything they bought. A collection's batch is emitted once it holds
 * `batchSize` documents, so memory stays bounded whatever the number of customers.
 */
export function* generateWorld(options: GenerateOptions): Generator<WorldBatch> {
  const { customers, now: nowDate } = options;
  const batchSize = options.batchSize ?? 2000;
  if (!Number.isInteger(customers) || customers < 0 || customers > MAX_WORLD_CUSTOMERS) {
    throw new RangeError(`generateWorld: customers must be an integer from 0 to ${MAX_WORLD_CUSTOMERS}, but got ${customers}`);
  }
  if (!(nowDate instanceof Date) || Number.isNaN(nowDate.getTime())) {
    throw new RangeError(`generateWorld: now must be a valid Date, but got ${String(nowDate)}`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`generateWorld: batchSize must be a positive integer, but got ${batchSize}`);
  }
  const seed = String(options.seed);
  const now = nowDate.getTime();
  const keyRng = new Rng(`${seed}/order-ids`);
  const orderKeys = [keyRng.nextUint32(), keyRng.nextUint32(), keyRng.nextUint32(), keyRng.nextUint32()];
  const total = customers;

  yield { collection: 'partners', docs: partnerDocs(now), customersDone: 0, customersTotal: total };
  yield { collection: 'offers', docs: CATALOG.map((o) => structuredClone(o)), customersDone: 0, customersTotal: total };
  yield { collection: 'clock', docs: clockDocs(now), customersDone: 0, customersTotal: total };

  const out = emptyBuffers();
  const tenantCollections = SEED_COLLECTIONS.slice(3);
  for (let i = 0; i < customers; i++) {
    generateCustomer(seed, i, total, now, orderKeys, out);
    for (const name of tenantCollections) {
      while (out[name].length >= batchSize) yield take(out, name, batchSize, i + 1, total);
    }
  }
  for (const name of tenantCollections) {
    while (out[name].length > 0) yield take(out, name, batchSize, customers, total);
  }
}

/** Removes up to `count` documents from the front of a buffer, as a batch. */
function take(out: Buffers, name: SeedCollection, count: number, customersDone: number, customersTotal: number): WorldBatch {
  const docs = (out[name] as unknown[]).splice(0, count);
  return { collection: name, docs, customersDone, customersTotal } as WorldBatch;
}

// ---------------------------------------------------------------------------------------------
// Writing a world
// ---------------------------------------------------------------------------------------------

export interface SeedProgress {
  customersDone: number;
  customersTotal: number;
  documentsWritten: number;
}

export interface SeedWorldOptions {
  customers: number;
  seed: string | number;
  /** @default SEED_CLOCK_START */
  now?: Date;
  onProgress?: (progress: SeedProgress) => void;
  /** @default 2000 */
  batchSize?: number;
  /** insertMany calls in flight at once, so generation overlaps the database's work. @default 2 */
  concurrency?: number;
}

export interface SeedResult {
  counts: Record<SeedCollection, number>;
  elapsedMs: number;
}

/**
 * Writes a generated world. The fixed documents (partners, offers) are upserted, and each partner's
 * clock is only created when missing, so seeding next to them is safe; everything else is inserted with
 * unordered insertMany. Meant for collections without customers: rerunning the same seed into the
 * same database fails on duplicate keys.
 */
export async function seedWorld(cols: Collections, options: SeedWorldOptions): Promise<SeedResult> {
  const started = performance.now();
  const concurrency = options.concurrency ?? 2;
  const counts = Object.fromEntries(SEED_COLLECTIONS.map((n) => [n, 0])) as Record<SeedCollection, number>;
  let written = 0;
  let customersDone = 0;
  let failure: unknown = null;
  const inFlight: Promise<void>[] = [];

  const write = async (batch: WorldBatch): Promise<void> => {
    switch (batch.collection) {
      case 'partners':
        await cols.partners.bulkWrite(
          batch.docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
          { ordered: false },
        );
        break;
      case 'offers':
        await cols.offers.bulkWrite(
          batch.docs.map((doc) => ({ replaceOne: { filter: { _id: doc._id }, replacement: doc, upsert: true } })),
          { ordered: false },
        );
        break;
      case 'clock':
        for (const doc of batch.docs) {
          await cols.clock.updateOne(
            { _id: doc._id },
            { $setOnInsert: { now: doc.now, version: doc.version, updatedAt: doc.updatedAt } },
            { upsert: true },
          );
        }
        break;
      default: {
        const col = cols[batch.collection] as unknown as Collection<Document>;
        await col.insertMany(batch.docs as Document[], { ordered: false });
      }
    }
    counts[batch.collection] += batch.docs.length;
    written += batch.docs.length;
    customersDone = Math.max(customersDone, batch.customersDone);
    options.onProgress?.({
      customersDone: Math.min(customersDone, batch.customersTotal),
      customersTotal: batch.customersTotal,
      documentsWritten: written,
    });
  };

  const batches = generateWorld({
    customers: options.customers,
    seed: options.seed,
    now: options.now ?? SEED_CLOCK_START,
    batchSize: options.batchSize ?? 2000,
  });
  for (const batch of batches) {
    const p = write(batch).catch((error: unknown) => {
      failure ??= error;
    });
    inFlight.push(p);
    if (inFlight.length >= concurrency) await inFlight.shift();
    if (failure) break;
  }
  await Promise.all(inFlight);
  if (failure) throw failure;
  options.onProgress?.({ customersDone: options.customers, customersTotal: options.customers, documentsWritten: written });
  return { counts, elapsedMs: Math.round(performance.now() - started) };
}

/**
 * Seeds the demo world (seed 'demo', `demoWorldSize` customers) when the customers collection is
 * empty. Dates are derived from the Contoso demo partner's clock (GEN-CLOCK: one clock per partner)
 * when the database has one, else SEED_CLOCK_START, so the demo's windows (24 h, 14 d, 30 d) are
 * open relative to the simulation clock. Returns whether it seeded.
 */
export async function seedDemoIfEmpty(cols: Collections, log: Logger): Promise<boolean> {
  const existing = await cols.customers.findOne({}, { projection: { _id: 1 } });
  if (existing) return false;
  const clock = await cols.clock.findOne({ _id: DEMO_PARTNERS.contoso.id });
  const now = clock?.now ?? SEED_CLOCK_START;
  const result = await seedWorld(cols, { customers: demoWorldSize, seed: 'demo', now });
  const summary = SEED_COLLECTIONS.map((n) => `${n} ${result.counts[n]}`).join(', ');
  log.info('seed', `seeded the demo world (seed 'demo', clock ${now.toISOString()}) in ${result.elapsedMs} ms: ${summary}`);
  return true;
}
