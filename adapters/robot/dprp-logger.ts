// The logger the DPRP driver writes to: the pino method signature, so a pino Logger (or a child of
// one) can be passed as is; silent by default, since a driver must not print on its own.

export interface DprpLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const ignore = (): void => {};

export const silentLogger: DprpLogger = { debug: ignore, info: ignore, warn: ignore, error: ignore };

/** A line as it may appear in a log: cut short, so a burst of noise cannot flood the log. */
export function lineForLog(line: string, max = 200): string {
  return line.length > max ? `${line.slice(0, max)}… (${line.length} chars)` : line;
}

/** The same logger with `fields` added to every record (as pino's child(), for any DprpLogger). */
export function withFields(logger: DprpLogger, fields: object): DprpLogger {
  if (logger === silentLogger) return logger;
  return {
    debug: (obj, msg) => logger.debug({ ...fields, ...obj }, msg),
    info: (obj, msg) => logger.info({ ...fields, ...obj }, msg),
    warn: (obj, msg) => logger.warn({ ...fields, ...obj }, msg),
    error: (obj, msg) => logger.error({ ...fields, ...obj }, msg),
  };
}
