// Starts the security audit log as the configuration says (audit: in the config file): the audit
// file in the data folder, the syslog sender, and the mirror of the SQLite audit trail. serve()
// calls it and hands `log` (a SecurityAudit) to the listener, the association observer and the API.
import { hostname } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../../adapters/db/database.ts';
import type { AuditSettings } from '../config/audit-schema.ts';
import { AuditFile } from './audit-file.ts';
import { SecurityAuditLog } from './audit-log.ts';
import { createSyslogSender } from './syslog-sender.ts';
import { mirrorAuditTrail } from './trail-mirror.ts';

export interface RunningAudit {
  log: SecurityAuditLog;
  /** The audit file's path, or null when it is off. */
  file: string | null;
  /** Mirrors what is left of the trail, then closes the file and the syslog connection. */
  close(): Promise<void>;
}

export function startSecurityAudit(settings: AuditSettings, dataDir: string, db: Db, logger: Logger): RunningAudit {
  const host = hostname();
  const filePath = settings.file === null ? null : path.resolve(dataDir, settings.file);
  const file = filePath === null ? null : new AuditFile(filePath, logger);
  const syslogSettings = settings.syslog;
  const sender = syslogSettings
    ? createSyslogSender({ destination: { host: syslogSettings.host, port: syslogSettings.port, protocol: syslogSettings.protocol, ca: syslogSettings.ca ?? null }, logger })
    : null;
  const log = new SecurityAuditLog({
    host,
    file,
    syslog: sender && syslogSettings
      ? { sender, identity: { facility: syslogSettings.facility, hostname: host, appName: syslogSettings.appName, procId: String(process.pid) } }
      : null,
  });
  const mirror = mirrorAuditTrail(db, log, logger);
  logger.info({
    file: filePath,
    syslog: syslogSettings ? `${syslogSettings.protocol}://${syslogSettings.host}:${syslogSettings.port} (${syslogSettings.facility})` : null,
  }, 'security audit log');
  return {
    log,
    file: filePath,
    async close() {
      mirror.stop();
      await sender?.close();
      file?.close();
    },
  };
}
