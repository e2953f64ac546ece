/**
 * Structured logger compatible with pino: `logger.info({ itemId }, "message")`.
 * The library never writes to the console; pass a logger to see what it does.
 */
export interface Logger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
  /** Returns a logger that adds `bindings` to every line, as pino's `child` does. */
  child?(bindings: Record<string, unknown>): Logger;
}

const noop = () => {};

/** Logger that drops every line: the default. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };

/** Returns a child logger carrying `bindings`, also for loggers without a `child` method. */
export function childLogger(logger: Logger, bindings: Record<string, unknown>): Logger {
  // The processor makes a child per item: a child of the silent default would only allocate.
  if (logger === silentLogger) return logger;
  if (logger.child) return logger.child(bindings);
  return {
    debug: (fields, message) => logger.debug({ ...bindings, ...fields }, message),
    info: (fields, message) => logger.info({ ...bindings, ...fields }, message),
    warn: (fields, message) => logger.warn({ ...bindings, ...fields }, message),
    error: (fields, message) => logger.error({ ...bindings, ...fields }, message),
    child: (more) => childLogger(logger, { ...bindings, ...more }),
  };
}
