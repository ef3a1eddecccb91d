import type { Collections } from '../db/collections.js';
import { byIdLoader } from '../shared/loader-utils.js';

export function createCustomerLoaders(cols: Collections, partnerId: string) {
  return { customerById: byIdLoader(cols.customers, { partnerId }, 'customer') };
}
