/** A small structured logger: one line per event, to stderr, so stdout stays for program output. */
export interface Logger {
  debug(area: string, message: string, detail?: unknown): void;
  info(area: string, message: string, detail?: unknown): void;
  warn(area: string, message: string, detail?: unknown): void;
  error(area: string, message: string, detail?: unknown): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';
type Level = LogLevel;
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 99 };

export function createLogger(level: Level = 'info'): Logger {
  const threshold = ORDER[level] ?? ORDER.info;
  const emit = (l: Exclude<Level, 'silent'>) => (area: string, message: string, detail?: unknown) => {
    if (ORDER[l] < threshold) return;
    const extra = detail === undefined ? '' : ` ${detail instanceof Error ? (detail.stack ?? detail.message) : JSON.stringify(detail)}`;
    process.stderr.write(`${new Date().toISOString()} ${l.toUpperCase().padEnd(5)} [${area}] ${message}${extra}\n`);
  };
  return { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
}

/** Records instead of printing; tests assert on what was logged. */
export function createMemoryLogger(): Logger & { lines: { level: string; area: string; message: string; detail?: unknown }[] } {
  const lines: { level: string; area: string; message: string; detail?: unknown }[] = [];
  const push = (level: string) => (area: string, message: string, detail?: unknown) => {
    lines.push({ level, area, message, detail });
  };
  return { lines, debug: push('debug'), info: push('info'), warn: push('warn'), error: push('error') };
}
