import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { seedWorld } from '../../src/seed/generate.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * advanceClock through GraphQL on the demo world: a dry run lists the lifecycle events the advance
 * would apply and changes nothing; an accepted and a refused advance are each audited, readable
 * through auditRecords, like every other mutation. The tests run in order: the dry run first, on
 * the untouched world, then the advance it predicted.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const DAY = 86_400_000;

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    await seedWorld(cols, { customers: 40, seed: 'demo' });
  });
});
afterAll(() => gw?.close());

interface Answer<T> {
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

async function gql<T>(query: string, variables: Record<string, unknown> = {}, roles = 'global_admin,admin_agent'): Promise<Answer<T>> {
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-partner-id': CONTOSO, 'x-partner-roles': roles, 'x-correlation-id': 'clock-audit' },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Answer<T>;
}

interface Advance {
  advanceClock: {
    dryRun: boolean;
    from: string | null;
    to: string | null;
    clock: { now: string } | null;
    summary: string | null;
    operationId: string | null;
    events: { kind: string; subscriptionId: string; at: string; summary: string }[];
    userErrors: { code: string; rule: string }[];
  };
}

const ADVANCE = `mutation Advance($by: String, $to: DateTimeISO, $dryRun: Boolean!) {
  advanceClock(input: { by: $by, to: $to, dryRun: $dryRun }) {
    dryRun from to clock { now } summary operationId
    events { kind subscriptionId at summary }
    userErrors { code rule }
  }
}`;

const now = async () =>
  new Date((await gql<{ simulationClock: { now: string } }>('{ simulationClock { now } }')).data!.simulationClock.now);

/** Everything an advance could write: counts of every collection it touches, and the clock document. */
async function footprint() {
  const c = gw.collections;
  const [operations, auditEvents, ledger, subscriptions, locks, clock] = await Promise.all([
    c.operations.countDocuments({}),
    c.auditEvents.countDocuments({}),
    c.ledger.countDocuments({}),
    c.subscriptions.find({ partnerId: CONTOSO }, { projection: { _id: 1, version: 1 } }).toArray(),
    c.locks.countDocuments({}),
    c.clock.findOne({ _id: CONTOSO }),
  ]);
  return { operations, auditEvents, ledger, subscriptions, locks, clock };
}

async function auditOf(operationType: string, at: Date) {
  const records = await gql<{ auditRecords: { nodes: Record<string, unknown>[] } }>(
    `query Audit($from: DateTimeISO!, $to: DateTimeISO!, $filter: AuditRecordFilter) {
      auditRecords(from: $from, to: $to, first: 50, filter: $filter) {
        nodes { operationType resourceType resourceId customerId userId roles at outcome rule code correlationId input }
      }
    }`,
    { from: new Date(at.getTime() - DAY).toISOString(), to: new Date(at.getTime() + DAY).toISOString(), filter: { operationType } },
  );
  expect(records.errors).toBeUndefined();
  return records.data!.auditRecords.nodes;
}

// A 400-day advance over the demo world applies hundreds of events: seconds alone, more on a busy
// machine, so these tests get a budget well above vitest's default (not a timing assertion).
describe('advanceClock: dry run and audit', { timeout: 120_000 }, () => {
  let predicted: Advance['advanceClock']['events'] = [];

  it('GEN-CLOCK: a dry run lists the events a 400-day advance would apply, in the conditional, and changes nothing', async () => {
    const start = await now();
    const before = await footprint();
    const answer = await gql<Advance>(ADVANCE, { by: 'P400D', dryRun: true });
    expect(answer.errors).toBeUndefined();
    const a = answer.data!.advanceClock;
    expect(a.userErrors).toEqual([]);
    expect(a).toMatchObject({
      dryRun: true,
      from: start.toISOString(),
      to: new Date(start.getTime() + 400 * DAY).toISOString(),
      operationId: null,
    });
    expect(a.clock!.now).toBe(start.toISOString());
    expect(a.summary).toMatch(/^Would move the clock from .* lifecycle event\(s\) would be applied\.$/);
    expect(a.events.length).toBeGreaterThan(0);
    expect(a.events.map((e) => e.kind)).toContain('renewal');
    for (const e of a.events) expect(e.summary).toMatch(/ would /);
    // The clock did not move, nothing was written, no lock is left held.
    expect(await now()).toEqual(start);
    expect(await footprint()).toEqual(before);
    expect(before.locks).toBe(0);
    predicted = a.events;
  });

  it('GEN-CLOCK: the advance applies the very events its dry run listed, and is audited as accepted with its input', async () => {
    expect(predicted.length).toBeGreaterThan(0);
    const start = await now();
    const answer = await gql<Advance>(ADVANCE, { by: 'P400D', dryRun: false });
    expect(answer.errors).toBeUndefined();
    const a = answer.data!.advanceClock;
    expect(a.userErrors).toEqual([]);
    expect(a.dryRun).toBe(false);
    expect(a.clock!.now).toBe(new Date(start.getTime() + 400 * DAY).toISOString());
    const key = (e: { kind: string; subscriptionId: string; at: string }) => `${e.at} ${e.kind} ${e.subscriptionId}`;
    expect(a.events.map(key)).toEqual(predicted.map(key));
    expect(a.operationId).toBeTruthy();

    const records = await auditOf('advance_clock', start);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      operationType: 'advance_clock',
      resourceType: 'clock',
      resourceId: CONTOSO,
      customerId: null,
      outcome: 'accepted',
      rule: null,
      at: start.toISOString(),
      roles: ['global_admin', 'admin_agent'],
      correlationId: 'clock-audit',
    });
    expect(JSON.parse(records[0]!.input as string)).toEqual({ input: { by: 'P400D', dryRun: false } });
  });

  it('GEN-CLOCK: a refused advance (back in time) is audited as refused with its rule and code, and moves nothing', async () => {
    const start = await now();
    const before = await footprint();
    const answer = await gql<Advance>(ADVANCE, { to: new Date(start.getTime() - DAY).toISOString(), dryRun: false });
    expect(answer.errors).toBeUndefined();
    expect(answer.data!.advanceClock.userErrors).toEqual([{ code: 'INVALID_VALUE', rule: 'GEN-CLOCK' }]);
    expect(await now()).toEqual(start);
    const refused = (await auditOf('advance_clock', start)).filter((r) => r.outcome === 'refused');
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({ rule: 'GEN-CLOCK', code: 'INVALID_VALUE', at: start.toISOString(), correlationId: 'clock-audit' });
    expect(await footprint()).toEqual({ ...before, auditEvents: before.auditEvents + 1 });
  });

  it('ROLE-SUBSCRIPTIONS: an advance by a caller without the role is FORBIDDEN and audited as refused', async () => {
    const start = await now();
    const answer = await gql<Advance>(ADVANCE, { by: 'P1D', dryRun: true }, 'account_admin');
    expect(answer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const refused = (await auditOf('advance_clock', start)).filter((r) => r.code === 'FORBIDDEN');
    expect(refused).toHaveLength(1);
    expect(refused[0]!.rule).toMatch(/^ROLE-/);
    expect(await now()).toEqual(start);
  });
});
