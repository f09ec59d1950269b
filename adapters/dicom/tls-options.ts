// A DICOM TLS listener's server options, read from the files its settings name (at start-up, so a
// bad file stops discrobot with a message naming the setting instead of failing every handshake).
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TlsOptions, TLSSocket } from 'node:tls';
import type { ListenerTlsConfig } from '../../src/config/schema.ts';

/** A setting whose file is missing, unreadable or wrong; the message names the setting and the file. */
export class TlsSettingsError extends Error {}

/**
 * The options for tls.createServer. `field` is the settings' path in messages, such as
 * `dicom.listeners[0].tls`. Client certificates are asked for only when requireClientCertificate is
 * set. rejectUnauthorized stays false: with it, node destroys a socket whose certificate fails
 * verification before anyone can learn the peer's address, so the refusal could not be logged with
 * it. The listener refuses such a connection itself (clientCertificateProblem) before reading any PDU.
 */
export function loadTlsServerOptions(settings: ListenerTlsConfig, field: string): TlsOptions {
  const cert = readPem(settings.cert, `${field}.cert`);
  const key = readPem(settings.key, `${field}.key`);
  const certificate = parseCertificate(cert, settings.cert, `${field}.cert`);
  const privateKey = parsePrivateKey(key, settings.key, `${field}.key`);
  if (!certificate.checkPrivateKey(privateKey)) {
    throw new TlsSettingsError(`${field}.key: ${settings.key} is not the private key of the certificate in ${field}.cert (${settings.cert})`);
  }
  const ca = settings.ca === null ? undefined : readPem(settings.ca, `${field}.ca`);
  if (ca !== undefined && settings.ca !== null) parseCertificate(ca, settings.ca, `${field}.ca`);
  const require = settings.requireClientCertificate;
  return {
    cert,
    key,
    ...(ca === undefined ? {} : { ca }),
    minVersion: settings.minVersion,
    requestCert: require,
    rejectUnauthorized: false,
  };
}

/** Why a TLS connection must be refused for its client certificate, or undefined when it may go on. */
export function clientCertificateProblem(socket: TLSSocket, required: boolean): string | undefined {
  if (!required || socket.authorized) return undefined;
  // Without a certificate, OpenSSL reports an issuer problem; say what happened instead.
  const sent = Object.keys(socket.getPeerCertificate()).length > 0;
  return sent ? `client certificate refused: ${String(socket.authorizationError)}` : 'no client certificate';
}

function readPem(file: string, setting: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder, not a file' : (err as Error).message;
    throw new TlsSettingsError(`${setting}: cannot read ${file}: ${why}`);
  }
}

function parseCertificate(pem: Buffer, file: string, setting: string): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch {
    throw new TlsSettingsError(`${setting}: ${file} holds no PEM certificate`);
  }
}

function parsePrivateKey(pem: Buffer, file: string, setting: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    // OpenSSL's own error for a key it would need a passphrase for is unhelpful ("interrupted or cancelled").
    const encrypted = /-----BEGIN (ENCRYPTED PRIVATE KEY|RSA PRIVATE KEY-----\s+Proc-Type: 4,ENCRYPTED)/.test(pem.toString('latin1'));
    throw new TlsSettingsError(
      encrypted ? `${setting}: ${file} is an encrypted private key; give an unencrypted one (readable by discrobot only)` : `${setting}: ${file} holds no PEM private key`,
    );
  }
}
