import type { Collections } from '../db/collections.js';
import { byIdLoader } from '../shared/loader-utils.js';

/** The catalog is global: offers are not tenant data, so no partner scope. */
export function createOfferLoaders(cols: Collections) {
  return { offerById: byIdLoader(cols.offers, {}, 'offer') };
}
