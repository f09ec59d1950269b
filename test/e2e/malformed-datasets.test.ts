// Malformed data sets inside a well-formed association (extends store-statuses.test.ts, which covers
// a SOP Instance UID differing from the command's, "../" in Study and SOP Instance UIDs and data sets
// cut short): a bad VR, a length past the end, broken sequences, a missing SOP Instance UID, and
// path characters ('/', '\', NUL, "..") in each of Study, Series and SOP Instance UID. Each is
// answered with a failure status, the reason is logged without patient data at info, nothing
// partial or stray is left in the data folder, and the same association then stores a valid object.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/server.ts';
import { PDU, associate, pData, rejectFields, type RawConnection } from '../support/pdu.ts';
import { cStore } from './support/dimse.ts';
import { CT_IMAGE, EXPLICIT_LE, IMPLICIT_LE, ctDataset, freshUids, implicitLe, type TestObject } from './support/dataset.ts';

const IMPLICIT_CONTEXT = 1;
const EXPLICIT_CONTEXT = 3;
/** In every malformed object: must never appear in a log line at info or above. */
const PATIENT_NAME = 'Malformed^Marvin';
const PATIENT_ID = 'MALFORMED-PID-7';

const LOG_INFO = 30;

/** Every file under the data folder (relative), except the database's own. */
function dataFiles(server: TestServer): string[] {
  return (readdirSync(server.dataDir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(server.dataDir, path.join(d.parentPath, d.name)))
    .filter((f) => !f.startsWith('db.sqlite'))
    .sort();
}

/** One Explicit VR Little Endian element with a 2-byte length (short VRs). */
function explicitShort(tag: number, vr: string, value: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt16LE(tag >>> 16, 0);
  header.writeUInt16LE(tag & 0xffff, 2);
  header.write(vr, 4, 'latin1');
  header.writeUInt16LE(value.length, 6);
  return Buffer.concat([header, value]);
}

const text = (s: string) => Buffer.from(s.length % 2 ? `${s}\0` : s, 'latin1');

/** A small valid object in Explicit VR LE; `vrOfName` lets a test break the Patient's Name element's VR. */
function explicitDataset(o: TestObject, vrOfName = 'PN'): Buffer {
  return Buffer.concat([
    explicitShort(0x00080016, 'UI', text(CT_IMAGE)),
    explicitShort(0x00080018, 'UI', text(o.sopInstanceUid)),
    explicitShort(0x00080060, 'CS', text('CT')),
    explicitShort(0x00100010, vrOfName, text(PATIENT_NAME)),
    explicitShort(0x00100020, 'LO', text(PATIENT_ID)),
    explicitShort(0x0020000d, 'UI', text(o.studyInstanceUid)),
    explicitShort(0x0020000e, 'UI', text(o.seriesInstanceUid)),
  ]);
}

const tagBytes = (group: number, element: number, length: number) => {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(group, 0);
  b.writeUInt16LE(element, 2);
  b.writeUInt32LE(length >>> 0, 4);
  return b;
};
const UNDEFINED = 0xffffffff;

/** An Implicit VR LE CT object with `sequence` (raw bytes of a (0008,1115) element) in its place. */
function withSequence(o: TestObject, sequence: Buffer): Buffer {
  const whole = ctDataset({ ...o, patientName: PATIENT_NAME, patientId: PATIENT_ID });
  // Elements are sorted by tag: (0008,1115) goes right before (0010,0010).
  const at = whole.indexOf(Buffer.from([0x10, 0x00, 0x10, 0x00]));
  return Buffer.concat([whole.subarray(0, at), sequence, whole.subarray(at)]);
}

const referencedItem = () => implicitLe([{ tag: 0x00081150, vr: 'UI', value: '1.2.840.10008.5.1.4.1.1.2' }]);

interface Malformed {
  what: string;
  contextId: number;
  /** The command's Affected SOP Instance UID. */
  commandUid: string;
  dataset: Buffer;
  /** The failure statuses that fit (PS3.4 B.2.3); most cases allow exactly one. */
  status: number | number[];
  /** What the logged reason must name (the Error Comment is its first 64 characters, the LO limit). */
  reason: RegExp;
}

function cases(): Malformed[] {
  const out: Malformed[] = [];
  const add = (what: string, build: (u: ReturnType<typeof freshUids>) => Omit<Malformed, 'what' | 'commandUid'> & { commandUid?: string }) => {
    const uids = freshUids();
    const built = build(uids);
    out.push({ what, commandUid: built.commandUid ?? uids.sopInstanceUid, ...built });
  };
  add('an unknown VR (Explicit VR LE)', (u) => ({ contextId: EXPLICIT_CONTEXT, dataset: explicitDataset(u, 'ZZ'), status: 0x0110, reason: /unknown VR 'ZZ'/ }));
  add('a VR of two NUL bytes (Explicit VR LE)', (u) => ({ contextId: EXPLICIT_CONTEXT, dataset: explicitDataset(u, '\0\0'), status: 0x0110, reason: /unknown VR 0x0000/ }));
  add('an element length of 0x7FFFFFF0, past the end of the data set', (u) => {
    const whole = ctDataset({ ...u, patientName: PATIENT_NAME, patientId: PATIENT_ID });
    // Study Date (0008,0020): its 4-byte length follows the tag.
    const at = whole.indexOf(Buffer.from([0x08, 0x00, 0x20, 0x00]));
    whole.writeUInt32LE(0x7ffffff0, at + 4);
    return { contextId: IMPLICIT_CONTEXT, dataset: whole, status: 0x0110, reason: /runs past the end/ };
  });
  add('a 16-bit length past the end (Explicit VR LE)', (u) => {
    const whole = explicitDataset(u);
    return { contextId: EXPLICIT_CONTEXT, dataset: Buffer.concat([whole, explicitShort(0x00200013, 'IS', text('1')).subarray(0, 6), Buffer.from([0xff, 0xff, 0x31, 0x20])]), status: 0x0110, reason: /past the end/ };
  });
  add('an undefined-length sequence and item with no delimiter', (u) => ({
    contextId: IMPLICIT_CONTEXT,
    // The sequence swallows the rest of the data set and never ends.
    dataset: withSequence(u, Buffer.concat([tagBytes(0x0008, 0x1115, UNDEFINED), tagBytes(0xfffe, 0xe000, UNDEFINED), referencedItem()])),
    status: 0x0110,
    reason: /undefined length and no delimitation item/,
  }));
  add('an item closed by a sequence delimiter (delimiter mismatch)', (u) => ({
    contextId: IMPLICIT_CONTEXT,
    dataset: withSequence(u, Buffer.concat([tagBytes(0x0008, 0x1115, UNDEFINED), tagBytes(0xfffe, 0xe000, UNDEFINED), referencedItem(), tagBytes(0xfffe, 0xe0dd, 0), tagBytes(0xfffe, 0xe0dd, 0)])),
    status: 0x0110,
    reason: /unexpected sequence delimitation/,
  }));
  add('a sequence delimiter with no sequence open', (u) => ({
    contextId: IMPLICIT_CONTEXT,
    dataset: withSequence(u, tagBytes(0xfffe, 0xe0dd, 0)),
    status: 0x0110,
    reason: /unexpected sequence delimitation/,
  }));
  add('a data element where a sequence item must be', (u) => ({
    contextId: IMPLICIT_CONTEXT,
    dataset: withSequence(u, Buffer.concat([tagBytes(0x0008, 0x1115, UNDEFINED), referencedItem(), tagBytes(0xfffe, 0xe0dd, 0)])),
    status: 0x0110,
    reason: /expected an item/,
  }));
  add('no SOP Instance UID in the data set', (u) => {
    const whole = ctDataset({ ...u, patientName: PATIENT_NAME, patientId: PATIENT_ID });
    const at = whole.indexOf(Buffer.from([0x08, 0x00, 0x18, 0x00]));
    const end = at + 8 + whole.readUInt32LE(at + 4);
    return { contextId: IMPLICIT_CONTEXT, dataset: Buffer.concat([whole.subarray(0, at), whole.subarray(end)]), status: 0xa900, reason: /missing/ };
  });
  for (const field of ['studyInstanceUid', 'seriesInstanceUid', 'sopInstanceUid'] as const) {
    for (const [label, bad] of [['"/"', '/tmp/escape'], ['"\\"', '1.2\\3'], ['NUL', '1.2\u00003'], ['"../"', '../../escape']] as const) {
      add(`${label} in the ${field}`, (u) => {
        const object = { ...u, [field]: bad };
        const dataset = ctDataset({ ...object, patientName: PATIENT_NAME, patientId: PATIENT_ID });
        // A bad SOP Instance UID is in the command too: the store refuses it before reading the data
        // set (0110). A NUL ends the command's UID early (the DIMSE parser strips from it), so the data
        // set's differs from it: A900.
        const inCommand = field === 'sopInstanceUid';
        return {
          contextId: IMPLICIT_CONTEXT, dataset, commandUid: object.sopInstanceUid,
          status: inCommand && label === 'NUL' ? [0x0110, 0xa900] : 0x0110,
          reason: inCommand ? /(Affected SOP Class or Instance UID is not a valid UID|differs from the command's)/ : /not a valid UID/,
        };
      });
    }
  }
  return out;
}

describe('malformed data sets inside a well-formed association', () => {
  let server: TestServer;
  let connection: RawConnection;
  let messageId = 0;

  beforeAll(async () => {
    server = await startServer();
    ({ connection } = await associate(server.port, {
      contexts: [
        { id: IMPLICIT_CONTEXT, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] },
        { id: EXPLICIT_CONTEXT, abstractSyntax: CT_IMAGE, transferSyntaxes: [EXPLICIT_LE] },
      ],
    }));
  });
  afterAll(async () => {
    connection.destroy();
    await server.dispose();
  });

  for (const bad of cases()) {
    const statuses = [bad.status].flat();
    it(`answers ${statuses.map((s) => s.toString(16).padStart(4, '0').toUpperCase()).join(' or ')} for ${bad.what}, logs why, leaves nothing, and stores the next object`, async () => {
      const rows = server.index.count();
      const files = dataFiles(server);
      const linesBefore = server.logLines().length;

      const response = await cStore(connection, bad.contextId, ++messageId, CT_IMAGE, bad.commandUid, bad.dataset);
      expect(response.messageIdBeingRespondedTo).toBe(messageId);
      expect(statuses).toContain(response.status);

      // The reason is logged, at error, naming the problem.
      const failure = server.logLines().slice(linesBefore).find((l) => l['msg'] === 'C-STORE failed' && l['messageId'] === messageId);
      expect(failure, 'a "C-STORE failed" log line').toBeDefined();
      const reason = String(failure!['reason']);
      expect(reason).toMatch(bad.reason);
      expect(response.errorComment, 'the Error Comment: the reason, cut to 64 characters').toBe(reason.slice(0, 64).trim());

      // Nothing stored, nothing partial, nothing stray: the data folder is as it was.
      expect(server.index.count()).toBe(rows);
      expect(dataFiles(server)).toEqual(files);

      // The association goes on: a valid object stores, into store/<study>/<series>/.
      const good = freshUids();
      const ok = await cStore(connection, bad.contextId, ++messageId, CT_IMAGE, good.sopInstanceUid,
        bad.contextId === EXPLICIT_CONTEXT ? explicitDataset(good) : ctDataset(good));
      expect(ok.status).toBe(0);
      expect(dataFiles(server)).toEqual([...files, path.join('store', good.studyInstanceUid, good.seriesInstanceUid, `${good.sopInstanceUid}.dcm`)].sort());
    });
  }

  it('keeps every stored file in store/<study>/<series>/, no temporary file, and no patient data in logs at info or above', () => {
    const files = dataFiles(server).filter((f) => f.startsWith(`store${path.sep}`));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) expect(file.split(path.sep), file).toHaveLength(4);
    expect(readdirSync(path.join(server.dataDir, 'store', '.incoming'))).toEqual([]);
    const loud = server.logLines().filter((l) => Number(l['level']) >= LOG_INFO).map((l) => JSON.stringify(l));
    expect(loud.filter((l) => l.includes('Malformed') || l.includes(PATIENT_ID))).toEqual([]);
  });
});

describe('a command set that cannot be read', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => server.dispose());

  // Found by the PDU fuzz test: the DIMSE library dropped such a command set silently, and the
  // association sat idle until the idle timeout (300 s by default) holding its slot.
  it('is answered with an A-ABORT at once, with the reason logged, and the server goes on', async () => {
    const { connection } = await associate(server.port, { contexts: [{ id: IMPLICIT_CONTEXT, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] }] });
    connection.send(pData({ contextId: IMPLICIT_CONTEXT, command: true, last: true, data: Buffer.from('not a command set, just forty bytes long') }));
    // Well inside the 300 s idle timeout: only an abort for the command set itself arrives this soon.
    const answer = await connection.nextPdu(10_000);
    expect(answer.type).toBe(PDU.Abort);
    expect(rejectFields(answer.bytes)).toMatchObject({ source: 2 });
    expect(await connection.closesWithin(3000), 'closed after the A-ABORT').toBe(true);
    const ended = server.logLines().find((l) => l['msg'] === 'association ended' && JSON.stringify(l['outcome']).includes('command set'));
    expect(ended, 'the association ended naming the unreadable command set').toBeDefined();
    const good = freshUids();
    const { connection: next } = await associate(server.port, { contexts: [{ id: IMPLICIT_CONTEXT, abstractSyntax: CT_IMAGE, transferSyntaxes: [IMPLICIT_LE] }] });
    expect((await cStore(next, IMPLICIT_CONTEXT, 1, CT_IMAGE, good.sopInstanceUid, ctDataset(good))).status).toBe(0);
    next.destroy();
  });
});
