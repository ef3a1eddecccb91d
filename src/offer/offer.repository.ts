import type { Collection, Filter } from 'mongodb';
import type { OfferDoc } from '../db/documents.js';
import type { PageArgs } from '../shared/connection.type.js';
import type { Page } from '../shared/pagination.js';
import { pagedFind } from '../shared/paged-find.js';
import type { OfferFilter } from './offer.input.js';

const OFFER_SORT = ['_id'] as const;

export class OfferRepository {
  constructor(private readonly offers: Collection<OfferDoc>) {}

  /** The catalog: add-ons are excluded, as they are not sold from it (ADDON-NOT-CATALOG). */
  /** `partnerId`: the caller's partner, whom the cursors are issued to (the catalog itself is shared). */
  async page(filter: OfferFilter | null | undefined, args: PageArgs, partnerId: string): Promise<Page<OfferDoc>> {
    const where: Filter<OfferDoc> = { isAddOn: false };
    // A list matches any of its values (a single value is a one-item list: GraphQL's input coercion).
    if (filter?.publisher?.length) where.publisher = { $in: filter.publisher };
    if (filter?.billingType?.length) where.billingType = { $in: filter.billingType };
    if (filter?.category?.length) where.category = { $in: filter.category };
    if (filter?.commerceType?.length) where.commerceType = { $in: filter.commerceType };
    if (filter?.segment?.length) where.segments = { $in: filter.segment };
    return pagedFind(this.offers, 'offers', filter, where, args, OFFER_SORT, partnerId);
  }
}
