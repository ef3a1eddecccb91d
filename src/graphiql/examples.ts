export interface ExampleIds {
  /** A customer of the IDE's default partner. */
  customerId: string;
  /** One of its active new-commerce base subscriptions, if any. */
  subscriptionId: string | null;
}

/**
 * The operations the IDE opens with, one tab each; the first is the one the browser test runs.
 * The mutation examples are filled with IDs from the demo data when the page loads.
 */
export function exampleOperations(ids: ExampleIds): { title: string; query: string; variables?: string }[] {
  const sub = ids.subscriptionId ?? '00000000-0000-4000-8000-000000000000';
  return [...READ_EXAMPLES, ...mutationExamples(ids.customerId, sub)];
}

const READ_EXAMPLES: { title: string; query: string; variables?: string }[] = [
  {
    title: 'Viewer',
    query: `# Who am I? The IDE sends X-Partner-Id and X-Partner-Roles (see the Headers tab).
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
    query: `# Active subscriptions that renew automatically, ending before a date.
query Expiring($before: DateTimeISO!) {
  subscriptions(first: 20, filter: { status: [ACTIVE], autoRenewEnabled: true, expiringBefore: $before }) {
    totalCount
    nodes { id offerName commitmentEndDate customer { companyProfile { companyName } } }
  }
}
`,
    variables: '{ "before": "2027-01-01T00:00:00Z" }',
  },
  {
    title: 'Search customers',
    query: `# Case-insensitive prefix of the company name or domain.
query Search($search: String!) {
  customers(first: 10, filter: { search: $search }) {
    nodes { id companyProfile { companyName domain } }
  }
}
`,
    variables: '{ "search": "a" }',
  },
  {
    title: 'Catalog',
    query: `query Catalog {
  offers(first: 50, filter: { publisher: MICROSOFT }) {
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
    query: `query Clock {
  simulationClock { now }
}
`,
  },
];

const USER_ERRORS = 'userErrors { code rule message field }';

function mutationExamples(customerId: string, subscriptionId: string): { title: string; query: string; variables?: string }[] {
  return [
    {
      title: 'Buy (new commerce)',
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
      query: `# CANCEL-WINDOW-SHOWN: what cancelling now would do, without changing anything.
# Paste the ID of the subscription you bought; dryRun: true only quotes.
mutation QuoteCancel($id: ID!) {
  cancelSubscription(input: { subscriptionId: $id, dryRun: true }) {
    dryRun mode rule summary effectiveDate
    refund { amount currencyCode }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ id: subscriptionId }, null, 2),
    },
    {
      title: 'Cancel',
      query: `# CANCEL-NCE-24H / -30D refund; after 30 days CANCEL-NCE-AFTER refuses (see userErrors).
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
      variables: JSON.stringify({ id: subscriptionId }, null, 2),
    },
    {
      title: 'Pause',
      query: `# PAUSE-EFFECT, PAUSE-SIDE-EFFECTS: access stops now, billing continues, auto-renew off.
mutation Pause($id: ID!) {
  pauseSubscription(input: { subscriptionId: $id }) {
    summary
    subscription { id status suspendedBy autoRenewEnabled usersHaveAccess }
    cascadedAddOns { id status }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ id: subscriptionId }, null, 2),
    },
    {
      title: 'Schedule a change',
      query: `# SCHED-*: fewer seats at renewal (a mid-term reduction is refused: SUB-QTY-DECREASE-NCE).
mutation Schedule($id: ID!) {
  scheduleChange(input: { subscriptionId: $id, quantity: 5 }) {
    summary licenceReassignmentRequired
    subscription { id quantity commitmentEndDate scheduledNextTermInstructions { offerId quantity billingCycle termDuration } }
    ${USER_ERRORS}
  }
}
`,
      variables: JSON.stringify({ id: subscriptionId }, null, 2),
    },
    {
      title: 'What can I do?',
      query: `# Every action with the rule and reason when it is not allowed now.
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
      query: `# GEN-CLOCK: your partner's clock, forward only; due renewals, trial conversions and term ends run in time order.
mutation Advance {
  advanceClock(input: { by: "P30D" }) {
    from to
    eventCounts { kind count }
    events { kind subscriptionId at summary }
    ${USER_ERRORS}
  }
}
`,
    },
    {
      title: 'Ledger and invoice',
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
