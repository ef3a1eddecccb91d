import { Arg, Args, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { AuditEventDoc, PartnerRole } from '../db/documents.js';
import { PageArgs } from '../shared/connection.type.js';
import type { Context } from '../shared/context.js';
import { badUserInput, ClientError } from '../shared/errors.js';
import type { Page } from '../shared/pagination.js';
import { AUDIT_MAX_RANGE_MS, findAuditRecords } from './audit.repository.js';
import { AuditRecord, AuditRecordConnection, AuditRecordFilter } from './audit.type.js';

/**
 * Who may read the audit log. Kept here rather than in the policy's role table: Partner Center
 * lets global admins, admin agents and account admins read audit records.
 */
const AUDIT_READERS: readonly PartnerRole[] = ['global_admin', 'admin_agent', 'account_admin'];

@Resolver(() => AuditRecord)
export class AuditResolver {
  @Query(() => AuditRecordConnection, {
    description:
      "Your audit records in [from, to) on the simulation clock (at most 90 days), oldest first: every mutation, accepted or refused (`outcome`, `rule`, `code`), and the lifecycle's changes. Global admins, admin agents and account admins only.",
  })
  async auditRecords(
    @Arg('from', () => Date) from: Date,
    @Arg('to', () => Date) to: Date,
    @Args() page: PageArgs,
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditRecordFilter, { nullable: true }) filter?: AuditRecordFilter | null,
  ): Promise<Page<AuditEventDoc>> {
    if (!ctx.caller.roles.some((r) => AUDIT_READERS.includes(r))) {
      throw new ClientError(
        'FORBIDDEN',
        `Reading audit records needs one of the roles ${AUDIT_READERS.join(', ')}, but the caller has ${ctx.caller.roles.join(', ') || 'none'}`,
      );
    }
    if (Number.isNaN(from.getTime())) throw badUserInput("Argument 'from' must be an ISO-8601 instant", { argumentName: 'from' });
    if (Number.isNaN(to.getTime())) throw badUserInput("Argument 'to' must be an ISO-8601 instant", { argumentName: 'to' });
    const span = to.getTime() - from.getTime();
    if (span <= 0)
      throw badUserInput(`Argument 'to' must be later than 'from' (${from.toISOString()}), but got ${to.toISOString()}`, {
        argumentName: 'to',
      });
    if (span > AUDIT_MAX_RANGE_MS) {
      throw badUserInput(
        `Audit records are read for at most 90 days at once, but 'from' ${from.toISOString()} to 'to' ${to.toISOString()} spans ${+(span / 86_400_000).toFixed(3)} days`,
        {
          argumentName: 'to',
        },
      );
    }
    return findAuditRecords(
      ctx.collections.auditEvents,
      { partnerId: ctx.caller.partner._id, from, to, operationType: filter?.operationType, resourceId: filter?.resourceId },
      page,
    );
  }

  @FieldResolver(() => String, { description: '`accepted` or `refused`.' })
  outcome(@Root() e: AuditEventDoc): string {
    return e.outcome ?? 'accepted';
  }
}
