/**
 * Software purchases (SW-*) and support requests, one resolver class per field. Each: authorise
 * (roles are FORBIDDEN), load fresh under the customer's lock with the clock read there, ask the
 * policy (src/policy/software.ts, support-request.ts), apply through the one write path.
 */
import { CancelSoftwareOrderMutation } from './cancel-software-order.js';
import { CreateSupportRequestMutation } from './create-support-request.js';
import { GetSoftwareKeyMutation } from './get-software-key.js';
import { PurchaseSoftwareMutation } from './purchase-software.js';

export const softwareOrderMutations = [
  PurchaseSoftwareMutation,
  GetSoftwareKeyMutation,
  CancelSoftwareOrderMutation,
  CreateSupportRequestMutation,
] as const;
