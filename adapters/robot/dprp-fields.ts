// Reads the fields of DPRP replies and events into the robot-link types (RobotInfo, DriveInfo,
// DeviceStatus). Pure; a missing or invalid field throws an error that names the line and the field,
// because "bad reply" alone leaves a bridge author guessing.

import type { DeviceStatus, DriveInfo, RobotInfo } from '../../machines/robot-link.ts';

export class DprpFieldError extends Error {
  constructor(
    readonly source: string,
    readonly field: string,
    detail: string,
  ) {
    super(`${source}: field ${field} ${detail}`);
    this.name = 'DprpFieldError';
  }
}

type Fields = Readonly<Record<string, string>>;

function text(fields: Fields, source: string, key: string): string {
  const value = fields[key];
  if (value === undefined) throw new DprpFieldError(source, key, 'is missing');
  return value;
}

/** Decimal, or hexadecimal with 0x (as in `acts=0x3B3`). */
function integer(fields: Fields, source: string, key: string): number {
  const value = text(fields, source, key);
  if (!/^(\d+|0x[0-9A-Fa-f]+)$/.test(value)) throw new DprpFieldError(source, key, `is not a whole number: ${JSON.stringify(value)}`);
  return Number(value);
}

function oneOf<T extends string | number>(fields: Fields, source: string, key: string, allowed: readonly T[]): T {
  const value = text(fields, source, key);
  const found = allowed.find((a) => String(a) === value);
  if (found === undefined) throw new DprpFieldError(source, key, `is ${JSON.stringify(value)}, not one of ${allowed.join(', ')}`);
  return found;
}

function integerList(fields: Fields, source: string, key: string): number[] {
  const value = text(fields, source, key);
  if (!/^\d+(,\d+)*$/.test(value)) throw new DprpFieldError(source, key, `is not a comma-separated list of numbers: ${JSON.stringify(value)}`);
  return value.split(',').map(Number);
}

/** RobotInfo from the HELLO reply (impl) and the GET_INFO reply (everything else). */
export function parseRobotInfo(hello: Fields, info: Fields): RobotInfo {
  const source = 'GET_INFO reply';
  return {
    impl: text(hello, 'HELLO reply', 'impl'),
    model: text(info, source, 'model'),
    type: integer(info, source, 'type'),
    description: text(info, source, 'desc'),
    firmware: text(info, source, 'fw'),
    drives: integer(info, source, 'drives'),
    printers: integer(info, source, 'printers'),
    bins: integer(info, source, 'bins'),
    actions: integer(info, source, 'acts'),
    kiosk: oneOf(info, source, 'kiosk', ['0', '1']) === '1',
    maxPerBin: integer(info, source, 'maxPerBin'),
    trayControl: oneOf(info, source, 'trayControl', ['robot', 'host']),
  };
}

/** One `E DRIVE` event of ENUM_DRIVES. */
export function parseDrive(event: Fields): DriveInfo {
  const source = 'DRIVE event';
  return {
    index: integer(event, source, 'i'),
    col: integer(event, source, 'col'),
    row: integer(event, source, 'row'),
    name: text(event, source, 'name'),
    serial: text(event, source, 'serial'),
    dev: text(event, source, 'dev'),
  };
}

/** A GET_STATUS reply; fields beyond DeviceStatus (ink, counters…) are left to whoever wants them. */
export function parseStatus(reply: Fields): DeviceStatus {
  const source = 'GET_STATUS reply';
  return {
    ...parseStatePatch(reply, source),
    bins: integerList(reply, source, 'bins'),
    tray: oneOf(reply, source, 'tray', ['D', 'I', 'O']),
    picker: oneOf(reply, source, 'picker', ['X', 'O']),
    cover: oneOf(reply, source, 'cover', [0, 1]),
    // Cartridges and ink levels, when the device reports them (an empty value: no cartridge slots).
    ...optionalList(reply, source, 'carts'),
    ...optionalList(reply, source, 'ink'),
  };
}

function optionalList(fields: Fields, source: string, key: 'carts' | 'ink'): Partial<Pick<DeviceStatus, 'carts' | 'ink'>> {
  if (fields[key] === undefined) return {};
  return { [key]: fields[key] === '' ? [] : integerList(fields, source, key) };
}

/** The part of a status an `E STATE` event carries. */
export function parseStatePatch(event: Fields, source = 'STATE event'): Pick<DeviceStatus, 'state' | 'syserr' | 'phase' | 'op'> {
  return {
    state: oneOf(event, source, 'state', [0, 1, 2]),
    syserr: integer(event, source, 'syserr'),
    phase: text(event, source, 'phase'),
    op: integer(event, source, 'op'),
  };
}

/** `E BINS counts=…`, left to right. */
export function parseBinCounts(event: Fields): number[] {
  return integerList(event, 'BINS event', 'counts');
}

/** `E COVER open=0|1`. */
export function parseCover(event: Fields): 0 | 1 {
  return oneOf(event, 'COVER event', 'open', [0, 1]);
}

/** `E OPDONE op= result=`. */
export function parseOpDone(event: Fields): { op: number; result: 'OK' | 'CANCELLED' | 'FAILED' } {
  const source = 'OPDONE event';
  return { op: integer(event, source, 'op'), result: oneOf(event, source, 'result', ['OK', 'CANCELLED', 'FAILED']) };
}
