// What the robot machine keeps of the device: the command it has in hand (and how to send it or
// send it again), the status it last heard, and the fault it reports to jobs and the operator.
// Pure functions over plain data, so the machine's context stays JSON.

import type { DeviceStatus, LinkCommand } from '../robot-link.ts';
import type { ErrorKind } from '../robot-port.ts';
import { systemError } from '../../src/robot/syserr.ts';

/** A DPRP verb and its arguments, before it gets a ref. */
export interface DeviceCommand {
  verb: string;
  args: Record<string, string>;
}

/** The robotic verb in hand: sent as `ref`, accepted as operation `op` (null until `R OK op=`). */
export interface PendingCommand extends DeviceCommand {
  ref: number;
  op: number | null;
  /** Refused with 528 (busy or in error): send it again once the robot goes on. */
  refused: boolean;
  /** Already sent again after a 506 (a drive tray would not open or close): a second 506 gives up. */
  trayRetried: boolean;
}

/** PTROBOT_OPENCLOSE_FAILED: the drive tray did not move, nothing else did either. */
export const TRAY_FAILED = 506;

/** A query in flight (MEDIA_INFO, GET_STATUS): its reply is matched by ref. */
export interface PendingQuery {
  ref: number;
  verb: string;
}

/** A robot fault as the machine keeps it; the port's RobotFault adds the robot's name. */
export interface Fault {
  kind: ErrorKind;
  code: number;
  name: string;
  hint: string;
}

/** PTRobot SYSERR_ALIGNNEEDED: at start-up the host answers it with ALIGNPRINTER (§8.6). */
export const SYSERR_ALIGN_NEEDED = 36;

/** The pause reason a job sees while the link to the robot is down (code 0: not a device error). */
export const LINK_DOWN_FAULT: Fault = {
  kind: 'communication',
  code: 0,
  name: 'LINK_DOWN',
  hint: 'The link to the robot is down: check the cable, the bridge and the power; it reconnects by itself.',
};

export function faultOf(syserr: number): Fault {
  const { code, name, kind, hint } = systemError(syserr);
  return { kind, code, name, hint };
}

/** The next free ref and the command to hand to the link. */
export function linkSend(ref: number, command: DeviceCommand): LinkCommand {
  return { type: 'link.send', ref, verb: command.verb, args: command.args };
}

export interface Issued {
  nextRef: number;
  pending: PendingCommand | null;
  /** What to send now, or null: nothing to do, or the device still has the operation in hand. */
  send: LinkCommand | null;
}

/**
 * Enter a robotic step. An operation already in hand (paused by an error, accepted before) is
 * never sent twice: the device goes on with it by itself. One refused as busy is sent again with
 * a new ref; otherwise the step's own command (if any) goes out.
 */
export function issue(nextRef: number, pending: PendingCommand | null, command: DeviceCommand | null): Issued {
  if (pending && !pending.refused) return { nextRef, pending, send: null };
  const toSend = pending ?? command;
  if (!toSend) return { nextRef, pending: null, send: null };
  const fresh: PendingCommand = { verb: toSend.verb, args: toSend.args, ref: nextRef, op: null, refused: false, trayRetried: pending?.trayRetried ?? false };
  return { nextRef: nextRef + 1, pending: fresh, send: linkSend(fresh.ref, fresh) };
}

const TRAYS = new Set(['D', 'I', 'O']);

/** A GET_STATUS reply as a DeviceStatus; fields it lacks keep their previous value. */
export function statusFromReply(fields: Record<string, string>, previous: DeviceStatus | null): DeviceStatus {
  const base: DeviceStatus = previous ?? { state: 0, syserr: 0, phase: 'IDLE', op: 0, bins: [], tray: 'I', picker: 'X', cover: 0 };
  const number = (key: string, fallback: number) => (fields[key] !== undefined && Number.isFinite(Number(fields[key])) ? Number(fields[key]) : fallback);
  const state = number('state', base.state);
  return {
    state: state === 1 || state === 2 ? state : 0,
    syserr: number('syserr', base.syserr),
    phase: fields.phase ?? base.phase,
    op: number('op', base.op),
    bins: fields.bins !== undefined ? fields.bins.split(',').map(Number) : base.bins,
    tray: fields.tray !== undefined && TRAYS.has(fields.tray) ? (fields.tray as DeviceStatus['tray']) : base.tray,
    picker: fields.picker === 'O' || fields.picker === 'X' ? fields.picker : base.picker,
    cover: fields.cover !== undefined ? (fields.cover === '1' ? 1 : 0) : base.cover,
    ...optionalList('carts', numberList(fields.carts) ?? base.carts),
    ...optionalList('ink', numberList(fields.ink) ?? base.ink),
  };
}

/** `1,2` → [1, 2]; an empty value (a model without a printer) → []; absent or unreadable → undefined. */
function numberList(value: string | undefined): number[] | undefined {
  if (value === undefined) return undefined;
  if (value === '') return [];
  const numbers = value.split(',').map(Number);
  return numbers.every(Number.isFinite) ? numbers : undefined;
}

/** The key only when there is a value: a status stays the same after a JSON round trip. */
function optionalList<K extends 'carts' | 'ink'>(key: K, value: number[] | undefined): Partial<Record<K, number[]>> {
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, number[]>>);
}

/** bins= value for a count the robot does not know yet (after the cover opened, or a power cycle). */
export const UNKNOWN_BIN_COUNT = 255;

export function binsUnknown(status: DeviceStatus | null): boolean {
  return !!status && status.bins.some((count) => count === UNKNOWN_BIN_COUNT);
}

/**
 * The device lost its bin counts since the last status (cover opened, power cycled): CHECKDISCS is
 * due. Only the change counts, so a device whose counts stay unknown is not asked again and again.
 */
export function binsWentUnknown(previous: DeviceStatus | null, next: DeviceStatus): boolean {
  return binsUnknown(next) && !binsUnknown(previous);
}

/**
 * A STATE event may carry only some fields (the link merges, but be safe): keep the rest. The link
 * reads no cartridges or ink from its events, so those absent (or undefined) keep their value.
 */
export function mergeStatus(previous: DeviceStatus | null, next: DeviceStatus): DeviceStatus {
  if (!previous) return next;
  const given = Object.fromEntries(Object.entries(next).filter(([, value]) => value !== undefined)) as Partial<DeviceStatus>;
  return { ...previous, ...given };
}
