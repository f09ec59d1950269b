// Structured JSON logs (pino). Patient data (names, IDs, birth dates) is only ever logged at debug
// or trace; at info and above, log lines name associations, AE titles, UIDs and statuses.
import pino, { type Logger } from 'pino';
import { dimseLog } from '../adapters/dicom/dimse.ts';

export type { Logger };

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino({ level, base: { app: 'discrobot' }, timestamp: pino.stdTimeFunctions.isoTime }, destination ?? pino.destination({ sync: false }));
}

/**
 * dcmjs-dimse logs through the root `loglevel` logger with everything enabled (slow, and it can
 * dump data sets). Keep its warnings and errors, as JSON through our logger. Called by serve(), so
 * every composition of the server (the CLI, in-process tests) routes them the same way.
 */
export function routeLibraryLogs(logger: Logger): void {
  dimseLog.methodFactory = (methodName: string) => (...args: unknown[]) => {
    const msg = args.map(String).join(' ');
    if (methodName === 'error') logger.debug(msg);
    else if (methodName === 'warn') logger.debug(msg);
  };
  dimseLog.setLevel('warn');
  dimseLog.rebuild?.();
}
