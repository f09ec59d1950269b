// dicom.maxAssociationsPerPeer and dicom.maxAssociations on a real `discrobot serve`: associations
// held open on raw sockets up to a limit, then the next one gets A-ASSOCIATE-RJ 2/3/2 (transient,
// presentation provider, local-limit-exceeded) after its A-ASSOCIATE-RQ, with a warning naming the
// peer and the limit; another peer (a second loopback address, 127.0.0.2) goes on until the total
// limit; closing associations frees their slots.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu } from '../support/dcmtk.ts';
import { associateRq, PDU, rejectFields } from '../support/pdu.ts';
import { waitFor } from './support/api-client.ts';
import { IMPLICIT_LE, VERIFICATION } from './support/dataset.ts';
import { startPublisher, type RunningPublisher } from './support/publisher-process.ts';

const PER_PEER = 3;
const TOTAL = 5;
const CALLED = 'DISCROBOT';

/** One association on a raw socket from `localAddress`: the first PDU the server answered. */
interface HeldAssociation {
  socket: net.Socket;
  answer: { type: number; bytes: Buffer };
  closed: Promise<void>;
}

function requestAssociation(port: number, localAddress: string): Promise<HeldAssociation> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, localAddress, noDelay: true });
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    let buffer = Buffer.alloc(0);
    socket.once('error', reject);
    socket.once('connect', () => socket.write(associateRq({
      calledAeTitle: CALLED, callingAeTitle: 'LOADER', contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }],
    })));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (buffer.length >= 6 && buffer.length >= 6 + buffer.readUInt32BE(2)) {
        resolve({ socket, answer: { type: buffer[0]!, bytes: buffer.subarray(0, 6 + buffer.readUInt32BE(2)) }, closed });
      }
    });
    void closed.then(() => reject(new Error(`closed without an answer (from ${localAddress})`)));
  });
}

let dir: string;
let server: RunningPublisher;
const held: HeldAssociation[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'discrobot-limits-'));
  server = await startPublisher({
    dataDir: path.join(dir, 'data'),
    quietPeriodSeconds: 3600,
    config: { file: path.join(dir, 'config.json'), content: { dicom: { maxAssociations: TOTAL, maxAssociationsPerPeer: PER_PEER }, storage: { reserveBytes: 0 } } },
  });
}, 60_000);

afterAll(async () => {
  for (const association of held) association.socket.destroy();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const limitLines = () => server.cli.logLines().filter((l) => l['msg'] === 'association limit reached: this association will be rejected');

async function hold(localAddress: string): Promise<HeldAssociation> {
  const association = await requestAssociation(server.dicomPort, localAddress);
  held.push(association);
  return association;
}

function expectLocalLimitExceeded(association: HeldAssociation): void {
  expect(association.answer.type).toBe(PDU.AssociateRj);
  expect(rejectFields(association.answer.bytes)).toEqual({ result: 2, source: 3, reason: 2 });
}

describe('association limits', () => {
  it('rejects the association over maxAssociationsPerPeer as transient local-limit-exceeded, and logs peer and limit', async () => {
    for (let i = 0; i < PER_PEER; i++) expect((await hold('127.0.0.1')).answer.type).toBe(PDU.AssociateAc);

    const before = limitLines().length;
    const over = await hold('127.0.0.1');
    expectLocalLimitExceeded(over);
    await over.closed;
    const line = await waitFor(async () => limitLines()[before], 'the limit warning', { timeoutMs: 20_000 });
    expect(line).toMatchObject({ level: 40, peer: { address: '127.0.0.1' }, limit: 'dicom.maxAssociationsPerPeer', value: PER_PEER });
  });

  it('lets another peer associate until maxAssociations is reached, then rejects everyone', async () => {
    for (let i = 0; i < TOTAL - PER_PEER; i++) expect((await hold('127.0.0.2')).answer.type).toBe(PDU.AssociateAc);

    const before = limitLines().length;
    const third = await hold('127.0.0.3');
    expectLocalLimitExceeded(third);
    const line = await waitFor(async () => limitLines()[before], 'the limit warning', { timeoutMs: 20_000 });
    expect(line).toMatchObject({ peer: { address: '127.0.0.3' }, limit: 'dicom.maxAssociations', value: TOTAL });

    // DCMTK reads the same answer.
    const echo = await echoscu(server.dicomPort, CALLED);
    expect(echo.code, echo.output).not.toBe(0);
    expect(echo.output).toMatch(/Rejected Transient/i);
    expect(echo.output).toMatch(/Local Limit Exceeded/i);
  });

  it('accepts new associations again once open ones have closed', async () => {
    const fromFirstPeer = held.filter((a) => a.answer.type === PDU.AssociateAc && a.socket.localAddress === '127.0.0.1');
    expect(fromFirstPeer).toHaveLength(PER_PEER);
    for (const association of fromFirstPeer.slice(0, 2)) association.socket.destroy();
    await Promise.all(fromFirstPeer.slice(0, 2).map((a) => a.closed));

    // The server notices the closes on its own time: ask until the answer is an A-ASSOCIATE-AC.
    const again = await waitFor(async () => {
      const attempt = await hold('127.0.0.1');
      if (attempt.answer.type === PDU.AssociateAc) return attempt;
      expectLocalLimitExceeded(attempt);
      attempt.socket.destroy();
      return undefined;
    }, 'an association to be accepted again', { timeoutMs: 30_000, intervalMs: 200 });
    expect(again.answer.type).toBe(PDU.AssociateAc);

    const echo = await echoscu(server.dicomPort, CALLED);
    expect(echo.code, echo.output).toBe(0);
    expect(echo.output).toContain('Received Echo Response (Success)');
  });
});
