/** The operations the IDE opens with, one tab each; the first is the one the browser test runs. */
export const EXAMPLE_OPERATIONS: { title: string; query: string; variables?: string }[] = [
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
