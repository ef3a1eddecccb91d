import { Field, ObjectType } from 'type-graphql';
import type { CustomerDoc } from '../db/documents.js';
import { MutationPayload } from '../mutation/payload.types.js';
import { Customer } from './customer.type.js';

@ObjectType({ description: 'The result of creating a customer.' })
export class CreateCustomerPayload extends MutationPayload {
  @Field(() => Customer, { nullable: true, description: 'The new customer (for a dry run, as it would be; null when refused).' })
  customer!: CustomerDoc | null;
}
