// Hostile PDUs for the fuzz test and the soak: the simulator's seeded PRNG (mulberry32) and a generator that turns
// (seed, case index) into one attack on one connection. Each case has its own PRNG derived from the
// seed and its index, so any case can be replayed alone, whatever order the cases ran in.
import { associateRq, pData, pdu, PDU, type ProposedContext } from '../../support/pdu.ts';
import { cEchoRq, cStoreRq } from './dimse.ts';
import { CT_IMAGE, IMPLICIT_LE, EXPLICIT_LE, VERIFICATION, ctDataset } from './dataset.ts';
import { seededRng, type Rng } from '../../../simulator/rng.ts';

export type { Rng } from '../../../simulator/rng.ts';

/** The PRNG of case `index` under `seed`: independent of every other case. */
export function caseRng(seed: number, index: number): Rng {
  return seededRng((seed ^ Math.imul(index + 1, 0x9e3779b9)) >>> 0);
}

const int = (rng: Rng, min: number, max: number) => min + Math.floor(rng() * (max - min + 1));
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;
const randomBytes = (rng: Rng, n: number) => {
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor(rng() * 256);
  return out;
};

export const FUZZ_CONTEXTS: ProposedContext[] = [
  { id: 1, abstractSyntax: VERIFICATION, transferSyntaxes: [IMPLICIT_LE] },
  { id: 3, abstractSyntax: CT_IMAGE, transferSyntaxes: [EXPLICIT_LE, IMPLICIT_LE] },
];
const ECHO_CONTEXT = 1;
const CT_CONTEXT = 3;

/** What a case does on its connection. */
export interface FuzzCase {
  index: number;
  kind: string;
  /** Negotiate a valid association first (and wait for the A-ASSOCIATE-AC) before `chunks`. */
  associateFirst: boolean;
  /** Bytes sent in order, each as its own write. */
  chunks: Buffer[];
  /** After sending: close our side at once, reset, or wait for the server to act. */
  ending: 'end' | 'reset' | 'wait';
}

/** Offsets of the items of an A-ASSOCIATE-RQ (PS3.8 9.3.2), sub-items included, to mutate one. */
function itemOffsets(rq: Buffer): number[] {
  const out: number[] = [];
  const walk = (from: number, to: number, nested: boolean) => {
    let offset = from;
    while (offset + 4 <= to) {
      const type = rq[offset]!;
      const length = rq.readUInt16BE(offset + 2);
      out.push(offset);
      if (nested && type === 0x20) walk(offset + 8, offset + 4 + length, false);
      if (nested && type === 0x50) walk(offset + 4, offset + 4 + length, false);
      offset += 4 + length;
    }
  };
  walk(74, rq.length, true);
  return out;
}

/**
 * The calling AE title of every request a case builds: FZ<case index>. The server logs it when the
 * association ends, so an error in its log leads back to the case that caused it.
 */
export const callingAeTitleOf = (index: number) => `FZ${index}`;
let callingAeTitle = callingAeTitleOf(0);

function validRq(rng: Rng): Buffer {
  return associateRq({ contexts: FUZZ_CONTEXTS, callingAeTitle, maxPduLength: pick(rng, [0, 4096, 16384, 65536]) });
}

/** Rewrites the PDU-length field to match the bytes: the PDU is whole, its items are not. */
function fixLength(bytes: Buffer): Buffer {
  bytes.writeUInt32BE(bytes.length - 6, 2);
  return bytes;
}

/** Splits bytes into writes of random sizes (the framer must not care where TCP cuts). */
function split(rng: Rng, bytes: Buffer): Buffer[] {
  if (rng() < 0.6) return [bytes];
  const out: Buffer[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const n = int(rng, 1, Math.max(1, Math.min(bytes.length - offset, 512)));
    out.push(bytes.subarray(offset, offset + n));
    offset += n;
  }
  return out;
}

// ---- A-ASSOCIATE-RQ attacks (sent on a fresh connection) -------------------------------------

const associateAttacks: Record<string, (rng: Rng) => Buffer> = {
  'rq item length overflow/underflow': (rng) => {
    const rq = validRq(rng);
    const offset = pick(rng, itemOffsets(rq));
    const length = rq.readUInt16BE(offset + 2);
    rq.writeUInt16BE(pick(rng, [0, 1, Math.max(0, length - 1), length + 1, length + int(rng, 2, 64), 0xffff, int(rng, 0, 0xffff)]) & 0xffff, offset + 2);
    return rq;
  },
  'rq unknown item type': (rng) => {
    const rq = validRq(rng);
    const offset = pick(rng, itemOffsets(rq));
    rq[offset] = pick(rng, [0x00, 0x11, 0x21, 0x22, 0x31, 0x41, 0x5f, 0x60, 0xff, int(rng, 0, 255)]);
    return rq;
  },
  'rq extra unknown item': (rng) => {
    const value = randomBytes(rng, int(rng, 0, 40));
    const header = Buffer.from([int(rng, 0x59, 0xff), 0, 0, 0]);
    header.writeUInt16BE(value.length, 2);
    return fixLength(Buffer.concat([validRq(rng), header, value]));
  },
  'rq truncated sub-item': (rng) => {
    const rq = validRq(rng);
    return fixLength(Buffer.from(rq.subarray(0, int(rng, 74, rq.length - 1))));
  },
  'rq max length extremes': (rng) => {
    const rq = validRq(rng);
    const at = rq.indexOf(Buffer.from([0x51, 0, 0, 4]), 74);
    rq.writeUInt32BE(pick(rng, [0, 1, 6, 0x7fffffff, 0xffffffff, int(rng, 0, 0xffffffff)]) >>> 0, at + 4);
    if (rng() < 0.3) rq.writeUInt16BE(pick(rng, [0, 2, 3, 5, 8]), at + 2);
    return rq;
  },
  'rq zero-length UIDs': (rng) => {
    const empty = () => (rng() < 0.5 ? '' : pick(rng, ['\0', ' ', '..', '1..2', 'x'.repeat(int(rng, 65, 300))]));
    return associateRq({
      callingAeTitle,
      applicationContextName: rng() < 0.3 ? empty() : undefined,
      implementationClassUid: rng() < 0.5 ? empty() : undefined,
      implementationVersionName: rng() < 0.3 ? empty() : undefined,
      contexts: FUZZ_CONTEXTS.map((pc) => ({
        id: rng() < 0.2 ? pick(rng, [0, 2, 255, pc.id]) : pc.id,
        abstractSyntax: rng() < 0.5 ? empty() : pc.abstractSyntax,
        transferSyntaxes: rng() < 0.3 ? [] : pc.transferSyntaxes.map((ts) => (rng() < 0.5 ? empty() : ts)),
      })),
    });
  },
  // Up to 128 contexts have distinct odd IDs; beyond that the IDs wrap and repeat.
  'rq many contexts': (rng) => associateRq({
    callingAeTitle,
    contexts: Array.from({ length: int(rng, 60, 200) }, (_, i) => ({ id: (i * 2 + 1) & 0xff, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] })),
  }),
  'rq byte flips': (rng) => {
    const rq = validRq(rng);
    for (let n = int(rng, 1, 8); n > 0; n--) rq[int(rng, 0, rq.length - 1)] = int(rng, 0, 255);
    return rq;
  },
  'rq pdu length wrong': (rng) => {
    const rq = validRq(rng);
    rq.writeUInt32BE(pick(rng, [0, 1, 67, 68, rq.length - 7, rq.length - 5, rq.length + 100, 0xffffffff, int(rng, 0, 0xffffffff)]) >>> 0, 2);
    return rq;
  },
};

// ---- PDUs outside any association -------------------------------------------------------------

const bareAttacks: Record<string, (rng: Rng) => Buffer> = {
  'oversize length field': (rng) => {
    const header = Buffer.from([int(rng, 1, 7), 0, 0, 0, 0, 0]);
    header.writeUInt32BE(pick(rng, [0xffffffff, 0x80000000, 0x7fffffff, 0x01000000, int(rng, 0x00200000, 0xffffffff)]) >>> 0, 2);
    return Buffer.concat([header, randomBytes(rng, int(rng, 0, 4096))]);
  },
  'unknown PDU type': (rng) => {
    const header = Buffer.from([pick(rng, [0, 8, 9, 0x10, 0x47, 0x80, 0xff, int(rng, 8, 255)]), 0, 0, 0, 0, 4]);
    return Buffer.concat([header, randomBytes(rng, 4)]);
  },
  'random bytes': (rng) => randomBytes(rng, int(rng, 1, 3000)),
  'out-of-place PDU': (rng) => pick(rng, [
    pdu(PDU.ReleaseRq, Buffer.alloc(4)),
    pdu(PDU.ReleaseRp, Buffer.alloc(4)),
    pdu(PDU.Abort, Buffer.alloc(4)),
    pdu(PDU.AssociateAc, randomBytes(rng, 80)),
    pdu(PDU.AssociateRj, Buffer.from([0, 1, 1, 1])),
    pData({ contextId: 1, command: true, last: true, data: cEchoRq(1) }),
  ]),
  'truncated PDU': (rng) => {
    const whole = pick(rng, [validRq(rng), pData({ contextId: 1, command: true, last: true, data: cEchoRq(1) }), pdu(PDU.ReleaseRq, Buffer.alloc(4))]);
    return Buffer.from(whole.subarray(0, int(rng, 1, whole.length - 1)));
  },
  'small PDU with a long body': (rng) => pdu(pick(rng, [PDU.ReleaseRq, PDU.Abort, PDU.ReleaseRp]), randomBytes(rng, pick(rng, [0, 1, 3, 5, 65, 1000]))),
};

// ---- inside an established association --------------------------------------------------------

function storePdus(rng: Rng, uid: string, dataset: Buffer): Buffer[] {
  const command = pData({ contextId: CT_CONTEXT, command: true, last: true, data: cStoreRq(int(rng, 1, 65535), CT_IMAGE, uid) });
  const fragments: Buffer[] = [];
  const size = int(rng, 16, 4000);
  for (let offset = 0; offset < dataset.length; offset += size) {
    fragments.push(pData({ contextId: CT_CONTEXT, command: false, last: offset + size >= dataset.length, data: dataset.subarray(offset, offset + size) }));
  }
  return [command, ...fragments];
}

function uidFor(rng: Rng): string {
  return `1.2.826.0.1.3680043.9.7433.77.${int(rng, 1, 1e9)}.${int(rng, 1, 1e9)}`;
}

const pDataAttacks: Record<string, (rng: Rng) => Buffer[]> = {
  'last fragment before the others': (rng) => {
    const uid = uidFor(rng);
    const pdus = storePdus(rng, uid, ctDataset({ sopInstanceUid: uid, studyInstanceUid: `${uid}.1`, seriesInstanceUid: `${uid}.2`, pixelBytes: 2048 }));
    const [command, ...fragments] = pdus;
    return [command!, ...fragments.reverse()];
  },
  'command after data': (rng) => {
    const data = pData({ contextId: pick(rng, [ECHO_CONTEXT, CT_CONTEXT]), command: false, last: rng() < 0.5, data: randomBytes(rng, int(rng, 1, 200)) });
    const command = pData({ contextId: ECHO_CONTEXT, command: true, last: true, data: cEchoRq(int(rng, 1, 100)) });
    return rng() < 0.5 ? [data, command] : [pData({ contextId: CT_CONTEXT, command: true, last: true, data: cStoreRq(1, CT_IMAGE, uidFor(rng)) }), data, command, data];
  },
  'wrong PDV length': (rng) => {
    const body = Buffer.concat([Buffer.alloc(4), Buffer.from([ECHO_CONTEXT, 3]), cEchoRq(1)]);
    body.writeUInt32BE(pick(rng, [0, 1, 2, body.length - 5, body.length - 3, body.length + 10, 0xffffffff, int(rng, 0, 0xffffffff)]) >>> 0, 0);
    return [pdu(PDU.PData, body)];
  },
  'PDV on a bad context': (rng) => [pData({ contextId: pick(rng, [0, 2, 5, 255]), command: true, last: true, data: cEchoRq(1) })],
  'random P-DATA body': (rng) => [pdu(PDU.PData, randomBytes(rng, int(rng, 0, 2000)))],
  'random command set': (rng) => [pData({ contextId: pick(rng, [ECHO_CONTEXT, CT_CONTEXT]), command: true, last: true, data: randomBytes(rng, int(rng, 0, 300)) })],
  'C-STORE with a garbage data set': (rng) => storePdus(rng, uidFor(rng), randomBytes(rng, int(rng, 1, 6000))),
  'C-STORE with a flipped data set': (rng) => {
    const uid = uidFor(rng);
    const dataset = ctDataset({ sopInstanceUid: uid, studyInstanceUid: `${uid}.1`, seriesInstanceUid: `${uid}.2`, pixelBytes: 1024 });
    for (let n = int(rng, 1, 6); n > 0; n--) dataset[int(rng, 0, Math.min(dataset.length - 1, 400))] = int(rng, 0, 255);
    return storePdus(rng, uid, dataset);
  },
  'oversize P-DATA length': (rng) => {
    const header = Buffer.from([PDU.PData, 0, 0, 0, 0, 0]);
    header.writeUInt32BE(pick(rng, [0xffffffff, 16385, 0x7fffffff, int(rng, 16385, 0xffffffff)]) >>> 0, 2);
    return [header, randomBytes(rng, int(rng, 0, 2000))];
  },
  'truncated P-DATA': (rng) => {
    const whole = pData({ contextId: ECHO_CONTEXT, command: true, last: true, data: cEchoRq(1) });
    return [Buffer.from(whole.subarray(0, int(rng, 1, whole.length - 1)))];
  },
  'second A-ASSOCIATE-RQ, release, abort': (rng) => [pick(rng, [validRq(rng), pdu(PDU.ReleaseRq, Buffer.alloc(4)), pdu(PDU.Abort, Buffer.alloc(4)), pdu(PDU.ReleaseRp, Buffer.alloc(4))])],
};

const ENDINGS: FuzzCase['ending'][] = ['wait', 'wait', 'end', 'reset'];

/** Case `index` of the run with `seed`. */
export function fuzzCase(seed: number, index: number): FuzzCase {
  const rng = caseRng(seed, index);
  callingAeTitle = callingAeTitleOf(index);
  const family = rng();
  const ending = pick(rng, ENDINGS);
  if (family < 0.45) {
    const [kind, attack] = pick(rng, Object.entries(associateAttacks));
    return { index, kind, associateFirst: false, chunks: split(rng, attack(rng)), ending };
  }
  if (family < 0.7) {
    const [kind, attack] = pick(rng, Object.entries(bareAttacks));
    return { index, kind, associateFirst: false, chunks: split(rng, attack(rng)), ending };
  }
  const [kind, attack] = pick(rng, Object.entries(pDataAttacks));
  return { index, kind, associateFirst: true, chunks: attack(rng).flatMap((p) => split(rng, p)), ending };
}
