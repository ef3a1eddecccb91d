import type { Collections } from '../db/collections.js';
import { byIdLoader, IN_READS, type ReadPlanner } from '../shared/loader-utils.js';

/** Factories: `createLoaders` (src/shared/context.ts) calls each on first use in a request. */
export function createCustomerLoaders(cols: Collections, partnerId: string, planner: ReadPlanner = IN_READS) {
  return { customerById: () => byIdLoader(cols.customers, { partnerId }, 'customer', planner) };
}
