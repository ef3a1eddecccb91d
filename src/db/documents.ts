/**
 * MongoDB document shapes of the simulated Partner Center.
 *
 * Contracts shared by every collection:
 * - `_id` is a string: a GUID for tenants, subscriptions and reservations (as in Partner Center),
 *   a 12-hex-digit string for orders, the catalog item ID for offers.
 * - Every tenant-owned document carries `partnerId`, the owning partner's tenant ID (ROLE-TENANT):
 *   every read filters on it, so a foreign ID behaves exactly like an unknown one.
 * - Mutable documents carry `version`, incremented by every update; writers update with
 *   `{ _id, version }` as the filter (optimistic concurrency, one document at a time), because
 *   FerretDB 1.24 has no multi-document transactions.
 * - Money is integer minor units (cents) with an ISO 4217 currency (MONEY-EXACT).
 * - Dates are BSON dates, i.e. UTC instants (GEN-UTC).
 * - No field name contains `.` or starts with `$`, and no array nests another array (FerretDB).
 */

export type PartnerType = 'direct_bill' | 'indirect_provider' | 'indirect_reseller';

export type PartnerRole =
  | 'admin_agent'
  | 'billing_admin'
  | 'global_admin'
  | 'helpdesk_agent'
  | 'sales_agent'
  | 'account_admin'
  | 'referral_admin'
  | 'marketing_content_admin'
  | 'user_management_admin';

export interface PartnerDoc {
  _id: string;
  name: string;
  partnerType: PartnerType;
  /** MPN / Partner ID. */
  mpnId: string;
  /** For an indirect reseller: the indirect provider it buys through. */
  indirectProviderId: string | null;
  createdAt: Date;
  /**
   * A sandbox's partner (docs/sandboxes.md): the partner ID of the administrator that created it.
   * Absent for every real partner; a sandbox's own callers may not create sandboxes.
   */
  sandboxAdminId?: string;
}

/**
 * A test sandbox (docs/sandboxes.md): an isolated partner tenant of its own. `status` makes
 * creation and deletion crash-safe: only a `ready` sandbox is listed; one left `creating` past its
 * grace or marked `deleting` is finished off by the purge, which is idempotent.
 */
export interface SandboxDoc {
  _id: string;
  name: string;
  /** The sandbox's own partner tenant (PartnerDoc, ClockDoc `_id`). */
  partnerId: string;
  partnerType: PartnerType;
  /** The partner whose global admin created it: the only one that lists and deletes it. */
  adminPartnerId: string;
  clockStart: Date;
  template: 'empty' | 'demo' | 'generated';
  /** The seed of a `demo` or `generated` world; absent for `empty`. */
  seed?: string;
  /** Customers the template generated into it (0 for `empty`; absent on sandboxes made before templates). */
  customerCount?: number;
  /**
   * `restoring`: a restore or reset is under way (`restoring` names it); the sandbox's own
   * callers get SANDBOX_BUSY until it is `ready` again, so nobody sees a half-restored tenant.
   */
  status: 'creating' | 'ready' | 'restoring' | 'deleting';
  restoring?: SandboxRestoring;
  /** Its place in its administrator's quota (SandboxPlaceDoc `<adminPartnerId>#<place>`), given back when it is removed. */
  place?: number;
  /** Wall-clock instants: a sandbox's life is real time, not its simulation clock. */
  createdAt: Date;
  expiresAt: Date;
}

/**
 * SANDBOX-QUOTA: one of an administrator partner's SANDBOX_MAX_PER_ADMIN places, held by one
 * sandbox. `_id` = `<adminPartnerId>#<slot>`: taking a place is an insert that the unique `_id`
 * makes atomic on MongoDB and FerretDB alike (FerretDB 1.24's conditional updates are not atomic
 * under concurrency, so a counter could not hold the quota), and its cost does not grow with the
 * number of sandboxes. A place whose sandbox was never recorded (a crash in between) is removed by
 * the purge after CREATING_GRACE_MS.
 */
export interface SandboxPlaceDoc {
  _id: string;
  adminPartnerId: string;
  sandboxId: string;
  createdAt: Date;
}

/** A restore in progress: finished by its holder, or by anyone once `leaseUntil` has passed. */
export interface SandboxRestoring {
  snapshotId: string;
  holder: string;
  leaseUntil: Date;
  /** The tenant's locks `holder` took: whoever finishes a dead holder's restore removes them. */
  lockKeys?: string[];
}

/**
 * A sandbox's saved state under a name (docs/sandboxes.md, "Snapshots"): every document its
 * partner owns, in SandboxSnapshotChunkDoc chunks, and its clock. Only a `ready` snapshot is
 * used; one left `writing` by a crash is removed by the purge. Saving under a taken name writes a
 * new one and then removes the older, so the newest `ready` one of a name is the one that counts.
 */
export interface SandboxSnapshotDoc {
  _id: string;
  sandboxId: string;
  name: string;
  status: 'writing' | 'ready';
  /** Wall-clock instant it was taken. */
  createdAt: Date;
  /** The sandbox's simulation clock when it was taken: restore puts the clock back here. */
  clockNow: Date;
  documentCount: number;
}

/** Part of a snapshot: documents of one tenant collection, as they were stored. */
export interface SandboxSnapshotChunkDoc {
  _id: string;
  snapshotId: string;
  collection: string;
  docs: Record<string, unknown>[];
}

export type CustomerSegment = 'commercial' | 'education' | 'government' | 'nonprofit';

export interface CustomerDoc {
  /** Equals the customer's Entra tenant ID, as in Partner Center. */
  _id: string;
  partnerId: string;
  companyName: string;
  /** Lower-cased copies, for case-insensitive prefix search with index ranges. */
  companyNameLower: string;
  domain: string;
  domainLower: string;
  /**
   * Every prefix of 1..20 code points of `companyNameLower` and of `domainLower`: a search by
   * prefix is an equality on one of them, which FerretDB on PostgreSQL pushes down to its GIN index
   * (src/policy/customer-keys.ts; docs/database.md, "Customer reads by equality").
   */
  searchPrefixes: string[];
  /**
   * The realm the domain is unique in (index domain_unique): a sandbox's partnerId for a sandbox's
   * customer; null or absent for a real partner's. Real partners share one realm (Entra domains
   * are global); each sandbox is a realm of its own, so two sandboxes may both hold
   * contoso.onmicrosoft.com. Real customers are written with an explicit null: FerretDB on
   * PostgreSQL indexes a missing field as SQL NULL, distinct from every other value, so only an
   * explicit null makes the index hold real partners' domains unique (MongoDB indexes both as null).
   */
  domainRealm?: string | null;
  /** ISO 3166 alpha-2 (PRICE-TAX, CAT-UNAVAILABLE, RES-MARKETS). */
  billingCountry: string;
  segment: CustomerSegment;
  relationshipToPartner: 'reseller' | 'advisor' | 'none';
  /** MPN ID of the indirect reseller of record, when the partner is an indirect provider. */
  associatedPartnerId: string | null;
  /** SUSP-DATA-DELETION: the grace period grows by the days from opening to first billing. */
  accountOpenedAt: Date;
  firstBillingAt: Date;
  createdAt: Date;
  version: number;
}

export type Publisher = 'microsoft' | 'isv';

export type CommerceType = 'legacy' | 'new_commerce' | 'marketplace_saas' | 'software' | 'reservation';

export type BillingType = 'license' | 'usage';

export type BillingCycle = 'monthly' | 'annual' | 'triennial' | 'one_time' | 'none';

export type TermDuration = 'P1M' | 'P1Y' | 'P3Y';

export type OfferCategory = 'enterprise' | 'small_business' | 'trial';

export interface BillingPlan {
  billingCycle: BillingCycle;
  termDuration: TermDuration;
  /** Price of one unit for one whole term, pre-tax except PRICE-TAX countries. */
  unitPriceCents: number;
}

export interface OfferDoc {
  /** Catalog item ID, `PRODUCTID:SKUID` (NCE form without the availability). */
  _id: string;
  productId: string;
  skuId: string;
  name: string;
  description: string;
  publisher: Publisher;
  publisherName: string;
  commerceType: CommerceType;
  billingType: BillingType;
  category: OfferCategory;
  /** Partner Center `productType.id`: OnlineServicesNCE, OnlineServices, Software, Azure, SaaS. */
  productType: string;
  segments: CustomerSegment[];
  currency: string;
  billingPlans: BillingPlan[];
  /** CAT-TRIAL: a trial offer converts to this paid offer after `trialDays`. */
  trial: { days: number; convertsToOfferId: string } | null;
  /** CAT-ONE-PER-CUSTOMER. */
  onePerCustomer: boolean;
  /** An add-on is never sold from the catalog (ADDON-NOT-CATALOG). */
  isAddOn: boolean;
  /** UPG-ELIGIBLE: offers this one may be upgraded to. */
  upgradeTargetIds: string[];
  /** ADDON-ELIGIBLE: add-on offers that may be bought for a subscription of this offer. */
  eligibleAddOnIds: string[];
  /** CAT-UNAVAILABLE: billing countries served; null = every country. */
  countries: string[] | null;
  /** CAT-UNAVAILABLE: the ISV made the offer available through CSP. */
  cspAvailable: boolean;
  /** CAT-UNAVAILABLE: non-empty = only these partners may sell it. */
  exclusivePartnerIds: string[];
  /** CAT-UNAVAILABLE: containers and some usage-based offers are not transactable. */
  transactable: boolean;
  minQuantity: number;
  maxQuantity: number;
  /** Software: perpetual licence or software subscription (SW-POST-CANCEL credit differs). */
  softwareKind: 'perpetual' | 'subscription' | null;
  /** SW-CANCEL-EXCLUDED: SUSE and Red Hat plans cannot be cancelled. */
  softwareVendorPlan: 'suse' | 'redhat' | null;
  /** Reservations: the reservation type, for RES-EXCHANGE (same type only). */
  reservationType: 'virtual_machines' | 'sql_database' | 'cosmos_db' | null;
}

/**
 * A test sandbox's own offer (docs/sandboxes.md, "Building the scenario"; src/policy/sandbox-offer.ts),
 * in `sandboxOffers`: seen only by its partner, laid over the global catalog (catalogView), never
 * in `offers` or the process's OfferCatalog.
 */
export interface SandboxOfferDoc extends OfferDoc {
  /** The sandbox's partner (ROLE-TENANT): the only one that sees it. */
  partnerId: string;
  /** An add-on's base offers (ADDON-ELIGIBLE): the caller's catalog lists it among theirs. Empty for a base. */
  addOnBaseOfferIds: string[];
  createdAt: Date;
}

export type SubscriptionStatus = 'active' | 'suspended' | 'deleted' | 'expired' | 'disabled' | 'pending';

export type SuspensionReason = 'customer_request' | 'non_payment' | 'fraud';

export interface ScheduledNextTermInstructions {
  offerId: string;
  quantity: number;
  billingCycle: BillingCycle;
  termDuration: TermDuration;
}

/**
 * MONEY-PRORATE: seats added together at `since` (the term's start for the original quantity).
 * `until`: when they left mid-term (moved by an upgrade, a legacy or marketplace reduction); their
 * days of use stop there and they no longer count toward `quantity`.
 */
export interface SeatGroup {
  quantity: number;
  since: Date;
  until?: Date | null;
}

export interface SubscriptionDoc {
  _id: string;
  partnerId: string;
  customerId: string;
  offerId: string;
  offerName: string;
  /** Denormalised from the offer at purchase: the rules branch on them on every decision. */
  commerceType: CommerceType;
  billingType: BillingType;
  publisher: Publisher;
  friendlyName: string;
  quantity: number;
  status: SubscriptionStatus;
  /** GEN-REASON. */
  suspensionReasons: SuspensionReason[];
  /**
   * Why it is suspended: by the partner (legacy suspend), by pause (PAUSE-EFFECT), or by the
   * ADDON-CASCADE of its base, so reactivating the base restores only cascade-suspended add-ons.
   */
  suspendedBy: 'partner' | 'pause' | 'cascade' | null;
  suspendedAt: Date | null;
  /** SUSP-DATA-DELETION: when the clock passes this instant, the subscription is deleted. */
  dataDeletionAt: Date | null;
  autoRenewEnabled: boolean;
  billingCycle: BillingCycle;
  termDuration: TermDuration;
  unitPriceCents: number;
  currency: string;
  /** What was charged so far for the current term (BILL-MONTHLY); the base of prorated refunds (MONEY-PRORATE). */
  chargedCents: number;
  /**
   * MONEY-PRORATE: the seats of the current term by when they were added, so a refund counts each
   * group only for the days it existed. Reset at renewal; absent (old documents, no change this
   * term): one group of `quantity` seats from `effectiveStartDate`.
   */
  seatGroups?: SeatGroup[] | null;
  /**
   * MONEY-PRORATE, ADDON-ALIGN, UPG-SAME-END: start of the term this term's charges are prorated
   * over when the subscription's own term was shortened to end with another's (an add-on bought
   * mid-term, a new upgrade target): that term's start. Reset at renewal; absent: `effectiveStartDate`.
   */
  pricingTermStart?: Date | null;
  /**
   * BILL-MONTHLY: the end (exclusive) of what `chargedCents` pays for: the start of the next billing
   * month of a term billed monthly (the clock charges it when it gets there), the term end once
   * all of it is charged. Null or absent: the whole term was charged at its start.
   */
  billedUntil?: Date | null;
  isTrial: boolean;
  trialConvertsToOfferId: string | null;
  creationDate: Date;
  /** Start of the current term; windows such as CANCEL-NCE-24H run from it. */
  effectiveStartDate: Date;
  /** Instant the current term ends (exclusive); ADDON-ALIGN and UPG-SAME-END compare it. */
  commitmentEndDate: Date;
  /** Order that created it; ISV cancellation windows run from the order (CANCEL-ISV-*). */
  orderId: string;
  orderedAt: Date;
  /** Non-null for an add-on: its base subscription. */
  parentSubscriptionId: string | null;
  /** UPG-FULL / UPG-PARTIAL: the subscription this one was upgraded from (licences moved here). */
  upgradedFromSubscriptionId: string | null;
  /** MPN ID of the indirect reseller of record ("" for direct), Partner Center's `partnerId`. */
  partnerIdOnRecord: string;
  /** CAT-ISV-FULFILMENT / CAT-ISV-LINK: marketplace SaaS only. */
  fulfilment: {
    status: 'action_needed' | 'fulfilled';
    activationLink: string;
    authorizationCode: string;
  } | null;
  scheduledNextTermInstructions: ScheduledNextTermInstructions | null;
  /**
   * UPG-TIMING: an upgrade saved for term end, applied at renewal (SCHED-APPLY): `quantity` licences
   * move to `targetOfferId`, into `targetSubscriptionId` or a new subscription (UPG-TARGET).
   */
  scheduledUpgrade: { targetOfferId: string; quantity: number; targetSubscriptionId: string | null } | null;
  /** CANCEL-ISV-MONTHLY / CANCEL-ISV-ANNUAL after their window: cancelled at term end instead of renewing. */
  cancelAtTermEnd: boolean;
  /** The write-path operation that last changed it: makes replaying a journaled operation a no-op. */
  lastOperationId?: string | null;
  /** Set when the status becomes deleted: cancelled, term_ended (RENEW-OFF-ENDS), upgraded, data_deleted. */
  deletedReason: 'cancelled' | 'term_ended' | 'upgraded' | 'data_deleted' | null;
  deletedAt: Date | null;
  updatedAt: Date;
  version: number;
}

export type OrderStatus = 'completed' | 'pending' | 'cancelled';

export interface OrderLineItem {
  lineItemNumber: number;
  offerId: string;
  subscriptionId: string | null;
  reservationId: string | null;
  friendlyName: string;
  quantity: number;
  billingCycle: BillingCycle;
  termDuration: TermDuration | null;
  transactionType: 'new' | 'addQuantity' | 'renew' | 'convert';
  unitPriceCents: number;
  totalPriceCents: number;
}

export interface OrderDoc {
  /** Twelve hex digits, like modern Partner Center order IDs. */
  _id: string;
  partnerId: string;
  customerId: string;
  billingCycle: BillingCycle;
  currencyCode: string;
  creationDate: Date;
  status: OrderStatus;
  lineItems: OrderLineItem[];
  totalPriceCents: number;
  /** PRICE-TAX: true where the customer's prices include tax (Australia, Brazil). */
  pricesIncludeTax: boolean;
  version: number;
}

export interface SoftwareKey {
  productVersion: string;
  language: string;
  bitness: 'x64' | 'x86';
  /** SW-MAK: always MAK. */
  keyType: 'MAK';
  productKey: string;
  downloadUrl: string;
  revoked: boolean;
}

export interface SoftwareOrderDoc {
  /** The order ID: software cancellation is per order (SW-CANCEL-PER-ORDER). */
  _id: string;
  partnerId: string;
  customerId: string;
  offerId: string;
  productName: string;
  softwareKind: 'perpetual' | 'subscription';
  softwareVendorPlan: 'suse' | 'redhat' | null;
  quantity: number;
  purchasedAt: Date;
  /** Software subscriptions: end of the current term, for the prorated credit (SW-POST-CANCEL); null for perpetual. */
  termEndDate: Date | null;
  status: 'active' | 'cancelled';
  cancelledAt: Date | null;
  /** SW-CANCEL-DELAY: the order shows the cancellation only from this instant. */
  cancellationVisibleAt: Date | null;
  amountCents: number;
  currency: string;
  pricesIncludeTax: boolean;
  keys: SoftwareKey[];
  version: number;
}

export type ReservationScopeType = 'single' | 'shared' | 'resource_group' | 'management_group';

export interface ReservationDoc {
  _id: string;
  reservationOrderId: string;
  partnerId: string;
  customerId: string;
  offerId: string;
  displayName: string;
  reservationType: 'virtual_machines' | 'sql_database' | 'cosmos_db';
  region: string;
  quantity: number;
  termDuration: 'P1Y' | 'P3Y';
  /** Total commitment for the whole term. */
  priceCents: number;
  /**
   * How the commitment is paid: all at purchase, or in equal monthly instalments (ledger charges
   * dated at each monthly anniversary of the purchase). Absent on seeded reservations: upfront.
   */
  billingPlan?: 'upfront' | 'monthly';
  currency: string;
  purchasedAt: Date;
  expiryDateTime: Date;
  scope: {
    type: ReservationScopeType;
    subscriptionId: string | null;
    resourceGroupId: string | null;
    managementGroupId: string | null;
  };
  /** The Azure subscription the reservation is associated with (RES-MANAGE). */
  azureSubscriptionId: string;
  utilizationPercent: number;
  /** RES-REFUND-TABLE distinguishes cancellation with and without usage. */
  hasUsage: boolean;
  status: 'active' | 'cancelled' | 'exchanged' | 'expired';
  cancelledAt: Date | null;
  /** RES-EXCHANGE: the reservation this one was exchanged for / bought in exchange of. */
  exchangedForReservationId: string | null;
  exchangedFromReservationId: string | null;
  version: number;
}

/** CAT-CART: line items are reviewed in a cart, then bought as one order. */
export interface CartLineItem {
  id: number;
  offerId: string;
  friendlyName: string;
  quantity: number;
  billingCycle: BillingCycle;
  termDuration: TermDuration | null;
  /** Add-on lines name their base subscription (ADDON-BASE-ACTIVE). */
  parentSubscriptionId: string | null;
  /** Azure reservations: the Azure subscription and scope (RES-MANAGE). */
  provisioningContext: { key: string; value: string }[];
  /** A refusal found on review, with its rule ID (e.g. CAT-UNAVAILABLE), as Partner Center's cart line `error`. */
  error: { ruleId: string; description: string } | null;
}

export interface CartDoc {
  _id: string;
  partnerId: string;
  customerId: string;
  status: 'active' | 'ordered';
  lineItems: CartLineItem[];
  creationTimestamp: Date;
  lastModifiedTimestamp: Date;
  /** Carts expire seven days after creation. */
  expirationTimestamp: Date;
  /** Set at checkout; checkout is idempotent and answers with these again. */
  orderIds: string[];
  version: number;
}

/** SW-SUPPORT-REQUEST, RES-SUPPORT-REQUEST: a refund or exchange asked of Microsoft support. */
export interface SupportRequestDoc {
  _id: string;
  partnerId: string;
  customerId: string;
  kind: 'software_refund' | 'reservation_refund' | 'reservation_exchange';
  /** e.g. "CSP purchase/refund on behalf of customers"; "Reservation management". */
  problemType: string;
  category: string | null;
  impact: string | null;
  title: string;
  /** The order, subscription or reservation concerned. */
  resourceId: string;
  reason: string;
  amountRequestedCents: number | null;
  currency: string | null;
  contact: { name: string; email: string; phone: string };
  attachmentNames: string[];
  status: 'open' | 'closed';
  createdAt: Date;
  version: number;
}

export interface LedgerEntryDoc {
  _id: string;
  partnerId: string;
  customerId: string;
  /** Positive: the partner is charged; negative: the partner is credited (RES-PARTNER-CREDIT). */
  amountCents: number;
  currency: string;
  kind: 'charge' | 'prorated_charge' | 'refund' | 'credit' | 'fee';
  source: { type: 'subscription' | 'order' | 'software_order' | 'reservation'; id: string };
  orderId: string | null;
  /** Rule that produced the amount, e.g. CANCEL-NCE-30D. */
  ruleId: string | null;
  description: string;
  at: Date;
  /** The write-path operation that produced it (absent on seeded entries). */
  operationId?: string | null;
}

export interface AuditEventDoc {
  _id: string;
  partnerId: string;
  customerId: string | null;
  /** Partner Center `operationType`, e.g. update_subscription, create_order, get_software_key. */
  operationType: string;
  resourceType: string;
  resourceId: string;
  userId: string;
  roles: PartnerRole[];
  at: Date;
  /** JSON-serialised resource before and after, as Partner Center's audit records keep them. */
  resourceOldValue: string | null;
  resourceNewValue: string | null;
  /** Absent on records written before refusals were audited: 'accepted'. */
  outcome?: 'accepted' | 'refused';
  /** A refusal's rule ID (e.g. ROLE-SUBSCRIPTIONS) and code (e.g. FORBIDDEN, WINDOW_CLOSED). */
  rule?: string | null;
  code?: string | null;
  correlationId?: string | null;
  /** The wall-clock instant the record was written (`at` is the simulation clock). */
  wallAt?: Date;
  /** The mutation's arguments as JSON, secrets removed; never headers. */
  input?: string | null;
}

/** Idempotency keys (MS-RequestId): `_id` = `<partnerId>:<key>`; the first result of a mutation, replayed to retries. */
export interface IdempotencyDoc {
  _id: string;
  partnerId: string;
  /** sha256 of the mutation names and canonical JSON of their arguments. */
  requestHash: string;
  status: 'in_progress' | 'done';
  /** The response's `data`, as JSON, once done. */
  response: string | null;
  createdAt: Date;
}

/**
 * GEN-CLOCK: each partner tenant's simulation clock, `_id` = the partner's tenant ID; shared by
 * every gateway instance, moved forward only, by compare-and-swap on `version`.
 */
export interface ClockDoc {
  _id: string;
  now: Date;
  version: number;
  updatedAt: Date;
}

/**
 * The write path's journal (src/write/): an operation and all its effects are written here first,
 * then applied one single-document write at a time; `applied` counts the effects done. A pending
 * operation is resumed at start-up and on every clock advance, so a crash between writes loses
 * no licence and counts no money twice. Lifecycle operations have IDs derived from the event
 * (`renew:<subscription>:<term end>`), so two instances processing the same event collide here.
 */
export interface OperationDoc {
  _id: string;
  partnerId: string;
  customerId: string | null;
  /** e.g. cancel_subscription, renew_subscription. */
  kind: string;
  status: 'pending' | 'done';
  /** The effects as data (src/policy/effects.ts), applied in order. */
  effects: unknown[];
  applied: number;
  /** Simulation time of the decision, and wall time for leases. */
  at: Date;
  createdAt: Date;
  updatedAt: Date;
  /** The request that decided it, and its mutation's arguments (secrets removed): for the audit records. */
  correlationId?: string | null;
  input?: string | null;
  /** The idempotency record (`<partnerId>:<MS-RequestId>`) of the request, when it sent a key. */
  idempotencyKey?: string | null;
}

/**
 * An event (docs/events.md): one change the gateway applied, written through the journal with the
 * operation's other effects (src/write/event-log.ts), so it exists exactly when its change exists.
 * `_id` = `<operation ID>:<effect index>` (a replay writes it once); `seq` is the partner's own
 * sequence, 1, 2, 3 ... without gaps, unique with `partnerId` (index `partner_seq`), assigned in
 * the order the events were written; `bucket` = floor(seq / EVENT_BUCKET_SIZE) lets followers read
 * a run of events by equality, the only filter FerretDB 1.24 pushes down.
 */
export interface EventDoc {
  _id: string;
  partnerId: string;
  seq: number;
  bucket: number;
  /** Partner Center's `EventName`, `{resource}-{action}` (src/policy/events.ts, EVENT_TYPES). */
  type: string;
  /** Partner Center's `ResourceName`: subscription, customer, order, reservation, softwareorder, clock, invoice, test ... */
  resourceName: string;
  resourceId: string;
  customerId: string | null;
  /** The operation that applied the change; null for a `test-created` event. */
  operationId: string | null;
  /** The operation's kind (Partner Center audit `operationType` style), e.g. cancel_subscription, renewal. */
  operationKind: string;
  /** The rule the change carries out, when one applies (the operation's first ledger entry's rule). */
  ruleId: string | null;
  /** JSON: the fields that changed and their new values, or the created resource. */
  changes: string | null;
  /** The operation's audit record (`<operation ID>:<index>`), Partner Center's `AuditUri`; null when none. */
  auditRecordId: string | null;
  /** Simulation time of the change: Partner Center's `ResourceChangeUtcDate` (GEN-CLOCK). */
  at: Date;
  /** Wall-clock time the event was written. */
  createdAt: Date;
  /** A `test-created` event: the webhook registration it was requested for; null otherwise. */
  registrationId: string | null;
}

/** Where each partner's event sequence stands (`_id` = partnerId): a hint, the unique index decides. */
export interface EventSequenceDoc {
  _id: string;
  partnerId: string;
  seq: number;
}

/**
 * A webhook registration (docs/webhooks.md): a URL a partner asked the gateway to POST its events
 * to, with the event names it wants and the secret its deliveries are signed with. Not snapshotted
 * with a sandbox (TENANT_KEPT_COLLECTIONS): it is the integration's configuration, not the world.
 */
export interface WebhookRegistrationDoc {
  _id: string;
  partnerId: string;
  url: string;
  /** Event names (src/policy/events.ts, EVENT_TYPES); `test-created` reaches only the registration that asked for it. */
  events: string[];
  /** HMAC-SHA256 key of its signatures; shown to the partner once, at creation or rotation. */
  secret: string;
  /** The partner's last event sequence number when it was registered: earlier events are not delivered. */
  startSeq: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * How far a registration's deliveries have been recorded (`_id` = registration ID): every event of
 * the partner up to `seq` has its delivery document, or was not wanted. Written only by the
 * holder of the registration's lease (`webhook:<registrationId>` in `locks`).
 */
export interface WebhookCursorDoc {
  _id: string;
  partnerId: string;
  seq: number;
}

/** One attempt at a delivery, as the delivery log shows it. */
export interface WebhookAttempt {
  /** 1, 2, 3 ... */
  attempt: number;
  /** Wall-clock instant the attempt started. */
  at: Date;
  durationMs: number;
  /** The receiver's HTTP status; null when none came (timeout, refused connection). */
  responseStatus: number | null;
  /** Why the attempt failed; null when it succeeded. */
  error: string | null;
}

/**
 * One event to deliver to one registration (`_id` = `<registrationId>:<eventId>`, so recording it
 * twice is a duplicate key, not a second delivery). Written only by the registration's lease holder.
 */
export interface WebhookDeliveryDoc {
  _id: string;
  partnerId: string;
  registrationId: string;
  eventId: string;
  eventSeq: number;
  eventType: string;
  /** `<resourceName>:<resourceId>`: deliveries of one resource go out in sequence order. */
  resourceKey: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: WebhookAttempt[];
  /** Wall-clock instant of the next attempt; null once succeeded or failed. */
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A lease that serialises writers of one customer (or one partner's clock) across gateway instances. */
export interface LockDoc {
  _id: string;
  holder: string;
  /** Wall-clock expiry: a holder that died releases its lease by time. */
  expiresAt: Date;
}

/**
 * SW-ACTIVITY-LOG: one product-key view or download, who, what and when (simulation time).
 * Read by `activityLog(from, to)` (ROLE-ACTIVITY-LOG).
 */
export interface SoftwareActivityDoc {
  _id: string;
  partnerId: string;
  customerId: string;
  softwareOrderId: string;
  /** What was accessed: the key shown, or the download link used. */
  activity: 'view_key' | 'download';
  productVersion: string;
  language: string;
  bitness: 'x64' | 'x86';
  userId: string;
  at: Date;
}

/**
 * RES-REFUND-CAP: one customer's reservation refunds inside the rolling 365-day window, in one
 * document updated by compare-and-swap on `version`, so concurrent cancellations cannot together
 * refund more than the cap (a sum over the ledger read before writing would race). `_id` is the
 * customer's tenant ID.
 */
export interface RefundCapDoc {
  _id: string;
  partnerId: string;
  /** Refunds counted toward the cap, oldest first; entries older than 365 days no longer count. */
  refunds: { reservationId: string; amountCents: number; at: Date }[];
  version: number;
}
