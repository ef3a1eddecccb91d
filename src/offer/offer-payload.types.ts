import { Field, ObjectType } from 'type-graphql';
import type { OfferDoc } from '../db/documents.js';
import { MutationPayload } from '../mutation/payload.types.js';
import { Offer } from './offer.type.js';

@ObjectType({ description: "The result of creating a test sandbox's offer." })
export class CreateOfferPayload extends MutationPayload {
  @Field(() => Offer, {
    nullable: true,
    description: 'The new offer, with the ID the gateway gave it (for a dry run, as it would be; null when refused).',
  })
  offer!: OfferDoc | null;
}
