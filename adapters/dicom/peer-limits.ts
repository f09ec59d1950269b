// Counting the associations open at once, in total and per peer address, so that the listener can
// decide at accept time whether a new connection is over dicom.maxAssociations or
// dicom.maxAssociationsPerPeer. A connection over a limit is not counted: it is answered with a
// transient A-ASSOCIATE-RJ and closed, and must not hold a slot others could use.
import type { AssociationLimitExceeded } from '../../src/dicom/negotiation.ts';

export interface AssociationLimits {
  maxAssociations: number;
  maxAssociationsPerPeer: number;
}

export type Admission =
  | { admitted: true; /** Gives the slot back; safe to call more than once. */ release(): void }
  | { admitted: false; exceeded: AssociationLimitExceeded };

export class AssociationCounter {
  private total = 0;
  private readonly perPeer = new Map<string, number>();

  constructor(private readonly limits: AssociationLimits) {}

  admit(peerAddress: string): Admission {
    const { maxAssociations, maxAssociationsPerPeer } = this.limits;
    const ofPeer = this.perPeer.get(peerAddress) ?? 0;
    if (this.total >= maxAssociations) return { admitted: false, exceeded: { limit: 'maxAssociations', value: maxAssociations } };
    if (ofPeer >= maxAssociationsPerPeer) return { admitted: false, exceeded: { limit: 'maxAssociationsPerPeer', value: maxAssociationsPerPeer } };
    this.total += 1;
    this.perPeer.set(peerAddress, ofPeer + 1);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        const left = (this.perPeer.get(peerAddress) ?? 1) - 1;
        if (left > 0) this.perPeer.set(peerAddress, left);
        else this.perPeer.delete(peerAddress);
      },
    };
  }
}
