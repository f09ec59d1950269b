// Runs fuzz cases (pdu-fuzz.ts) against a server: many connections at once, one case per
// connection, and a few slowloris connections that trickle one byte every few hundred ms. Only
// the client's side is recorded here (what the server answered); the test checks the server.
import net from 'node:net';
import { associateRq, PDU } from '../../support/pdu.ts';
import { FUZZ_CONTEXTS, callingAeTitleOf, fuzzCase, type FuzzCase } from './pdu-fuzz.ts';

/** How long a case waits for the server to answer or close before it hangs up itself. */
const CASE_WAIT_MS = 250;
/** Time allowed for the A-ASSOCIATE-AC of a case that negotiates first. */
const ASSOCIATE_WAIT_MS = 5000;

export interface FuzzTally {
  cases: number;
  /** The server's first answer per case: A-ASSOCIATE-AC/RJ, P-DATA, A-ABORT, closed without a PDU, or nothing yet. */
  answers: Record<string, number>;
  kinds: Record<string, number>;
  /** The server's first answers per kind of case: shows which attacks met which guard. */
  answersByKind: Record<string, Record<string, number>>;
  /** Cases whose negotiation failed (no A-ASSOCIATE-AC): they could not attack the P-DATA layer. */
  notAssociated: number;
  /** Highest case index started, and the ones still running: named when an invariant breaks. */
  lastStarted: number;
  inFlight: Set<number>;
}

const ANSWER_NAMES: Record<number, string> = { [PDU.AssociateAc]: 'A-ASSOCIATE-AC', [PDU.AssociateRj]: 'A-ASSOCIATE-RJ', [PDU.PData]: 'P-DATA', [PDU.Abort]: 'A-ABORT', [PDU.ReleaseRp]: 'A-RELEASE-RP' };

/** A socket that collects what arrives, for a case that only needs to know the first PDU type and the close. */
function open(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    socket.once('connect', () => {
      socket.off('error', reject);
      socket.on('error', () => {});
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Resolves with the first received byte (the PDU type) or 'closed'/'silent' after waitMs. */
function firstAnswer(socket: net.Socket, waitMs: number): Promise<number | 'closed' | 'silent'> {
  return new Promise((resolve) => {
    const done = (answer: number | 'closed' | 'silent') => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(answer);
    };
    const onData = (chunk: Buffer) => done(chunk[0]!);
    const onClose = () => done('closed');
    const timer = setTimeout(() => done('silent'), waitMs);
    if (socket.destroyed) return done('closed');
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

function closed(socket: net.Socket, waitMs: number): Promise<void> {
  return new Promise((resolve) => {
    if (socket.destroyed) return resolve();
    const timer = setTimeout(resolve, waitMs);
    socket.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function runCase(port: number, fuzz: FuzzCase, tally: FuzzTally): Promise<void> {
  const socket = await open(port);
  try {
    if (fuzz.associateFirst) {
      const answer = firstAnswer(socket, ASSOCIATE_WAIT_MS);
      socket.write(associateRq({ contexts: FUZZ_CONTEXTS, callingAeTitle: callingAeTitleOf(fuzz.index) }));
      // The A-ASSOCIATE-AC is read as a whole before the attack starts (its first byte comes first).
      if ((await answer) !== PDU.AssociateAc) {
        tally.notAssociated += 1;
        return;
      }
      await new Promise((r) => setImmediate(r));
    }
    const answer = firstAnswer(socket, CASE_WAIT_MS);
    for (const chunk of fuzz.chunks) if (!socket.destroyed) socket.write(chunk);
    if (fuzz.ending === 'end') socket.end();
    if (fuzz.ending === 'reset') {
      socket.resetAndDestroy();
      return;
    }
    const first = await answer;
    const name = typeof first === 'number' ? (ANSWER_NAMES[first] ?? `PDU 0x${first.toString(16)}`) : first;
    tally.answers[name] = (tally.answers[name] ?? 0) + 1;
    const ofKind = (tally.answersByKind[fuzz.kind] ??= {});
    ofKind[name] = (ofKind[name] ?? 0) + 1;
    await closed(socket, CASE_WAIT_MS);
  } finally {
    socket.destroy();
  }
}

export function emptyTally(): FuzzTally {
  return { cases: 0, answers: {}, kinds: {}, answersByKind: {}, notAssociated: 0, lastStarted: -1, inFlight: new Set() };
}

/**
 * Runs cases [first, first + count) of `seed`, `parallel` at a time; stops early once `stop()` is
 * true. Pass a tally to watch progress (which cases are running) while it runs.
 */
export async function runFuzz(port: number, options: { seed: number; count: number; parallel: number; stop?: () => boolean; first?: number; tally?: FuzzTally }): Promise<FuzzTally> {
  const tally = options.tally ?? emptyTally();
  let next = options.first ?? 0;
  const end = next + options.count;
  const worker = async () => {
    while (next < end && !options.stop?.()) {
      const index = next++;
      const fuzz = fuzzCase(options.seed, index);
      tally.lastStarted = index;
      tally.inFlight.add(index);
      tally.kinds[fuzz.kind] = (tally.kinds[fuzz.kind] ?? 0) + 1;
      try {
        await runCase(port, fuzz, tally);
      } catch (err) {
        // A refused or reset connection is the server's right; the test checks the server itself.
        tally.answers[`client error ${(err as NodeJS.ErrnoException).code ?? 'other'}`] = (tally.answers[`client error ${(err as NodeJS.ErrnoException).code ?? 'other'}`] ?? 0) + 1;
      } finally {
        tally.inFlight.delete(index);
        tally.cases += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: options.parallel }, worker));
  return tally;
}

export interface TrickleTally {
  connections: number;
  bytes: number;
  /** Connections the server closed (ARTIM or idle timeout) while they were still trickling. */
  closedByServer: number;
}

/**
 * Slowloris: `count` connections, each sending a valid A-ASSOCIATE-RQ one byte every `intervalMs`,
 * opening a new one whenever the server closes one, until stop() is true.
 */
export async function trickle(port: number, options: { count: number; intervalMs: number; stop: () => boolean }): Promise<TrickleTally> {
  const tally: TrickleTally = { connections: 0, bytes: 0, closedByServer: 0 };
  const rq = associateRq({ contexts: FUZZ_CONTEXTS, callingAeTitle: 'SLOWLORIS' });
  const one = async () => {
    while (!options.stop()) {
      let socket: net.Socket;
      try {
        socket = await open(port);
      } catch {
        await new Promise((r) => setTimeout(r, options.intervalMs));
        continue;
      }
      tally.connections += 1;
      let byServer = false;
      socket.once('close', () => (byServer = true));
      for (let i = 0; i < rq.length && !options.stop() && !socket.destroyed && !byServer; i++) {
        socket.write(rq.subarray(i, i + 1));
        tally.bytes += 1;
        await new Promise((r) => setTimeout(r, options.intervalMs));
      }
      if (byServer) tally.closedByServer += 1;
      socket.destroy();
    }
  };
  await Promise.all(Array.from({ length: options.count }, one));
  return tally;
}
