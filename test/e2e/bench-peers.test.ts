import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startChild, type Child } from '../../bench/lib/ipc.js';
import { postOnce } from '../../bench/lib/load.js';
import { PEERS, trivialTargets, type PeerName } from '../../bench/lib/peers.js';
import type { ShapeLoad } from '../../bench/lib/report.js';
import { SHAPES } from '../../bench/lib/shapes.js';
import { DEMO_PARTNERS, SEED_CLOCK_START } from '../../src/seed/demo-ids.js';
import { partnerDocs } from '../../src/seed/partners.js';
import { PROJECT_ROOT } from '../../src/shared/config.js';
import { mintToken } from '../../src/shared/tokens.js';
import { openTestDb, type TestDb } from '../support/db.js';

/*
 * The peers of the benchmark's trivial-query comparison (bench/peer.ts, bench/lib/peers.ts), each
 * started as `npm run bench` starts it (compiled, a child process answering over IPC): it answers
 * the benchmark's trivial query with the caller's partner from the database, and checks the bearer
 * token as bench/lib/peers.ts says. Not timed: timings belong to the benchmark, never to a test.
 */
describe('bench peers: bare Apollo Server 5, Apollo + jose, Mercurius', () => {
  const SECRET = 'bench-peers-test-secret-of-at-least-32-bytes';
  const children = new Map<PeerName, Child>();
  let db: TestDb;

  const ask = (peer: PeerName, token: string) =>
    postOnce(`${children.get(peer)!.url}/graphql`, JSON.stringify({ query: SHAPES.trivial.query, variables: {} }), {
      authorization: `Bearer ${token}`,
    });
  const tokenFor = (partnerId: string, secret = SECRET) =>
    mintToken({ secret, partnerId, userId: 'bench-peers', roles: ['global_admin'], expiresIn: '10m' });

  beforeAll(async () => {
    // The children run compiled, as the benchmark runs them (bench/run.ts builds first).
    await promisify(execFile)(process.execPath, [path.join(PROJECT_ROOT, 'scripts/build.mjs')], { cwd: PROJECT_ROOT });
    db = await openTestDb('bench_peers');
    await db.collections.partners.insertMany(partnerDocs(SEED_CLOCK_START.getTime()));
    const started = await Promise.all(
      PEERS.map((p) =>
        startChild(
          'bench/peer.ts',
          { PEER: p.name, MONGODB_URI: inject('mongoUri'), MONGODB_DB: db.dbName, AUTH_SECRET: SECRET, NODE_ENV: 'development' },
          60_000,
        ),
      ),
    );
    PEERS.forEach((p, i) => children.set(p.name, started[i]!));
  }, 90_000);
  afterAll(async () => {
    await Promise.all([...children.values()].map((c) => c.stop().catch(() => {})));
    await db?.close();
  });

  it.each(PEERS.map((p) => p.name))("%s answers the trivial query with the token's partner, read from the database", async (peer) => {
    for (const partner of [DEMO_PARTNERS.contoso, DEMO_PARTNERS.fabrikam]) {
      const answer = await ask(peer, await tokenFor(partner.id));
      expect(answer.status).toBe(200);
      const expected = (await db.collections.partners.findOne({ _id: partner.id }))!.name;
      expect(JSON.parse(answer.text)).toEqual({ data: { viewer: { partner: { name: expected } } } });
    }
  });

  it('the jose peer refuses a token signed with another secret; the others, like the floor, decode pid without verifying', async () => {
    const forged = await tokenFor(DEMO_PARTNERS.contoso.id, 'another-secret-of-at-least-thirty-two-bytes');
    for (const p of PEERS) {
      const answer = await ask(p.name, forged);
      if (p.auth === 'jose') expect(answer.status !== 200 || JSON.parse(answer.text).errors?.length > 0).toBe(true);
      else expect(JSON.parse(answer.text).data.viewer.partner.name).toBeTruthy();
    }
  });

  it('each peer reports its CPU and its database commands to the benchmark (bench/lib/ipc.ts)', async () => {
    for (const child of children.values()) {
      const stats = await child.stats();
      expect(stats.cpuUserUs).toBeGreaterThan(0);
      // The partner read of the first request (the partner cache keeps it 30 s).
      expect(stats.dbCommands).toBeGreaterThan(0);
    }
  });
});

describe("the trivial query's targets (issue 19; bench/lib/peers.ts trivialTargets)", () => {
  const load = (throughputPerSec: number, cpuMsPerRequest: number): ShapeLoad => ({
    requests: 1000,
    errors: 0,
    firstError: null,
    p50Ms: 1,
    p99Ms: 2,
    meanMs: 1,
    throughputPerSec,
    cpuMsPerRequest,
    dbMsPerRequest: 0,
    dbCommandsPerRequest: 0,
    rssMaxMb: 100,
  });
  const floor = load(10_000, 0.04);
  const run = (gateway: ShapeLoad, apollo: ShapeLoad | null) => ({
    gateway,
    floor,
    ratio: gateway.throughputPerSec / floor.throughputPerSec,
    peers: apollo
      ? [
          {
            name: 'apollo' as const,
            label: 'bare',
            auth: 'pid' as const,
            load: apollo,
            ratio: apollo.throughputPerSec / 10_000,
            cpuRatio: 1,
          },
        ]
      : [],
  });
  const met = (t: ReturnType<typeof trivialTargets>) => t.map((x) => x.met);

  it('0.5x the floor is met only ahead of bare Apollo Server 5 on the same run; 0.8x is the aim; CPU per request at most 2.5x', () => {
    expect(met(trivialTargets(run(load(6000, 0.09), load(5000, 0.1))))).toEqual([true, false, true]);
    expect(met(trivialTargets(run(load(6000, 0.11), load(7000, 0.1))))).toEqual([false, false, false]);
    expect(met(trivialTargets(run(load(4000, 0.05), load(3000, 0.1))))).toEqual([false, false, true]);
    expect(met(trivialTargets(run(load(8500, 0.1), load(5000, 0.1))))).toEqual([true, true, true]);
  });

  it('without a bare Apollo figure the first target is missed, saying so; without a throughput run none is judged', () => {
    const [first] = trivialTargets(run(load(9000, 0.05), null));
    expect(first!.met).toBe(false);
    expect(first!.detail).toContain('bare Apollo Server 5 not measured');
    expect(met(trivialTargets(null))).toEqual([null, null, null]);
  });
});
