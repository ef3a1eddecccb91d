/** The demo partners and their simulation clocks, the same in every world. */
import type { ClockDoc, PartnerDoc } from '../db/documents.js';
import { DAY } from '../policy/time.js';
import { DEMO_PARTNERS } from './demo-ids.js';
import type { PartnerKey } from './weights.js';

export function partnerDocs(now: number): PartnerDoc[] {
  const ages: Record<PartnerKey, number> = { contoso: 8 * 365, fabrikam: 10 * 365, tailspin: 5 * 365 };
  return (Object.keys(DEMO_PARTNERS) as PartnerKey[]).map((key) => {
    const p = DEMO_PARTNERS[key];
    return {
      _id: p.id,
      name: p.name,
      partnerType: p.partnerType,
      mpnId: p.mpnId,
      indirectProviderId: key === 'tailspin' ? DEMO_PARTNERS.fabrikam.id : null,
      createdAt: new Date(Math.floor((now - ages[key] * DAY) / DAY) * DAY),
    };
  });
}

/** GEN-CLOCK: one simulation clock per partner tenant, all starting at the world's `now`. */
export function clockDocs(now: number): ClockDoc[] {
  return Object.values(DEMO_PARTNERS).map((p) => ({ _id: p.id, now: new Date(now), version: 0, updatedAt: new Date(now) }));
}

/** The partner documents by demo key, for the customers' generation (fresh objects, not the emitted ones). */
export function partnersByKey(now: number): Record<PartnerKey, PartnerDoc> {
  const docs = partnerDocs(now);
  return Object.fromEntries((Object.keys(DEMO_PARTNERS) as PartnerKey[]).map((key, i) => [key, docs[i]!])) as Record<
    PartnerKey,
    PartnerDoc
  >;
}
