import { DEFAULT_CLOCK_START } from '../shared/config.js';

/**
 * Fixed identities of the demo world (`npm start`) and of every seeded world: the README,
 * the IDE's default headers and the tests refer to them. Seeded customers and subscriptions
 * get GUIDs derived from the seed, so the same `--seed` always gives the same IDs.
 */
export const DEMO_PARTNERS = {
  /** Direct-bill partner: the IDE's default caller. */
  contoso: { id: '4a1f0c3e-0000-4000-8000-00000000c0de', name: 'Contoso Cloud Services', partnerType: 'direct_bill', mpnId: '1000001' },
  /** Indirect provider. */
  fabrikam: {
    id: '4a1f0c3e-0000-4000-8000-00000000fab1',
    name: 'Fabrikam Distribution',
    partnerType: 'indirect_provider',
    mpnId: '1000002',
  },
  /** Indirect reseller buying through Fabrikam (cannot buy add-ons: ADDON-PARTNER-TYPE). */
  tailspin: { id: '4a1f0c3e-0000-4000-8000-000000007a11', name: 'Tailspin Resellers', partnerType: 'indirect_reseller', mpnId: '1000003' },
} as const;

/**
 * The simulation clock's start in a freshly seeded world (GEN-CLOCK): the gateway's default
 * SIMULATION_CLOCK_START, so a partner's unadvanced clock reads the instant its world was built at.
 */
export const SEED_CLOCK_START = new Date(DEFAULT_CLOCK_START);
