import type { IncomingHttpHeaders } from 'node:http';
import { jwtVerify } from 'jose';
import type { Collection } from 'mongodb';
import type { PartnerDoc, PartnerRole } from '../db/documents.js';
import { AUTH_AUDIENCE, AUTH_ISSUER, type Config } from './config.js';
import { ClientError } from './errors.js';
import { PartnerRoleEnum } from './enums.js';
import type { Caller } from './caller.js';
import type { Logger } from './logger.js';

export type { Caller };

/**
 * Turns request headers into a Caller, or throws UNAUTHENTICATED. The gateway depends only on
 * this interface, so a verifying token authenticator can replace the development one without
 * touching resolvers.
 */
export interface Authenticator {
  authenticate(headers: IncomingHttpHeaders): Promise<Caller>;
}

const ROLE_VALUES = new Set<string>(Object.values(PartnerRoleEnum));

/**
 * The one answer to every authentication failure (missing, expired, malformed, wrongly signed,
 * unknown partner, unknown role, bad header values), so that a caller cannot tell the cases apart
 * (no enumeration of partners, roles or secrets).
 */
export const AUTH_FAILURE_MESSAGE = 'Authentication required: send Authorization: Bearer <token> (see README, "Calling the API")';

/**
 * UNAUTHENTICATED with AUTH_FAILURE_MESSAGE. `reason` is for the server log only: it is not part of
 * the GraphQL error, and the stack is fixed so that even EXPOSE_ERROR_DETAILS shows nothing more.
 */
export class AuthenticationError extends ClientError {
  constructor(readonly reason: string) {
    super('UNAUTHENTICATED', AUTH_FAILURE_MESSAGE);
    this.name = 'ClientError';
    this.stack = `ClientError: ${AUTH_FAILURE_MESSAGE}`;
  }
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Accepts `admin_agent`, `ADMIN_AGENT`, `admin-agent` or `Admin agent`. */
export function parseRoles(raw: string | undefined): PartnerRole[] {
  if (!raw || raw.trim() === '') return [];
  const roles = raw
    .split(',')
    .map((r) =>
      r
        .trim()
        .toLowerCase()
        .replace(/[\s-]+/g, '_'),
    )
    .filter((r) => r !== '');
  const unknown = roles.filter((r) => !ROLE_VALUES.has(r));
  if (unknown.length > 0) {
    throw new ClientError(
      'UNAUTHENTICATED',
      `Header X-Partner-Roles must list roles from ${[...ROLE_VALUES].join(', ')}, but got '${unknown.join(', ')}'`,
    );
  }
  return [...new Set(roles)] as PartnerRole[];
}

function bearer(headers: IncomingHttpHeaders): string | undefined {
  return header(headers, 'authorization')
    ?.match(/^Bearer\s+(.+)$/i)?.[1]
    ?.trim();
}

/** PARTNER_CACHE_MS's default (docs/operations.md, "Configuration"). */
export const DEFAULT_PARTNER_CACHE_MS = 30_000;

/** Partners kept at most; beyond, the least recently read is dropped. */
export const PARTNER_CACHE_MAX_ENTRIES = 10_000;

/** How authentication finds the partner a token or header names. */
export interface PartnerLookup {
  find(partnerId: string): Promise<PartnerDoc | null>;
}

/**
 * The partners authentication finds, kept in the memory of the process for `ttlMs`
 * (PARTNER_CACHE_MS, 30 s; 0 reads the database on every request), so that a request does not
 * begin with a database read (README, "Calling the API"):
 *
 * - a partner is read once per `ttlMs` per process; concurrent requests share one read. A change
 *   to a partner document (or its removal) shows within `ttlMs`; the gateway itself never changes one;
 * - an unknown partner is never kept: a partner created a moment ago works on its first request,
 *   and made-up IDs cannot fill the memory. Each costs one read, as before, and answers the same
 *   UNAUTHENTICATED as every other failure;
 * - a failed read is not kept either: the next request reads again;
 * - at most PARTNER_CACHE_MAX_ENTRIES partners, the least recently read dropped first.
 */
export class PartnerCache implements PartnerLookup {
  private readonly entries = new Map<string, { partner: Promise<PartnerDoc | null>; expires: number }>();

  constructor(
    private readonly partners: Collection<PartnerDoc>,
    readonly ttlMs: number = DEFAULT_PARTNER_CACHE_MS,
    private readonly clock: () => number = Date.now,
    private readonly maxEntries: number = PARTNER_CACHE_MAX_ENTRIES,
  ) {}

  find(partnerId: string): Promise<PartnerDoc | null> {
    if (this.ttlMs <= 0) return this.partners.findOne({ _id: partnerId });
    const now = this.clock();
    const kept = this.entries.get(partnerId);
    if (kept && kept.expires > now) return kept.partner;
    if (kept) this.entries.delete(partnerId);
    const partner = this.partners.findOne({ _id: partnerId });
    const entry = { partner, expires: now + this.ttlMs };
    const forget = () => {
      if (this.entries.get(partnerId) === entry) this.entries.delete(partnerId);
    };
    partner.then((doc) => doc ?? forget(), forget);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(partnerId, entry);
    return partner;
  }

  /** Forgets every partner (tests; after changing partner documents directly). */
  clear(): void {
    this.entries.clear();
  }
}

/** A lookup for `partners`: a PartnerCache as given, a bare collection read on every call. */
function partnerLookup(partners: Collection<PartnerDoc> | PartnerLookup): PartnerLookup {
  return 'findOne' in partners ? new PartnerCache(partners, 0) : partners;
}

/** Three base64url segments: a compact JWS. A partner ID (a GUID) never looks like one. */
const COMPACT_JWS = /^[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;

/**
 * Bearer tokens (README, "Calling the API"): an HS256 JWT signed with AUTH_SECRET, with
 * `iss` and `aud` of this gateway, an `exp`, `sub` = user ID, `pid` = partner tenant ID and
 * `roles` = PartnerRole values. Anything else, and a partner that does not exist, is refused with
 * AuthenticationError.
 */
export class TokenAuthenticator implements Authenticator {
  private readonly key: Uint8Array;
  private readonly partners: PartnerLookup;
  /**
   * Tokens already verified, with their claims, until their `exp` (README, "Calling the API").
   * A compact JWS is its own proof: the same string carries the same signature over the same
   * claims, so verifying it again can only repeat the answer until it expires. Verification
   * (WebCrypto HMAC, a thread-pool round trip) was the largest cost of a trivial request
   * (bench/results). Bounded: the oldest entry goes first; a refused token is never kept.
   */
  private readonly verified = new Map<string, VerifiedClaims>();

  constructor(partners: Collection<PartnerDoc> | PartnerLookup, secret: string) {
    this.partners = partnerLookup(partners);
    this.key = new TextEncoder().encode(secret);
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const token = bearer(headers);
    if (!token) throw new AuthenticationError('no Authorization: Bearer header');
    return this.verify(token);
  }

  async verify(token: string): Promise<Caller> {
    const kept = this.verified.get(token);
    if (kept && kept.expiresAtMs > Date.now()) return this.caller(kept);
    if (kept) this.verified.delete(token);
    const claims = await this.verifySignedClaims(token);
    if (token.length <= MAX_KEPT_TOKEN_LENGTH) {
      if (this.verified.size >= MAX_KEPT_TOKENS) this.verified.delete(this.verified.keys().next().value!);
      this.verified.set(token, claims);
    }
    return this.caller(claims);
  }

  private async caller(claims: VerifiedClaims): Promise<Caller> {
    const partner = await this.partners.find(claims.partnerId);
    if (!partner) throw new AuthenticationError('token names an unknown partner');
    return { partner, userId: claims.userId, roles: [...claims.roles] };
  }

  private async verifySignedClaims(token: string): Promise<VerifiedClaims> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.key, {
        algorithms: ['HS256'],
        issuer: AUTH_ISSUER,
        audience: AUTH_AUDIENCE,
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new AuthenticationError(`token refused: ${typeof code === 'string' ? code : 'unreadable'}`);
    }
    const { sub, roles } = payload;
    const pid = payload.pid ?? payload.partner_id;
    if (typeof pid !== 'string' || pid.trim() === '' || pid.length > 100) throw new AuthenticationError('token has no partner ID');
    if (typeof sub !== 'string' || sub.trim() === '' || sub.length > 200) throw new AuthenticationError('token has no user ID');
    if (!Array.isArray(roles) || !roles.every((r): r is string => typeof r === 'string' && ROLE_VALUES.has(r))) {
      throw new AuthenticationError('token roles are not a list of known roles');
    }
    return {
      partnerId: pid.trim().toLowerCase(),
      userId: sub,
      roles: [...new Set(roles)] as PartnerRole[],
      expiresAtMs: (payload.exp as number) * 1000,
    };
  }
}

/** What a verified token says, kept by TokenAuthenticator until `expiresAtMs`. */
interface VerifiedClaims {
  partnerId: string;
  userId: string;
  roles: readonly PartnerRole[];
  expiresAtMs: number;
}

/** Verified tokens kept per process: about 1 KB each, so at most about 10 MB. */
const MAX_KEPT_TOKENS = 10_000;
/** Longer tokens (a client stuffing claims) are verified every time rather than kept. */
const MAX_KEPT_TOKEN_LENGTH = 1_024;

/**
 * What the gateway uses: a Bearer JWT always; the development header scheme (HeaderAuthenticator,
 * including `Authorization: Bearer <partner ID>`) only when `headers` is given (DEV_HEADER_AUTH).
 * Every failure is the same AuthenticationError; its reason is logged at debug level.
 */
export class GatewayAuthenticator implements Authenticator {
  constructor(
    private readonly tokens: TokenAuthenticator,
    private readonly headers: HeaderAuthenticator | null,
    private readonly log?: Logger,
  ) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const token = bearer(headers);
    try {
      if (token !== undefined && COMPACT_JWS.test(token)) return await this.tokens.verify(token);
      if (this.headers) return await this.headers.authenticate(headers);
      throw new AuthenticationError(token === undefined ? 'no Authorization: Bearer header' : 'bearer value is not a JWT');
    } catch (error) {
      if (error instanceof AuthenticationError) this.log?.debug('auth', `refused: ${error.reason}`);
      throw error;
    }
  }
}

/**
 * The authenticator the configuration asks for (AUTH_SECRET, DEV_HEADER_AUTH), both schemes
 * sharing one PartnerCache (PARTNER_CACHE_MS; the default when absent from `config`).
 */
export function createAuthenticator(
  config: Pick<Config, 'authSecret' | 'devHeaderAuth'> & Partial<Pick<Config, 'partnerCacheMs'>>,
  partners: Collection<PartnerDoc>,
  log?: Logger,
): GatewayAuthenticator {
  const cache = new PartnerCache(partners, config.partnerCacheMs ?? DEFAULT_PARTNER_CACHE_MS);
  return new GatewayAuthenticator(
    new TokenAuthenticator(cache, config.authSecret),
    config.devHeaderAuth ? new HeaderAuthenticator(cache) : null,
    log,
  );
}

/**
 * Development authentication, documented in the README: the caller names itself.
 *   X-Partner-Id: <partner tenant ID>            (required)
 *   X-Partner-Roles: global_admin,admin_agent    (optional; none by default)
 *   X-User-Id: <user ID>                         (optional)
 * `Authorization: Bearer <partner tenant ID>` is accepted in place of X-Partner-Id.
 * It trusts the caller, so it is on only when DEV_HEADER_AUTH is (development mode's default).
 * Its failures are the same AuthenticationError as a bad token's.
 */
export class HeaderAuthenticator implements Authenticator {
  private readonly partners: PartnerLookup;

  constructor(partners: Collection<PartnerDoc> | PartnerLookup) {
    this.partners = partnerLookup(partners);
  }

  async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const partnerId = (header(headers, 'x-partner-id') ?? bearer(headers))?.trim().toLowerCase();
    if (!partnerId) throw new AuthenticationError('no X-Partner-Id header');
    let roles: PartnerRole[];
    try {
      roles = parseRoles(header(headers, 'x-partner-roles'));
    } catch (error) {
      throw new AuthenticationError(error instanceof Error ? error.message : 'bad X-Partner-Roles');
    }
    const partner = await this.partners.find(partnerId);
    if (!partner) throw new AuthenticationError(`no partner with ID '${partnerId.slice(0, 60)}'`);
    const userId = header(headers, 'x-user-id')?.trim() || `${partner._id}/user`;
    return { partner, userId, roles };
  }
}
