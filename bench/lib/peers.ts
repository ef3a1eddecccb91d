/**
 * The peers of the trivial-query comparison (issue 19, "Peers in the benchmark"): other Node
 * GraphQL servers answering `{ viewer { partner { name } } }` with the same data shape, each run
 * by bench/peer.ts as a child process of its own and measured like the gateway and the floor
 * (same connections, same duration, alternated with them), so that the gateway's standing
 * against them is measured again on every run and every machine rather than quoted.
 *
 * Every peer reads the caller's partner as the floor does: from the benchmark's database, by the
 * bearer token's `pid`, through a partner cache of the same lifetime (PARTNER_CACHE_MS, 30 s).
 */
import type { ShapeLoad, Target } from './report.js';

export type PeerName = 'apollo' | 'apollo-jose' | 'mercurius';

export interface Peer {
  name: PeerName;
  /** As the report names it. */
  label: string;
  server: 'apollo' | 'mercurius';
  /**
   * `pid`: the token's `pid` claim decoded without verifying the signature (as the floor does);
   * `jose`: the token verified per request (jose jwtVerify, HS256, issuer, audience, `exp`), no cache.
   */
  auth: 'pid' | 'jose';
}

export const PEERS: readonly Peer[] = [
  { name: 'apollo', label: 'Apollo Server 5, bare', server: 'apollo', auth: 'pid' },
  { name: 'apollo-jose', label: 'Apollo Server 5 + jose HS256 per request', server: 'apollo', auth: 'jose' },
  { name: 'mercurius', label: 'Mercurius (fastify)', server: 'mercurius', auth: 'pid' },
];

export const AUTH_DESCRIPTION: Record<Peer['auth'] | 'gateway' | 'floor', string> = {
  pid: 'token pid decoded, not verified',
  jose: 'jose HS256 verification per request',
  gateway: 'HS256, verified tokens kept until exp',
  floor: 'token pid decoded, not verified',
};

/** One server's trivial-query throughput run, as ratios to the floor's on the same run. */
export interface PeerResult {
  name: PeerName;
  label: string;
  auth: Peer['auth'];
  load: ShapeLoad;
  /** Requests per second over the floor's. */
  ratio: number;
  /** CPU per request over the floor's. */
  cpuRatio: number;
}

/** The aims of issue 19 for the trivial query, against the floor and bare Apollo Server 5 on the same run. */
export const TRIVIAL_AIMS = { throughput: 0.5, throughputAim: 0.8, cpu: 2.5 } as const;

/**
 * The trivial query's targets (issue 19): throughput at least 0.5x the floor and ahead of bare
 * Apollo Server 5 on the same run, 0.8x as the aim, and CPU per request at most 2.5x the floor's.
 * Not measured (null, shown as n/a) when the run has no throughput figures; without a bare Apollo
 * figure (results from before the peers were measured) the first target is judged missed, since
 * half of it cannot be shown to hold.
 */
export function trivialTargets(
  t: { gateway: ShapeLoad; floor: ShapeLoad; ratio: number; cpuRatio?: number; peers?: PeerResult[] } | null | undefined,
): Target[] {
  const a = TRIVIAL_AIMS;
  if (!t) {
    return [
      { id: `trivial throughput >= ${a.throughput}x floor, ahead of bare Apollo Server 5`, met: null, detail: 'not measured' },
      { id: `trivial throughput >= ${a.throughputAim}x floor (aim)`, met: null, detail: 'not measured' },
      { id: `trivial CPU/request <= ${a.cpu}x floor`, met: null, detail: 'not measured' },
    ];
  }
  const rps = (l: ShapeLoad) => l.throughputPerSec.toFixed(0);
  const apollo = t.peers?.find((p) => p.name === 'apollo');
  const cpuRatio = t.cpuRatio ?? t.gateway.cpuMsPerRequest / t.floor.cpuMsPerRequest;
  return [
    {
      id: `trivial throughput >= ${a.throughput}x floor, ahead of bare Apollo Server 5`,
      met: t.ratio >= a.throughput && apollo !== undefined && t.gateway.throughputPerSec > apollo.load.throughputPerSec,
      detail:
        `gateway ${rps(t.gateway)} vs floor ${rps(t.floor)} req/s: ${t.ratio.toFixed(2)}x; ` +
        (apollo ? `bare Apollo Server 5 ${rps(apollo.load)} req/s: ${apollo.ratio.toFixed(2)}x` : 'bare Apollo Server 5 not measured'),
    },
    {
      id: `trivial throughput >= ${a.throughputAim}x floor (aim)`,
      met: t.ratio >= a.throughputAim,
      detail: `${rps(t.gateway)} vs ${rps(t.floor)} req/s: ${t.ratio.toFixed(2)}x`,
    },
    {
      id: `trivial CPU/request <= ${a.cpu}x floor`,
      met: Number.isFinite(cpuRatio) ? cpuRatio <= a.cpu : null,
      detail: `${t.gateway.cpuMsPerRequest.toFixed(3)} vs ${t.floor.cpuMsPerRequest.toFixed(3)} ms: ${cpuRatio.toFixed(2)}x`,
    },
  ];
}
