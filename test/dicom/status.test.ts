import { describe, expect, it } from 'vitest';
import { describeStatus, DimseStatus, formatStatus, isStoredStatus, statusCategory } from '../../src/dicom/status.ts';

describe('DIMSE status', () => {
  it('has the statement\'s Table 10 codes and the failures we send', () => {
    expect(DimseStatus).toEqual({
      Success: 0x0000,
      ProcessingFailure: 0x0110,
      OutOfResources: 0xa700,
      DataSetDoesNotMatchSopClass: 0xa900,
      CannotUnderstand: 0xc000,
      CoercionOfDataElements: 0xb000,
      DataSetDoesNotMatchSopClassWarning: 0xb007,
    });
  });

  it('classifies codes as PS3.7 Annex C does', () => {
    const cases: [number, string][] = [
      [0x0000, 'success'],
      [0x0001, 'warning'],
      [0x0107, 'warning'],
      [0x0116, 'warning'],
      [0xb000, 'warning'],
      [0xb007, 'warning'],
      [0x0110, 'failure'],
      [0x0122, 'failure'],
      [0xa700, 'failure'],
      [0xa900, 'failure'],
      [0xc000, 'failure'],
      [0xfe00, 'cancel'],
      [0xff00, 'pending'],
      [0xff01, 'pending'],
    ];
    expect(cases.map(([code]) => [code, statusCategory(code)])).toEqual(cases);
  });

  it('counts warnings as stored (statement Table 10: "transmission is considered successful")', () => {
    expect([0x0000, 0xb000, 0xb007, 0x0110, 0xa700, 0xc000, 0xfe00].map(isStoredStatus)).toEqual([true, true, true, false, false, false, false]);
  });

  it('prints codes the way the statement and DCMTK do', () => {
    expect(formatStatus(0xb007)).toBe('B007');
    expect(formatStatus(0x0110)).toBe('0110');
    expect(describeStatus(0xa700)).toBe('A700 Refused: out of resources');
    expect(describeStatus(0xc123)).toBe('C123 (failure)');
  });
});
