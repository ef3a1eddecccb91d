/**
 * Prints the resident memory of a Node process started as the benchmark starts the gateway
 * (compiled, with reflect-metadata; bench/lib/ipc.ts) that runs nothing, after a GC: the part of
 * the gateway's RSS that is Node itself.
 */
(globalThis as { gc?: () => void }).gc?.();
process.stdout.write(JSON.stringify({ rssBytes: process.memoryUsage().rss }));
