/**
 * A test suite's client for the gateway's sandboxes (docs/testing-with-sandboxes.md): create one,
 * call as its partner, move its clock, snapshot, restore, reset and delete it.
 *
 * Contract: this file is a client of the public HTTP API and nothing else. It imports nothing (no
 * package, no other module of the gateway: a lint rule holds it, eslint.config.js) and uses only
 * the global `fetch` of Node 20 or later, so that a test team can import it from vitest, Jest or
 * node:test, or copy it into its own repository.
 */

/** A partner role, as the GraphQL enum PartnerRole spells it (lower case is accepted and upper-cased). */
export type SandboxRole =
  | 'ACCOUNT_ADMIN'
  | 'ADMIN_AGENT'
  | 'BILLING_ADMIN'
  | 'GLOBAL_ADMIN'
  | 'HELPDESK_AGENT'
  | 'MARKETING_CONTENT_ADMIN'
  | 'REFERRAL_ADMIN'
  | 'SALES_AGENT'
  | 'USER_MANAGEMENT_ADMIN';

export type SandboxTemplate = 'EMPTY' | 'DEMO' | 'GENERATED';
export type SandboxPartnerType = 'DIRECT_BILL' | 'INDIRECT_PROVIDER' | 'INDIRECT_RESELLER';

export interface SandboxOptions {
  /** The gateway's base URL, e.g. http://127.0.0.1:4000 (a trailing /graphql is accepted). */
  url: string;
  /** A bearer token of a sandbox administrator (a real partner's global admin; docs/sandboxes.md, SANDBOX-ADMIN). */
  adminToken: string;
  /** The sandbox partner's name; default: `test sandbox <random>`. */
  name?: string;
  partnerType?: SandboxPartnerType;
  /** Where the sandbox's clock starts (ISO-8601 or a Date); default: the gateway's SIMULATION_CLOCK_START. */
  clockStart?: string | Date;
  template?: SandboxTemplate;
  /** GENERATED only: how many customers. */
  customers?: number;
  /** GENERATED only: the same seed gives the same IDs and amounts. */
  seed?: string;
  /** The roles of the creation token; default: the gateway's (GLOBAL_ADMIN, ADMIN_AGENT). */
  roles?: readonly (SandboxRole | Lowercase<SandboxRole>)[];
  /** Time to live, an ISO-8601 duration such as PT2H; default: the gateway's SANDBOX_TTL_DEFAULT. */
  ttl?: string;
  /** How many times a SANDBOX_BUSY answer is retried before it is thrown; default 5. */
  busyRetries?: number;
  /** The fetch to use; default: the global one. */
  fetch?: typeof fetch;
}

/** One GraphQL error as the gateway answers it. */
export interface SandboxGraphQLError {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; rule?: string; field?: string; [key: string]: unknown };
}

/**
 * A request that did not answer data: the gateway unreachable (code `UNREACHABLE`), an HTTP
 * failure, or GraphQL errors. `code`, `rule` and `field` are the first error's extensions
 * (FORBIDDEN with rule SANDBOX-ADMIN, BAD_USER_INPUT with the field, SANDBOX_BUSY ...); `errors`
 * holds them all.
 */
export class SandboxError extends Error {
  readonly code: string;
  readonly rule: string | undefined;
  readonly field: string | undefined;
  readonly status: number | undefined;
  readonly errors: readonly SandboxGraphQLError[];

  constructor(
    message: string,
    details: { code: string; rule?: string; field?: string; status?: number; errors?: readonly SandboxGraphQLError[]; cause?: unknown },
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'SandboxError';
    this.code = details.code;
    this.rule = details.rule;
    this.field = details.field;
    this.status = details.status;
    this.errors = details.errors ?? [];
  }
}

/** What the gateway answered about the sandbox when it was created. */
export interface SandboxInfo {
  id: string;
  name: string;
  partnerId: string;
  partnerType: SandboxPartnerType;
  template: SandboxTemplate;
  clockStart: string;
  createdAt: string;
  expiresAt: string;
  customerCount: number;
}

export interface SandboxSnapshot {
  name: string;
  createdAt: string;
  clockNow: string;
  documentCount: number;
}

export interface RequestOptions {
  /** Call with a token for these roles (minted once per set of roles) instead of the creation token. */
  roles?: readonly (SandboxRole | Lowercase<SandboxRole>)[];
}

/** An event of the sandbox's partner (docs/events.md): one change the gateway applied. */
export interface SandboxEvent {
  /** The event ID, the same in every webhook delivery of it. */
  id: string;
  /** The partner's sequence number: 1, 2, 3 ... without gaps. */
  sequence: number;
  /** The event name, e.g. `subscription-updated`, `subscription-renewed`, `invoice-ready`. */
  type: string;
  resourceName: string;
  resourceId: string;
  customerId: string | null;
  operationId: string | null;
  /** Simulation time of the change, ISO-8601 UTC. */
  at: string;
  /** What changed, parsed. */
  changes: unknown;
  /** The webhook body of this event, parsed (Partner Center's `EventName`, `ResourceUri` ... and the gateway's fields). */
  payload: Record<string, unknown>;
}

export interface EventsQuery {
  /** Only events after this cursor (an `endCursor` answered before); from the first event when absent. */
  after?: string | null;
  /** Only these event names. */
  types?: readonly string[];
  customerId?: string;
  resourceId?: string;
  /** Page size, at most the gateway's page limit. @default 100 */
  first?: number;
}

export interface WaitForEventsOptions extends EventsQuery {
  /** How many matching events to wait for. @default 1 */
  count?: number;
  /** Only events this accepts count. */
  match?: (event: SandboxEvent) => boolean;
  /** @default 10000 */
  timeoutMs?: number;
}

export interface Sandbox {
  readonly id: string;
  readonly partnerId: string;
  readonly info: SandboxInfo;
  /** A bearer token for the sandbox's partner: the creation token, or one minted for `roles`. */
  token(roles?: RequestOptions['roles']): Promise<string>;
  /** Runs an operation as the sandbox's partner and answers its data; throws SandboxError on any GraphQL error. */
  request<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, options?: RequestOptions): Promise<T>;
  /** Moves the sandbox's clock forward by an ISO-8601 duration (GEN-CLOCK); answers where it went from and to. */
  advance(by: string): Promise<{ from: string; to: string }>;
  /** The sandbox's simulation clock, ISO-8601 UTC. */
  now(): Promise<string>;
  /** Saves the whole sandbox with its clock under `name`. */
  snapshot(name: string): Promise<SandboxSnapshot>;
  /** Brings the sandbox back to the snapshot `name`, its clock included. */
  restore(name: string): Promise<void>;
  /** Brings the sandbox back to its state right after creation. */
  reset(): Promise<void>;
  /** Deletes the sandbox and everything in it; a second call does nothing. */
  delete(): Promise<void>;
  /**
   * One page (`first`, 100) of the partner's event log in sequence order (`events` query), those
   * matching `types`, `customerId` and `resourceId`, and the cursor to ask `after` next time: a
   * place in the whole log, whatever the filters; keep it to see only what happened since.
   */
  events(query?: EventsQuery): Promise<{ events: SandboxEvent[]; cursor: string | null }>;
  /**
   * Waits until `count` events matching the query (and `match`) exist after `after`, polling the
   * `events` query; answers them in sequence order, or throws SandboxError `TIMEOUT` naming what
   * it saw. Events are written with their change, so after a mutation answers, its events exist.
   */
  waitForEvents(options?: WaitForEventsOptions): Promise<SandboxEvent[]>;
}

interface Answer<T> {
  data?: T | null;
  errors?: SandboxGraphQLError[];
}

const USER_ERRORS = 'userErrors { code rule message field }';
const CREATE = `mutation CreateSandbox($input: CreateSandboxInput!) {
  createSandbox(input: $input) {
    sandbox { id name partnerId partnerType template clockStart createdAt expiresAt customerCount }
    tokens { roles token }
    ${USER_ERRORS}
  }
}`;
const MINT = `mutation MintSandboxToken($input: MintSandboxTokenInput!) {
  mintSandboxToken(input: $input) { token { token } ${USER_ERRORS} }
}`;
const SNAPSHOT = `mutation SnapshotSandbox($input: SnapshotSandboxInput!) {
  snapshotSandbox(input: $input) { snapshot { name createdAt clockNow documentCount } ${USER_ERRORS} }
}`;
const RESTORE = `mutation RestoreSandbox($input: RestoreSandboxInput!) { restoreSandbox(input: $input) { sandbox { id } ${USER_ERRORS} } }`;
const RESET = `mutation ResetSandbox($input: ResetSandboxInput!) { resetSandbox(input: $input) { sandbox { id } ${USER_ERRORS} } }`;
const DELETE = `mutation DeleteSandbox($input: DeleteSandboxInput!) { deleteSandbox(input: $input) { deletedSandboxId ${USER_ERRORS} } }`;
const ADVANCE = `mutation AdvanceClock($by: String!) { advanceClock(input: { by: $by }) { from to ${USER_ERRORS} } }`;
const NOW = `query SimulationClock { simulationClock { now } }`;
const EVENTS = `query SandboxEvents($first: Int, $after: String) {
  events(first: $first, after: $after) {
    nodes { id sequence type resourceName resourceId customerId operationId at changes payload }
    pageInfo { endCursor }
  }
}`;

type RawEvent = Omit<SandboxEvent, 'changes' | 'payload'> & { changes: string | null; payload: string };

function parseEvent(e: RawEvent): SandboxEvent {
  return {
    ...e,
    changes: e.changes === null ? null : (JSON.parse(e.changes) as unknown),
    payload: JSON.parse(e.payload) as Record<string, unknown>,
  };
}

/** The first delays, in ms, between retries of a SANDBOX_BUSY answer; the last repeats. */
const BUSY_BACKOFF_MS = [50, 100, 200, 400, 800];

/** Sorted, upper-cased and joined: one key per set of roles. */
function rolesKey(roles: readonly string[]): string {
  return [...new Set(roles.map((r) => r.toUpperCase()))].sort().join(',');
}

function endpoint(url: string): string {
  return `${url.replace(/\/+$/, '').replace(/\/graphql$/, '')}/graphql`;
}

/** One GraphQL call over HTTP with a bearer token, SANDBOX_BUSY retried, everything else thrown as a SandboxError. */
async function call<T>(
  options: Pick<SandboxOptions, 'url' | 'busyRetries' | 'fetch'>,
  token: string,
  who: 'admin' | 'sandbox',
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  const url = endpoint(options.url);
  const retries = options.busyRetries ?? 5;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query, variables }),
      });
    } catch (cause) {
      throw new SandboxError(`The gateway at ${url} is unreachable (is it running?): ${(cause as Error)?.message ?? cause}`, {
        code: 'UNREACHABLE',
        cause,
      });
    }
    const text = await response.text();
    let answer: Answer<T>;
    try {
      answer = JSON.parse(text) as Answer<T>;
    } catch {
      throw new SandboxError(`${url} answered HTTP ${response.status}, not GraphQL: ${text.slice(0, 200)}`, {
        code: 'HTTP_ERROR',
        status: response.status,
      });
    }
    const errors = answer.errors ?? [];
    const first = errors[0];
    if (!first && answer.data) return answer.data;
    const code = first?.extensions?.code ?? (response.ok ? 'NO_DATA' : 'HTTP_ERROR');
    if (code === 'SANDBOX_BUSY' && attempt < retries) {
      await new Promise((resolve) => setTimeout(resolve, BUSY_BACKOFF_MS[Math.min(attempt, BUSY_BACKOFF_MS.length - 1)]));
      continue;
    }
    const rule = first?.extensions?.rule;
    const field = first?.extensions?.field;
    let message = first ? `${code}${rule ? ` (${rule})` : ''}: ${first.message}` : `${url} answered HTTP ${response.status} without data`;
    if (code === 'UNAUTHENTICATED') {
      message =
        who === 'admin'
          ? `The gateway refused the admin token (UNAUTHENTICATED): ${first?.message ?? ''}`
          : `The gateway refused the sandbox's token (UNAUTHENTICATED; was the sandbox deleted or expired?): ${first?.message ?? ''}`;
    } else if (who === 'admin' && rule === 'SANDBOX-ADMIN') {
      message = `The admin token is not a sandbox administrator's (FORBIDDEN, SANDBOX-ADMIN): ${first?.message ?? ''}`;
    }
    throw new SandboxError(message, { code, rule, field, status: response.status, errors });
  }
}

interface UserError {
  code: string;
  rule: string;
  message: string;
  field?: readonly string[] | null;
}

/**
 * The payload of mutation `name` in `data`, thrown as a SandboxError when the gateway refused it
 * in `userErrors` (a policy refusal, with its rule): the helper's own operations are set-up, and a
 * set-up refused is a test that cannot go on.
 */
function accepted<P extends { userErrors?: readonly UserError[] }>(data: Record<string, P>, name: string, what: string): P {
  const payload = data[name]!;
  const refused = payload.userErrors?.[0];
  if (refused) {
    throw new SandboxError(`${what} was refused (${refused.rule}): ${refused.message}`, {
      code: refused.code,
      rule: refused.rule,
      field: refused.field?.join('.'),
    });
  }
  return payload;
}

/** Creates a sandbox (createSandbox) and answers a handle on it. Delete it when done, or use `withSandbox`. */
export async function createSandbox(options: SandboxOptions): Promise<Sandbox> {
  const input: Record<string, unknown> = { name: options.name ?? `test sandbox ${Math.random().toString(36).slice(2, 10)}` };
  if (options.partnerType !== undefined) input.partnerType = options.partnerType;
  if (options.clockStart !== undefined)
    input.clockStart = options.clockStart instanceof Date ? options.clockStart.toISOString() : options.clockStart;
  if (options.template !== undefined) input.template = options.template;
  if (options.customers !== undefined) input.customers = options.customers;
  if (options.seed !== undefined) input.seed = options.seed;
  if (options.roles !== undefined) input.roles = options.roles.map((r) => r.toUpperCase());
  if (options.ttl !== undefined) input.ttl = options.ttl;

  const created = await call<{
    createSandbox: { sandbox: SandboxInfo; tokens: { roles: string[]; token: string }[]; userErrors: UserError[] };
  }>(options, options.adminToken, 'admin', CREATE, { input });
  const { sandbox: info, tokens } = accepted(created, 'createSandbox', 'createSandbox');
  const creation = tokens[0]!;
  // Tokens by role set: the creation token, then each one minted (mintSandboxToken) on first need.
  const minted = new Map<string, Promise<string>>([[rolesKey(creation.roles), Promise.resolve(creation.token)]]);
  const admin = <T>(query: string, variables: Record<string, unknown>) => call<T>(options, options.adminToken, 'admin', query, variables);
  let deleted = false;

  const token = (roles?: RequestOptions['roles']): Promise<string> => {
    if (!roles) return Promise.resolve(creation.token);
    const key = rolesKey(roles);
    let pending = minted.get(key);
    if (!pending) {
      pending = admin<{ mintSandboxToken: { token: { token: string }; userErrors: UserError[] } }>(MINT, {
        input: { sandboxId: info.id, roles: key.split(',') },
      }).then((d) => accepted(d, 'mintSandboxToken', `mintSandboxToken(${key})`).token.token);
      // A refused mint is not kept: the next call asks again.
      pending.catch(() => minted.delete(key));
      minted.set(key, pending);
    }
    return pending;
  };

  const request = async <T>(query: string, variables?: Record<string, unknown>, requestOptions: RequestOptions = {}): Promise<T> =>
    call<T>(options, await token(requestOptions.roles), 'sandbox', query, variables);

  // The cursor is a place in the partner's whole log: pages are read unfiltered (a cursor of the
  // `events` query belongs to the filter it was answered under) and filtered here.
  const events = async (query: EventsQuery = {}) => {
    const answer = await request<{ events: { nodes: RawEvent[]; pageInfo: { endCursor: string | null } } }>(EVENTS, {
      first: query.first ?? 100,
      after: query.after ?? null,
    });
    const wanted = (e: SandboxEvent) =>
      (!query.types || query.types.includes(e.type)) &&
      (!query.customerId || e.customerId === query.customerId) &&
      (!query.resourceId || e.resourceId === query.resourceId);
    return { events: answer.events.nodes.map(parseEvent).filter(wanted), cursor: answer.events.pageInfo.endCursor ?? query.after ?? null };
  };

  return {
    id: info.id,
    partnerId: info.partnerId,
    info,
    token,
    request,
    events,
    async waitForEvents(options = {}) {
      const want = options.count ?? 1;
      const deadline = Date.now() + (options.timeoutMs ?? 10_000);
      const found: SandboxEvent[] = [];
      let after = options.after ?? null;
      for (;;) {
        const page = await events({ ...options, after });
        found.push(...page.events.filter((e) => !options.match || options.match(e)));
        after = page.cursor;
        if (found.length >= want) return found.slice(0, want);
        if (page.events.length > 0) continue;
        if (Date.now() > deadline) {
          const seen = found.map((e) => e.type).join(', ') || 'none';
          throw new SandboxError(`waitForEvents: expected ${want} matching event(s), but saw ${found.length} (${seen})`, {
            code: 'TIMEOUT',
          });
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async advance(by) {
      const answer = await request<{ advanceClock: { from: string; to: string; userErrors: UserError[] } }>(ADVANCE, { by });
      const { from, to } = accepted(answer, 'advanceClock', `advanceClock(${by})`);
      return { from, to };
    },
    async now() {
      return (await request<{ simulationClock: { now: string } }>(NOW)).simulationClock.now;
    },
    async snapshot(name) {
      const answer = await admin<{ snapshotSandbox: { snapshot: SandboxSnapshot; userErrors: UserError[] } }>(SNAPSHOT, {
        input: { sandboxId: info.id, name },
      });
      return accepted(answer, 'snapshotSandbox', `snapshotSandbox(${name})`).snapshot;
    },
    async restore(name) {
      const answer = await admin<{ restoreSandbox: { userErrors: UserError[] } }>(RESTORE, {
        input: { sandboxId: info.id, snapshot: name },
      });
      accepted(answer, 'restoreSandbox', `restoreSandbox(${name})`);
    },
    async reset() {
      accepted(
        await admin<{ resetSandbox: { userErrors: UserError[] } }>(RESET, { input: { sandboxId: info.id } }),
        'resetSandbox',
        'resetSandbox',
      );
    },
    async delete() {
      if (deleted) return;
      try {
        accepted(
          await admin<{ deleteSandbox: { userErrors: UserError[] } }>(DELETE, { input: { sandboxId: info.id } }),
          'deleteSandbox',
          'deleteSandbox',
        );
      } catch (error) {
        // Gone already (the gateway purged it once its time to live passed): nothing left to delete.
        if (!(error instanceof SandboxError && error.code === 'NOT_FOUND')) throw error;
      }
      deleted = true;
    },
  };
}

/**
 * Creates a sandbox, runs `body` with it and deletes it, whether `body` answers or throws (its
 * error is the one thrown; a failed delete is thrown only when `body` succeeded).
 */
export async function withSandbox<T>(options: SandboxOptions, body: (sandbox: Sandbox) => Promise<T>): Promise<T> {
  const sandbox = await createSandbox(options);
  let result: T;
  try {
    result = await body(sandbox);
  } catch (error) {
    await sandbox.delete().catch(() => {});
    throw error;
  }
  await sandbox.delete();
  return result;
}
