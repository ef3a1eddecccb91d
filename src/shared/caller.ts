import type { PartnerDoc, PartnerRole } from '../db/documents.js';

/**
 * Who is calling: one partner (the tenant every read is scoped to, ROLE-TENANT), one user, roles.
 * The one caller type of the gateway: authentication resolves it, resolvers carry it as
 * `ctx.caller`, and the policy receives it as plain data (its `actor` argument), so it holds no
 * I/O handle and src/policy may import it as a type.
 */
export interface Caller {
  partner: PartnerDoc;
  userId: string;
  roles: PartnerRole[];
}
