/** Progress lines on stderr, each with the seconds since the run started. */
const started = performance.now();

export function log(message: string): void {
  const s = ((performance.now() - started) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${s}s] ${message}\n`);
}

export function elapsedSeconds(): number {
  return (performance.now() - started) / 1000;
}
