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
    if (filter?.publisher) where.publisher = filter.publisher;
    if (filter?.billingType) where.billingType = filter.billingType;
    if (filter?.category) where.category = filter.category;
    if (filter?.commerceType?.length) where.commerceType = { $in: filter.commerceType };
    if (filter?.segment) where.segments = filter.segment;
    return pagedFind(this.offers, 'offers', filter, where, args, OFFER_SORT, partnerId);
  }
}
