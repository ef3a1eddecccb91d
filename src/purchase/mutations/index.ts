/** The purchase mutation fields, one resolver class per field. */
import { PurchaseAddOnMutation } from './purchase-add-on.js';
import { PurchaseMutation } from './purchase.js';

export const purchaseMutations = [PurchaseMutation, PurchaseAddOnMutation] as const;
