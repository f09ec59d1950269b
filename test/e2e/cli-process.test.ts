// `discrobot serve` as a real process: bad configuration stops it before anything listens (exit 2,
// the field named), listeners and AE titles come from repeatable flags, IPv6 binds, SIGTERM ends it
// cleanly (exit 0) with or without a transfer in flight, and an unprivileged port 104 is explained.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTool } from '../support/dcmtk.ts';
import { PDU, associate, rejectFields, type RawConnection } from '../support/pdu.ts';
import { cEcho, cStoreRq, messagePdus, readResponse } from './support/dimse.ts';
import { CT_IMAGE, EXPLICIT_LE, IMPLICIT_LE, VERIFICATION, ctDataset, freshUids } from './support/dataset.ts';
import { accepts, everAccepted, freePort, startCli, type CliProcess } from './support/process.ts';

let work: string;
const running: CliProcess[] = [];
const connections: RawConnection[] = [];

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'discrobot-cli-'));
});
// Not afterEach: the concurrent tests below would kill each other's processes.
afterAll(() => {
  for (const c of connections.splice(0)) c.destroy();
  for (const p of running.splice(0)) p.kill();
  rmSync(work, { recursive: true, force: true });
});

function cli(args: string[], options?: Parameters<typeof startCli>[1]): CliProcess {
  const p = startCli(args, options);
  running.push(p);
  return p;
}

let dirCount = 0;
function freshDir(name: string): string {
  return path.join(work, `${name}-${++dirCount}`);
}

function writeYaml(name: string, text: string): string {
  const file = path.join(work, `${name}-${++dirCount}.yaml`);
  writeFileSync(file, text);
  return file;
}

/** Expects exit 2 naming `field`, with the port never accepting and the data folder never made. */
async function expectRefusedAtStartup(p: CliProcess, port: number, dataDir: string, ...mentions: (string | RegExp)[]): Promise<void> {
  const [exit, ever] = await Promise.all([p.exited, everAccepted(port, p.exited)]);
  expect(exit.code, p.stderr()).toBe(2);
  for (const m of mentions) expect(p.stderr()).toMatch(m);
  expect(ever, `something accepted a connection on ${port}`).toBe(false);
  expect(p.stdout()).not.toContain('listening');
  expect(existsSync(dataDir), 'the data folder was created').toBe(false);
}

const storeContexts = [
  { id: 1, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] },
  { id: 3, abstractSyntax: VERIFICATION, transferSyntaxes: [EXPLICIT_LE] },
];

describe.concurrent('invalid configuration: exit 2, the field named, nothing listens', () => {
  it('a config file with a bad port', async () => {
    const port = await freePort();
    const data = freshDir('data');
    const config = writeYaml('bad-port', `dicom:\n  listeners: [{ host: 127.0.0.1, port: ${port} }, { host: 127.0.0.1, port: 70000 }]\nstorage: { data: ${data} }\n`);
    await expectRefusedAtStartup(cli(['serve', '--config', config]), port, data, 'dicom.listeners[1].port', '70000');
  });

  it('a config file with an unknown key', async () => {
    const port = await freePort();
    const data = freshDir('data');
    const config = writeYaml('unknown-key', `dicom:\n  listeners: [{ host: 127.0.0.1, port: ${port} }]\n  aeTitle: DISCROBOT\nstorage: { data: ${data} }\n`);
    await expectRefusedAtStartup(cli(['serve', '--config', config]), port, data, 'dicom.aeTitle', /not a known setting/);
  });

  it('--port abc', async () => {
    const port = await freePort();
    const data = freshDir('data');
    await expectRefusedAtStartup(cli(['serve', '--host', '127.0.0.1', '--port', String(port), '--port', 'abc', '--data', data]), port, data, '--port', 'abc');
  });

  it('--ae with a backslash', async () => {
    const port = await freePort();
    const data = freshDir('data');
    await expectRefusedAtStartup(cli(['serve', '--host', '127.0.0.1', '--port', String(port), '--ae', 'DISC\\ROBOT', '--data', data]), port, data, '--ae', /backslash/);
  });

  it('--ae of 17 characters', async () => {
    const port = await freePort();
    const data = freshDir('data');
    await expectRefusedAtStartup(cli(['serve', '--host', '127.0.0.1', '--port', String(port), '--ae', 'ABCDEFGHIJKLMNOPQ', '--data', data]), port, data, '--ae', /16 characters/);
  });
});

describe('listeners from flags', () => {
  it('--port and --ae repeated: both ports answer echoscu for each AE title, and only for those', async () => {
    const ports = [await freePort(), await freePort()];
    const p = cli(['serve', '--host', '127.0.0.1', '--port', String(ports[0]), '--port', String(ports[1]), '--ae', 'FIRST_AE', '--ae', 'SECOND_AE', '--data', freshDir('data')]);
    await p.listening();
    const echo = (port: number, ae: string) => runTool('echoscu', ['-v', '-aec', ae, '127.0.0.1', String(port)]);
    for (const port of ports) {
      for (const ae of ['FIRST_AE', 'SECOND_AE']) {
        const result = await echo(port, ae);
        expect(result.code, `${ae}@${port}: ${result.output}`).toBe(0);
        expect(result.output).toContain('Received Echo Response (Success)');
      }
      const wrong = await echo(port, 'DISCROBOT');
      expect(wrong.code).not.toBe(0);
      expect(wrong.output).toMatch(/Called AE Title Not Recognized/i);
    }
  });

  it('--host ::1 binds IPv6 loopback only (raw A-ASSOCIATE-RQ and C-ECHO over IPv6; DCMTK 3.6.7 echoscu has no IPv6)', async () => {
    const port = await freePort('::1');
    const p = cli(['serve', '--host', '::1', '--port', String(port), '--data', freshDir('data')]);
    await p.listening();
    const { connection, ac } = await associate(port, { contexts: storeContexts }, '::1');
    connections.push(connection);
    expect(ac.contexts.find((c) => c.id === 3)?.result).toBe(0);
    const echo = await cEcho(connection, 3, 1);
    expect(echo.status).toBe(0);
    expect(await accepts(port, '127.0.0.1')).toBe(false);
  });
});

describe('SIGTERM', () => {
  function graceConfig(port: number, data: string, graceSeconds: number): string {
    return writeYaml('grace', [
      'dicom:',
      `  listeners: [{ host: 127.0.0.1, port: ${port} }]`,
      `  shutdownGraceSeconds: ${graceSeconds}`,
      `storage: { data: ${data}, reserveBytes: 0 }`,
      '',
    ].join('\n'));
  }

  /** Associates and sends a C-STORE's command and all but the last `holdBack` fragments of its data set. */
  async function startTransfer(port: number, holdBack: number) {
    const uids = freshUids();
    const { connection } = await associate(port, { contexts: storeContexts });
    connections.push(connection);
    const pdus = messagePdus(1, cStoreRq(1, CT_IMAGE, uids.sopInstanceUid), ctDataset({ ...uids, pixelBytes: 96 * 1024 }));
    expect(pdus.length).toBeGreaterThan(holdBack + 2);
    for (const p of pdus.slice(0, pdus.length - holdBack)) connection.send(p);
    // Let the server take the first fragments in before the signal.
    await new Promise((r) => setTimeout(r, 200));
    return { connection, uids, rest: pdus.slice(pdus.length - holdBack) };
  }

  it('with an idle association: aborts it, stops accepting, exits 0 promptly', async () => {
    const port = await freePort();
    const p = cli(['serve', '--config', graceConfig(port, freshDir('data'), 8)]);
    await p.listening();
    const { connection } = await associate(port, { contexts: storeContexts });
    connections.push(connection);
    const signalledAt = performance.now();
    p.child.kill('SIGTERM');
    const abort = await connection.nextPdu(3000);
    expect(abort.type).toBe(PDU.Abort);
    const exit = await p.exited;
    expect(exit.code, p.stdout() + p.stderr()).toBe(0);
    // Well inside the 8 s grace: an idle association has nothing to finish.
    expect(exit.at - signalledAt).toBeLessThan(4000);
    expect(await accepts(port)).toBe(false);
  });

  it('with a transfer in flight that completes within the grace period: stops accepting, answers Success, exits 0', async () => {
    const port = await freePort();
    const data = freshDir('data');
    const p = cli(['serve', '--config', graceConfig(port, data, 4)]);
    await p.listening();
    const { connection, uids, rest } = await startTransfer(port, 2);
    p.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    expect(p.child.exitCode, 'still draining the transfer').toBeNull();
    expect(await accepts(port), 'new connections are refused while draining').toBe(false);

    for (const pdu of rest) connection.send(pdu);
    const response = await readResponse(connection);
    expect(response.status).toBe(0x0000);
    const next = await connection.nextPdu(3000);
    expect(next.type).toBe(PDU.Abort);
    expect(rejectFields(next.bytes)).toMatchObject({ source: 0 });
    const exit = await p.exited;
    expect(exit.code, p.stdout() + p.stderr()).toBe(0);

    const db = new Database(path.join(data, 'db.sqlite'), { readonly: true });
    const row = db.prepare('SELECT path FROM instances WHERE sop_instance_uid = ?').get(uids.sopInstanceUid) as { path: string } | undefined;
    db.close();
    expect(row).toBeDefined();
    expect(existsSync(row!.path)).toBe(true);
  });

  it('with a transfer that stalls: aborts it when the grace period ends, leaves no partial file, exits 0', async () => {
    const grace = 1;
    const port = await freePort();
    const data = freshDir('data');
    const p = cli(['serve', '--config', graceConfig(port, data, grace)]);
    await p.listening();
    const { connection, uids } = await startTransfer(port, 2);
    const signalledAt = performance.now();
    p.child.kill('SIGTERM');
    const abort = await connection.nextPdu(grace * 1000 + 3000);
    expect(abort.type).toBe(PDU.Abort);
    expect(abort.at - signalledAt).toBeGreaterThanOrEqual(grace * 1000 - 100);
    const exit = await p.exited;
    expect(exit.code, p.stdout() + p.stderr()).toBe(0);
    expect(exit.at - signalledAt).toBeLessThan(grace * 1000 + 3500);

    expect(readdirSync(path.join(data, 'store', '.incoming'))).toEqual([]);
    const db = new Database(path.join(data, 'db.sqlite'), { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM instances WHERE sop_instance_uid = ?').get(uids.sopInstanceUid)).toEqual({ n: 0 });
    db.close();
  });
});

describe('unprivileged user', () => {
  it('port 104 as an unprivileged user: nonzero exit and a message naming --port', async () => {
    // A folder the unprivileged user may create its data folder in (ours is private to root).
    const own = mkdtempSync(path.join(tmpdir(), 'discrobot-nobody-'));
    chmodSync(own, 0o777);
    const p = cli(['serve', '--port', '104', '--data', path.join(own, 'data')], {
      prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    });
    const [exit, ever] = await Promise.all([p.exited, everAccepted(104, p.exited)]);
    rmSync(own, { recursive: true, force: true });
    expect(exit.code, p.stdout() + p.stderr()).not.toBe(0);
    expect(exit.code).not.toBeNull();
    expect(p.stderr()).toContain('--port');
    expect(p.stderr()).toMatch(/104/);
    expect(ever).toBe(false);
  });

  it('a data folder the user may not write: exit 1, a message naming --data, nothing listens', async () => {
    const port = await freePort();
    // Inside our 0700 work folder: the unprivileged user cannot create anything there.
    const data = freshDir('not-for-nobody');
    const p = cli(['serve', '--host', '127.0.0.1', '--port', String(port), '--data', data], {
      prefix: ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'],
    });
    const [exit, ever] = await Promise.all([p.exited, everAccepted(port, p.exited)]);
    expect(exit.code, p.stdout() + p.stderr()).toBe(1);
    expect(p.stderr()).toContain('--data');
    expect(p.stderr()).toContain(data);
    expect(p.stderr()).not.toMatch(/^\s+at /m);
    expect(ever).toBe(false);
  });
  it('an HTTP API address already in use: exit 1, a message naming --http, nothing listens', async () => {
    const port = await freePort();
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const httpPort = (taken.address() as net.AddressInfo).port;
    try {
      const p = cli(['serve', '--host', '127.0.0.1', '--port', String(port), '--data', freshDir('data'), '--http', `127.0.0.1:${httpPort}`]);
      const [exit, ever] = await Promise.all([p.exited, everAccepted(port, p.exited)]);
      expect(exit.code, p.stdout() + p.stderr()).toBe(1);
      expect(p.stderr()).toContain('--http');
      expect(p.stderr()).toContain(String(httpPort));
      expect(p.stderr()).not.toMatch(/^\s+at /m);
      expect(ever).toBe(false);
    } finally {
      taken.close();
    }
  });
});
