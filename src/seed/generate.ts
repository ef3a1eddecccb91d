/**
 * The seeder's surface under its former name, for the files that import it as generate.js
 * (main.ts, scripts/seed.ts, bench/, tests); index.ts is the same surface.
 */
export * from './index.js';
