import type { Collection } from 'mongodb';
import { describe, expect, it } from 'vitest';
import type { OfferDoc, PartnerDoc } from '../../src/db/documents.js';
import { OfferCatalog } from '../../src/offer/offer.repository.js';
import { PartnerCache } from '../../src/shared/auth.js';
import { loadConfig } from '../../src/shared/config.js';
import { anOffer, partners } from '../support/fixtures.js';

/** A partners collection whose findOne answers from `docs` (or fails while `failing`), counting reads. */
function partnersCollection(docs: PartnerDoc[]) {
  const state = { reads: 0, failing: false };
  const collection = {
    findOne: async (filter: { _id: string }) => {
      state.reads += 1;
      if (state.failing) throw new Error('database down');
      return docs.find((d) => d._id === filter._id) ?? null;
    },
  } as unknown as Collection<PartnerDoc>;
  return { collection, state };
}

describe('PartnerCache', () => {
  const [contoso, fabrikam, tailspin] = partners();

  it('reads a partner once per TTL, and again from the TTL on', async () => {
    const { collection, state } = partnersCollection(partners());
    let now = 1_000;
    const cache = new PartnerCache(collection, 30_000, () => now);
    for (let i = 0; i < 5; i += 1) expect((await cache.find(contoso!._id))?._id).toBe(contoso!._id);
    expect(state.reads).toBe(1);
    now += 29_999;
    await cache.find(contoso!._id);
    expect(state.reads).toBe(1);
    now += 1;
    await cache.find(contoso!._id);
    expect(state.reads).toBe(2);
  });

  it('concurrent lookups share one read', async () => {
    const { collection, state } = partnersCollection(partners());
    const cache = new PartnerCache(collection, 30_000);
    await Promise.all(Array.from({ length: 10 }, () => cache.find(contoso!._id)));
    expect(state.reads).toBe(1);
  });

  it('keeps neither an unknown partner nor a failed read', async () => {
    const docs = partners();
    const { collection, state } = partnersCollection(docs);
    const cache = new PartnerCache(collection, 30_000);
    expect(await cache.find('nobody')).toBeNull();
    expect(await cache.find('nobody')).toBeNull();
    expect(state.reads).toBe(2);
    state.failing = true;
    await expect(cache.find(fabrikam!._id)).rejects.toThrow('database down');
    state.failing = false;
    expect((await cache.find(fabrikam!._id))?._id).toBe(fabrikam!._id);
    expect(state.reads).toBe(4);
  });

  it('TTL 0 reads every time; the size bound drops the oldest entry', async () => {
    const off = partnersCollection(partners());
    const uncached = new PartnerCache(off.collection, 0);
    await uncached.find(contoso!._id);
    await uncached.find(contoso!._id);
    expect(off.state.reads).toBe(2);

    const { collection, state } = partnersCollection(partners());
    const small = new PartnerCache(collection, 30_000, Date.now, 2);
    await small.find(contoso!._id);
    await small.find(fabrikam!._id);
    await small.find(tailspin!._id); // drops contoso
    await small.find(tailspin!._id);
    await small.find(fabrikam!._id);
    expect(state.reads).toBe(3);
    await small.find(contoso!._id);
    expect(state.reads).toBe(4);
  });
});

describe('OfferCatalog', () => {
  function offersCollection(docs: OfferDoc[]) {
    const state = { reads: 0 };
    const collection = {
      find: () => {
        state.reads += 1;
        const cursor = {
          sort: () => cursor,
          batchSize: () => cursor,
          toArray: async () => docs.map((d) => ({ ...d })),
        };
        return cursor;
      },
    } as unknown as Collection<OfferDoc>;
    return { collection, state };
  }

  it('reads once per TTL (concurrent uses share the read), sorted by ID; invalidate() and refresh() read again', async () => {
    const docs = [anOffer({ _id: 'CFQ7TTC0BBBB:0001' }), anOffer({ _id: 'CFQ7TTC0AAAA:0001' })];
    const { collection, state } = offersCollection(docs);
    let now = 0;
    const catalog = new OfferCatalog(collection, 60_000, () => now);
    const [a, b] = await Promise.all([catalog.current(), catalog.current()]);
    expect(a).toBe(b);
    expect(a.sorted.map((o) => o._id)).toEqual(['CFQ7TTC0AAAA:0001', 'CFQ7TTC0BBBB:0001']);
    expect(state.reads).toBe(1);
    now = 59_999;
    expect(await catalog.current()).toBe(a);
    now = 60_000;
    await catalog.current();
    expect(state.reads).toBe(2);
    catalog.invalidate();
    await catalog.current();
    await catalog.current();
    expect(state.reads).toBe(3);
    docs.push(anOffer({ _id: 'CFQ7TTC0CCCC:0001' }));
    expect((await catalog.refresh()).byId.has('CFQ7TTC0CCCC:0001')).toBe(true);
    expect((await catalog.current()).byId.has('CFQ7TTC0CCCC:0001')).toBe(true);
    expect(state.reads).toBe(4);
  });
});

describe('PARTNER_CACHE_MS and OFFER_CACHE_MS', () => {
  it('default to 30 s and 60 s, take 0 to 3600000 ms, and refuse anything else at start', () => {
    expect(loadConfig({})).toMatchObject({ partnerCacheMs: 30_000, offerCacheMs: 60_000 });
    expect(loadConfig({ PARTNER_CACHE_MS: '0', OFFER_CACHE_MS: '3600000' })).toMatchObject({ partnerCacheMs: 0, offerCacheMs: 3_600_000 });
    expect(() => loadConfig({ PARTNER_CACHE_MS: '-1' })).toThrow("PARTNER_CACHE_MS must be an integer from 0 to 3600000, but got '-1'");
    expect(() => loadConfig({ OFFER_CACHE_MS: '1h' })).toThrow("OFFER_CACHE_MS must be an integer from 0 to 3600000, but got '1h'");
  });
});
