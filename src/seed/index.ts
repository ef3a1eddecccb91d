/** The seeder's public surface: generate a world, write it, and the demo world's fixed IDs and catalog. */
export { CATALOG, OFFER_IDS, OFFERS_BY_ID, catalogOffer } from './catalog.js';
export { DEMO_PARTNERS, SEED_CLOCK_START } from './demo-ids.js';
export { SEED_COLLECTIONS, type SeedCollection, type SeedDocs } from './docs.js';
export { sandboxWorlds } from './sandbox-world.js';
export { demoWorldSeed, demoWorldSize, generateWorld, type GenerateOptions, type WorldBatch } from './world.js';
export { MAX_WORLD_CUSTOMERS } from './ids.js';
export { seedDemoIfEmpty, seedWorld, type SeedProgress, type SeedResult, type SeedWorldOptions } from './write.js';
