/**
 * The fixed offer catalog of every seeded world. IDs are Partner Center catalog item IDs in the
 * `PRODUCTID:SKUID` form; prices are integer cents for one unit for one whole term (BillingPlan),
 * in USD, list-price-like but not authoritative.
 *
 * Coverage the rules and tests lean on:
 * - every commerceType, both publishers, billing types license and usage, the three categories;
 * - upgrade paths (Business Basic -> Standard -> Premium -> E3 -> E5; Office 365 E1 -> E3; legacy E1 -> E3);
 * - add-ons (isAddOn) listed in their bases' eligibleAddOnIds, with every billing plan of those
 *   bases (ADDON-ALIGN), one of them limited to some countries (ADDON-ELIGIBLE);
 * - 30-day trials converting to their paid SKU (CAT-TRIAL) and one-per-customer offers;
 * - ISV offers unavailable for each CAT-UNAVAILABLE reason;
 * - perpetual and subscription software, SUSE and Red Hat plans (SW-CANCEL-EXCLUDED);
 * - reservations of the three reservation types, 1 and 3 years, paid upfront.
 */
import type { BillingPlan, CustomerSegment, OfferDoc } from '../db/documents.js';
import { DEMO_PARTNERS } from './demo-ids.js';

/** Named catalog item IDs, for code and tests that need a particular offer. */
export const OFFER_IDS = {
  // Microsoft, new commerce
  m365BusinessBasic: 'CFQ7TTC0LH18:0001',
  m365BusinessStandard: 'CFQ7TTC0LDPB:0001',
  m365BusinessPremium: 'CFQ7TTC0LCHC:0002',
  m365BusinessPremiumTrial: 'CFQ7TTC0LCHC:0007',
  m365BusinessPremiumNonprofit: 'CFQ7TTC0LCHC:0009',
  m365E3: 'CFQ7TTC0LFLZ:0001',
  m365E5: 'CFQ7TTC0LFK5:0001',
  o365E1: 'CFQ7TTC0LF8R:0001',
  o365E3: 'CFQ7TTC0LF8Q:0001',
  exchangeOnlinePlan1: 'CFQ7TTC0LH16:0001',
  teamsEssentials: 'CFQ7TTC0RM8K:0001',
  powerBiPro: 'CFQ7TTC0L3PB:0001',
  powerBiProTrial: 'CFQ7TTC0L3PB:0002',
  m365A3Faculty: 'CFQ7TTC0LH0R:0001',
  o365G3Gcc: 'CFQ7TTC0LHTV:0001',
  azurePlan: 'DZH318Z0BPS6:0001',
  // Microsoft, new commerce add-ons
  m365Copilot: 'CFQ7TTC0MM8R:0001',
  teamsPhoneStandard: 'CFQ7TTC0LH1G:0001',
  audioConferencing: 'CFQ7TTC0LHBC:0001',
  exchangeOnlineArchiving: 'CFQ7TTC0LH0F:0001',
  // Microsoft, legacy licence-based
  legacyO365E1: '91FD106F4B2C:0001',
  legacyO365E3: '796B6B5F613C:0001',
  legacyExchangePlan1: '195416C13447:0001',
  legacyExtraFileStorage: '6B5D4EB9CB3A:0001',
  // ISV marketplace SaaS
  litwareBackup: 'DZH318Z0BXWC:0001',
  litwareBackupMetered: 'DZH318Z0BXWC:0002',
  prosewareCrm: 'DZH318Z0C1JK:0001',
  adatumESign: 'DZH318Z0C4RT:0001',
  northwindFieldService: 'DZH318Z0C7MN:0001',
  treyAnalyticsContainer: 'DZH318Z0CA2D:0001',
  woodgroveThreatIntel: 'DZH318Z0CD8F:0001',
  // Software
  windowsServer2022Datacenter: 'DG7GMGF0DVSV:0001',
  sqlServer2022Standard: 'DG7GMGF0FKZV:0003',
  officeLtscProPlus2021: 'DG7GMGF0D3SJ:0001',
  sqlServer2022StandardSub1Y: 'DG7GMGF0FKZW:0001',
  suseSles1Y: 'DG7GMGF0GS5K:0001',
  suseSles3Y: 'DG7GMGF0GS5K:0002',
  rhel1Y: 'DG7GMGF0H2HK:0001',
  // Azure reservations
  reservedVmD2sV5: 'DZH318Z0BQ3Q:0001',
  reservedVmE4sV5: 'DZH318Z0BQ3Q:0002',
  reservedSqlDbGp: 'DZH318Z0BQ5S:0001',
  reservedCosmosDb: 'DZH318Z0BQ4W:0001',
} as const;

const ALL_SEGMENTS: CustomerSegment[] = ['commercial', 'education', 'government', 'nonprofit'];
const MICROSOFT = 'Microsoft Corporation';

/** Countries where Microsoft 365 Copilot is sold in this simulation (an add-on limited by region). */
const COPILOT_COUNTRIES = ['US', 'CA', 'GB', 'IE', 'DE', 'FR', 'NL', 'SE', 'ES', 'IT', 'AU', 'NZ', 'JP', 'IN', 'BR', 'MX', 'SG', 'ZA'];

/** The usual new-commerce plans: month-to-month at a 20 % premium, or a one-year term billed monthly or annually. */
function ncePlans(monthlyListCents: number, opts: { threeYear?: boolean } = {}): BillingPlan[] {
  const year = monthlyListCents * 12;
  const plans: BillingPlan[] = [
    { billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: Math.round(monthlyListCents * 1.2) },
    { billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: year },
    { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: year },
  ];
  if (opts.threeYear) {
    plans.push(
      { billingCycle: 'annual', termDuration: 'P3Y', unitPriceCents: year * 3 },
      { billingCycle: 'triennial', termDuration: 'P3Y', unitPriceCents: year * 3 },
    );
  }
  return plans;
}

/** Legacy licence-based offers: a one-year commitment billed monthly or annually. */
function legacyPlans(monthlyListCents: number): BillingPlan[] {
  return [
    { billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: monthlyListCents * 12 },
    { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: monthlyListCents * 12 },
  ];
}

function saasPlans(monthlyCents: number, annualCents: number): BillingPlan[] {
  return [
    { billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: monthlyCents },
    { billingCycle: 'monthly', termDuration: 'P1Y', unitPriceCents: annualCents },
    { billingCycle: 'annual', termDuration: 'P1Y', unitPriceCents: annualCents },
  ];
}

/** Usage-based offers carry no licence price: the meter bills them. */
const METERED: BillingPlan[] = [{ billingCycle: 'monthly', termDuration: 'P1M', unitPriceCents: 0 }];
const TRIAL: BillingPlan[] = [{ billingCycle: 'none', termDuration: 'P1M', unitPriceCents: 0 }];

function reservationPlans(oneYearCents: number, threeYearCents: number): BillingPlan[] {
  return [
    { billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: oneYearCents },
    { billingCycle: 'one_time', termDuration: 'P3Y', unitPriceCents: threeYearCents },
  ];
}

type OfferInput = Pick<OfferDoc, '_id' | 'name' | 'description' | 'commerceType' | 'billingPlans'> & Partial<OfferDoc>;

function offer(input: OfferInput): OfferDoc {
  const [productId, skuId] = input._id.split(':') as [string, string];
  const productType = {
    legacy: 'OnlineServices',
    new_commerce: 'OnlineServicesNCE',
    marketplace_saas: 'SaaS',
    software: 'Software',
    reservation: 'Azure',
  }[input.commerceType];
  return {
    productId,
    skuId,
    publisher: 'microsoft',
    publisherName: MICROSOFT,
    billingType: 'license',
    category: 'enterprise',
    productType,
    segments: ['commercial'],
    currency: 'USD',
    trial: null,
    onePerCustomer: false,
    isAddOn: false,
    upgradeTargetIds: [],
    eligibleAddOnIds: [],
    countries: null,
    cspAvailable: true,
    exclusivePartnerIds: [],
    transactable: true,
    minQuantity: 1,
    maxQuantity: 10_000,
    softwareKind: null,
    softwareVendorPlan: null,
    reservationType: null,
    ...input,
  };
}

const O = OFFER_IDS;

export const CATALOG: readonly OfferDoc[] = [
  // ---- Microsoft 365 for business (new commerce) ----
  offer({
    _id: O.m365BusinessBasic,
    name: 'Microsoft 365 Business Basic',
    description: 'Web and mobile Office apps, Teams, Exchange mailbox and 1 TB OneDrive storage per user.',
    commerceType: 'new_commerce',
    category: 'small_business',
    segments: ['commercial', 'nonprofit'],
    billingPlans: ncePlans(600),
    maxQuantity: 300,
    upgradeTargetIds: [O.m365BusinessStandard, O.m365BusinessPremium],
    eligibleAddOnIds: [O.teamsPhoneStandard, O.audioConferencing],
  }),
  offer({
    _id: O.m365BusinessStandard,
    name: 'Microsoft 365 Business Standard',
    description: 'Desktop Office apps with premium features, Teams webinars and business-class email.',
    commerceType: 'new_commerce',
    category: 'small_business',
    segments: ['commercial', 'nonprofit'],
    billingPlans: ncePlans(1250),
    maxQuantity: 300,
    upgradeTargetIds: [O.m365BusinessPremium],
    eligibleAddOnIds: [O.teamsPhoneStandard, O.audioConferencing, O.m365Copilot],
  }),
  offer({
    _id: O.m365BusinessPremium,
    name: 'Microsoft 365 Business Premium',
    description: 'Business Standard plus advanced security, Intune device management and Defender for Business.',
    commerceType: 'new_commerce',
    category: 'small_business',
    segments: ['commercial', 'nonprofit'],
    billingPlans: ncePlans(2200),
    maxQuantity: 300,
    upgradeTargetIds: [O.m365E3, O.m365E5],
    eligibleAddOnIds: [O.teamsPhoneStandard, O.audioConferencing, O.m365Copilot],
  }),
  offer({
    _id: O.m365BusinessPremiumTrial,
    name: 'Microsoft 365 Business Premium Trial',
    description: 'One-month free trial of Microsoft 365 Business Premium for up to 25 users.',
    commerceType: 'new_commerce',
    category: 'trial',
    billingPlans: TRIAL,
    trial: { days: 30, convertsToOfferId: O.m365BusinessPremium },
    onePerCustomer: true,
    maxQuantity: 25,
  }),
  offer({
    _id: O.m365BusinessPremiumNonprofit,
    name: 'Microsoft 365 Business Premium (Nonprofit Staff Pricing)',
    description: 'Microsoft 365 Business Premium at the discounted price for eligible nonprofit organisations.',
    commerceType: 'new_commerce',
    category: 'small_business',
    segments: ['nonprofit'],
    billingPlans: ncePlans(550),
    maxQuantity: 300,
    eligibleAddOnIds: [O.m365Copilot],
  }),
  // ---- Microsoft 365 and Office 365 for enterprise ----
  offer({
    _id: O.m365E3,
    name: 'Microsoft 365 E3',
    description: 'Office apps, Windows Enterprise, Intune and Entra ID P1 for the enterprise.',
    commerceType: 'new_commerce',
    billingPlans: ncePlans(3600, { threeYear: true }),
    upgradeTargetIds: [O.m365E5],
    eligibleAddOnIds: [O.teamsPhoneStandard, O.audioConferencing, O.m365Copilot],
  }),
  offer({
    _id: O.m365E5,
    name: 'Microsoft 365 E5',
    description: 'Microsoft 365 E3 plus advanced security, compliance, Power BI Pro and Teams Phone.',
    commerceType: 'new_commerce',
    billingPlans: ncePlans(5700, { threeYear: true }),
    eligibleAddOnIds: [O.m365Copilot],
  }),
  offer({
    _id: O.o365E1,
    name: 'Office 365 E1',
    description: 'Web versions of the Office apps, Teams, Exchange and SharePoint.',
    commerceType: 'new_commerce',
    segments: ['commercial', 'nonprofit'],
    billingPlans: ncePlans(1000),
    upgradeTargetIds: [O.o365E3, O.m365E3],
    eligibleAddOnIds: [O.audioConferencing],
  }),
  offer({
    _id: O.o365E3,
    name: 'Office 365 E3',
    description: 'Desktop Office apps, 100 GB mailboxes, Teams and SharePoint with compliance tools.',
    commerceType: 'new_commerce',
    segments: ['commercial', 'nonprofit'],
    billingPlans: ncePlans(2300, { threeYear: true }),
    upgradeTargetIds: [O.m365E3, O.m365E5],
    eligibleAddOnIds: [O.teamsPhoneStandard, O.audioConferencing, O.m365Copilot],
  }),
  offer({
    _id: O.exchangeOnlinePlan1,
    name: 'Exchange Online (Plan 1)',
    description: 'Business email with a 50 GB mailbox per user.',
    commerceType: 'new_commerce',
    category: 'small_business',
    segments: ['commercial', 'education', 'nonprofit'],
    billingPlans: ncePlans(400),
    upgradeTargetIds: [O.m365BusinessStandard],
    eligibleAddOnIds: [O.exchangeOnlineArchiving],
  }),
  offer({
    _id: O.teamsEssentials,
    name: 'Microsoft Teams Essentials',
    description: 'Unlimited group meetings for up to 30 hours and 10 GB of cloud storage per user.',
    commerceType: 'new_commerce',
    category: 'small_business',
    billingPlans: ncePlans(400),
    maxQuantity: 300,
  }),
  offer({
    _id: O.powerBiPro,
    name: 'Power BI Pro',
    description: 'Self-service analytics: publish and share Power BI reports.',
    commerceType: 'new_commerce',
    segments: ['commercial', 'education', 'nonprofit'],
    billingPlans: ncePlans(1400),
  }),
  offer({
    _id: O.powerBiProTrial,
    name: 'Power BI Pro Trial',
    description: 'One-month free trial of Power BI Pro.',
    commerceType: 'new_commerce',
    category: 'trial',
    segments: ['commercial', 'education', 'nonprofit'],
    billingPlans: TRIAL,
    trial: { days: 30, convertsToOfferId: O.powerBiPro },
    onePerCustomer: true,
    maxQuantity: 25,
  }),
  offer({
    _id: O.m365A3Faculty,
    name: 'Microsoft 365 A3 for faculty',
    description: 'Office apps, Windows Education and device management for teaching staff.',
    commerceType: 'new_commerce',
    segments: ['education'],
    billingPlans: ncePlans(325),
    eligibleAddOnIds: [O.teamsPhoneStandard],
  }),
  offer({
    _id: O.o365G3Gcc,
    name: 'Office 365 G3 GCC',
    description: 'Office 365 E3 capabilities in the Government Community Cloud.',
    commerceType: 'new_commerce',
    segments: ['government'],
    billingPlans: ncePlans(2000),
    countries: ['US'],
    eligibleAddOnIds: [O.audioConferencing],
  }),
  offer({
    _id: O.azurePlan,
    name: 'Azure plan',
    description: 'Pay-as-you-go access to Azure services, billed monthly on consumption.',
    commerceType: 'new_commerce',
    billingType: 'usage',
    productType: 'Azure',
    segments: ALL_SEGMENTS,
    billingPlans: METERED,
    onePerCustomer: true,
    maxQuantity: 1,
  }),
  // ---- New-commerce add-ons (never sold from the catalog: ADDON-NOT-CATALOG) ----
  offer({
    _id: O.m365Copilot,
    name: 'Microsoft 365 Copilot',
    description: 'AI assistant across Word, Excel, PowerPoint, Outlook and Teams.',
    commerceType: 'new_commerce',
    segments: ['commercial', 'nonprofit'],
    billingPlans: ncePlans(3000, { threeYear: true }),
    isAddOn: true,
    countries: COPILOT_COUNTRIES,
    maxQuantity: 5_000,
  }),
  offer({
    _id: O.teamsPhoneStandard,
    name: 'Microsoft Teams Phone Standard',
    description: 'Cloud phone system: make, receive and transfer calls in Teams.',
    commerceType: 'new_commerce',
    segments: ['commercial', 'education', 'nonprofit'],
    billingPlans: ncePlans(800, { threeYear: true }),
    isAddOn: true,
  }),
  offer({
    _id: O.audioConferencing,
    name: 'Microsoft 365 Audio Conferencing',
    description: 'Dial-in numbers for Teams meetings.',
    commerceType: 'new_commerce',
    segments: ALL_SEGMENTS,
    billingPlans: ncePlans(400, { threeYear: true }),
    isAddOn: true,
  }),
  offer({
    _id: O.exchangeOnlineArchiving,
    name: 'Exchange Online Archiving',
    description: 'Unlimited archiving for Exchange Online mailboxes.',
    commerceType: 'new_commerce',
    segments: ['commercial', 'education', 'nonprofit'],
    billingPlans: ncePlans(300),
    isAddOn: true,
  }),
  // ---- Legacy licence-based (suspend/reactivate, SUSP-*) ----
  offer({
    _id: O.legacyO365E1,
    name: 'Office 365 E1 (legacy)',
    description: 'Legacy licence-based Office 365 E1 with an annual commitment.',
    commerceType: 'legacy',
    billingPlans: legacyPlans(800),
    upgradeTargetIds: [O.legacyO365E3],
    eligibleAddOnIds: [O.legacyExtraFileStorage],
  }),
  offer({
    _id: O.legacyO365E3,
    name: 'Office 365 E3 (legacy)',
    description: 'Legacy licence-based Office 365 E3 with an annual commitment.',
    commerceType: 'legacy',
    billingPlans: legacyPlans(2000),
    eligibleAddOnIds: [O.legacyExtraFileStorage],
  }),
  offer({
    _id: O.legacyExchangePlan1,
    name: 'Exchange Online (Plan 1) (legacy)',
    description: 'Legacy licence-based Exchange Online mailbox, 50 GB.',
    commerceType: 'legacy',
    category: 'small_business',
    billingPlans: legacyPlans(400),
  }),
  offer({
    _id: O.legacyExtraFileStorage,
    name: 'Office 365 Extra File Storage (legacy)',
    description: 'Additional SharePoint storage, per GB.',
    commerceType: 'legacy',
    billingPlans: legacyPlans(20),
    isAddOn: true,
    maxQuantity: 100_000,
  }),
  // ---- ISV marketplace SaaS ----
  offer({
    _id: O.litwareBackup,
    name: 'Litware Secure Backup for Microsoft 365',
    description: 'Daily backup and point-in-time restore of Exchange, OneDrive, SharePoint and Teams.',
    commerceType: 'marketplace_saas',
    publisher: 'isv',
    publisherName: 'Litware, Inc.',
    segments: ['commercial', 'education', 'nonprofit'],
    billingPlans: saasPlans(350, 3_900),
  }),
  offer({
    _id: O.litwareBackupMetered,
    name: 'Litware Secure Backup - Pay as you go',
    description: 'Backup billed per protected terabyte each month.',
    commerceType: 'marketplace_saas',
    publisher: 'isv',
    publisherName: 'Litware, Inc.',
    billingType: 'usage',
    billingPlans: METERED,
    onePerCustomer: true,
    maxQuantity: 1,
  }),
  offer({
    _id: O.prosewareCrm,
    name: 'Proseware CRM Professional',
    description: 'Sales pipeline, quoting and customer service for growing teams.',
    commerceType: 'marketplace_saas',
    publisher: 'isv',
    publisherName: 'Proseware, Inc.',
    category: 'small_business',
    billingPlans: saasPlans(4_500, 48_000),
    countries: ['US', 'CA', 'GB', 'IE', 'AU', 'NZ'],
    maxQuantity: 1_000,
  }),
  offer({
    _id: O.adatumESign,
    name: 'Adatum eSign for Teams',
    description: 'Legally binding electronic signatures inside Microsoft Teams.',
    commerceType: 'marketplace_saas',
    publisher: 'isv',
    publisherName: 'A. Datum Corporation',
    category: 'small_business',
    billingPlans: saasPlans(1_000, 10_800),
    exclusivePartnerIds: [DEMO_PARTNERS.fabrikam.id],
    maxQuantity: 1_000,
  }),
  offer({
    _id: O.northwindFieldService,
    name: 'Northwind Field Service Scheduler',
    description: 'Dispatch, route and track field technicians.',
    commerceType: 'marketplace_saas',
    publisher: 'isv',
    publisherName: 'Northwind Traders',
    billingPlans: saasPlans(2_500, 27_000),
    cspAvailable: false,
  }),
  offer({
    _id: O.treyAnalyticsContainer,
    name: 'Trey Research Analytics Engine (container)',
    description: 'Self-hosted analytics engine delivered as a Kubernetes container image.',
    commerceType: 'marketplace_saas',
    publisher: 'isv',
    publisherName: 'Trey Research',
    billingType: 'usage',
    billingPlans: METERED,
    transactable: false,
    maxQuantity: 1,
  }),
  offer({
    _id: O.woodgroveThreatIntel,
    name: 'Woodgrove Threat Intelligence Feed',
    description: 'Threat indicators streamed to Microsoft Sentinel, billed per million events.',
    commerceType: 'marketplace_saas',
    publisher: 'isv',
    publisherName: 'Woodgrove Security',
    billingType: 'usage',
    segments: ['commercial', 'government'],
    billingPlans: METERED,
    onePerCustomer: true,
    maxQuantity: 1,
  }),
  // ---- Software (SW-*) ----
  offer({
    _id: O.windowsServer2022Datacenter,
    name: 'Windows Server 2022 Datacenter - 16 Core License Pack',
    description: 'Perpetual licence for 16 cores of Windows Server 2022 Datacenter.',
    commerceType: 'software',
    segments: ['commercial', 'education', 'government', 'nonprofit'],
    billingPlans: [{ billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: 615_500 }],
    softwareKind: 'perpetual',
    maxQuantity: 500,
  }),
  offer({
    _id: O.sqlServer2022Standard,
    name: 'SQL Server 2022 Standard - 2 Core License Pack',
    description: 'Perpetual licence for 2 cores of SQL Server 2022 Standard.',
    commerceType: 'software',
    segments: ['commercial', 'education', 'nonprofit'],
    billingPlans: [{ billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: 394_500 }],
    softwareKind: 'perpetual',
    maxQuantity: 500,
  }),
  offer({
    _id: O.officeLtscProPlus2021,
    name: 'Office LTSC Professional Plus 2021',
    description: 'Perpetual device licence for the Office 2021 desktop apps.',
    commerceType: 'software',
    category: 'small_business',
    segments: ['commercial', 'education', 'nonprofit'],
    billingPlans: [{ billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: 43_900 }],
    softwareKind: 'perpetual',
    maxQuantity: 500,
  }),
  offer({
    _id: O.sqlServer2022StandardSub1Y,
    name: 'SQL Server 2022 Standard - 2 Core License Pack - 1 year',
    description: 'One-year software subscription for 2 cores of SQL Server 2022 Standard.',
    commerceType: 'software',
    billingPlans: [{ billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: 187_000 }],
    softwareKind: 'subscription',
    maxQuantity: 500,
  }),
  offer({
    _id: O.suseSles1Y,
    name: 'SUSE Linux Enterprise Server, x86_64, 1-2 Sockets, Standard Support - 1 year',
    description: 'SUSE Linux Enterprise Server subscription with standard support, for 1-2 sockets.',
    commerceType: 'software',
    publisher: 'isv',
    publisherName: 'SUSE',
    billingPlans: [{ billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: 79_900 }],
    softwareKind: 'subscription',
    softwareVendorPlan: 'suse',
    maxQuantity: 200,
  }),
  offer({
    _id: O.suseSles3Y,
    name: 'SUSE Linux Enterprise Server, x86_64, 1-2 Sockets, Standard Support - 3 years',
    description: 'Three-year SUSE Linux Enterprise Server subscription with standard support.',
    commerceType: 'software',
    publisher: 'isv',
    publisherName: 'SUSE',
    billingPlans: [{ billingCycle: 'one_time', termDuration: 'P3Y', unitPriceCents: 215_700 }],
    softwareKind: 'subscription',
    softwareVendorPlan: 'suse',
    maxQuantity: 200,
  }),
  offer({
    _id: O.rhel1Y,
    name: 'Red Hat Enterprise Linux Server, Standard - 1 year',
    description: 'Red Hat Enterprise Linux Server subscription with standard support.',
    commerceType: 'software',
    publisher: 'isv',
    publisherName: 'Red Hat, Inc.',
    billingPlans: [{ billingCycle: 'one_time', termDuration: 'P1Y', unitPriceCents: 79_900 }],
    softwareKind: 'subscription',
    softwareVendorPlan: 'redhat',
    maxQuantity: 200,
  }),
  // ---- Azure reservations (RES-*), paid upfront ----
  offer({
    _id: O.reservedVmD2sV5,
    name: 'Reserved VM Instance, Standard_D2s_v5',
    description: 'Reserved capacity for one Standard_D2s_v5 virtual machine.',
    commerceType: 'reservation',
    billingType: 'usage',
    segments: ALL_SEGMENTS,
    billingPlans: reservationPlans(49_500, 95_400),
    reservationType: 'virtual_machines',
    maxQuantity: 100,
  }),
  offer({
    _id: O.reservedVmE4sV5,
    name: 'Reserved VM Instance, Standard_E4s_v5',
    description: 'Reserved capacity for one Standard_E4s_v5 memory-optimised virtual machine.',
    commerceType: 'reservation',
    billingType: 'usage',
    segments: ALL_SEGMENTS,
    billingPlans: reservationPlans(116_000, 225_000),
    reservationType: 'virtual_machines',
    maxQuantity: 100,
  }),
  offer({
    _id: O.reservedSqlDbGp,
    name: 'SQL Database General Purpose - Gen5 - 1 vCore',
    description: 'Reserved vCore capacity for Azure SQL Database General Purpose.',
    commerceType: 'reservation',
    billingType: 'usage',
    segments: ALL_SEGMENTS,
    billingPlans: reservationPlans(89_000, 200_000),
    reservationType: 'sql_database',
    maxQuantity: 100,
  }),
  offer({
    _id: O.reservedCosmosDb,
    name: 'Azure Cosmos DB reserved capacity - 100 RU/s',
    description: 'Reserved throughput for Azure Cosmos DB, in units of 100 RU/s.',
    commerceType: 'reservation',
    billingType: 'usage',
    segments: ALL_SEGMENTS,
    billingPlans: reservationPlans(5_600, 14_000),
    reservationType: 'cosmos_db',
    maxQuantity: 1_000,
  }),
];

export const OFFERS_BY_ID: ReadonlyMap<string, OfferDoc> = new Map(CATALOG.map((o) => [o._id, o]));

/** The offer with this catalog item ID; throws for an unknown one (a seeding bug). */
export function catalogOffer(id: string): OfferDoc {
  const found = OFFERS_BY_ID.get(id);
  if (!found) throw new Error(`catalogOffer: no offer '${id}' in the seed catalog`);
  return found;
}
