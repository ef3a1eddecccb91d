import { SignJWT } from 'jose';
import type { PartnerRole } from '../db/documents.js';
import { AUTH_AUDIENCE, AUTH_ISSUER } from './config.js';

export interface MintTokenOptions {
  /** The HS256 secret: Config.authSecret (AUTH_SECRET, or the development secret). */
  secret: string;
  /** The partner tenant the caller acts as (claim `pid`, ROLE-TENANT). */
  partnerId: string;
  /** Claim `sub`. @default '<partnerId>/user' */
  userId?: string;
  /** Claim `roles`. */
  roles: readonly PartnerRole[];
  /** A jose duration (`8h`, `30d`, `-1m` for an already expired token) or seconds from now. @default '8h' */
  expiresIn?: string | number;
  /** Tests only: a token for another issuer or audience, which the gateway refuses. */
  issuer?: string;
  audience?: string;
}

/** Signs a gateway bearer token (HS256 JWT with iss, aud, sub, pid, roles, iat, exp). */
export async function mintToken(options: MintTokenOptions): Promise<string> {
  const expiresIn = options.expiresIn ?? '8h';
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ pid: options.partnerId, roles: [...options.roles] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(options.issuer ?? AUTH_ISSUER)
    .setAudience(options.audience ?? AUTH_AUDIENCE)
    .setSubject(options.userId ?? `${options.partnerId}/user`)
    .setIssuedAt(now)
    .setExpirationTime(typeof expiresIn === 'number' ? now + expiresIn : expiresIn)
    .sign(new TextEncoder().encode(options.secret));
}
