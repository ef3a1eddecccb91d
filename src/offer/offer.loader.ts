import DataLoader from 'dataloader';
import type { OfferDoc } from '../db/documents.js';
import { notFound } from '../shared/errors.js';
import type { OfferRepository } from './offer.repository.js';

/**
 * The catalog is global: offers are not tenant data, so no partner scope. Served from the
 * in-memory catalog (OfferRepository): no database command unless an ID is not in it.
 * A factory: `createLoaders` (src/shared/context.ts) calls it on first use in a request.
 */
export function createOfferLoaders(offers: OfferRepository) {
  return {
    offerById: () =>
      new DataLoader<string, OfferDoc>(async (ids) => {
        const rows = await offers.byIds(ids);
        return ids.map((id, i) => rows[i] ?? notFound('offer', id));
      }),
  };
}
