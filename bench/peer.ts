/**
 * A peer of the trivial-query comparison (bench/lib/peers.ts), in a process of its own, started by
 * bench/run.ts like the floor: PEER names which (apollo, apollo-jose, mercurius), MONGODB_URI and
 * MONGODB_DB the data set. It serves POST /graphql with a schema of just what the trivial query
 * asks (`viewer { partner { name } }`), and reads the caller's partner as the floor does: by the
 * bearer token's `pid`, from the database, through a partner cache of PARTNER_CACHE_MS (30 s).
 * Its CPU, memory and database commands are reported to the parent (bench/lib/ipc.ts).
 *
 * Each server runs as its documentation starts it (Apollo's startStandaloneServer, fastify with
 * the mercurius plugin), with its defaults: this is what a team picking either would measure.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { jwtVerify } from 'jose';
import { MongoClient } from 'mongodb';
import { collections } from '../src/db/collections.js';
import type { PartnerDoc } from '../src/db/documents.js';
import { AUTH_AUDIENCE, AUTH_ISSUER, loadConfig } from '../src/shared/config.js';
import { ready, serveParent } from './lib/ipc.js';
import { PEERS, type Peer } from './lib/peers.js';

const peer: Peer | undefined = PEERS.find((p) => p.name === process.env.PEER);
if (!peer) throw new Error(`bench/peer.ts needs PEER, one of ${PEERS.map((p) => p.name).join(', ')}, but got '${process.env.PEER}'`);
const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('bench/peer.ts needs MONGODB_URI (and MONGODB_DB)');

const typeDefs = /* GraphQL */ `
  type Partner {
    name: String!
  }
  type Viewer {
    partner: Partner!
  }
  type Query {
    viewer: Viewer!
  }
`;

const client = new MongoClient(uri, { monitorCommands: true });
await client.connect();
const cols = collections(client.db(process.env.MONGODB_DB ?? 'partner_center'));
serveParent(client);

// The floor's partner cache (bench/floor.ts): one read per partner per PARTNER_CACHE_MS.
const PARTNER_TTL_MS = Number(process.env.PARTNER_CACHE_MS ?? 30_000);
const partnerCache = new Map<string, { doc: Promise<PartnerDoc | null>; expires: number }>();
function partnerOf(partnerId: string): Promise<PartnerDoc | null> {
  if (PARTNER_TTL_MS <= 0) return cols.partners.findOne({ _id: partnerId });
  const hit = partnerCache.get(partnerId);
  if (hit && hit.expires > Date.now()) return hit.doc;
  const doc = cols.partners.findOne({ _id: partnerId });
  partnerCache.set(partnerId, { doc, expires: Date.now() + PARTNER_TTL_MS });
  return doc;
}

// The gateway's secret, as the gateway resolves it (AUTH_SECRET, or the development secret).
const key = new TextEncoder().encode(loadConfig(process.env).authSecret);

/** The caller's partner ID, by the peer's check (bench/lib/peers.ts, Peer.auth); null when the token does not pass it. */
async function partnerIdOf(headers: IncomingHttpHeaders): Promise<string | null> {
  const token = /^Bearer (.+)$/.exec(headers.authorization ?? '')?.[1];
  if (!token) return null;
  try {
    const pid =
      peer!.auth === 'jose'
        ? (
            await jwtVerify(token, key, {
              algorithms: ['HS256'],
              issuer: AUTH_ISSUER,
              audience: AUTH_AUDIENCE,
              requiredClaims: ['exp', 'sub'],
            })
          ).payload.pid
        : (JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'string' ? pid : null;
  } catch {
    return null;
  }
}

interface Context {
  partnerId: string | null;
}

// Mercurius types its resolvers' context as MercuriusContext, extended by augmentation (its documented way).
declare module 'mercurius' {
  interface MercuriusContext {
    partnerId: string | null;
  }
}

const resolvers = {
  Query: {
    viewer: async (_root: unknown, _args: unknown, context: Context) => {
      if (!context.partnerId) throw new Error('no valid bearer token');
      const partner = await partnerOf(context.partnerId);
      if (!partner) throw new Error('unknown partner');
      return { partner };
    },
  },
};

async function startApollo(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { ApolloServer } = await import('@apollo/server');
  const { startStandaloneServer } = await import('@apollo/server/standalone');
  const server = new ApolloServer<Context>({ typeDefs, resolvers });
  const { url } = await startStandaloneServer(server, {
    listen: { port: 0, host: '127.0.0.1' },
    context: async ({ req }) => ({ partnerId: await partnerIdOf(req.headers) }),
  });
  return { url: url.replace(/\/$/, ''), stop: () => server.stop() };
}

async function startMercurius(): Promise<{ url: string; stop: () => Promise<void> }> {
  const { default: Fastify } = await import('fastify');
  const { default: mercurius } = await import('mercurius');
  const app = Fastify({ logger: false });
  await app.register(mercurius, {
    schema: typeDefs,
    resolvers,
    context: async (request) => ({ partnerId: await partnerIdOf(request.headers) }),
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, stop: () => app.close() };
}

const started = peer.server === 'apollo' ? await startApollo() : await startMercurius();
process.once('SIGTERM', () => {
  void started
    .stop()
    .catch(() => {})
    .finally(() => void client.close().finally(() => process.exit(0)));
});
ready(started.url);
