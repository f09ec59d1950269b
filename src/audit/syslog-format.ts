// RFC 5424 syslog messages and their framing: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`
// with the JSON record as MSG (UTF-8, so it starts with a BOM as 6.4 asks), octet-counting framing
// (`LENGTH SP MESSAGE`, RFC 5425 4.3 / RFC 6587 3.4.1) over TCP and TLS, one message per datagram over UDP.
import type { AuditOutcome, AuditRecord } from './audit-record.ts';

/** RFC 5424 6.2.1 facility codes, by the names syslog.conf uses. */
export const SYSLOG_FACILITIES = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9,
  authpriv: 10, ftp: 11, ntp: 12, audit: 13, alert: 14, clock: 15,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
} as const;

export type SyslogFacility = keyof typeof SYSLOG_FACILITIES;

/** Severity by outcome: a success is a notice, failures warn, err or crit by their weight. */
const SEVERITY: Record<AuditOutcome, number> = { success: 5, minorFailure: 4, seriousFailure: 3, majorFailure: 2 };

const BOM = '\uFEFF';

/** PRINTUSASCII without spaces, at most `max` characters; "-" (the NILVALUE) when nothing is left. */
function header(text: string, max: number): string {
  const clean = text.replace(/[^\x21-\x7e]/g, '').slice(0, max);
  return clean === '' ? '-' : clean;
}

export interface SyslogIdentity {
  facility: SyslogFacility;
  hostname: string;
  appName: string;
  procId: string;
}

/** One RFC 5424 message (without framing) for a record. */
export function formatSyslogMessage(record: AuditRecord, identity: SyslogIdentity): string {
  const pri = SYSLOG_FACILITIES[identity.facility] * 8 + SEVERITY[record.outcome];
  const fields = [
    `<${pri}>1`,
    record.time,
    header(identity.hostname, 255),
    header(identity.appName, 48),
    header(identity.procId, 128),
    header(record.action, 32),
    '-',
  ];
  return `${fields.join(' ')} ${BOM}${JSON.stringify(record)}`;
}

/** RFC 5425 octet counting: the message's length in bytes, a space, the message. */
export function octetCounted(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
