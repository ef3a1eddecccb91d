import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventDoc } from '../../src/db/documents.js';
import { MAX_BUCKETS_PER_PAGE } from '../../src/event/event.repository.js';
import { DEMO_PARTNERS } from '../../src/seed/demo-ids.js';
import { bucketOf } from '../../src/write/event-log.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

/*
 * Reading a long log (docs/events.md, "Reading a long log"): a partner with 20,000 events. Every
 * page reads by equality only (FerretDB 1.24 pushes nothing else down), a page of 100 costs a few
 * bucket reads wherever it starts, and a filter that matches almost nothing stops after
 * MAX_BUCKETS_PER_PAGE buckets with a cursor to go on from, within the request's command budget.
 */

const CONTOSO = DEMO_PARTNERS.contoso.id;
const N = 20_000;
const T = new Date('2026-11-01T09:00:00.000Z');

const EVENTS = `query ($first: Int, $after: String, $filter: EventFilter) {
  events(first: $first, after: $after, filter: $filter) { nodes { sequence type } pageInfo { hasNextPage endCursor } }
}`;
interface Answer {
  data?: { events: { nodes: { sequence: number; type: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };
  errors?: unknown[];
}

let gw: TestGateway;
beforeAll(async () => {
  gw = await startTestGateway(async (cols) => {
    const docs: EventDoc[] = Array.from({ length: N }, (_, i) => {
      const seq = i + 1;
      return {
        _id: `scale-op-${seq}:0`,
        partnerId: CONTOSO,
        seq,
        bucket: bucketOf(seq),
        // One invoice-ready in the whole log, near its end: a sparse filter.
        type: seq === N - 10 ? 'invoice-ready' : 'subscription-updated',
        resourceName: seq === N - 10 ? 'invoice' : 'subscription',
        resourceId: `sub-${seq % 500}`,
        customerId: null,
        operationId: `scale-op-${seq}`,
        operationKind: 'update_subscription',
        ruleId: null,
        changes: '{"quantity":2}',
        auditRecordId: null,
        at: new Date(T.getTime() + seq * 1000),
        createdAt: new Date(),
        registrationId: null,
      };
    });
    for (let i = 0; i < docs.length; i += 2000) await cols.events.insertMany(docs.slice(i, i + 2000));
    await cols.eventSequences.insertOne({ _id: CONTOSO, partnerId: CONTOSO, seq: N });
  });
}, 120_000);
afterAll(() => gw?.close());

async function page(variables: Record<string, unknown>): Promise<{ answer: Answer; commands: string[]; ms: number }> {
  gw.commands.length = 0;
  const started = performance.now();
  const res = await fetch(`${gw.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-partner-id': CONTOSO, 'x-partner-roles': 'global_admin' },
    body: JSON.stringify({ query: EVENTS, variables }),
  });
  const answer = (await res.json()) as Answer;
  const ms = performance.now() - started;
  const commands = gw.commands
    .filter((c) => c.commandName !== 'endSessions')
    .map((c) => `${c.commandName} ${JSON.stringify(c.command.filter ?? {})}`);
  return { answer, commands, ms };
}

describe('events over a 20,000-event log', () => {
  it('the first page of 100 and a page deep in the log each read a few buckets by equality, and follow one another', async () => {
    const first = await page({ first: 100 });
    expect(first.answer.errors).toBeUndefined();
    expect(first.answer.data!.events.nodes.map((n) => n.sequence)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    expect(first.commands.filter((c) => c.startsWith('find')).length).toBeLessThanOrEqual(4);
    const second = await page({ first: 100, after: first.answer.data!.events.pageInfo.endCursor });
    expect(second.answer.data!.events.nodes[0]!.sequence).toBe(101);
    console.info(
      `events-scale: first page ${first.ms.toFixed(0)} ms, ${first.commands.length} commands; second ${second.ms.toFixed(0)} ms`,
    );
  });

  it('a sparse filter’s next page starts where the previous walk stopped, within MAX_BUCKETS_PER_PAGE bucket reads', async () => {
    // The sparse filter's first page ends where its walk stopped (a cursor past thousands of events): the next page starts there.
    const deep = await page({ first: 100, filter: { types: ['invoice-ready'] } });
    const after = deep.answer.data!.events.pageInfo.endCursor;
    expect(after).not.toBeNull();
    const end = await page({ first: 100, filter: { types: ['invoice-ready'] }, after });
    expect(end.commands.filter((c) => c.startsWith('find')).length).toBeLessThanOrEqual(MAX_BUCKETS_PER_PAGE + 3);
  });

  it('a filter matching one event in 20,000 pages through the log MAX_BUCKETS_PER_PAGE buckets at a time, within the command budget, and finds it', async () => {
    const found: number[] = [];
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const p = await page({ first: 10, filter: { types: ['invoice-ready'] }, after });
      expect(p.answer.errors).toBeUndefined();
      expect(p.commands.length).toBeLessThanOrEqual(MAX_BUCKETS_PER_PAGE + 4);
      found.push(...p.answer.data!.events.nodes.map((n) => n.sequence));
      pages++;
      if (!p.answer.data!.events.pageInfo.hasNextPage) break;
      after = p.answer.data!.events.pageInfo.endCursor;
    }
    expect(found).toEqual([N - 10]);
    expect(pages).toBe(Math.ceil(N / (64 * MAX_BUCKETS_PER_PAGE)));
  });
});
