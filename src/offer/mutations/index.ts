/** The offer mutation fields, one resolver class per field. */
import { CreateOfferMutation } from './create-offer.js';

export const offerMutations = [CreateOfferMutation] as const;
