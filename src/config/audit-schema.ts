// The `audit:` section of the configuration file: where the security audit records go. The file
// (JSON lines, 0600) is on by default in the data folder; syslog is off until a site names a server.
// Wired into the whole file's schema by src/config/schema.ts (configShape.audit).
import { z } from 'zod';
import { SYSLOG_FACILITIES, type SyslogFacility } from '../audit/syslog-format.ts';

export const SYSLOG_PROTOCOLS = ['udp', 'tcp', 'tls'] as const;
export const SYSLOG_FACILITY_NAMES = Object.keys(SYSLOG_FACILITIES) as SyslogFacility[];

/** What an absent `audit:` means. The file is relative to the data folder (storage.data). */
export const AUDIT_DEFAULTS = {
  file: 'audit.log' as string | null,
  syslog: null as SyslogSettings | null,
} as const;

export const SYSLOG_DEFAULTS = {
  port: 514,
  protocol: 'udp' as (typeof SYSLOG_PROTOCOLS)[number],
  /** authpriv: the facility syslog daemons keep readable by root only; the records name patients. */
  facility: 'authpriv' as SyslogFacility,
  appName: 'discrobot',
} as const;

const FILE_ERROR = 'must be a file path (relative paths are in the data folder), or null for no audit file';
const HOST_ERROR = 'must be the syslog server: a host name or an IP address';
const APP_NAME_ERROR = 'must be 1 to 48 printable ASCII characters without spaces (RFC 5424 APP-NAME)';

const syslogShape = {
  host: z.string({ error: HOST_ERROR }).refine((v) => /^[A-Za-z0-9.:-]+$/.test(v), { error: HOST_ERROR }),
  port: z.int({ error: 'must be an integer from 1 to 65535' }).min(1, { error: 'must be an integer from 1 to 65535' }).max(65535, { error: 'must be an integer from 1 to 65535' }).default(SYSLOG_DEFAULTS.port),
  protocol: z.enum(SYSLOG_PROTOCOLS, { error: `must be one of ${SYSLOG_PROTOCOLS.join(', ')}` }).default(SYSLOG_DEFAULTS.protocol),
  facility: z.enum(SYSLOG_FACILITY_NAMES as [SyslogFacility, ...SyslogFacility[]], { error: `must be a syslog facility: one of ${SYSLOG_FACILITY_NAMES.join(', ')}` }).default(SYSLOG_DEFAULTS.facility),
  appName: z.string({ error: APP_NAME_ERROR }).regex(/^[\x21-\x7e]{1,48}$/, { error: APP_NAME_ERROR }).default(SYSLOG_DEFAULTS.appName),
  /** PEM file of the CA of the server's certificate (protocol tls); absent: the system's CAs. */
  ca: z.string({ error: 'must be the path of a PEM file' }).refine((v) => v.trim() !== '', { error: 'must be the path of a PEM file' }).optional(),
};

const syslogSchema = z
  .strictObject(syslogShape, { error: (issue) => (issue.code === 'invalid_type' ? 'must be a mapping of settings, or null for no syslog' : undefined) })
  .superRefine((syslog, ctx) => {
    if (syslog.ca !== undefined && syslog.protocol !== 'tls') ctx.addIssue({ code: 'custom', path: ['ca'], message: 'applies to protocol tls only' });
  });

export type SyslogSettings = z.output<typeof syslogSchema>;

/** The section's settings, for `audit: section(auditShape).prefault({})` in schema.ts. */
export const auditShape = {
  file: z
    .union([z.null(), z.string({ error: FILE_ERROR }).refine((v) => v.trim() !== '' && !v.includes('\0'), { error: FILE_ERROR })], { error: FILE_ERROR })
    .default(AUDIT_DEFAULTS.file),
  syslog: z.union([z.null(), syslogSchema]).default(AUDIT_DEFAULTS.syslog),
};

/** For schema.ts KNOWN_KEYS (messages naming the known settings). */
export const AUDIT_KNOWN_KEYS = {
  audit: Object.keys(auditShape),
  'audit.syslog': Object.keys(syslogShape),
} as const;

/** For schema.ts NULL_MEANS_SOMETHING: `file: null` turns the audit file off (not "take the default"). */
export const AUDIT_NULL_SETTINGS = ['audit.file'] as const;

export type AuditSettings = z.output<z.ZodObject<typeof auditShape>>;

/** The audit settings of a resolved configuration; the defaults when it has no `audit` section. */
export function auditSettingsOf(config: object): AuditSettings {
  // `object`: this works before and after schema.ts adds the section to Config.
  return (config as { audit?: AuditSettings }).audit ?? { file: AUDIT_DEFAULTS.file, syslog: AUDIT_DEFAULTS.syslog };
}
