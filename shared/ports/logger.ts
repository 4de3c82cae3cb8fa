/** Port: structured logging. Every line of a job carries its delivery id (a `child` logger). */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines all carry `fields` (e.g. the delivery id). */
  child(fields: Record<string, unknown>): Logger;
}

/** A logger that drops every line (the default where none is given). */
export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child: () => silentLogger,
};
