// One DPRP connection without XState: open the transport, start a client on it, open the session.
// What the link supervisor does per attempt, and what the CLI and tests use directly.

import { DprpClient, type DprpClientOptions } from './dprp-client.ts';
import type { DprpSession } from './dprp-session.ts';
import type { LineTransport } from './transport.ts';

export interface ConnectDprpOptions {
  /** Opens the byte link: () => openSerialTransport(path), or () => streamTransport(stream). */
  open: () => Promise<LineTransport>;
  /** `name/version` sent in HELLO, e.g. discrobot/0.1.0. */
  clientName: string;
  /** Timeouts, logger, lastSeq. */
  client?: DprpClientOptions;
  /** Wait for the device's HELLO before sending ours (default 2000 ms). */
  helloWaitMs?: number;
  /** Called as soon as the client exists, before the session is open (so it can be closed early). */
  onClient?: (client: DprpClient) => void;
}

export interface DprpConnection {
  client: DprpClient;
  session: DprpSession;
  close(): Promise<void>;
}

export async function connectDprp(options: ConnectDprpOptions): Promise<DprpConnection> {
  const transport = await options.open();
  const client = new DprpClient(transport, options.client);
  options.onClient?.(client);
  try {
    const session = await client.openSession(options.clientName, { helloWaitMs: options.helloWaitMs });
    return { client, session, close: () => client.close() };
  } catch (err) {
    await client.close();
    throw err;
  }
}
