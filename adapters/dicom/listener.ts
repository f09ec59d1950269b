// The DICOM listeners: our own net servers (dcmjs-dimse's Server cannot bind an address), one per
// configured host and port, each connection handed to an ScpConnection with a new association id.
import net from 'node:net';
import type { Logger } from 'pino';
import { fromCallback } from 'xstate';
import { ScpConnection } from './scp-connection.ts';
import type { PduLimits } from './pdu-framer.ts';
import type { InstanceStore } from '../store/instance-store.ts';
import type { ConnectionCommand, ConnectionEvent } from '../../machines/association.machine.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

export interface AcceptedConnection {
  associationId: string;
  peer: { address: string; port: number };
  listener: ListenAddress;
}

export interface DicomListenerOptions {
  addresses: ListenAddress[];
  store: InstanceStore;
  logger: Logger;
  limits: PduLimits;
  /** Called for each new connection, after it is registered and ready to attach. */
  onConnection(accepted: AcceptedConnection): void;
}

export class ListenError extends Error {}

export class DicomListener {
  private readonly servers: net.Server[] = [];
  private readonly connections = new Map<string, ScpConnection>();
  private sequence = 0;

  constructor(private readonly options: DicomListenerOptions) {}

  /** Listens on every address; if one fails, closes the others and throws a message for a person. */
  async start(): Promise<ListenAddress[]> {
    const bound: ListenAddress[] = [];
    try {
      for (const address of this.options.addresses) bound.push(await this.listenOn(address));
    } catch (err) {
      await this.stopAccepting();
      throw err;
    }
    return bound;
  }

  private listenOn(address: ListenAddress): Promise<ListenAddress> {
    const server = net.createServer({ noDelay: true }, (socket) => this.accepted(socket, address));
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

  private accepted(socket: net.Socket, listener: ListenAddress): void {
    this.sequence += 1;
    const associationId = String(this.sequence);
    const logger = this.options.logger.child({ association: associationId });
    const connection = new ScpConnection(socket, { id: associationId, store: this.options.store, logger, limits: this.options.limits });
    this.connections.set(associationId, connection);
    socket.once('close', () => this.connections.delete(associationId));
    const peer = { address: socket.remoteAddress ?? '', port: socket.remotePort ?? 0 };
    logger.info({ peer, listener }, 'connection accepted');
    try {
      this.options.onConnection({ associationId, peer, listener });
    } catch (err) {
      logger.error({ err }, 'could not start the association actor; closing the connection');
      socket.destroy();
    }
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
