import type { Logger, LogLevel } from '../ports/logger.js';

const levelRank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** One JSON object per line (CloudWatch and `jq` read it), below `level` dropped. */
export function createJsonLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  fields: Record<string, unknown> = {},
): Logger {
  const emit =
    (at: LogLevel) =>
    (message: string, extra: Record<string, unknown> = {}): void => {
      if (levelRank[at] < levelRank[level]) return;
      write(JSON.stringify({ level: at, message, ...fields, ...extra }));
    };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (more) => createJsonLogger(level, write, { ...fields, ...more }),
  };
}
