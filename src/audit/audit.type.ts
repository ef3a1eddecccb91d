import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { ConnectionType } from '../shared/connection.type.js';

@ObjectType({ description: 'A Partner Center audit record: one mutation, accepted or refused, or one lifecycle event.' })
export class AuditRecord {
  @Field(() => ID, { name: 'id' })
  _id!: string;

  @Field({ description: 'Partner Center `operationType`, e.g. cancel_subscription, create_order.' })
  operationType!: string;

  @Field({ description: 'e.g. subscription, order, customer; empty when the input named none.' })
  resourceType!: string;

  @Field({ description: 'The target of the operation; empty when the input named none.' })
  resourceId!: string;

  @Field(() => ID, { nullable: true })
  customerId!: string | null;

  @Field({ description: 'Who: the user ID, or `system` for lifecycle events.' })
  userId!: string;

  @Field(() => [String], { description: "The user's roles at the time." })
  roles!: string[];

  @Field(() => Date, { description: 'When, on the partner simulation clock (GEN-CLOCK).' })
  at!: Date;

  @Field(() => Date, { nullable: true, description: 'When, on the wall clock (refusals; absent on older records).' })
  wallAt!: Date | null;

  @Field(() => String, { nullable: true, description: "A refusal's rule ID, e.g. ROLE-SUBSCRIPTIONS or CANCEL-WINDOW." })
  rule!: string | null;

  @Field(() => String, { nullable: true, description: "A refusal's code: FORBIDDEN or a userErrors code." })
  code!: string | null;

  @Field(() => String, { nullable: true, description: "The request's correlation ID (X-Correlation-Id)." })
  correlationId!: string | null;

  @Field(() => String, { nullable: true, description: 'The mutation arguments as JSON, secrets removed (refusals).' })
  input!: string | null;

  @Field(() => String, { nullable: true, description: 'The resource before, as JSON.' })
  resourceOldValue!: string | null;

  @Field(() => String, { nullable: true, description: 'The resource after, as JSON.' })
  resourceNewValue!: string | null;
}

export const AuditRecordConnection = ConnectionType(AuditRecord, 'AuditRecord');

@InputType({ description: 'Filters on audit records; all given filters must match.' })
export class AuditRecordFilter {
  @Field(() => String, { nullable: true, description: 'e.g. cancel_subscription.' })
  operationType?: string | null;

  @Field(() => String, { nullable: true, description: 'The target resource ID.' })
  resourceId?: string | null;
}
