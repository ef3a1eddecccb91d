export interface ExampleIds {
  /** A customer of the IDE's default partner. */
  customerId: string;
  /** One of its active new-commerce base subscriptions, if any. */
  subscriptionId: string | null;
  /** An active software order with keys (of any customer of the partner), for the software examples; they are left out without it. */
  softwareOrder?: { id: string; customerId: string; productVersion: string } | null;
  /** An active Azure reservation of the partner (any customer), for the reservation examples; they are left out without it. */
  reservation?: { id: string; customerId: string; offerId: string; quantity: number; azureSubscriptionId: string } | null;
}

/**
 * An operation the IDE runs before a tab, so the tab acts on something of its own (a subscription
 * it just bought) and works in any order, any number of times. It runs only while one of the
 * tab's `fill` variables still holds FROM_SETUP: paste an ID of your own and the tab acts on it.
 */
export interface ExampleSetup {
  query: string;
  variables?: Record<string, unknown>;
  /** Tab variable -> dotted path of the value in the setup's `data` (`purchase.subscriptions.0.id`). */
  fill: Record<string, string>;
}

export interface GraphiQLExample {
  title: string;
  /** The heading it is listed under in the IDE's Examples pane. */
  group: string;
  /** Opened as a tab when the IDE first loads; the others are a click away in the Examples pane. */
  open?: boolean;
  query: string;
  variables?: string;
  setup?: ExampleSetup;
}

/** The value of a tab variable the IDE fills from the tab's setup before running it. */
export const FROM_SETUP = '(filled by the IDE: see the comment)';

export interface GraphQLRequest {
  query: string;
  variables: Record<string, unknown>;
  operationName?: string | null;
}

export interface GraphQLAnswer {
  data?: Record<string, unknown> | null;
  errors?: readonly unknown[];
  extensions?: Record<string, unknown>;
}

/** The operation name of a document's first operation (examples hold one operation each). */
export function operationNameOf(query: string): string | null {
  return /^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/m.exec(query)?.[1] ?? null;
}

/**
 * The operation to run: the requested name when the document defines it, else the document's only
 * operation. GraphiQL can send the operation name of the tab shown before (a switch of tabs just
 * before Run), which the server would refuse as an unknown operation.
 */
export function operationToRun(query: string, requested: string | null | undefined): string | null {
  const names = [...query.matchAll(/^\s*(?:query|mutation|subscription)\s+([_A-Za-z][_0-9A-Za-z]*)/gm)].map((m) => m[1]!);
  if (requested && names.includes(requested)) return requested;
  return names.length === 1 ? names[0]! : (requested ?? null);
}

function at(data: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), data);
}

/** The setup's refusals: top-level errors, or userErrors of any root field. */
function setupFailed(answer: GraphQLAnswer): boolean {
  if (answer.errors?.length || !answer.data) return true;
  return Object.values(answer.data).some(
    (v) => Array.isArray((v as { userErrors?: unknown[] } | null)?.userErrors) && (v as { userErrors: unknown[] }).userErrors.length > 0,
  );
}

/**
 * Runs a tab's request as the IDE does: first its setup, when a `fill` variable still holds
 * FROM_SETUP, whose results replace those variables; then the tab. A failed setup answers instead
 * of the tab. The setup's data comes back in `extensions.setup`, so the response shows what it made.
 */
export async function runWithSetup(
  request: GraphQLRequest,
  setup: ExampleSetup | undefined,
  execute: (request: GraphQLRequest) => Promise<GraphQLAnswer>,
): Promise<GraphQLAnswer> {
  const needed = setup && Object.keys(setup.fill).some((name) => request.variables[name] === FROM_SETUP);
  if (!setup || !needed) return execute(request);
  const name = operationNameOf(setup.query);
  const prepared = await execute({ query: setup.query, variables: setup.variables ?? {}, operationName: name });
  if (setupFailed(prepared)) return { ...prepared, extensions: { ...prepared.extensions, setup: { operationName: name, failed: true } } };
  const variables = { ...request.variables };
  for (const [variable, path] of Object.entries(setup.fill)) variables[variable] = at(prepared.data, path);
  const answer = await execute({ ...request, variables });
  return { ...answer, extensions: { ...answer.extensions, setup: { operationName: name, data: prepared.data } } };
}

/**
 * The operations the IDE offers, grouped; the `open` ones are its first tabs and the first of them
 * is the one the browser test runs. The IDs come from the demo data when the page loads; the tabs
 * that change a subscription or cancel an order act on one their setup makes.
 */
export function exampleOperations(ids: ExampleIds): GraphiQLExample[] {
  const sub = ids.subscriptionId ?? '00000000-0000-4000-8000-000000000000';
  return [
    ...READ_EXAMPLES,
    ...mutationExamples(ids.customerId, sub),
    ...softwareExamples(ids),
    ...reservationExamples(ids),
    ...sandboxExamples(),
  ];
}

const READ_EXAMPLES: GraphiQLExample[] = [
  {
    title: 'Viewer',
    group: 'Read',
    open: true,
    query: `# Who am I? The IDE sends a development token in Authorization (see the Headers tab).
query Viewer {
  viewer {
    partner {
      name
    }
  }
}
`,
  },
  {
    title: 'Customers and their subscriptions',
    group: 'Read',
    open: true,
    query: `# One database command per level, whatever the page size.
query CustomersWithSubscriptions($first: Int = 10, $after: String) {
  customers(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    nodes {
      id
      companyProfile { companyName domain }
      billingProfile { defaultAddress { country } }
      subscriptions(first: 5) {
        nodes {
          id
          friendlyName
          status
          quantity
          commerceType
          commitmentEndDate
          addOns { id offerName quantity status offer { name } }
          offer { name publisherName }
        }
      }
    }
  }
}
`,
  },
  {
    title: 'Expiring subscriptions',
    group: 'Read',
    query: `# Active subscriptions that renew automatically, ending before a date.
query Expiring($before: DateTimeISO!) {
  subscriptions(first: 20, filter: { status: [ACTIVE], autoRenewEnabled: true, expiringBefore: $before }) {
    totalCount
    nodes { id offerName commitmentEndDate customer { companyProfile { companyName } } }
  }
}
`,
    variables: '{ "before": "2027-12-31T00:00:00Z" }',
  },
  {
    title: 'Search customers',
    group: 'Read',
    query: `# Case-insensitive prefix of the company name or domain; an empty search is no filter.
query Search($search: String!) {
  customers(first: 10, filter: { search: $search }) {
    totalCount
    nodes { id companyProfile { companyName domain } }
  }
}
`,
    variables: '{ "search": "harbor" }',
  },
  {
    title: 'Catalog',
    group: 'Read',
    query: `# Every enum filter takes a list, which matches any of its values (a single value works too).
query Catalog {
  offers(first: 50, filter: { publisher: [MICROSOFT], commerceType: [NEW_COMMERCE, LEGACY] }) {
    nodes {
      id name commerceType billingType category
      billingPlans { billingCycle termDuration unitPrice { amount currencyCode } }
      upgradeTargets { id name }
      eligibleAddOns { id name }
    }
  }
}
`,
  },
  {
    title: 'Simulation clock',
    group: 'Clock and money',
    query: `query Clock {
  simulationClock { now }
}
`,
  },
];

const USER_ERRORS = 'userErrors { code rule message field }';

/** The setup of the tabs that change one subscription: a fresh one, bought now, 10 seats monthly for a year. */
function buyFirst(customerId: string): ExampleSetup {
  return {
    query: `mutation SetupBuySubscription($customerId: ID!) {
  purchase(input: {
    customerId: $customerId
    lineItems: [{ offerId: "CFQ7TTC0LH18:0001", quantity: 10, billingCycle: MONTHLY, termDuration: P1Y }]
  }) {
    subscriptions { id friendlyName }
    ${USER_ERRORS}
  }
}
`,
    variables: { customerId },
    fill: { id: 'purchase.subscriptions.0.id' },
  };
}

/** How a tab with a setup says so, first in its comment. */
const BOUGHT_FIRST =
  '# Runs on a subscription of its own: while $id is left as it is, the IDE first buys a fresh one\n' +
  '# (SetupBuySubscription, shown under "extensions" in the response) and puts its ID in $id, so this\n' +
  '# tab works in any order and any number of times. Paste a subscription ID into $id to act on that one.';

function mutationExamples(customerId: string, subscriptionId: string): GraphiQLExample[] {
  const fresh = JSON.stringify({ id: FROM_SETUP }, null, 2);
  return [
    {
      title: 'Buy (new commerce)',
      group: 'Subscriptions',
      open: true,
      query: `# CAT-CART: a cart bought as one order. Set dryRun: true to review it without buying.
mutation Buy($customerId: ID!) {
  purchase(input: {
    customerId: $customerId
    lineItems: [{ offerId: "CFQ7TTC0LH18:0001", quantity: 10, billingCycle: MONTHLY, termDuration: P1Y }]
  }) {
    summary
    total { amount currencyCode }
    order { id }
    subscriptions { id friendlyName quantity effectiveStartDate commitmentEndDate cancellationAllowedUntilDate }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ customerId }, null, 2),
    },
    {
      title: 'Quote a cancellation',
      group: 'Subscriptions',
      query: `# CANCEL-WINDOW-SHOWN: what cancelling now would do, without changing anything; dryRun: true only quotes.
${BOUGHT_FIRST}
mutation QuoteCancel($id: ID!) {
  cancelSubscription(input: { subscriptionId: $id, dryRun: true }) {
    dryRun mode rule summary effectiveDate
    refund { amount currencyCode }
    ${USER_ERRORS}
  }
}
`,
      variables: fresh,
      setup: buyFirst(customerId),
    },
    {
      title: 'Cancel',
      group: 'Subscriptions',
      open: true,
      query: `# CANCEL-NCE-24H / -30D refund; after 30 days CANCEL-NCE-AFTER refuses (see userErrors).
${BOUGHT_FIRST}
mutation Cancel($id: ID!) {
  cancelSubscription(input: { subscriptionId: $id }) {
    mode rule summary
    refund { amount currencyCode }
    addOnRefunds { addOnId rule refund { amount } }
    subscription { id status deletedReason }
    ${USER_ERRORS}
  }
}
`,
      variables: fresh,
      setup: buyFirst(customerId),
    },
    {
      title: 'Pause',
      group: 'Subscriptions',
      query: `# PAUSE-EFFECT, PAUSE-SIDE-EFFECTS: access stops now, billing continues, auto-renew off.
${BOUGHT_FIRST}
mutation Pause($id: ID!) {
  pauseSubscription(input: { subscriptionId: $id }) {
    summary
    subscription { id status suspendedBy autoRenewEnabled usersHaveAccess }
    cascadedAddOns { id status }
    ${USER_ERRORS}
  }
}
`,
      variables: fresh,
      setup: buyFirst(customerId),
    },
    {
      title: 'Schedule a change',
      group: 'Subscriptions',
      query: `# SCHED-*: fewer seats at renewal (a mid-term reduction is refused: SUB-QTY-DECREASE-NCE).
${BOUGHT_FIRST}
mutation Schedule($id: ID!) {
  scheduleChange(input: { subscriptionId: $id, quantity: 5 }) {
    summary licenceReassignmentRequired
    subscription { id quantity commitmentEndDate scheduledNextTermInstructions { offerId quantity billingCycle termDuration } }
    ${USER_ERRORS}
  }
}
`,
      variables: fresh,
      setup: buyFirst(customerId),
    },
    {
      title: 'What can I do?',
      group: 'Subscriptions',
      query: `# Every action with the rule and reason when it is not allowed now, for a subscription of the demo world
# (a read: it works in any order; paste the ID of one you bought to see its own).
query Actions($id: ID!) {
  subscription(id: $id) {
    friendlyName status cancellationAllowedUntilDate
    refundableQuantity { totalQuantity details { quantity allowedUntilDateTime } }
    allowedActions { action allowed rule reason }
  }
}
`,
      variables: JSON.stringify({ id: subscriptionId }, null, 2),
    },
    {
      title: 'Advance the clock',
      group: 'Clock and money',
      open: true,
      query: `# GEN-CLOCK: your partner's clock, forward only; due renewals, trial conversions and term ends run in time order.
# Set dryRun: true to list the events it would apply without moving the clock. Audited, like every mutation.
mutation Advance {
  advanceClock(input: { by: "P30D", dryRun: false }) {
    dryRun from to summary
    eventCounts { kind count }
    events { kind subscriptionId at summary }
    ${USER_ERRORS}
  }
}
`,
    },
    {
      title: 'Ledger and invoice',
      group: 'Clock and money',
      query: `# MONEY-EXACT: every charge and credit in cents, and the month's invoice summed from them.
query Money($customerId: ID!, $period: String!) {
  customer(id: $customerId) {
    ledger(first: 20) { nodes { at kind amount { amount } ruleId description } }
  }
  invoice(customerId: $customerId, period: $period) { charges { amount } credits { amount } total { amount } pricesIncludeTax taxNote }
}
`,
      variables: JSON.stringify({ customerId, period: '2026-11' }, null, 2),
    },
  ];
}

/** Software purchases (SW-*): buy, keys (logged), the activity log, cancellation info and quote, a refund request. */
function softwareExamples(ids: ExampleIds): GraphiQLExample[] {
  const examples: GraphiQLExample[] = [
    {
      title: 'Buy software',
      group: 'Software',
      query: `# SW-PRICE: one software order, charged in full (tax included for AU and BR), with MAK keys per language (SW-KEYS).
# Needs an admin agent or a global admin (ROLE-SOFTWARE). Set dryRun: true to quote it.
mutation BuySoftware($customerId: ID!) {
  purchaseSoftware(input: { customerId: $customerId, offerId: "DG7GMGF0DVSV:0001", quantity: 1, languages: ["en-us"] }) {
    summary
    amount { amount currencyCode }
    pricesIncludeTax
    softwareOrder { id productName status keys { productVersion language bitness keyType } cancellationInfo { state daysLeft } }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ customerId: ids.customerId }, null, 2),
    },
  ];
  const activityLog: GraphiQLExample[] = [
    {
      title: 'Software activity log',
      group: 'Software',
      query: `# SW-ACTIVITY-LOG: who viewed a product key or downloaded software, for at most 90 days at once.
# Global, account, referral and marketing content admins only (ROLE-ACTIVITY-LOG).
# The demo world has a key view per active software order; 'Get a product key' adds one. A bare date is its start in UTC.
query ActivityLog($from: DateTimeISO!, $to: DateTimeISO!) {
  activityLog(from: $from, to: $to, first: 20) {
    totalCount
    nodes { at activity userId productVersion language bitness softwareOrderId customer { companyProfile { companyName } } }
  }
}
`,
      variables: JSON.stringify({ from: '2026-10-01', to: '2026-12-30' }, null, 2),
    },
  ];
  const order = ids.softwareOrder;
  if (!order) return [...examples, ...activityLog];
  return [
    ...examples,
    {
      title: 'Software order: keys and cancellation',
      group: 'Software',
      query: `# SW-CANCEL-INFO: days left to cancel, or window passed (a support request is needed), or excluded (SUSE, Red Hat).
# Once cancelled, keys is empty at once (SW-POST-CANCEL); status shows CANCELLED from cancellationVisibleAt,
# cancellationPending until then (SW-CANCEL-DELAY).
query SoftwareOrder($id: ID!) {
  softwareOrder(id: $id) {
    id productName softwareKind status purchaseDate termEndDate
    cancellationDate cancellationVisibleAt cancellationPending
    amount { amount currencyCode }
    keys { productVersion language bitness keyType }
    cancellationInfo { state rule daysLeft cancellableUntil supportRequestNeeded message }
    allowedActions { action allowed rule reason }
  }
}
`,
      variables: JSON.stringify({ id: order.id }, null, 2),
    },
    {
      title: 'Get a product key',
      group: 'Software',
      query: `# SW-KEYS, SW-MAK: the MAK, a download link and a copyable link; the view is logged (SW-ACTIVITY-LOG).
# Admin agents only (ROLE-SOFTWARE-KEYS); keyType: KMS is refused (SW-MAK).
mutation GetKey($id: ID!, $productVersion: String!) {
  getSoftwareKey(input: { softwareOrderId: $id, productVersion: $productVersion, language: "en-us", bitness: X64 }) {
    productKey keyType downloadLink copyLink
    activity { at userId activity }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ id: order.id, productVersion: order.productVersion }, null, 2),
    },
    ...activityLog,
    {
      title: 'Quote a software cancellation',
      group: 'Software',
      query: `# SW-CANCEL-30D, SW-POST-CANCEL: within 30 days, 100 % credit (prorated for software subscriptions).
# Admin agents only (ROLE-SOFTWARE-CANCEL). Without dryRun the keys are revoked at once (SW-POST-CANCEL); the order's
# status shows CANCELLED after up to 15 minutes, cancellationPending until then (SW-CANCEL-DELAY).
# Runs on an order of its own: while $id is left as it is, the IDE first buys one (SetupBuySoftware, shown under
# "extensions" in the response) and puts its ID in $id, so the 30-day window is open whenever and however often
# it runs, the clock advanced or not. Paste a software order ID into $id to quote that one.
mutation QuoteSoftwareCancel($id: ID!) {
  cancelSoftwareOrder(input: { softwareOrderId: $id, dryRun: true }) {
    dryRun summary rule
    credit { amount currencyCode }
    cancellationVisibleAt
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ id: FROM_SETUP }, null, 2),
      setup: {
        query: `mutation SetupBuySoftware($customerId: ID!) {
  purchaseSoftware(input: { customerId: $customerId, offerId: "DG7GMGF0DVSV:0001", quantity: 1, languages: ["en-us"] }) {
    softwareOrder { id productName }
    ${USER_ERRORS}
  }
}
`,
        variables: { customerId: ids.customerId },
        fill: { id: 'purchaseSoftware.softwareOrder.id' },
      },
    },
    {
      title: 'Software refund support request',
      group: 'Software',
      query: `# SW-SUPPORT-REQUEST: every field is checked; a refusal names the field. Set dryRun: false to file it.
mutation RefundRequest($customer: String!, $orderId: String!) {
  createSupportRequest(input: {
    dryRun: true
    customer: $customer
    resourceId: $orderId
    impact: "Moderate"
    title: "Refund of a software order after the 30-day window"
    reason: "Bought for the wrong customer"
    amountRequestedInCents: 10000
    contact: { name: "Megan Bowen", email: "megan@contoso.com", phone: "+1 425 555 0100" }
  }) {
    dryRun summary
    supportRequest { kind problemType resourceId amountRequested { amount } }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ customer: order.customerId, orderId: order.id }, null, 2),
    },
  ];
}

/** Azure reservations (RES-*): what can I do, quote a cancellation, quote an exchange, buy one. Left out without a demo reservation. */
function reservationExamples(ids: ExampleIds): GraphiQLExample[] {
  const r = ids.reservation;
  if (!r) return [];
  return [
    {
      title: 'Azure reservation: what can I do?',
      group: 'Azure reservations',
      query: `# RES-MANAGE: expiry, scope, utilisation, reservation and order IDs; what cancelling now would refund
# (RES-REFUND-TABLE, RES-REFUND-CAP), credited to the partner (RES-PARTNER-CREDIT).
query Reservation($id: ID!) {
  reservation(id: $id) {
    id reservationOrderId displayName status purchaseDate expiryDateTime billingPlan
    scope { type subscriptionId resourceGroupId managementGroupId }
    azureSubscriptionId utilizationPercent hasUsage
    price { amount currencyCode }
    refundQuote { allowed rule refundBasis fee { amount } amountBeforeCap { amount } capApplied capReduction { amount } refund { amount } creditedTo reason }
    allowedActions { action allowed rule reason }
  }
}
`,
      variables: JSON.stringify({ id: r.id }, null, 2),
    },
    {
      title: 'Quote a reservation cancellation',
      group: 'Azure reservations',
      query: `# RES-CANCEL: cancellable at any time; 5 days or fewer without usage: 100 %; with usage: prorated;
# later: prorated minus a 12 % fee; at most USD 50,000 per customer over 365 days. dryRun: true only quotes.
mutation QuoteReservationCancel($id: ID!) {
  cancelReservation(input: { reservationId: $id, dryRun: true }) {
    dryRun rule refundBasis summary
    paid { amount } fee { amount } amountBeforeCap { amount } capApplied capReduction { amount }
    refund { amount currencyCode } refundCapRemaining { amount } creditedTo
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ id: r.id }, null, 2),
    },
    {
      title: 'Quote a reservation exchange',
      group: 'Azure reservations',
      query: `# RES-EXCHANGE: the prorated refund is credited toward a new reservation of the same type costing at least
# as much; no fee, not counted toward the refund cap. dryRun: true only quotes.
mutation QuoteReservationExchange($id: ID!, $offerId: ID!, $quantity: Int!) {
  exchangeReservation(input: { reservationId: $id, offerId: $offerId, quantity: $quantity, termDuration: P3Y, dryRun: true }) {
    dryRun summary credit { amount } newPrice { amount } difference { amount } creditedTo
    reservation { displayName termDuration expiryDateTime exchangedFromReservationId }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ id: r.id, offerId: r.offerId, quantity: r.quantity }, null, 2),
    },
    {
      title: 'Buy an Azure reservation',
      group: 'Azure reservations',
      query: `# Admin agents and global admins (ROLE-SOFTWARE); refused in the markets of RES-MARKETS; prices per PRICE-TAX.
mutation BuyReservation($customerId: ID!, $azureSubscriptionId: String!) {
  purchaseReservation(input: {
    customerId: $customerId, offerId: "DZH318Z0BQ3Q:0001", region: "westeurope", termDuration: P1Y, quantity: 2
    scope: { type: SINGLE, subscriptionId: $azureSubscriptionId }, azureSubscriptionId: $azureSubscriptionId, billingPlan: UPFRONT
  }) {
    summary price { amount currencyCode } chargedNow { amount } pricesIncludeTax
    reservation { id reservationOrderId displayName purchaseDate expiryDateTime status }
    order { id }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ customerId: r.customerId, azureSubscriptionId: r.azureSubscriptionId }, null, 2),
    },
  ];
}

/** The setup of the tabs that act on one sandbox: a fresh one, its own partner and clock, gone by itself within an hour. */
const CREATE_SANDBOX_FIRST: ExampleSetup = {
  query: `mutation SetupCreateSandbox {
  createSandbox(input: { name: "IDE sandbox", clockStart: "2026-03-01T00:00:00Z", roles: [ADMIN_AGENT], ttl: "PT1H" }) {
    sandbox { id partnerId }
    ${USER_ERRORS}
  }
}
`,
  fill: { id: 'createSandbox.sandbox.id' },
};

/** How a tab that acts on a sandbox says so, first in its comment. */
const SANDBOX_CREATED_FIRST =
  '# Runs on a sandbox of its own: while $id is left as it is, the IDE first creates one (SetupCreateSandbox, shown\n' +
  '# under "extensions" in the response) and puts its ID in $id. Paste the ID of one of your sandboxes to act on that one.';

/** Test sandboxes (docs/sandboxes.md, docs/testing-with-sandboxes.md): create, snapshot, restore, delete. The IDE's partner administers them in development. */
function sandboxExamples(): GraphiQLExample[] {
  const fresh = JSON.stringify({ id: FROM_SETUP }, null, 2);
  return [
    {
      title: 'Create a sandbox',
      group: 'Test sandboxes',
      query: `# SANDBOX-ADMIN: a partner tenant of its own for a test run, its clock starting at clockStart (GEN-CLOCK), and a
# token for it: put {"Authorization": "Bearer <token>"} in the Headers tab to call as the sandbox's partner.
# It is deleted by the gateway once its ttl has passed; a test suite does this with withSandbox (docs/testing-with-sandboxes.md).
mutation CreateSandbox {
  createSandbox(input: { name: "Cancellation suite", partnerType: DIRECT_BILL, clockStart: "2026-03-01T00:00:00Z", roles: [ADMIN_AGENT], ttl: "PT1H" }) {
    summary
    sandbox { id partnerId partnerType clockStart createdAt expiresAt }
    tokens { roles token expiresAt }
    ${USER_ERRORS}
  }
}
`,
    },
    {
      title: 'Snapshot a sandbox',
      group: 'Test sandboxes',
      query: `# Saves the whole sandbox, its clock included, under a name; restoreSandbox brings it back to it, as often as
# a test likes (one purchase, two futures). A sandbox also has the snapshot "initial", taken right after creation.
${SANDBOX_CREATED_FIRST}
mutation SnapshotSandbox($id: ID!) {
  snapshotSandbox(input: { sandboxId: $id, name: "before-renewal" }) {
    snapshot { name createdAt clockNow documentCount }
    sandbox { id snapshots { name clockNow } }
    ${USER_ERRORS}
  }
}
`,
      variables: fresh,
      setup: CREATE_SANDBOX_FIRST,
    },
    {
      title: 'Restore a sandbox',
      group: 'Test sandboxes',
      query: `# Brings the sandbox back to a snapshot, its clock included: here "initial", the state right after creation
# (what resetSandbox does). While it runs, the sandbox's own tokens are answered SANDBOX_BUSY: retry in a moment.
${SANDBOX_CREATED_FIRST}
mutation RestoreSandbox($id: ID!) {
  restoreSandbox(input: { sandboxId: $id, snapshot: "initial" }) {
    sandbox { id clockStart status snapshots { name clockNow } }
    ${USER_ERRORS}
  }
}
`,
      variables: fresh,
      setup: CREATE_SANDBOX_FIRST,
    },
    {
      title: 'Delete a sandbox',
      group: 'Test sandboxes',
      query: `# SANDBOX-ADMIN: the sandbox, its partner, clock and every document its partner owns go; its tokens stop working.
${SANDBOX_CREATED_FIRST}
mutation DeleteSandbox($id: ID!) {
  deleteSandbox(input: { sandboxId: $id }) {
    deletedSandboxId summary
    ${USER_ERRORS}
  }
}
`,
      variables: fresh,
      setup: CREATE_SANDBOX_FIRST,
    },
  ];
}
