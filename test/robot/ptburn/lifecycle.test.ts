// Job file states by extension (src/robot/ptburn/lifecycle.ts), PTBurn 3 SDK rev 3.24 §3.
import { describe, expect, it } from 'vitest';
import { DEFAULT_EXTENSIONS, isFinal, jobBaseNameProblem, jobFileName, jobStateFromFiles, stateOfExtension } from '../../../src/robot/ptburn/lifecycle.ts';

describe('PTBurn job file lifecycle', () => {
  it('names each state by the manual’s default extensions, MyJob.JRQ → .QRJ → .INP → .DON / .ERR', () => {
    expect(['submitted', 'queued', 'in-process', 'done', 'failed'].map((s) => jobFileName('MyJob', s as never))).toEqual([
      'MyJob.JRQ', 'MyJob.QRJ', 'MyJob.INP', 'MyJob.DON', 'MyJob.ERR',
    ]);
    expect(isFinal('done') && isFinal('failed') && !isFinal('in-process')).toBe(true);
  });

  it('reads the state from a listing, ignoring case and other jobs', () => {
    const listing = ['Status', 'other.INP', 'MyJob.tmp', 'myjob.qrj', 'MyJob2.DON', 'MyJob.PTM'];
    expect(jobStateFromFiles('MyJob', listing)).toEqual({ state: 'queued', conflicting: false });
    expect(jobStateFromFiles('MyJob', [])).toEqual({ state: undefined, conflicting: false });
    expect(jobStateFromFiles('MyJob', ['MyJob.tmp'])).toEqual({ state: undefined, conflicting: false });
    expect(jobStateFromFiles('MyJob', ['MyJob.ABT']).state).toBe('failed');
    expect(stateOfExtension('.inp')).toBe('in-process');
  });

  it('takes the furthest state when files of several states exist, and says so', () => {
    expect(jobStateFromFiles('J', ['J.JRQ', 'J.DON'])).toEqual({ state: 'done', conflicting: true });
    expect(jobStateFromFiles('J', ['J.INP', 'J.QRJ'])).toEqual({ state: 'in-process', conflicting: true });
  });

  it('follows extensions changed in PTSETUP.INI', () => {
    const ext = { ...DEFAULT_EXTENSIONS, submitted: 'REQ', done: 'OK' };
    expect(jobStateFromFiles('J', ['J.REQ'], ext).state).toBe('submitted');
    expect(jobStateFromFiles('J', ['J.JRQ'], ext).state).toBeUndefined();
    expect(jobFileName('J', 'done', ext)).toBe('J.OK');
  });

  it('refuses job names Windows or the status file cannot carry', () => {
    for (const bad of ['', 'a\\b', 'a/b', 'c:x', 'a*', 'q?', 'a"b', 'a<b', 'a>b', 'a|b', 'a[b]', 'tab\t', 'dot.', 'space ', 'CON', 'lpt1', 'x'.repeat(65)]) {
      expect(jobBaseNameProblem(bad), JSON.stringify(bad)).toBeDefined();
    }
    for (const good of ['Study-1.2.840.113619_3', 'DataJob_Test1', 'Kevin’s Photos', 'x'.repeat(64)]) expect(jobBaseNameProblem(good)).toBeUndefined();
  });
});
