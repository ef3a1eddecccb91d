/**
 * The seeder's worlds for sandbox templates (src/sandbox/templates.ts): main.ts and the tests'
 * gateway hand this to createGateway, the runtime importing nothing from src/seed/.
 */
import { TENANT_COLLECTIONS } from '../sandbox/sandbox.repository.js';
import type { SandboxWorldBatch, SandboxWorlds } from '../sandbox/templates.js';
import { demoWorldSeed, demoWorldSize, generateWorld } from './world.js';

const TENANT = new Set<string>(TENANT_COLLECTIONS);

export const sandboxWorlds: SandboxWorlds = {
  demo: { seed: demoWorldSeed, customers: demoWorldSize },
  *generate({ partner, seed, customers, now }): Generator<SandboxWorldBatch> {
    for (const batch of generateWorld({ customers, seed, now, partner })) {
      // A sandbox's world holds tenant documents only (world.ts): anything else would outlive deleteSandbox.
      if (!TENANT.has(batch.collection)) throw new Error(`sandbox world: '${batch.collection}' is not a tenant collection`);
      yield { collection: batch.collection as SandboxWorldBatch['collection'], docs: batch.docs };
    }
  },
};
