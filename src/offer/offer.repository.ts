import type { Collection } from 'mongodb';
import type { OfferDoc, SandboxOfferDoc } from '../db/documents.js';
import { catalogView } from '../policy/sandbox-offer.js';
import type { PageArgs } from '../shared/connection.type.js';
import { byIdBatchSize, UNBOUNDED_BATCH_SIZE } from '../read/loader-utils.js';
import { compareKeys, fingerprint, pageInMemory, pageRequest, sortDocument, sortKey, type Page } from '../shared/pagination.js';
import type { OfferFilter } from './offer.input.js';

const OFFER_SORT = ['_id'] as const;

/** OFFER_CACHE_MS's default (docs/operations.md, "Configuration"). */
export const DEFAULT_OFFER_CACHE_MS = 60_000;

/** One reading of the whole catalog: by ID, and in the `offers` connection's order. */
export interface CatalogSnapshot {
  readonly byId: ReadonlyMap<string, OfferDoc>;
  /** Every offer, add-ons included, sorted by `_id`. */
  readonly sorted: readonly OfferDoc[];
  /** When the read that produced it was sent (`Date.now()`): its data is at least this recent. */
  readonly readAt: number;
}

/**
 * The catalog (global, tens of offers, read on nearly every request, changed only by seeding) kept
 * in the memory of the process, shared by every request (docs/database.md, "How reads work"):
 *
 * - read whole, in one `find`, on first use, and again on the first use after it is older than
 *   `ttlMs` (OFFER_CACHE_MS, 60 s): an offer changed in the database shows within that bound;
 * - an ID it does not hold is read from the database by the request that asks (an offer inserted
 *   since the last reading is found at once), and if the database has it, the next use reads the
 *   whole catalog again, so the `offers` connection shows it too;
 * - `refresh()` reads it now (tests and seeding, after writing offers directly).
 *
 * The read is shared work, not charged to the request that happens to trigger it; a failed read
 * fails that request's offer fields (as the database read always did) and is retried on next use.
 * Its documents are shared by every request: nothing may change them.
 */
export class OfferCatalog {
  private snapshot: (CatalogSnapshot & { seq: number; generation: number }) | null = null;
  private loading: Promise<CatalogSnapshot> | null = null;
  /** Reads started, to keep the newest reading when two overlap. */
  private reads = 0;
  /** Bumped by `invalidate`: a reading started before the last invalidation is not kept as current. */
  private generation = 0;

  constructor(
    private readonly offers: Collection<OfferDoc>,
    readonly ttlMs: number = DEFAULT_OFFER_CACHE_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** The catalog as of at most `ttlMs` ago: the kept one, or a fresh read (one shared by concurrent callers). */
  current(): Promise<CatalogSnapshot> {
    const kept = this.snapshot;
    if (kept && kept.generation === this.generation && this.clock() - kept.readAt < this.ttlMs) return Promise.resolve(kept);
    return (this.loading ??= this.read());
  }

  /** Reads the catalog now, whatever its age, and keeps it; resolves once the new reading is in use. */
  refresh(): Promise<CatalogSnapshot> {
    const reading = this.read();
    this.loading = reading;
    return reading;
  }

  /** The next use reads the catalog again (an offer was found in the database that the kept reading lacks). */
  invalidate(): void {
    this.generation += 1;
    if (this.loading) this.loading = null;
  }

  private read(): Promise<CatalogSnapshot> {
    const readAt = this.clock();
    const seq = ++this.reads;
    const generation = this.generation;
    const reading: Promise<CatalogSnapshot> = this.offers
      .find({})
      .sort(sortDocument(OFFER_SORT))
      .batchSize(UNBOUNDED_BATCH_SIZE)
      .toArray()
      .then((rows) => {
        // The server sorted already; sorting again guards against a backend that did not.
        const sorted = rows.sort((a, b) => compareKeys(sortKey(a, OFFER_SORT), sortKey(b, OFFER_SORT)));
        const snapshot = { byId: new Map(sorted.map((o) => [o._id, o])), sorted, readAt, seq, generation };
        // A slower, older reading never replaces a newer one.
        if (!this.snapshot || this.snapshot.seq < seq) this.snapshot = snapshot;
        return snapshot;
      })
      .finally(() => {
        if (this.loading === reading) this.loading = null;
      });
    return reading;
  }
}

/** Mongo's `field: { $in: list }` on a scalar or an array field. */
function matchesAny(value: unknown, list: readonly unknown[]): boolean {
  return Array.isArray(value) ? value.some((v) => list.includes(v)) : list.includes(value);
}

/** CAT-FILTER in memory: exactly what `{ isAddOn: false, field: { $in: list }, ... }` matches in the database. */
export function catalogFilter(filter: OfferFilter | null | undefined): (offer: OfferDoc) => boolean {
  const tests: ((o: OfferDoc) => boolean)[] = [(o) => o.isAddOn === false];
  const list = (values: readonly unknown[] | null | undefined, read: (o: OfferDoc) => unknown) => {
    if (values?.length) tests.push((o) => matchesAny(read(o), values));
  };
  list(filter?.publisher, (o) => o.publisher);
  list(filter?.billingType, (o) => o.billingType);
  list(filter?.category, (o) => o.category);
  list(filter?.commerceType, (o) => o.commerceType);
  list(filter?.segment, (o) => o.segments);
  return (offer) => tests.every((test) => test(offer));
}

/** A test sandbox's own offers, for the repository of a request by its partner. */
export interface SandboxOffers {
  collection: Collection<SandboxOfferDoc>;
  partnerId: string;
}

/**
 * A request's view of the catalog: one reading for the whole request (every offer field of one
 * response comes from the same reading), and the request's own budgeted collection for IDs that
 * reading does not hold. For a test sandbox's request, the reading is the global catalog with the
 * sandbox's own offers laid over it (catalogView), read in one `find` by its partner ID and kept
 * for the request: the shared OfferCatalog never holds them, so no other partner sees them.
 */
export class OfferRepository {
  private reading: Promise<CatalogSnapshot> | undefined;

  constructor(
    private readonly offers: Collection<OfferDoc>,
    readonly catalog: OfferCatalog,
    private readonly sandbox: SandboxOffers | null = null,
  ) {}

  private snapshot(): Promise<CatalogSnapshot> {
    return (this.reading ??= this.sandbox ? this.withOwn(this.sandbox) : this.catalog.current());
  }

  private async withOwn({ collection, partnerId }: SandboxOffers): Promise<CatalogSnapshot> {
    const [global, own] = await Promise.all([this.catalog.current(), collection.find({ partnerId }).toArray()]);
    if (own.length === 0) return global;
    const byId = catalogView(global.sorted, own);
    const sorted = [...byId.values()].sort((a, b) => compareKeys(sortKey(a, OFFER_SORT), sortKey(b, OFFER_SORT)));
    return { byId, sorted, readAt: global.readAt };
  }

  /**
   * Offers by ID in key order, `undefined` for an unknown one. IDs the catalog lacks are read from
   * the database in one `find` (charged to the request): an unknown ID costs that command, as it
   * always did, and an offer inserted since the catalog was read is found.
   */
  async byIds(ids: readonly string[]): Promise<(OfferDoc | undefined)[]> {
    const { byId } = await this.snapshot();
    const missing = [...new Set(ids.filter((id) => !byId.has(id)))];
    if (missing.length === 0) return ids.map((id) => byId.get(id));
    const found = await this.offers
      .find({ _id: { $in: missing } })
      .batchSize(byIdBatchSize(missing.length))
      .toArray();
    if (found.length > 0) this.catalog.invalidate();
    const extra = new Map(found.map((o) => [o._id, o]));
    return ids.map((id) => byId.get(id) ?? extra.get(id));
  }

  /** The catalog: add-ons are excluded, as they are not sold from it (ADDON-NOT-CATALOG). */
  /** `partnerId`: the caller's partner, whom the cursors are issued to (the catalog itself is shared). */
  async page(filter: OfferFilter | null | undefined, args: PageArgs, partnerId: string): Promise<Page<OfferDoc>> {
    const fp = fingerprint(filter);
    // Arguments first: a bad `first` or cursor is refused whether or not the catalog can be read.
    const request = pageRequest({ connection: 'offers', fingerprint: fp, sort: OFFER_SORT, partnerId }, args);
    const { sorted } = await this.snapshot();
    return pageInMemory(sorted.filter(catalogFilter(filter)), request);
  }
}

declare module '../shared/context.js' {
  interface Repositories {
    offers: OfferRepository;
  }
}
