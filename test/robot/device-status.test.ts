// The robot machine's reading of a device status (machines/robot/device.ts): a GET_STATUS reply's
// cartridges and ink are kept (the golden session-open reply of docs/robot-protocol.md is read as
// the device sends it), a reply or STATE event without them keeps the last known ones, and a status
// stays the same after a JSON round trip (the machine's context is persisted).
import { describe, expect, it } from 'vitest';
import type { DeviceStatus } from '../../machines/robot-link.ts';
import { mergeStatus, statusFromReply } from '../../machines/robot/device.ts';
import { decodeFrame } from '../../src/robot/dprp/frame.ts';
import { readGoldenTranscripts, turns } from '../support/golden-transcripts.ts';

/** The fields of the device's reply to GET_STATUS in the golden session-open transcript. */
function goldenStatusReply(): Record<string, string> {
  const transcript = readGoldenTranscripts().find((t) => t.name === 'session-open')!;
  const turn = turns(transcript).find((t) => t.host !== null && /^Q\d+ GET_STATUS /.test(t.host))!;
  const decoded = decodeFrame(turn.device[0]!);
  if (!decoded.ok) throw new Error(decoded.detail);
  return decoded.frame.args;
}

const IDLE: DeviceStatus = { state: 0, syserr: 0, phase: 'IDLE', op: 0, bins: [10, 20], tray: 'I', picker: 'X', cover: 0 };

describe('statusFromReply', () => {
  it('reads the cartridges and the ink of a GET_STATUS reply as the device sends them', () => {
    const fields = goldenStatusReply();
    const status = statusFromReply(fields, null);
    expect(status.carts).toEqual(fields.carts!.split(',').map(Number));
    expect(status.ink).toEqual(fields.ink!.split(',').map(Number));
    expect(status.carts!.length).toBeGreaterThan(0);
    expect(status).toMatchObject({ state: 0, phase: 'IDLE', bins: fields.bins!.split(',').map(Number), cover: 0 });
  });

  it('keeps the last known cartridges and ink when a reply lacks them, or carries an unreadable list', () => {
    const known = statusFromReply({ carts: '3,4,5,2', ink: '80,70,60,50' }, IDLE);
    expect(statusFromReply({ state: '1', phase: 'PICKING' }, known)).toMatchObject({ state: 1, phase: 'PICKING', carts: [3, 4, 5, 2], ink: [80, 70, 60, 50] });
    expect(statusFromReply({ ink: '80,x' }, known).ink).toEqual([80, 70, 60, 50]);
    expect(statusFromReply({ ink: '12,70,60,50' }, known).ink).toEqual([12, 70, 60, 50]);
  });

  it('reads an empty list (a unit without a printer) as no cartridges', () => {
    expect(statusFromReply({ carts: '', ink: '' }, IDLE)).toMatchObject({ carts: [], ink: [] });
  });

  it('adds no key for what nobody said: the status is the same after a JSON round trip', () => {
    const status = statusFromReply({ state: '0' }, IDLE);
    expect(Object.keys(status)).not.toContain('ink');
    expect(Object.keys(status)).not.toContain('carts');
    expect(JSON.parse(JSON.stringify(status))).toEqual(status);
  });
});

describe('mergeStatus', () => {
  const known: DeviceStatus = { ...IDLE, carts: [1, 2], ink: [90, 40] };

  it('keeps the cartridges and ink through a STATE event that does not carry them', () => {
    const next: DeviceStatus = { ...IDLE, state: 2, syserr: 15, phase: 'PICKING', bins: [255, 255], cover: 1 };
    expect(mergeStatus(known, next)).toEqual({ ...next, carts: [1, 2], ink: [90, 40] });
  });

  it('keeps them when an event names them without a value, and takes new ones when it has them', () => {
    expect(mergeStatus(known, { ...IDLE, ink: undefined, carts: undefined }).ink).toEqual([90, 40]);
    expect(mergeStatus(known, { ...IDLE, ink: [5, 40] })).toMatchObject({ carts: [1, 2], ink: [5, 40] });
  });

  it('takes the first status as it is', () => {
    expect(mergeStatus(null, IDLE)).toBe(IDLE);
  });
});
