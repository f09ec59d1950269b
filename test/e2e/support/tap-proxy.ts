// A TCP proxy between a DICOM tool and the server that calls back on every PDU the server sends, at
// the moment it passes: it shows when a response really left the server.
import net from 'node:net';

export interface TapProxy {
  port: number;
  close(): Promise<void>;
}

export function tapProxy(targetPort: number, onServerPdu: (type: number, pdu: Buffer) => void): Promise<TapProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ noDelay: true }, (client) => {
    const upstream = net.connect({ port: targetPort, host: '127.0.0.1', noDelay: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('error', () => {});
      s.on('close', () => sockets.delete(s));
    }
    let pending = Buffer.alloc(0);
    client.on('data', (d) => upstream.write(d));
    upstream.on('data', (d: Buffer) => {
      pending = Buffer.concat([pending, d]);
      while (pending.length >= 6 && pending.length >= 6 + pending.readUInt32BE(2)) {
        const end = 6 + pending.readUInt32BE(2);
        onServerPdu(pending[0]!, pending.subarray(0, end));
        pending = pending.subarray(end);
      }
      client.write(d);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({
      port: (server.address() as net.AddressInfo).port,
      close: () => {
        for (const s of sockets) s.destroy();
        return new Promise((r) => server.close(() => r()));
      },
    }));
  });
}
