// PTBurn's error tables (src/robot/ptburn/errors.ts) are complete and consistent with PTRobot's
// (src/robot/syserr.ts): every number present once, every mapping lands on real numbers.
import { describe, expect, it } from 'vitest';
import {
  PTBURN_INK_LOW, PTBURN_JOB_ERRORS, PTBURN_SYSTEM_ERRORS, PTROBOT_TO_PTBURN_SYSTEM_ERROR, ptburnJobError, ptburnNumberForPtrobot, ptburnSystemError,
} from '../../../src/robot/ptburn/errors.ts';
import { INK_LOW_ERRORS, SYSTEM_ERRORS } from '../../../src/robot/syserr.ts';

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('PTBurn system errors', () => {
  it('has exactly the numbers 0–42, each with a name, a kind, PTBurn’s string and a hint', () => {
    expect([...PTBURN_SYSTEM_ERRORS.keys()].sort((a, b) => a - b)).toEqual(range(0, 42));
    const names = new Set<string>();
    for (const [number, error] of PTBURN_SYSTEM_ERRORS) {
      expect(error.number).toBe(number);
      expect(error.name).toMatch(/^JPSYSERR_[A-Z_]+$/);
      names.add(error.name);
      expect(error.message.length).toBeGreaterThan(5);
      expect(error.hint).toMatch(/\.$/);
      expect(error.kind === 'none').toBe(number === 0);
    }
    expect(names.size).toBe(43);
  });

  it('uses Appendix C’s strings and kinds that agree with the PTRobot errors mapped onto them', () => {
    expect(ptburnSystemError(0).message).toBe('No Errors');
    expect(ptburnSystemError(15).message).toBe('Administrator attention: The cover on the unit has been open for an extended period of time.');
    expect(ptburnSystemError(42).message).toBe('Administrator attention: Timed out waiting for robot response.');
    for (const [ptrobot, ptburn] of PTROBOT_TO_PTBURN_SYSTEM_ERROR) {
      if (ptburn === null) continue;
      expect(ptburnSystemError(ptburn).kind, `PTRobot ${ptrobot} → PTBurn ${ptburn}`).toBe(SYSTEM_ERRORS.get(ptrobot)?.kind);
    }
  });

  it('ink low is 5, 6, 7 (cleared by IGNORE_INKLOW), alignment 22 (by ALIGN_PRINTER)', () => {
    expect([...PTBURN_INK_LOW]).toEqual([5, 6, 7]);
    for (const n of PTBURN_INK_LOW) expect(ptburnSystemError(n).clearedBy).toBe('IGNORE_INKLOW');
    expect(ptburnSystemError(22).clearedBy).toBe('ALIGN_PRINTER');
    expect([...PTBURN_SYSTEM_ERRORS.values()].filter((e) => e.clearedBy).map((e) => e.number)).toEqual([5, 6, 7, 22]);
    for (const n of INK_LOW_ERRORS) expect(PTBURN_INK_LOW.has(ptburnNumberForPtrobot(n) ?? -1)).toBe(true);
  });

  it('an unknown number is still an error with the number in its hint', () => {
    expect(ptburnSystemError(77)).toMatchObject({ number: 77, kind: 'mechanical' });
    expect(ptburnSystemError(77).hint).toContain('77');
  });
});

describe('PTBurn job and disc errors', () => {
  it('has exactly the numbers 1–40, each failing a job or a disc, with a string and a description', () => {
    expect([...PTBURN_JOB_ERRORS.keys()].sort((a, b) => a - b)).toEqual(range(1, 40));
    for (const [number, error] of PTBURN_JOB_ERRORS) {
      expect(error.number).toBe(number);
      expect(error.name).toMatch(/^JOBERR_[A-Z_]+$/);
      expect(['job', 'disc']).toContain(error.fails);
      expect(error.message.length).toBeGreaterThan(5);
      expect(error.description.length).toBeGreaterThan(5);
    }
  });

  it('fails the disc exactly for Appendix C’s D rows (10, 11, 12, 14, 18, 19, 31, 32)', () => {
    const discRows = [...PTBURN_JOB_ERRORS.values()].filter((e) => e.fails === 'disc').map((e) => e.number);
    expect(discRows).toEqual([10, 11, 12, 14, 18, 19, 31, 32]);
    expect(ptburnJobError(16).message).toBe('The job was aborted.');
    expect(ptburnJobError(99).fails).toBe('job');
  });
});

describe('PTRobot SYSERR → PTBurn mapping (§4.7)', () => {
  it('maps only PTRobot errors that exist onto PTBurn numbers that exist', () => {
    for (const [ptrobot, ptburn] of PTROBOT_TO_PTBURN_SYSTEM_ERROR) {
      expect(SYSTEM_ERRORS.has(ptrobot), `PTRobot ${ptrobot}`).toBe(true);
      if (ptburn !== null) expect(PTBURN_SYSTEM_ERRORS.has(ptburn), `PTBurn ${ptburn}`).toBe(true);
    }
  });

  it('covers every PTRobot error, and no two PTRobot errors share a PTBurn number', () => {
    expect([...PTROBOT_TO_PTBURN_SYSTEM_ERROR.keys()].sort((a, b) => a - b)).toEqual([...SYSTEM_ERRORS.keys()].sort((a, b) => a - b));
    const targets = [...PTROBOT_TO_PTBURN_SYSTEM_ERROR.values()].filter((v): v is number => v !== null);
    expect(new Set(targets).size).toBe(targets.length);
  });

  it('follows §4.7 row by row, bins by "Bin1 = right"', () => {
    const spot: Array<[number, number | null]> = [
      [1, 1], [10, 10], [12, 12], [17, 17], [20, 18], [33, 19], [29, 20], [34, 21], [36, 22], [37, 23], [45, 31], [46, 32],
      [47, 33], [48, 34], [49, 35], [51, 37], [52, 38], [35, 39], [53, 40], [28, 41], [54, 42], [18, null], [19, null], [55, null], [58, null],
    ];
    for (const [ptrobot, ptburn] of spot) expect(ptburnNumberForPtrobot(ptrobot), `PTRobot ${ptrobot}`).toBe(ptburn);
    expect(ptburnNumberForPtrobot(0)).toBe(0);
    expect(ptburnNumberForPtrobot(999)).toBeNull();
  });
});
