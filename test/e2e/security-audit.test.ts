// The security audit log of a real `discrobot serve` process, sent to real syslog receivers: over
// UDP, an association accepted and one refused (wrong called AE), an operator action through the
// HTTP API, a disc delivered naming its patient, and an HTTP 401 each arrive as an RFC 5424 message
// whose MSG is the JSON record; the audit file (0600) holds the same records, one per line; the
// ordinary log at info names no patient. Over TCP, a server down at start receives the records
// buffered meanwhile once it comes up.
import { readFileSync, statSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRecord } from '../../src/audit/audit-record.ts';
import { echoscu } from '../support/dcmtk.ts';
import { tcpReceiver, udpReceiver, until, type Receiver } from '../audit/syslog-receiver.ts';
import { waitFor } from './support/api-client.ts';
import { freshStudyUid, send, studySpec, writeInstances } from './support/patient-study.ts';
import { freePort } from './support/process.ts';
import { startPublisher, type RunningPublisher } from './support/publisher-process.ts';

const TOKEN = 'audit-e2e-token-0123456789';
const PATIENT = { patientId: 'PID-AUDIT-E2E', patientName: 'Vertraulich^Veronika', patientBirthDate: '19610203' };
const SECRETS = ['Vertraulich', 'Veronika', PATIENT.patientId];
const INFO = 30;
const TEST_TIMEOUT_MS = 180_000;

let work: string;
beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'discrobot-security-audit-'));
});
afterAll(() => fs.rm(work, { recursive: true, force: true }));

/** The API with the bearer token (the publisher runs with one, so that a 401 can be provoked). */
async function api<T>(publisher: RunningPublisher, method: 'GET' | 'POST', target: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(publisher.api.baseUrl + target, { method, headers: { Authorization: `Bearer ${TOKEN}`, 'X-Operator': 'ann', ...headers } });
  return { status: response.status, body: (await response.json()) as T };
}

function startAudited(name: string, syslog: Record<string, unknown>): Promise<RunningPublisher> {
  return startPublisher({
    dataDir: path.join(work, name),
    quietPeriodSeconds: 1,
    timeScale: 0,
    config: { file: path.join(work, `${name}.json`), content: { http: { token: TOKEN }, audit: { syslog } } },
  });
}

function auditFile(publisher: RunningPublisher): AuditRecord[] {
  return readFileSync(path.join(publisher.dataDir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as AuditRecord);
}

describe('security audit records of a real publisher', () => {
  let udp: Receiver;
  let publisher: RunningPublisher;

  beforeAll(async () => {
    udp = await udpReceiver();
    publisher = await startAudited('udp', { host: '127.0.0.1', port: udp.port, protocol: 'udp', facility: 'local0' });
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    await publisher?.stop();
    await udp?.close();
  });

  it('sends each event over UDP syslog and to the 0600 audit file, and the info log names no patient', async () => {
    // A study: accepted, ended with its count, and its disc delivered naming the patient.
    const studyUid = freshStudyUid();
    const files = await writeInstances(path.join(work, 'study'), studySpec(studyUid, [2], PATIENT));
    await send(publisher.dicomPort, files);
    const delivered = await until(() => udp.messages.find((m) => m.record.action === 'disc.delivered')?.record, 'a disc.delivered record', 120_000);
    expect(delivered).toMatchObject({
      event: 'Export', outcome: 'success', actor: 'system',
      details: { studyInstanceUid: studyUid, patients: [{ id: PATIENT.patientId, name: PATIENT.patientName }] },
    });

    // Refused: a called AE title the publisher does not answer to.
    const refused = await echoscu(publisher.dicomPort, 'NOT-OURS');
    expect(refused.code).not.toBe(0);
    // An operator action through the API: a reprint of the study's job, by ann.
    const jobId = String(delivered.details['jobId']);
    // A reprint is for a finished job: wait for the job to finish after its disc was delivered.
    await waitFor(async () => (await api<{ finishedAtMs: number | null }>(publisher, 'GET', `/api/jobs/${encodeURIComponent(jobId)}`)).body.finishedAtMs !== null, `job ${jobId} to finish`);
    const reprint = await api<{ jobId?: string }>(publisher, 'POST', `/api/jobs/${encodeURIComponent(jobId)}/reprint`);
    expect(reprint.status, JSON.stringify(reprint.body)).toBe(200);
    // A request without the token.
    expect((await fetch(`${publisher.api.baseUrl}/api/studies`)).status).toBe(401);

    const byAction = (action: string) => until(() => udp.messages.find((m) => m.record.action === action), `a ${action} syslog message`, 60_000);
    const accepted = await byAction('association.accepted');
    expect(accepted.record).toMatchObject({ event: 'Begin Transferring DICOM Instances', outcome: 'success', actor: 'modality:STORESCU', details: { calledAeTitle: 'DISCROBOT', tls: null, peer: { address: '127.0.0.1' } } });
    const ended = await until(() => udp.messages.find((m) => m.record.action === 'association.ended' && (m.record.details['counters'] as { stored: number }).stored === 2), 'the study association ended');
    expect(ended.record).toMatchObject({ event: 'DICOM Instances Transferred', outcome: 'success', details: { state: 'released' } });
    const refusal = await byAction('association.refused');
    expect(refusal.record).toMatchObject({ event: 'Security Alert', outcome: 'minorFailure', details: { reason: 'calledAeNotRecognized', calledAeTitle: 'NOT-OURS' } });
    const operator = await byAction('job.reprint');
    expect(operator.record).toMatchObject({ event: 'Export', actor: 'operator:ann', subject: `job:${reprint.body.jobId}`, details: { of: jobId } });
    const unauthorized = await byAction('http.authenticationFailed');
    expect(unauthorized.record).toMatchObject({ event: 'User Authentication', outcome: 'minorFailure', subject: 'http:/api/studies', details: { method: 'GET', peer: { address: '127.0.0.1' } } });
    expect(JSON.stringify(unauthorized.record)).not.toContain(TOKEN);

    // The RFC 5424 header of each: local0 (16), version 1, app name, the record's own time.
    for (const message of [accepted, refusal, operator, unauthorized, ended]) {
      expect(message).toMatchObject({ facility: 16, version: 1, appName: 'discrobot', msgId: message.record.action, hostname: os.hostname() });
      expect(message.timestamp).toBe(message.record.time);
      expect(message.record.host).toBe(os.hostname());
    }
    expect(accepted.severity).toBe(5);
    expect(refusal.severity).toBe(4);

    // The file holds the same records, one per line, readable by the owner only.
    const file = path.join(publisher.dataDir, 'audit.log');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const inFile = await waitFor(async () => {
      const records = auditFile(publisher);
      return records.length >= udp.messages.length && records;
    }, 'the audit file to hold every record sent');
    expect(inFile.slice(0, udp.messages.length)).toEqual(udp.messages.map((m) => m.record));

    // The ordinary log at info: the same events happened, and no patient name or ID is in it.
    const lines = [...publisher.cli.stdout().split('\n'), ...publisher.cli.stderr().split('\n')].filter((l) => l.trim() !== '');
    expect(lines.some((l) => l.includes('"association ended"') && l.includes('"stored":2'))).toBe(true);
    expect(publisher.cli.logLines().every((l) => Number(l['level']) >= INFO)).toBe(true);
    expect(lines.filter((l) => SECRETS.some((s) => l.includes(s)))).toEqual([]);
  }, TEST_TIMEOUT_MS);
});

describe('a TCP syslog server that is down when the publisher starts', () => {
  let tcp: Receiver | undefined;
  let publisher: RunningPublisher;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    publisher = await startAudited('tcp', { host: '127.0.0.1', port, protocol: 'tcp' });
  }, TEST_TIMEOUT_MS);
  afterAll(async () => {
    await publisher?.stop();
    await tcp?.close();
  });

  it('receives the records buffered meanwhile once it comes up; the outage is one warning', async () => {
    expect((await echoscu(publisher.dicomPort, 'NOT-OURS')).code).not.toBe(0);
    expect((await fetch(`${publisher.api.baseUrl}/api/jobs`, { headers: { Authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const written = await waitFor(async () => {
      const records = auditFile(publisher);
      return records.some((r) => r.action === 'http.authenticationFailed') && records.some((r) => r.action === 'association.refused') && records;
    }, 'both records in the audit file');
    const warning = 'syslog destination unreachable: audit records are buffered and sent when it returns';
    await waitFor(async () => publisher.cli.logLines().some((l) => l['msg'] === warning), 'the outage warning');

    tcp = await tcpReceiver(port);
    const messages = await until(() => tcp!.messages.length >= written.length && tcp!.messages, 'the buffered records over TCP', 60_000);
    expect(messages.map((m) => m.record)).toEqual(written);
    // authpriv (10), the default facility.
    expect(messages.every((m) => m.facility === 10 && m.version === 1 && m.appName === 'discrobot')).toBe(true);
    await waitFor(async () => publisher.cli.logLines().find((l) => l['msg'] === 'syslog destination reachable again'), 'the recovery line');
    const logLines = publisher.cli.logLines();
    expect(logLines.filter((l) => l['msg'] === warning)).toHaveLength(1);
    expect(logLines.find((l) => l['msg'] === 'syslog destination reachable again')).toMatchObject({ dropped: 0 });
  }, TEST_TIMEOUT_MS);
});
