import type { Collection, Filter } from 'mongodb';
import type { AuditEventDoc } from '../db/documents.js';
import type { PageArgs } from '../shared/connection.type.js';
import { pagedFind } from '../shared/paged-find.js';
import type { Page } from '../shared/pagination.js';

/** auditRecords: a partner's records by simulation time, oldest first (index partner_at_id). */
export const AUDIT_SORT = ['at', '_id'] as const;

/** The longest range auditRecords reads at once, as Partner Center's audit API. */
export const AUDIT_MAX_RANGE_MS = 90 * 24 * 3_600_000;

export interface AuditQuery {
  partnerId: string;
  from: Date;
  to: Date;
  operationType?: string | null;
  resourceId?: string | null;
}

export function findAuditRecords(collection: Collection<AuditEventDoc>, q: AuditQuery, page: PageArgs): Promise<Page<AuditEventDoc>> {
  const where: Filter<AuditEventDoc> = {
    partnerId: q.partnerId,
    at: { $gte: q.from, $lt: q.to },
    ...(q.operationType ? { operationType: q.operationType } : {}),
    ...(q.resourceId ? { resourceId: q.resourceId } : {}),
  };
  const filterArgs = { from: q.from, to: q.to, operationType: q.operationType ?? null, resourceId: q.resourceId ?? null };
  return pagedFind({ collection, connection: 'auditRecords', filterArgs, where, args: page, sort: AUDIT_SORT, partnerId: q.partnerId });
}
