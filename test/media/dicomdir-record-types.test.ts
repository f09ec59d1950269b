// The SOP class → directory record table: one row per accepted class, and each decision checked
// against pydicom's own FileSet rules (record types) and its UID dictionary (retired classes).
import { describe, expect, it } from 'vitest';
import { STORAGE_SOP_CLASSES } from '../../src/dicom/sop-classes.ts';
import { RECORD_TYPES, ROOT_RECORD_TYPES, recordDecision } from '../../src/media/record-types.ts';
import { recordKeys } from '../../src/media/dicomdir/record-keys.ts';
import { pydicomRecordTypes } from './dicomdir-support.ts';

describe('RECORD_TYPES', () => {
  it('has exactly one row per accepted storage SOP class, in the same order', () => {
    expect(RECORD_TYPES.map((r) => r.sopClassUid)).toEqual(STORAGE_SOP_CLASSES.map((c) => c.uid));
  });

  it('gives every row either a record type the writer has keys for, or a reason to stay off', () => {
    for (const row of RECORD_TYPES) {
      if (row.recordType === null) expect(row.offDiscReason?.length ?? 0, row.sopClassUid).toBeGreaterThan(30);
      else {
        expect(row.offDiscReason, row.sopClassUid).toBeUndefined();
        expect(recordKeys(row.recordType, 'STD-GEN-CD'), row.recordType).toBeDefined();
      }
    }
  });

  it("agrees with pydicom's FileSet on every record type, and keeps off exactly the retired classes without one and the private ones", async () => {
    const py = await pydicomRecordTypes(RECORD_TYPES.map((r) => r.sopClassUid));
    for (const row of RECORD_TYPES) {
      const kind = STORAGE_SOP_CLASSES.find((c) => c.uid === row.sopClassUid)!.kind;
      const oracle = py[row.sopClassUid]!;
      if (row.recordType !== null) {
        expect(row.recordType, `${row.sopClassUid}`).toBe(oracle.recordType);
      } else if (kind === 'private') {
        expect(oracle.known, `${row.sopClassUid} is not a DICOM UID`).toBe(false);
      } else {
        expect(oracle.retired, `${row.sopClassUid} is retired`).toBe(true);
        expect(row.offDiscReason).toMatch(/retired/);
      }
    }
    // the statement's retired print, hardcopy, standalone and notification classes stay off
    const off = RECORD_TYPES.filter((r) => r.recordType === null && STORAGE_SOP_CLASSES.find((c) => c.uid === r.sopClassUid)!.kind === 'retired');
    expect(off.map((r) => r.sopClassUid).sort()).toEqual(
      [
        '1.2.840.10008.1.9',
        '1.2.840.10008.5.1.1.27',
        '1.2.840.10008.5.1.1.29',
        '1.2.840.10008.5.1.1.30',
        '1.2.840.10008.5.1.4.1.1.10',
        '1.2.840.10008.5.1.4.1.1.11',
        '1.2.840.10008.5.1.4.1.1.129',
        '1.2.840.10008.5.1.4.1.1.8',
        '1.2.840.10008.5.1.4.1.1.9',
      ].sort(),
    );
  });

  it('uses every record type the issue names, hanging protocols at the root', () => {
    const used = new Set(RECORD_TYPES.map((r) => r.recordType).filter((t): t is string => t !== null));
    for (const t of ['IMAGE', 'SR DOCUMENT', 'KEY OBJECT DOC', 'PRESENTATION', 'WAVEFORM', 'ENCAP DOC', 'RT DOSE', 'RT STRUCTURE SET', 'RT PLAN', 'RT TREAT RECORD', 'SPECTROSCOPY', 'RAW DATA', 'REGISTRATION', 'FIDUCIAL', 'VALUE MAP', 'STEREOMETRIC', 'HANGING PROTOCOL']) {
      expect(used.has(t), t).toBe(true);
    }
    expect(ROOT_RECORD_TYPES.has('HANGING PROTOCOL')).toBe(true);
  });
});

describe('recordDecision', () => {
  it('puts images and documents on the disc with their record type', () => {
    expect(recordDecision('1.2.840.10008.5.1.4.1.1.2')).toEqual({ onDisc: true, recordType: 'IMAGE' });
    expect(recordDecision('1.2.840.10008.5.1.4.1.1.88.59')).toEqual({ onDisc: true, recordType: 'KEY OBJECT DOC' });
    expect(recordDecision('1.2.840.10008.5.1.4.38.1')).toEqual({ onDisc: true, recordType: 'HANGING PROTOCOL' });
  });

  it('keeps retired classes without a record type off, even when private records are allowed', () => {
    for (const uid of ['1.2.840.10008.5.1.1.27', '1.2.840.10008.5.1.4.1.1.9', '1.2.840.10008.1.9']) {
      const d = recordDecision(uid, { allowPrivate: true });
      expect(d.onDisc, uid).toBe(false);
      if (!d.onDisc) expect(d.reason).toMatch(/retired/);
    }
  });

  it('keeps private classes off by default and writes them as PRIVATE records when allowed', () => {
    const siemens = '1.3.12.2.1107.5.9.1';
    const d = recordDecision(siemens);
    expect(d.onDisc).toBe(false);
    if (!d.onDisc) expect(d.reason).toMatch(/private/);
    expect(recordDecision(siemens, { allowPrivate: true })).toEqual({ onDisc: true, recordType: 'PRIVATE' });
    // a private class outside the statement's list is private too
    expect(recordDecision('1.3.6.1.4.1.9590.100.1.2.1', { allowPrivate: true })).toEqual({ onDisc: true, recordType: 'PRIVATE' });
  });

  it('refuses a standard class discrobot does not accept', () => {
    const d = recordDecision('1.2.840.10008.5.1.4.1.1.13.1.3', { allowPrivate: true }); // Breast Tomosynthesis
    expect(d.onDisc).toBe(false);
  });
});
