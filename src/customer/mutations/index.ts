/** The customer mutation fields, one resolver class per field. */
import { CreateCustomerMutation } from './create-customer.js';

export const customerMutations = [CreateCustomerMutation] as const;
