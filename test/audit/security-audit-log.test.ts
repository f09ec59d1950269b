// The security audit log with real parts: a real SQLite database whose audit-trail appends are
// mirrored (with the patients they concern, a rolled-back append never), the audit file (JSON lines,
// 0600), and real syslog receivers: UDP one message per datagram; TCP with octet counting, down at
// start, the records buffered, one warning for the outage, all sent when the server comes up.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditTrail, auditSubject } from '../../adapters/db/audit.ts';
import type { AuditRecord } from '../../src/audit/audit-record.ts';
import { startSecurityAudit, type RunningAudit } from '../../src/audit/start-audit.ts';
import { freePort } from '../e2e/support/process.ts';
import { openTempDb, type TempDb } from '../db/temp-db.ts';
import { parseSyslog, tcpReceiver, udpReceiver, until, type Receiver } from './syslog-receiver.ts';

const STUDY = '1.2.826.0.1.3680043.8.498.77.1';
const PATIENT = { id: 'PID-AUDIT-1', name: 'Audit^Anna' };

function captureLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function addInstance(t: TempDb, jobId: string): void {
  t.db.prepare(`INSERT INTO instances (sop_instance_uid, sop_class_uid, study_instance_uid, series_instance_uid, patient_id, patient_name, path, bytes,
    received_transfer_syntax, calling_ae_title, called_ae_title, received_at, header_json)
    VALUES (?, '1.2.840.10008.5.1.4.1.1.2', ?, ?, ?, ?, '/x', 10, '1.2.840.10008.1.2', 'CT1', 'DISCROBOT', '2025-01-01T00:00:00Z', '{}')`)
    .run(`${STUDY}.1.1`, STUDY, `${STUDY}.1`, PATIENT.id, PATIENT.name);
  const now = Date.now();
  t.db.prepare(`INSERT INTO studies (study_instance_uid, state, created_at_ms, updated_at_ms) VALUES (?, 'published', ?, ?)`).run(STUDY, now, now);
  t.db.prepare(`INSERT INTO jobs (job_id, study_instance_uid, copies, state, created_at_ms, updated_at_ms) VALUES (?, ?, 1, 'done', ?, ?)`).run(jobId, STUDY, now, now);
  t.db.prepare('INSERT INTO job_instances (job_id, instance_id) VALUES (?, 1)').run(jobId);
  t.db.prepare(`INSERT INTO discs (disc_id, job_id, copy, attempt, outcome, at_ms) VALUES ('J1-1-1', ?, 1, 1, 'delivered', ?)`).run(jobId, now);
}

function fileRecords(file: string): AuditRecord[] {
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map((line) => JSON.parse(line) as AuditRecord);
}

describe('security audit log', () => {
  let t: TempDb;
  let audit: RunningAudit | undefined;
  let receiver: Receiver | undefined;

  beforeEach(() => {
    t = openTempDb('discrobot-audit');
  });
  afterEach(async () => {
    await audit?.close();
    await receiver?.close();
    audit = undefined;
    receiver = undefined;
    t.cleanup();
  });

  it('mirrors each committed audit-trail entry once, naming the patient of a delivered disc, to a 0600 file and UDP syslog', async () => {
    addInstance(t, 'J1');
    receiver = await udpReceiver();
    const { logger } = captureLogger();
    audit = startSecurityAudit(
      { file: 'audit.log', syslog: { host: '127.0.0.1', port: receiver.port, protocol: 'udp', facility: 'local4', appName: 'discrobot' } },
      t.dir, t.db, logger,
    );
    const trail = new AuditTrail(t.db);
    trail.append({ actor: 'operator:ann', action: 'study.heldByOperator', subject: auditSubject.study(STUDY), details: { why: 'check' } });
    // An append whose transaction fails is not in the trail, so it is not in the audit log either.
    expect(() => t.db.transaction(() => {
      trail.append({ actor: 'system', action: 'job.created', subject: auditSubject.job('J-rolled-back') });
      throw new Error('rolled back');
    })()).toThrow('rolled back');
    trail.append({ actor: 'system', action: 'disc.delivered', subject: auditSubject.disc('J1-1-1'), details: { jobId: 'J1', copy: 1 } });

    const messages = await until(() => receiver!.messages.length >= 2 && receiver!.messages, 'two syslog datagrams');
    const file = path.join(t.dir, 'audit.log');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const records = fileRecords(file);
    expect(records.map((r) => r.action)).toEqual(['study.heldByOperator', 'disc.delivered']);
    expect(messages.map((m) => m.record)).toEqual(records);

    const [held, delivered] = records;
    expect(held).toMatchObject({ event: 'DICOM Instances Accessed', outcome: 'success', actor: 'operator:ann', subject: `study:${STUDY}` });
    expect(delivered).toMatchObject({
      event: 'Export', outcome: 'success', actor: 'system', subject: 'disc:J1-1-1',
      details: { jobId: 'J1', studyInstanceUid: STUDY, patients: [PATIENT] },
    });
    expect(new Date(delivered!.time).toISOString()).toBe(delivered!.time);
    // local4 (20) * 8 + notice (5); RFC 5424 version 1; MSGID is the action.
    expect(messages[1]).toMatchObject({ pri: 165, version: 1, appName: 'discrobot', procId: String(process.pid), msgId: 'disc.delivered', structuredData: '-' });
    expect(messages[1]!.timestamp).toBe(delivered!.time);
  });

  it('over TCP keeps the records while the server is down, warns once, and sends them all when it comes up', async () => {
    const port = await freePort();
    const { logger, lines } = captureLogger();
    audit = startSecurityAudit({ file: null, syslog: { host: '127.0.0.1', port, protocol: 'tcp', facility: 'authpriv', appName: 'discrobot' } }, t.dir, t.db, logger);
    audit.log.authenticationFailed({ peer: { address: '127.0.0.1', port: 40000 }, method: 'GET', path: '/api/studies', reason: 'the bearer token is wrong' });
    audit.log.associationRefused({ peer: { address: '10.0.0.9', port: 1234 }, listener: { host: '0.0.0.0', port: 104 }, tls: null, reason: 'peerAddressNotAllowed' });
    await until(() => lines.some((l) => l['msg'] === 'syslog destination unreachable: audit records are buffered and sent when it returns'), 'the outage warning');
    // More records during the outage, and more failed reconnects: still one warning.
    audit.log.authenticationFailed({ peer: { address: '127.0.0.1', port: 40001 }, method: 'POST', path: '/api/jobs/J1/cancel', reason: 'authentication required' });

    receiver = await tcpReceiver(port);
    const messages = await until(() => receiver!.messages.length >= 3 && receiver!.messages, 'the three buffered records');
    expect(messages.map((m) => [m.record.action, m.record.subject])).toEqual([
      ['http.authenticationFailed', 'http:/api/studies'],
      ['association.refused', 'peer:10.0.0.9:1234'],
      ['http.authenticationFailed', 'http:/api/jobs/J1/cancel'],
    ]);
    expect(messages[1]!.record).toMatchObject({ event: 'Security Alert', outcome: 'minorFailure', details: { reason: 'peerAddressNotAllowed', tls: null } });
    // authpriv (10) * 8 + warning (4)
    expect(messages.every((m) => m.pri === 84 && m.version === 1)).toBe(true);
    await until(() => lines.some((l) => l['msg'] === 'syslog destination reachable again'), 'the recovery line');
    expect(lines.filter((l) => l['msg'] === 'syslog destination unreachable: audit records are buffered and sent when it returns')).toHaveLength(1);
    expect(lines.find((l) => l['msg'] === 'syslog destination reachable again')).toMatchObject({ dropped: 0, level: 30 });

    // Once up, a record goes straight through.
    audit.log.associationAccepted({ associationId: 'association:7', peer: { address: '127.0.0.1', port: 5000 }, listener: { host: '127.0.0.1', port: 104 }, callingAeTitle: 'CT1', calledAeTitle: 'DISCROBOT', tls: null });
    const accepted = await until(() => receiver!.messages.find((m) => m.record.action === 'association.accepted'), 'the accepted record');
    expect(accepted.record).toMatchObject({ event: 'Begin Transferring DICOM Instances', actor: 'modality:CT1', subject: 'association:7', details: { tls: null, callingAeTitle: 'CT1' } });
  });

  it('parses only real RFC 5424 messages (the receiver cannot pass anything)', () => {
    expect(() => parseSyslog('<13>Jan  1 00:00:00 host app: hello')).toThrow('not an RFC 5424 message');
  });
});
