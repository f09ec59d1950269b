// Two connected in-process Duplex streams: what one writes, the other reads. The in-process
// transport for tests and for a simulator running in the same process as the driver. Ending or
// destroying one side ends the other's readable side, as closing one end of a cable would.

import { Duplex } from 'node:stream';

export function createDuplexPair(): [Duplex, Duplex] {
  // Each side pushes what it is given into its peer's readable side.
  const sides: Duplex[] = [];
  const peerOf = (index: number): Duplex => sides[1 - index]!;
  const makeSide = (index: number): Duplex =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const peer = peerOf(index);
        if (peer.destroyed || peer.readableEnded) callback(new Error('the other end of the in-process link is closed'));
        else {
          peer.push(chunk);
          callback();
        }
      },
      final(callback) {
        peerOf(index).push(null);
        callback();
      },
      destroy(err, callback) {
        const peer = peerOf(index);
        if (!peer.destroyed && !peer.readableEnded) peer.push(null);
        callback(err);
      },
    });
  sides.push(makeSide(0), makeSide(1));
  return [sides[0]!, sides[1]!];
}
