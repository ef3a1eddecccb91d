import { Field, ID, ObjectType } from 'type-graphql';
import { UserError } from './user-error.type.js';

/** Fields every mutation payload has. */
@ObjectType()
export abstract class MutationPayload {
  @Field(() => [UserError], { description: 'Policy refusals; empty when the action was allowed.' })
  userErrors!: UserError[];

  @Field({ description: 'True when the input asked for a quote (dryRun): nothing was changed.' })
  dryRun!: boolean;

  @Field(() => ID, { nullable: true, description: 'The write-path operation that applied the change (null for quotes and refusals).' })
  operationId!: string | null;

  @Field(() => String, { nullable: true, description: 'What happened (or would happen), in a sentence.' })
  summary!: string | null;
}
