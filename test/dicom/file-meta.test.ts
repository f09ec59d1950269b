// The PS3.10 header we write in front of every stored data set, read back by dcmdump and pydicom.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFileMeta } from '../../src/dicom/file-meta.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME, TransferSyntax } from '../../src/dicom/uid.ts';
import { compareWithPydicom, dcmdump, makeFixtures, tempDir } from './rewrite-support.ts';

const dir = tempDir('file-meta');
const small = fs.readFileSync(makeFixtures(dir).find((f) => f.name === 'small' && f.transferSyntaxUid === TransferSyntax.ExplicitVRLittleEndian)!.raw);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const CT = '1.2.840.10008.5.1.4.1.1.2';
const INSTANCE = '1.2.826.0.1.3680043.8.498.6.1'; // the small fixture's SOP Instance UID: odd length (29)

describe('encodeFileMeta', () => {
  const cases = [
    { name: 'with a source AE title', sourceApplicationEntityTitle: 'STORESCU', versionName: 'DISCROBOT_0_1' },
    { name: 'without one', sourceApplicationEntityTitle: undefined, versionName: IMPLEMENTATION_VERSION_NAME },
  ];
  for (const c of cases) {
    it(`${c.name}: dcmdump and pydicom read a correct group 0002`, () => {
      const meta = encodeFileMeta({
        mediaStorageSopClassUid: CT,
        mediaStorageSopInstanceUid: INSTANCE,
        transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
        implementationClassUid: IMPLEMENTATION_CLASS_UID,
        implementationVersionName: c.versionName,
        sourceApplicationEntityTitle: c.sourceApplicationEntityTitle,
      });
      const file = path.join(dir, `meta-${c.sourceApplicationEntityTitle ?? 'none'}.dcm`);
      fs.writeFileSync(file, Buffer.concat([meta, small]));

      const dump = dcmdump(file);
      expect(dump.status).toBe(0);
      expect(dump.errors).toEqual([]);
      expect(dump.warnings).toEqual([]);
      expect(dump.stdout).toMatch(/\(0002,0001\) OB 00\\01 /);
      expect(dump.stdout).toMatch(/\(0002,0010\) UI =LittleEndianExplicit /);
      expect(dump.stdout).toContain(`(0002,0003) UI [${INSTANCE}]`);

      const [verdict] = compareWithPydicom([{ original: file, rewritten: file }]);
      expect(verdict!.differences).toEqual([]);
      const facts = verdict!.meta!;
      expect(facts.preamble_zero).toBe(true);
      expect(facts.dicm).toBe(true);
      expect(facts.group_length).toBe(facts.group_length_actual);
      expect(facts.group_length).toBe(meta.length - 132 - 12);
      expect(facts.pydicom).toEqual({
        transfer_syntax: TransferSyntax.ExplicitVRLittleEndian,
        sop_class: CT,
        sop_instance: INSTANCE,
        implementation_class: IMPLEMENTATION_CLASS_UID,
        implementation_version: c.versionName,
        source_ae: c.sourceApplicationEntityTitle ?? '',
        version: '0001',
        is_little_endian: true,
        is_implicit_vr: false,
      });
      // Padding: UIDs with NUL, SH/AE with a space, every value even (PS3.5 6.2, 7.1).
      const elements = facts.elements;
      expect(Object.keys(elements)).toEqual(['0001', '0002', '0003', '0010', '0012', '0013', ...(c.sourceApplicationEntityTitle ? ['0016'] : [])]);
      expect(elements['0003']!.hex).toBe(Buffer.from(`${INSTANCE}\0`, 'latin1').toString('hex'));
      expect(elements['0013']!.hex).toBe(Buffer.from(c.versionName.length % 2 ? `${c.versionName} ` : c.versionName, 'latin1').toString('hex'));
      for (const e of Object.values(elements)) expect(e.hex.length % 4).toBe(0);
    });
  }

  it('refuses values that cannot be encoded', () => {
    const good = {
      mediaStorageSopClassUid: CT,
      mediaStorageSopInstanceUid: INSTANCE,
      transferSyntaxUid: TransferSyntax.ExplicitVRLittleEndian,
      implementationClassUid: IMPLEMENTATION_CLASS_UID,
      implementationVersionName: IMPLEMENTATION_VERSION_NAME,
    };
    expect(() => encodeFileMeta({ ...good, mediaStorageSopInstanceUid: `1.${'2'.repeat(64)}` })).toThrow(RangeError);
    expect(() => encodeFileMeta({ ...good, mediaStorageSopClassUid: '' })).toThrow(RangeError);
    expect(() => encodeFileMeta({ ...good, implementationVersionName: 'MUCH_TOO_LONG_VERSION' })).toThrow(RangeError);
    expect(() => encodeFileMeta({ ...good, sourceApplicationEntityTitle: 'BAD\\AE' })).toThrow(RangeError);
    // A blank AE title is no AE title: the optional element is left out.
    expect(encodeFileMeta({ ...good, sourceApplicationEntityTitle: '   ' }).equals(encodeFileMeta(good))).toBe(true);
  });
});
