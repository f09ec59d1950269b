// The DICOM listeners: our own net servers (dcmjs-dimse's Server cannot bind an address), one per
// configured host and port, each connection handed to an ScpConnection with a new association id.
// Per listener: an address allow-list checked before any byte is read, optional TLS (the TLS socket
// then takes the plain socket's place), and the calling AE allow-list and association limits passed
// on in the connection's policy, for the association actor to answer with an A-ASSOCIATE-RJ.
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'pino';
import { fromCallback } from 'xstate';
import { ScpConnection } from './scp-connection.ts';
import type { SecurityAudit, TlsFacts } from '../../src/audit/security-audit.ts';
import { addressAllowList, normalizePeerAddress } from './peer-address.ts';
import { AssociationCounter, type AssociationLimits } from './peer-limits.ts';
import { clientCertificateProblem, loadTlsServerOptions, TlsSettingsError } from './tls-options.ts';
import type { PduLimits } from './pdu-framer.ts';
import type { InstanceStore } from '../store/instance-store.ts';
import type { ListenerConfig } from '../../src/config/schema.ts';
import type { AssociationPolicy } from '../../src/dicom/negotiation.ts';
import type { ConnectionCommand, ConnectionEvent } from '../../machines/association.machine.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** What the listener decided for one connection; merged into the association's policy. */
export type ConnectionPolicy = Required<Pick<AssociationPolicy, 'callingAeTitles' | 'limitExceeded'>>;

export interface AcceptedConnection {
  associationId: string;
  peer: { address: string; port: number };
  listener: ListenAddress;
  policy: ConnectionPolicy;
}

export interface DicomListenerOptions {
  listeners: ListenerConfig[];
  /** dicom.maxAssociations and maxAssociationsPerPeer, over all listeners. */
  associationLimits: AssociationLimits;
  /** Time a TLS client has to complete its handshake (the ARTIM timeout). */
  tlsHandshakeTimeoutMs: number;
  store: InstanceStore;
  logger: Logger;
  limits: PduLimits;
  /** Called for each new connection, after it is registered and ready to attach. */
  onConnection(accepted: AcceptedConnection): void;
  /** Told of connections refused before any association existed (address not allowed, TLS handshake failed). */
  securityAudit?: SecurityAudit;
}

export class ListenError extends Error {}

/** One configured listener, ready to serve: its address check and, for TLS, the TLS server. */
interface PreparedListener {
  settings: ListenerConfig;
  addressAllowed(peerAddress: string): boolean;
  /** Not listening itself: plain sockets that passed the address check are handed to it. */
  tlsServer?: tls.Server;
}

export class DicomListener {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Map<string, ScpConnection>();
  /** The TLS session of each open connection on a TLS listener, for the security audit. */
  private readonly tlsSessions = new Map<string, TlsFacts>();
  private readonly counter: AssociationCounter;
  private sequence = 0;
  /** Set by stopAccepting: a TLS handshake that completes afterwards is not let in. */
  private stopped = false;

  constructor(private readonly options: DicomListenerOptions) {
    this.counter = new AssociationCounter(options.associationLimits);
  }

  /** Listens on every address; if one fails, closes the others and throws a message for a person. */
  async start(): Promise<ListenAddress[]> {
    // Every TLS file is read before anything is bound: a bad one stops start-up as a whole.
    const prepared = this.options.listeners.map((settings, i) => this.prepare(settings, i));
    const bound: ListenAddress[] = [];
    try {
      for (const listener of prepared) bound.push(await this.listenOn(listener));
    } catch (err) {
      await this.stopAccepting();
      throw err;
    }
    return bound;
  }

  private prepare(settings: ListenerConfig, index: number): PreparedListener {
    const prepared: PreparedListener = { settings, addressAllowed: addressAllowList(settings.allow?.addresses ?? null) };
    if (!settings.tls) return prepared;
    let tlsOptions: tls.TlsOptions;
    try {
      tlsOptions = loadTlsServerOptions(settings.tls, `dicom.listeners[${index}].tls`);
    } catch (err) {
      if (err instanceof TlsSettingsError) throw new ListenError(`cannot listen on ${settings.host}:${settings.port} with TLS: ${err.message}`);
      throw err;
    }
    const tlsServer = tls.createServer({ ...tlsOptions, handshakeTimeout: this.options.tlsHandshakeTimeoutMs });
    const required = settings.tls.requireClientCertificate;
    // A failed handshake is the peer's business, not ours: one line, no stack, and that connection ends.
    const refuse = (socket: tls.TLSSocket, peer: { address: string; port: number }, reason: string) => {
      this.options.logger.info({ peer, listener: addressOf(settings), reason }, 'TLS handshake failed; connection closed');
      this.options.securityAudit?.associationRefused({ peer, listener: addressOf(settings), tls: null, reason: 'tlsHandshakeFailed', explanation: reason });
      socket.destroy();
    };
    tlsServer.on('secureConnection', (socket: tls.TLSSocket) => {
      const problem = clientCertificateProblem(socket, required);
      if (problem) refuse(socket, peerOf(socket), problem);
      else this.accepted(socket, settings);
    });
    tlsServer.on('tlsClientError', (err: NodeJS.ErrnoException, socket: tls.TLSSocket) =>
      refuse(socket, peerOf(socket), handshakeReason(err)));
    return { ...prepared, tlsServer };
  }

  private listenOn(prepared: PreparedListener): Promise<ListenAddress> {
    const address = addressOf(prepared.settings);
    const server = net.createServer({ noDelay: true }, (socket) => this.connected(socket, prepared));
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) => reject(new ListenError(describeListenError(err, address))));
      server.listen({ host: address.host, port: address.port }, () => {
        const info = server.address() as net.AddressInfo;
        server.on('error', (err) => this.options.logger.error({ err }, 'listener error'));
        resolve({ host: address.host, port: info.port });
      });
    });
  }

  /** A TCP connection arrived: refused at once when its address is not allowed, else on to TLS or DICOM. */
  private connected(socket: net.Socket, prepared: PreparedListener): void {
    const peer = peerOf(socket);
    if (!prepared.addressAllowed(peer.address)) {
      this.options.logger.warn({ peer, listener: addressOf(prepared.settings) }, 'connection refused: peer address not allowed on this listener');
      this.options.securityAudit?.associationRefused({ peer, listener: addressOf(prepared.settings), tls: null, reason: 'peerAddressNotAllowed' });
      socket.destroy();
      return;
    }
    // tls.Server takes injected connections as its own (net.Server 'connection'); it never listens itself.
    if (prepared.tlsServer) prepared.tlsServer.emit('connection', socket);
    else this.accepted(socket, prepared.settings);
  }

  private accepted(socket: net.Socket, settings: ListenerConfig): void {
    if (this.stopped) {
      socket.destroy();
      return;
    }
    this.sequence += 1;
    const associationId = String(this.sequence);
    const logger = this.options.logger.child({ association: associationId });
    const connection = new ScpConnection(socket, { id: associationId, store: this.options.store, logger, limits: this.options.limits });
    this.connections.set(associationId, connection);
    const peer = peerOf(socket);
    const listener = addressOf(settings);
    const admission = this.counter.admit(peer.address);
    if (socket instanceof tls.TLSSocket) this.tlsSessions.set(associationId, tlsSessionOf(socket));
    socket.once('close', () => {
      this.connections.delete(associationId);
      this.tlsSessions.delete(associationId);
      if (admission.admitted) admission.release();
    });
    logger.info({ peer, listener, ...tlsFacts(socket) }, 'connection accepted');
    if (!admission.admitted) {
      // Answered after the A-ASSOCIATE-RQ is read (the association actor rejects it, transient), so the peer gets a proper answer.
      logger.warn({ peer, listener, limit: `dicom.${admission.exceeded.limit}`, value: admission.exceeded.value }, 'association limit reached: this association will be rejected');
    }
    const policy: ConnectionPolicy = {
      callingAeTitles: settings.allow?.callingAeTitles ?? null,
      limitExceeded: admission.admitted ? null : admission.exceeded,
    };
    try {
      this.options.onConnection({ associationId, peer, listener, policy });
    } catch (err) {
      logger.error({ err }, 'could not start the association actor; closing the connection');
      socket.destroy();
    }
  }

  /** The TLS session of a connection (protocol, cipher, client certificate subject), null on plain TCP. */
  tlsOf(associationId: string): TlsFacts | null {
    return this.tlsSessions.get(associationId) ?? null;
  }

  get(associationId: string): ScpConnection | undefined {
    return this.connections.get(associationId);
  }

  get openConnections(): number {
    return this.connections.size;
  }

  /** The association actor's invoked 'connection' actor: wires an actor to its socket. */
  connectionLogic() {
    return fromCallback<ConnectionCommand, { associationId: string }>(({ input, sendBack, receive }) => {
      const connection = this.connections.get(input.associationId);
      if (!connection) {
        sendBack({ type: 'connection.closed' } satisfies ConnectionEvent);
        return;
      }
      connection.attach((event) => sendBack(event));
      receive((command) => connection.execute(command));
      return () => connection.detach();
    });
  }

  /**
   * Closes the listening sockets at once. Does not wait for the open connections: net.Server.close's
   * callback only fires once every connection has ended, which would hold a shutdown until each idle
   * association timed out.
   */
  stopAccepting(): Promise<void> {
    this.stopped = true;
    for (const server of this.servers) if (server.listening) server.close();
    return Promise.resolve();
  }

  /** Destroys whatever is still open (after the shutdown grace period). */
  destroyAll(): void {
    for (const connection of this.connections.values()) connection.execute({ type: 'close' });
  }
}

function describeListenError(err: NodeJS.ErrnoException, address: ListenAddress): string {
  const where = `${address.host}:${address.port}`;
  if (err.code === 'EACCES' && address.port < 1024) {
    return `cannot listen on ${where}: ports below 1024 need root or CAP_NET_BIND_SERVICE. ` +
      `Use an unprivileged port instead, e.g. --port 11112 (or dicom.listeners[].port in the config file)`;
  }
  if (err.code === 'EADDRINUSE') return `cannot listen on ${where}: the port is already in use by another program (choose another with --port)`;
  if (err.code === 'EADDRNOTAVAIL') return `cannot listen on ${where}: this machine has no such address (check --host)`;
  return `cannot listen on ${where}: ${err.message}`;
}

function addressOf(settings: ListenerConfig): ListenAddress {
  return { host: settings.host, port: settings.port };
}

function peerOf(socket: net.Socket): { address: string; port: number } {
  return { address: normalizePeerAddress(socket.remoteAddress ?? ''), port: socket.remotePort ?? 0 };
}

/** For the log: the TLS version and whether the client certificate was verified; nothing on plain TCP. */
function tlsFacts(socket: net.Socket): Record<string, unknown> {
  if (!(socket instanceof tls.TLSSocket)) return {};
  // An empty object when the client sent no certificate.
  const certificate: Partial<tls.PeerCertificate> = socket.getPeerCertificate();
  return { tls: { protocol: socket.getProtocol(), clientCertificate: certificate.subject?.CN ?? null, authorized: socket.authorized } };
}

function tlsSessionOf(socket: tls.TLSSocket): TlsFacts {
  const certificate: Partial<tls.PeerCertificate> = socket.getPeerCertificate();
  const subject = certificate.subject ? Object.entries(certificate.subject).map(([key, value]) => `${key}=${String(value)}`).join(',') : null;
  return { protocol: socket.getProtocol(), cipher: socket.getCipher()?.name ?? null, clientCertificateSubject: subject };
}

/** OpenSSL's messages read "<id>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>"; the reason says it. */
function handshakeReason(err: NodeJS.ErrnoException): string {
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(err.message)?.[1] ?? err.message.split('\n')[0] ?? err.message;
  return err.code ? `${err.code}: ${reason}` : reason;
}
