// The listeners' allow-lists on a real `discrobot serve`: a listener whose address allow-list
// excludes this host closes the connection before reading anything (no answer at all, a warning in
// the log), a listener that allows 127.0.0.0/8 serves; on it, a calling AE title outside its list is
// rejected with A-ASSOCIATE-RJ 1/1/3 (calling-AE-title-not-recognized) and a listed one accepted.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu } from '../support/dcmtk.ts';
import { associateRq, PDU, rejectFields, RawConnection } from '../support/pdu.ts';
import { waitFor } from './support/api-client.ts';
import { freePort, startCli, type CliProcess } from './support/process.ts';
import { VERIFICATION, IMPLICIT_LE } from './support/dataset.ts';

const CALLED = 'DISCROBOT';
const ALLOWED_CALLER = 'MODALITY';

let dir: string;
let cli: CliProcess;
let closedPort: number;
let openPort: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'discrobot-allow-'));
  closedPort = await freePort();
  openPort = await freePort();
  const config = path.join(dir, 'config.json');
  writeFileSync(config, JSON.stringify({
    dicom: {
      listeners: [
        { host: '127.0.0.1', port: closedPort, allow: { addresses: ['10.0.0.0/8', 'fd00::/8'] } },
        { host: '127.0.0.1', port: openPort, allow: { addresses: ['127.0.0.0/8'], callingAeTitles: [ALLOWED_CALLER, 'CT_SCANNER'] } },
      ],
    },
    storage: { data: path.join(dir, 'data'), reserveBytes: 0 },
  }));
  cli = startCli(['serve', '--config', config]);
  await cli.listening(30_000);
}, 60_000);

afterAll(async () => {
  if (cli) {
    cli.child.kill('SIGTERM');
    const timer = setTimeout(() => cli.kill(), 20_000);
    await cli.exited;
    clearTimeout(timer);
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const refusedLines = () => cli.logLines().filter((l) => l['msg'] === 'connection refused: peer address not allowed on this listener');

describe('the address allow-list', () => {
  it('closes a connection from an address outside it at once, without answering its A-ASSOCIATE-RQ', async () => {
    const before = refusedLines().length;
    const socket = net.connect({ host: '127.0.0.1', port: closedPort });
    let received = 0;
    socket.on('data', (chunk: Buffer) => (received += chunk.length));
    socket.on('error', () => {});
    socket.once('connect', () => socket.write(associateRq({ calledAeTitle: CALLED, callingAeTitle: ALLOWED_CALLER, contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }] })));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(received).toBe(0);

    const line = await waitFor(async () => refusedLines()[before], 'the refusal in the log', { timeoutMs: 20_000 });
    expect(line['level']).toBe(40); // warn
    expect(line['peer']).toMatchObject({ address: '127.0.0.1' });
    expect(line['listener']).toEqual({ host: '127.0.0.1', port: closedPort });
    // Nothing was handed to an association.
    expect(cli.logLines().some((l) => l['msg'] === 'connection accepted' && (l['listener'] as { port: number }).port === closedPort)).toBe(false);
  });

  it('refuses echoscu on that listener and serves it on the listener that allows 127.0.0.0/8', async () => {
    const refused = await echoscu(closedPort, CALLED, ['-aet', ALLOWED_CALLER]);
    expect(refused.code, refused.output).not.toBe(0);
    expect(refused.output).not.toContain('Received Echo Response');

    const served = await echoscu(openPort, CALLED, ['-aet', ALLOWED_CALLER]);
    expect(served.code, served.output).toBe(0);
    expect(served.output).toContain('Received Echo Response (Success)');
  });
});

describe('the calling AE title allow-list', () => {
  it('rejects a calling AE title not on the list with A-ASSOCIATE-RJ 1/1/3, in raw bytes', async () => {
    const connection = await RawConnection.connect(openPort);
    connection.send(associateRq({ calledAeTitle: CALLED, callingAeTitle: 'INTRUDER', contexts: [{ id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] }] }));
    const answer = await connection.nextPdu(20_000);
    expect(answer.type).toBe(PDU.AssociateRj);
    expect(rejectFields(answer.bytes)).toEqual({ result: 1, source: 1, reason: 3 });
    await connection.closed;
  });

  it('rejects it for echoscu too, which names the reason, and accepts the listed titles', async () => {
    const refused = await echoscu(openPort, CALLED, ['-aet', 'INTRUDER']);
    expect(refused.code, refused.output).not.toBe(0);
    expect(refused.output).toMatch(/Calling AE Title Not Recognized/i);

    for (const caller of [ALLOWED_CALLER, 'CT_SCANNER']) {
      const served = await echoscu(openPort, CALLED, ['-aet', caller]);
      expect(served.code, served.output).toBe(0);
      expect(served.output).toContain('Received Echo Response (Success)');
    }
  });
});
