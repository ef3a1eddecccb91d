import type { IncomingHttpHeaders } from 'node:http';
import type { Collection } from 'mongodb';
import type { PartnerDoc, PartnerRole } from '../db/documents.js';
import { ClientError } from './errors.js';
import { PartnerRoleEnum } from './enums.js';

/** Who is calling: one partner (the tenant every read is scoped to, ROLE-TENANT), one user, roles. */
export interface Caller {
  partner: PartnerDoc;
  userId: string;
  roles: PartnerRole[];
}

/**
 * Turns request headers into a Caller, or throws UNAUTHENTICATED. The gateway depends only on
 * this interface, so a verifying token authenticator can replace the development one without
 * touching resolvers.
 */
export interface Authenticator {
  authenticate(headers: IncomingHttpHeaders): Promise<Caller>;
}

const ROLE_VALUES = new Set<string>(Object.values(PartnerRoleEnum));

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

/**
 * Development authentication, documented in the README: the caller names itself.
 *   X-Partner-Id: <partner tenant ID>            (required)
 *   X-Partner-Roles: global_admin,admin_agent    (optional; none by default)
 *   X-User-Id: <user ID>                         (optional)
 * `Authorization: Bearer <partner tenant ID>` is accepted in place of X-Partner-Id.
 * It trusts the caller; a later token authenticator verifies signatures instead.
 */
export class HeaderAuthenticator implements Authenticator {
  constructor(private readonly partners: Collection<PartnerDoc>) {}

  async authenticate(headers: IncomingHttpHeaders): Promise<Caller> {
    const bearer = header(headers, 'authorization')
      ?.match(/^Bearer\s+(.+)$/i)?.[1]
      ?.trim();
    const partnerId = (header(headers, 'x-partner-id') ?? bearer)?.trim().toLowerCase();
    if (!partnerId) {
      throw new ClientError(
        'UNAUTHENTICATED',
        'Expected the calling partner in header X-Partner-Id (or Authorization: Bearer <partner ID>), but got none',
      );
    }
    const roles = parseRoles(header(headers, 'x-partner-roles'));
    const partner = await this.partners.findOne({ _id: partnerId });
    if (!partner) {
      throw new ClientError('UNAUTHENTICATED', `No partner with ID '${partnerId.slice(0, 60)}' is known to this Partner Center`);
    }
    const userId = header(headers, 'x-user-id')?.trim() || `${partner._id}/user`;
    return { partner, userId, roles };
  }
}
