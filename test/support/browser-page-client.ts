// The script of the page test/e2e/browser-cors.test.ts serves from another origin than the
// gateway's, bundled for the browser with esbuild. It calls the gateway as browser front ends do:
// plain fetch (POST and GET), urql with automatic persisted queries over GET, Apollo Client with
// its persisted query link, and graphql-request. Every call resolves to a plain, serialisable
// outcome: what came back, or the error the page saw (a blocked CORS request is a TypeError).
import { ApolloClient, gql, HttpLink, InMemoryCache } from '@apollo/client';
import { PersistedQueryLink } from '@apollo/client/link/persisted-queries';
import { Client, fetchExchange } from '@urql/core';
import { persistedExchange } from '@urql/exchange-persisted';
import { GraphQLClient } from 'graphql-request';

export type Outcome<T> = { ok: true; value: T } | { ok: false; name: string; message: string };

export interface FetchAnswer {
  status: number;
  body: unknown;
  /** Response headers the page can read (CORS-safelisted plus Access-Control-Expose-Headers). */
  correlationId: string | null;
  retryAfter: string | null;
}

/** One HTTP exchange a client library made, as the page saw it. */
export interface WireCall {
  method: string;
  hashOnly: boolean;
  status: number;
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    const e = error as { name?: string; message?: string; networkError?: Error; cause?: Error };
    // urql wraps the network error; report what the page's fetch actually threw.
    const root = e.networkError ?? e;
    return { ok: false, name: String(root.name ?? typeof error), message: String(root.message ?? error) };
  }
}

async function answer(response: Response): Promise<FetchAnswer> {
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return {
    status: response.status,
    body,
    correlationId: response.headers.get('x-correlation-id'),
    retryAfter: response.headers.get('retry-after'),
  };
}

/** A fetch that records each exchange, to show which requests a client library sent. */
function recordingFetch(calls: WireCall[]): typeof fetch {
  return async (input, init) => {
    const method = init?.method ?? 'GET';
    const url = new URL(String(input instanceof Request ? input.url : input), location.href);
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as { query?: string }) : null;
    const hashOnly = method === 'GET' ? !url.searchParams.has('query') : body !== null && !body.query;
    const response = await fetch(input, init);
    calls.push({ method, hashOnly, status: response.status });
    return response;
  };
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const bearer = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

export const probe = {
  /** POST JSON, as most clients send. */
  post: (endpoint: string, token: string | null, query: string, variables: Record<string, unknown> = {}) =>
    outcome(async () =>
      answer(
        await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...bearer(token) },
          body: JSON.stringify({ query, variables }),
        }),
      ),
    ),

  /** GET with the operation in the query string and only the bearer token as a header (no Apollo-Require-Preflight). */
  get: (endpoint: string, token: string | null, query: string, variables: Record<string, unknown> = {}) =>
    outcome(async () => {
      const url = new URL(endpoint);
      url.searchParams.set('query', query);
      url.searchParams.set('variables', JSON.stringify(variables));
      return answer(await fetch(url, { headers: { accept: 'application/graphql-response+json, application/json', ...bearer(token) } }));
    }),

  /** urql with automatic persisted queries, hashed queries over GET, run twice: registers, then hash alone. */
  urql: (endpoint: string, token: string, query: string, variables: Record<string, unknown> = {}) =>
    outcome(async () => {
      const calls: WireCall[] = [];
      const client = new Client({
        url: endpoint,
        exchanges: [persistedExchange({ preferGetForPersistedQueries: true }), fetchExchange],
        fetchOptions: { headers: bearer(token) },
        fetch: recordingFetch(calls),
        requestPolicy: 'network-only',
      });
      const runs = [];
      for (let i = 0; i < 2; i += 1) {
        const result = await client.query(query, variables).toPromise();
        if (result.error) throw result.error;
        runs.push(result.data as unknown);
      }
      return { runs, calls };
    }),

  /** Apollo Client with its persisted query link, hashed queries over GET, run twice. */
  apollo: (endpoint: string, token: string, query: string, variables: Record<string, unknown> = {}) =>
    outcome(async () => {
      const calls: WireCall[] = [];
      const link = new PersistedQueryLink({ sha256, useGETForHashedQueries: true }).concat(
        new HttpLink({ uri: endpoint, headers: bearer(token), fetch: recordingFetch(calls) }),
      );
      const client = new ApolloClient({ link, cache: new InMemoryCache() });
      const document = gql(query);
      const runs = [];
      for (let i = 0; i < 2; i += 1) runs.push((await client.query({ query: document, variables, fetchPolicy: 'no-cache' })).data);
      return { runs, calls };
    }),

  /** graphql-request's client (POST JSON). */
  graphqlRequest: (endpoint: string, token: string, query: string, variables: Record<string, unknown> = {}) =>
    outcome(async () => new GraphQLClient(endpoint, { headers: bearer(token) }).request<unknown>(query, variables)),
};

declare global {
  interface Window {
    probe: typeof probe;
  }
}
window.probe = probe;
