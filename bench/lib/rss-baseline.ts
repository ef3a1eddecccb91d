/**
 * Prints the resident memory of a Node process that has loaded nothing but the project's
 * TypeScript loader (scripts/register.mjs: swc and reflect-metadata), after a GC: the part of the
 * gateway's RSS that is the way it is run (`npm start` runs TypeScript through this loader), not the gateway.
 */
(globalThis as { gc?: () => void }).gc?.();
process.stdout.write(JSON.stringify({ rssBytes: process.memoryUsage().rss }));
