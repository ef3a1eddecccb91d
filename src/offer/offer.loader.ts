import DataLoader from 'dataloader';
import type { OfferDoc } from '../db/documents.js';
import { notFound } from '../shared/errors.js';
import type { LazyLoaders, LoaderDeps } from '../read/loader-utils.js';

/**
 * The catalog is global: offers are not tenant data, so no partner scope. Served from the
 * in-memory catalog (OfferRepository): no database command unless an ID is not in it.
 * A factory over a request's deps: `createLoaders` (src/app/context.ts) calls it on first use in a request.
 */
export const offerLoaders = {
  offerById: (d: LoaderDeps) =>
    new DataLoader<string, OfferDoc>(async (ids) => {
      const rows = await d.offers.byIds(ids);
      return ids.map((id, i) => rows[i] ?? notFound('offer', id));
    }),
};

declare module '../shared/context.js' {
  interface RequestLoaders extends LazyLoaders<typeof offerLoaders> {}
}
