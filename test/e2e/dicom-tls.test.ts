// A DICOM TLS listener against DCMTK's own TLS client (Debian builds echoscu/storescu with
// OpenSSL): a throwaway PKI made with the openssl CLI, `discrobot serve` as a real process with one
// TLS listener that requires client certificates. A trusted client certificate echoes and stores;
// no certificate, one from another CA, TLS 1.1 and plain TCP are refused at the handshake, each
// logged, and the server goes on serving.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoscu, storescu } from '../support/dcmtk.ts';
import { waitFor } from './support/api-client.ts';
import { freshStudyUid, studySpec, writeInstances } from './support/patient-study.ts';
import { freePort, startCli } from './support/process.ts';
import { startPublisher, type RunningPublisher } from './support/publisher-process.ts';

const OPENSSL = '/usr/bin/openssl';
const CALLED = 'DISCROBOT';

interface Pki {
  ca: string;
  server: { key: string; cert: string };
  client: { key: string; cert: string };
  /** Signed by another CA, which the listener does not trust. */
  rogueClient: { key: string; cert: string };
}

/** A CA, a server and a client certificate signed by it, and a client of a second, untrusted CA. */
function makePki(dir: string): Pki {
  const openssl = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
  const makeCa = (name: string) => {
    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=${name}`,
      '-keyout', `${name}.key`, '-out', `${name}.pem`);
  };
  const issue = (name: string, ca: string, altName: string) => {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    const ext = path.join(dir, `${name}.ext`);
    execFileSync('sh', ['-c', `printf 'subjectAltName=${altName}\\n' > '${ext}'`]);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}.key`, '-CAcreateserial',
      '-days', '2', '-extfile', ext, '-out', `${name}.pem`);
    return { key: path.join(dir, `${name}.key`), cert: path.join(dir, `${name}.pem`) };
  };
  makeCa('test-ca');
  makeCa('rogue-ca');
  return {
    ca: path.join(dir, 'test-ca.pem'),
    server: issue('server', 'test-ca', 'IP:127.0.0.1,DNS:localhost'),
    client: issue('modality', 'test-ca', 'DNS:modality.example'),
    rogueClient: issue('intruder', 'rogue-ca', 'DNS:intruder.example'),
  };
}

let dir: string;
let pki: Pki;
let server: RunningPublisher;

const tlsArgs = (client: { key: string; cert: string }) => ['+tls', client.key, client.cert, '+cf', pki.ca];
const handshakeFailures = () => server.cli.logLines().filter((l) => l['msg'] === 'TLS handshake failed; connection closed');

/** Waits for one more "TLS handshake failed" line than `before` and returns it. */
const nextHandshakeFailure = (before: number) =>
  waitFor(async () => handshakeFailures()[before], 'a "TLS handshake failed" log line', { timeoutMs: 20_000 });

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'discrobot-tls-'));
  pki = makePki(dir);
  server = await startPublisher({
    dataDir: path.join(dir, 'data'),
    quietPeriodSeconds: 3600,
    config: {
      file: path.join(dir, 'config.json'),
      content: {
        dicom: {
          listeners: [{
            host: '127.0.0.1',
            port: 104, // replaced by startPublisher's --port; the TLS settings stay
            tls: { cert: pki.server.cert, key: pki.server.key, ca: pki.ca, requireClientCertificate: true, minVersion: 'TLSv1.2' },
          }],
        },
        storage: { reserveBytes: 0 },
      },
    },
  });
}, 60_000);

afterAll(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a DICOM TLS listener that requires client certificates', () => {
  it('accepts echoscu and storescu with a certificate from the trusted CA, and stores the instance', async () => {
    const echo = await echoscu(server.dicomPort, CALLED, tlsArgs(pki.client));
    expect(echo.code, echo.output).toBe(0);
    expect(echo.output).toContain('Received Echo Response (Success)');

    const uid = freshStudyUid();
    const [file] = await writeInstances(dir, studySpec(uid, [1], { patientId: 'TLS-1', patientName: 'Secure^Sam', patientBirthDate: '19800101' }));
    const store = await storescu(server.dicomPort, CALLED, [file!.file], tlsArgs(pki.client));
    expect(store.code, store.output).toBe(0);
    expect(store.output).toContain('Received Store Response (Success)');
    const study = await waitFor(async () => (await server.api.study(uid)) ?? undefined, `study ${uid} to be known`);
    expect(study.studyInstanceUid).toBe(uid);

    const accepted = server.cli.logLines().filter((l) => l['msg'] === 'connection accepted' && typeof l['tls'] === 'object');
    expect(accepted.length).toBeGreaterThanOrEqual(2);
    expect(accepted.at(-1)?.['tls']).toMatchObject({ clientCertificate: 'modality', authorized: true });
  });

  it('refuses a client without a certificate', async () => {
    const before = handshakeFailures().length;
    // +tla: TLS without a client certificate (the server's certificate is still verified against the CA).
    const echo = await echoscu(server.dicomPort, CALLED, ['+tla', '+cf', pki.ca]);
    expect(echo.code, echo.output).not.toBe(0);
    expect(echo.output).not.toContain('Received Echo Response');
    expect(await nextHandshakeFailure(before)).toMatchObject({ peer: { address: '127.0.0.1' }, reason: 'no client certificate' });
  });

  it('refuses a client certificate from a CA it does not trust', async () => {
    const before = handshakeFailures().length;
    const echo = await echoscu(server.dicomPort, CALLED, tlsArgs(pki.rogueClient));
    expect(echo.code, echo.output).not.toBe(0);
    expect(echo.output).not.toContain('Received Echo Response');
    const failure = await nextHandshakeFailure(before);
    expect(failure).toMatchObject({ peer: { address: '127.0.0.1' }, listener: { host: '127.0.0.1', port: server.dicomPort } });
    expect(failure['reason']).toMatch(/^client certificate refused: /);
    // The refused client never reached DICOM: no association was started for it.
    expect(server.cli.logLines().filter((l) => l['msg'] === 'connection accepted' && (l['tls'] as { clientCertificate?: string } | undefined)?.clientCertificate === 'intruder')).toEqual([]);
  });

  it('refuses a client that offers at most TLS 1.1', async () => {
    const before = handshakeFailures().length;
    const error = await new Promise<Error | undefined>((resolve) => {
      const socket = tls.connect({
        host: '127.0.0.1',
        port: server.dicomPort,
        key: readFile(pki.client.key),
        cert: readFile(pki.client.cert),
        ca: readFile(pki.ca),
        minVersion: 'TLSv1',
        maxVersion: 'TLSv1.1',
        // OpenSSL 3 will not even offer TLS 1.1 at its default security level: lower it on our side only.
        ciphers: 'DEFAULT@SECLEVEL=0',
      });
      socket.once('secureConnect', () => {
        socket.destroy();
        resolve(undefined);
      });
      socket.once('error', (err) => resolve(err));
    });
    expect(error?.message).toMatch(/alert|version|protocol/i);
    // The server saw the attempt and refused it for its version (not a client-side refusal before sending).
    expect(await nextHandshakeFailure(before)).toMatchObject({ peer: { address: '127.0.0.1' }, reason: expect.stringMatching(/unsupported protocol|version/i) });
  });

  it('survives plain TCP on the TLS port and goes on serving', async () => {
    const before = handshakeFailures().length;
    const plain = await echoscu(server.dicomPort, CALLED, []);
    expect(plain.code, plain.output).not.toBe(0);
    expect(plain.output).not.toContain('Received Echo Response');
    expect(await nextHandshakeFailure(before)).toMatchObject({ peer: { address: '127.0.0.1' }, reason: expect.stringMatching(/wrong version number|http request|unexpected/i) });

    expect(server.cli.child.exitCode).toBeNull();
    const echo = await echoscu(server.dicomPort, CALLED, tlsArgs(pki.client));
    expect(echo.code, echo.output).toBe(0);
    expect(echo.output).toContain('Received Echo Response (Success)');
  });
});

describe('TLS files checked at start-up', () => {
  /** `discrobot serve` with one TLS listener; resolves with how it ended and what it said on stderr. */
  async function startWith(tlsSettings: Record<string, unknown>, name: string) {
    const file = path.join(dir, `${name}.json`);
    writeFileSync(file, JSON.stringify({ dicom: { listeners: [{ host: '127.0.0.1', port: 104, tls: tlsSettings }] }, storage: { data: path.join(dir, `${name}-data`) } }));
    const cli = startCli(['serve', '--config', file, '--port', String(await freePort())]);
    const exit = await cli.exited;
    return { exit, stderr: cli.stderr(), listening: cli.logLines().some((l) => l['msg'] === 'discrobot is listening') };
  }

  it('stops with a message naming the setting when the key is not the certificate\'s', async () => {
    const ended = await startWith({ cert: pki.server.cert, key: pki.client.key }, 'mismatch');
    expect(ended.exit.code).toBe(1);
    expect(ended.listening).toBe(false);
    expect(ended.stderr).toContain(`dicom.listeners[0].tls.key: ${pki.client.key} is not the private key of the certificate in dicom.listeners[0].tls.cert`);
  });

  it('stops with a message naming the setting when a file is missing', async () => {
    const missing = path.join(dir, 'no-such-ca.pem');
    const ended = await startWith({ cert: pki.server.cert, key: pki.server.key, ca: missing, requireClientCertificate: true }, 'missing');
    expect(ended.exit.code).toBe(1);
    expect(ended.listening).toBe(false);
    expect(ended.stderr).toContain(`dicom.listeners[0].tls.ca: cannot read ${missing}: no such file`);
  });
});

function readFile(file: string): Buffer {
  return execFileSync('cat', [file]);
}
