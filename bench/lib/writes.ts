/**
 * Measurement 4: a mix of mutations from concurrent clients, then the lifecycle invariants.
 *
 * Each client owns one commercial Contoso customer of a scratch data set, buys a Microsoft 365
 * Business Basic subscription (10 seats) and a Business Standard one (2 seats) for it, then loops
 * for the duration over: a seat increase, a cancellation quote (cancelSubscription dryRun), pause,
 * resume, and a one-seat partial upgrade into its Standard subscription (timing NOW). Clients own
 * different customers, so the load is the gateway's and the database's, not one customer lock's.
 *
 * Outcomes: accepted (no userErrors), refused (a rule said no, with userErrors: a normal answer)
 * or error (HTTP other than 200, or GraphQL `errors`). The target is zero errors.
 */
import http from 'node:http';
import type { Collections } from '../../src/db/collections.js';
import { OFFER_IDS } from '../../src/seed/catalog.js';
import { percentile } from './load.js';
import { PARTNER_ID } from './shapes.js';

const USER_ERRORS = 'userErrors { code rule message }';
const M = {
  buy: `mutation BenchBuy($input: PurchaseInput!) { purchase(input: $input) { operationId subscriptions { id quantity offerId } ${USER_ERRORS} } }`,
  increase: `mutation BenchUpdate($input: UpdateSubscriptionInput!) { updateSubscription(input: $input) { operationId subscription { id quantity status } ${USER_ERRORS} } }`,
  quote: `mutation BenchQuote($input: CancelSubscriptionInput!) { cancelSubscription(input: $input) { dryRun refund { amountInCents } ${USER_ERRORS} } }`,
  pause: `mutation BenchPause($input: SubscriptionTargetInput!) { pauseSubscription(input: $input) { operationId subscription { id status } ${USER_ERRORS} } }`,
  resume: `mutation BenchResume($input: SubscriptionTargetInput!) { resumeSubscription(input: $input) { operationId subscription { id status } ${USER_ERRORS} } }`,
  upgrade: `mutation BenchUpgrade($input: PartialUpgradeInput!) { partialUpgrade(input: $input) { operationId targetSubscription { id quantity } ${USER_ERRORS} } }`,
  invoice: `query BenchInvoice($c: ID!, $p: String!) { invoice(customerId: $c, period: $p) { entryCount total { amountInCents } } }`,
} as const;

export type Action = 'increase' | 'quote' | 'pause' | 'resume' | 'upgrade';
const CYCLE: readonly Action[] = ['increase', 'quote', 'pause', 'resume', 'upgrade'];

export interface WritesResult {
  clients: number;
  durationMs: number;
  requests: number;
  throughputPerSec: number;
  latencyMs: { p50: number; p99: number };
  byAction: Record<Action, { accepted: number; refused: number; errors: number; refusals: Record<string, number> }>;
  errors: number;
  firstError: string | null;
  setup: { purchases: number; ms: number };
  invariants: { checked: string[]; problems: string[] };
}

interface Client {
  customerId: string;
  sourceId: string;
  targetId: string;
  /** Seats the accepted mutations say each subscription should now have. */
  expectSource: number;
  expectTarget: number;
}

type Answer = { status: number; body: { data?: Record<string, unknown> | null; errors?: { message: string }[] } | null; text: string };

function gql({
  agent,
  url,
  token,
  query,
  variables,
}: {
  agent: http.Agent;
  url: string;
  token: string;
  query: string;
  variables: unknown;
}): Promise<Answer> {
  const body = JSON.stringify({ query, variables });
  const u = new URL(`${url}/graphql`);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: `Bearer ${token}` },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: Answer['body'];
          try {
            parsed = JSON.parse(text) as Answer['body'];
          } catch {
            parsed = null;
          }
          resolve({ status: res.statusCode ?? 0, body: parsed, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function payloadOf(
  answer: Answer,
): { operationId?: string | null; userErrors?: { rule: string; code: string }[]; [k: string]: unknown } | null {
  const data = answer.body?.data;
  if (!data) return null;
  return (Object.values(data)[0] as ReturnType<typeof payloadOf>) ?? null;
}

export async function runWrites(options: {
  url: string;
  token: string;
  cols: Collections;
  clients: number;
  durationMs: number;
  progress: (message: string) => void;
}): Promise<WritesResult> {
  const { url, token, cols } = options;
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.clients });
  const customers = await cols.customers
    .find({ partnerId: PARTNER_ID, segment: 'commercial' }, { projection: { _id: 1 } })
    .sort({ companyNameLower: 1, _id: 1 })
    .limit(options.clients)
    .toArray();
  if (customers.length < options.clients)
    throw new Error(`the scratch data set has ${customers.length} commercial Contoso customers, not ${options.clients}`);

  // Set-up: two purchases per client, all clients at once.
  const setupStarted = performance.now();
  const buy = async (customerId: string, offerId: string, quantity: number): Promise<string> => {
    const a = await gql({
      agent,
      url,
      token,
      query: M.buy,
      variables: { input: { customerId, lineItems: [{ offerId, quantity, billingCycle: 'MONTHLY', termDuration: 'P1Y' }] } },
    });
    const p = payloadOf(a) as { subscriptions?: { id: string }[]; userErrors?: unknown[] } | null;
    const id = p?.subscriptions?.[0]?.id;
    if (a.status !== 200 || a.body?.errors || !id || (p?.userErrors?.length ?? 0) > 0) {
      throw new Error(`set-up purchase for ${customerId} failed: ${a.text.slice(0, 400)}`);
    }
    return id;
  };
  const clients: Client[] = await Promise.all(
    customers.map(async (c) => {
      const sourceId = await buy(c._id, OFFER_IDS.m365BusinessBasic, 10);
      const targetId = await buy(c._id, OFFER_IDS.m365BusinessStandard, 2);
      return { customerId: c._id, sourceId, targetId, expectSource: 10, expectTarget: 2 };
    }),
  );
  const setupMs = performance.now() - setupStarted;
  options.progress(
    `writes: set-up bought ${clients.length * 2} subscriptions in ${(setupMs / 1000).toFixed(1)} s; mix for ${options.durationMs / 1000} s`,
  );

  const byAction = Object.fromEntries(
    CYCLE.map((a) => [a, { accepted: 0, refused: 0, errors: 0, refusals: {} as Record<string, number> }]),
  ) as WritesResult['byAction'];
  const latencies: number[] = [];
  let errors = 0;
  let requests = 0;
  let firstError: string | null = null;
  const started = performance.now();
  const deadline = started + options.durationMs;

  const runClient = async (client: Client, index: number) => {
    let step = index % CYCLE.length;
    while (performance.now() < deadline) {
      const action = CYCLE[step++ % CYCLE.length]!;
      const subscriptionId = client.sourceId;
      const [query, variables] =
        action === 'increase'
          ? [M.increase, { input: { subscriptionId, quantity: client.expectSource + 1 } }]
          : action === 'quote'
            ? [M.quote, { input: { subscriptionId, dryRun: true } }]
            : action === 'pause'
              ? [M.pause, { input: { subscriptionId } }]
              : action === 'resume'
                ? [M.resume, { input: { subscriptionId } }]
                : [
                    M.upgrade,
                    {
                      input: {
                        subscriptionId,
                        targetOfferId: OFFER_IDS.m365BusinessStandard,
                        targetSubscriptionId: client.targetId,
                        quantity: 1,
                        timing: 'NOW',
                      },
                    },
                  ];
      const t0 = performance.now();
      requests += 1;
      let answer: Answer;
      try {
        answer = await gql({ agent, url, token, query, variables });
      } catch (error) {
        errors += 1;
        byAction[action].errors += 1;
        firstError ??= `${action}: ${error instanceof Error ? error.message : String(error)}`;
        continue;
      }
      latencies.push(performance.now() - t0);
      const payload = payloadOf(answer);
      if (answer.status !== 200 || answer.body?.errors || !payload) {
        errors += 1;
        byAction[action].errors += 1;
        firstError ??= `${action}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`;
        continue;
      }
      const refusals = payload.userErrors ?? [];
      if (refusals.length > 0) {
        byAction[action].refused += 1;
        const key = refusals[0]!.rule || refusals[0]!.code;
        byAction[action].refusals[key] = (byAction[action].refusals[key] ?? 0) + 1;
        continue;
      }
      byAction[action].accepted += 1;
      if (action === 'increase') client.expectSource += 1;
      if (action === 'upgrade') {
        client.expectSource -= 1;
        client.expectTarget += 1;
      }
    }
  };
  await Promise.all(clients.map(runClient));
  const durationMs = performance.now() - started;
  latencies.sort((a, b) => a - b);

  options.progress('writes: checking the lifecycle invariants');
  const invariants = await checkInvariants(cols, clients, (customerId, period) =>
    gql({ agent, url, token, query: M.invoice, variables: { c: customerId, p: period } }),
  );
  agent.destroy();
  return {
    clients: clients.length,
    durationMs,
    requests,
    throughputPerSec: (requests / durationMs) * 1000,
    latencyMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99) },
    byAction,
    errors,
    firstError,
    setup: { purchases: clients.length * 2, ms: setupMs },
    invariants,
  };
}

const safeInt = (n: unknown, min = -Infinity) => typeof n === 'number' && Number.isSafeInteger(n) && n >= min;

/**
 * The lifecycle invariants after the run (a subset of test/e2e/fuzz.test.ts's, which lives in a
 * test file): nothing pending, leased or half-claimed; every operation audited; no negative or
 * fractional quantities or money; at most one refund per subscription; add-ons never outlive their
 * base; each client's seats are what its accepted mutations say; and each client customer's
 * invoice through the API equals the sum of its ledger entries (MONEY-EXACT).
 */
async function checkInvariants(
  cols: Collections,
  clients: Client[],
  invoice: (customerId: string, period: string) => Promise<Answer>,
): Promise<{ checked: string[]; problems: string[] }> {
  const problems: string[] = [];
  const fail = (p: string) => {
    if (problems.length < 50) problems.push(p);
  };
  const [pending, locks, claims, operations, audits, subscriptions, ledger, clock] = await Promise.all([
    cols.operations.find({ status: { $ne: 'done' } }).toArray(),
    cols.locks.find().toArray(),
    cols.idempotency.find({ status: { $ne: 'done' } }).toArray(),
    cols.operations.find({}, { projection: { _id: 1, kind: 1 } }).toArray(),
    cols.auditEvents.find({}, { projection: { _id: 1 } }).toArray(),
    cols.subscriptions.find({ partnerId: PARTNER_ID }).toArray(),
    cols.ledger.find({ partnerId: PARTNER_ID }).toArray(),
    cols.clock.findOne({ _id: PARTNER_ID }),
  ]);
  for (const op of pending) fail(`operation ${op._id} (${op.kind}) is ${op.status}`);
  // An expired lease is harmless; a live one after the run is a writer that never let go.
  for (const lock of locks) if (lock.expiresAt.getTime() > Date.now()) fail(`lease ${lock._id} still held`);
  for (const claim of claims) fail(`idempotency key ${claim._id} left ${claim.status}`);
  const audited = new Set(audits.map((a) => a._id.replace(/:\d+$/, '')));
  for (const op of operations) if (!audited.has(op._id)) fail(`operation ${op._id} (${op.kind}) has no audit event`);

  const subs = new Map(subscriptions.map((s) => [s._id, s]));
  for (const s of subscriptions) {
    if (!safeInt(s.quantity, 0)) fail(`subscription ${s._id} quantity ${s.quantity}`);
    if (!safeInt(s.chargedCents, 0)) fail(`subscription ${s._id} chargedCents ${s.chargedCents}`);
    if (s.parentSubscriptionId !== null && s.status !== 'deleted') {
      const base = subs.get(s.parentSubscriptionId);
      if (!base) fail(`add-on ${s._id} has no base`);
      else if (s.commitmentEndDate.getTime() > base.commitmentEndDate.getTime()) fail(`add-on ${s._id} ends after its base`);
    }
  }
  const refunds = new Map<string, number>();
  for (const e of ledger) {
    if (!safeInt(e.amountCents)) fail(`ledger ${e._id} amount ${e.amountCents}`);
    if (e.kind === 'refund' && e.source.type === 'subscription') refunds.set(e.source.id, (refunds.get(e.source.id) ?? 0) + 1);
  }
  for (const [id, n] of refunds) if (n > 1) fail(`subscription ${id} was refunded ${n} times`);

  for (const c of clients) {
    const source = subs.get(c.sourceId);
    const target = subs.get(c.targetId);
    if (source?.quantity !== c.expectSource)
      fail(`client ${c.customerId}: source has ${source?.quantity} seats, accepted mutations say ${c.expectSource}`);
    if (target?.quantity !== c.expectTarget)
      fail(`client ${c.customerId}: target has ${target?.quantity} seats, accepted mutations say ${c.expectTarget}`);
  }

  const period = (clock?.now ?? new Date()).toISOString().slice(0, 7);
  const start = new Date(`${period}-01T00:00:00.000Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  for (const c of clients) {
    const entries = ledger.filter((e) => e.customerId === c.customerId && e.at >= start && e.at < end);
    const expected = { entryCount: entries.length, total: entries.reduce((n, e) => n + e.amountCents, 0) };
    const a = await invoice(c.customerId, period);
    const inv = (a.body?.data?.invoice ?? null) as { entryCount: number; total: { amountInCents: number } } | null;
    if (!inv || inv.entryCount !== expected.entryCount || inv.total.amountInCents !== expected.total) {
      fail(`invoice ${c.customerId} ${period}: ${a.text.slice(0, 200)}, but the ledger sums to ${JSON.stringify(expected)}`);
    }
  }
  return {
    checked: [
      'no pending operation, live lease or half-claimed idempotency key',
      'every operation has an audit event',
      'no negative or fractional quantity or amount; at most one refund per subscription; add-ons within their base term',
      "each client's seats equal what its accepted mutations say (increases, partial upgrades)",
      "each client customer's invoice (API) equals the sum of its ledger entries",
    ],
    problems,
  };
}
