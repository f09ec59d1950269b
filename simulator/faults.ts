// The catalogue of faults the simulator can inject: every row of primera-robot.md §8.3, each with
// its SYSERR (robot level) or PTRobot result (command and media level), the phases where it can
// fire, what it does to the world, and what the operator (or host) does to clear it. The effects
// themselves are in fault-effects.ts; triggers and arming in fault-triggers.ts.
//
// Remedy lines are DPRP requests, run in order (fault-remedies.ts fills their placeholders): <i> the
// drive, <bin> the bin concerned, <n> a number of blanks, <target> where the disc was going (a
// PTRobot location or drive:<i>), <left> the left-most bin; a line with <slot> and <kind> stands for
// one line per cartridge slot the fault touched (slot from 1, kind as the model has it).

import { systemError } from '../src/robot/syserr.ts';
import { resultName } from '../src/robot/codes.ts';
import { supportsAction, type ModelParams } from './models.ts';
import type { Place } from './world.ts';

/** Phases a simulated device goes through (TRAY_OPENING, TRAY_CLOSING and DELIVERING are folded into the motions). */
export const SIM_PHASES = [
  'INITIALIZING', 'CHECKING_BINS', 'PICKING', 'LOADING_DRIVE', 'CLEARING_DRIVE', 'UNLOADING_DRIVE', 'LOADING_PRINTER',
  'PRINTING', 'UNLOADING_PRINTER', 'MOVING', 'ALIGNING', 'CLEANING', 'CARTRIDGE_CHANGE', 'IDENTIFYING',
] as const;
/** The virtual recorder's phase, for recorder-level faults. */
export const RECORDING_PHASE = 'RECORDING';

const CARRYING = ['LOADING_DRIVE', 'UNLOADING_DRIVE', 'LOADING_PRINTER', 'UNLOADING_PRINTER', 'MOVING'];
const DELIVERING = ['UNLOADING_DRIVE', 'UNLOADING_PRINTER', 'MOVING'];
const MOTION = ['PICKING', 'CLEARING_DRIVE', ...CARRYING];
const PRINTER_MOTION = ['LOADING_PRINTER', 'PRINTING', 'UNLOADING_PRINTER'];
const ANY: readonly string[] = SIM_PHASES;

export type InkGroup = 'colour' | 'black' | 'both';

export type Effect =
  | { kind: 'none' }
  | { kind: 'input-empty' }
  | { kind: 'extra-in-picker' }
  | { kind: 'extra-at-target' }
  | { kind: 'extra-in-bin'; side: 'right' | 'left' }
  | { kind: 'drop' }
  | { kind: 'drop-fatal' }
  | { kind: 'printer-slip' }
  | { kind: 'already-printed' }
  | { kind: 'cover-open' }
  | { kind: 'ink'; level: 'low' | 'empty'; group: InkGroup }
  | { kind: 'cartridge'; change: 'invalid' | 'missing' | 'black-in-colour' | 'colour-in-black' | 'swapped' | 'pigment'; group: InkGroup }
  | { kind: 'align-needed' }
  | { kind: 'align-failed' }
  | { kind: 'purge' }
  | { kind: 'offline' }
  | { kind: 'power-cycle' }
  | { kind: 'media'; flaw: 'unreadable' | 'flipped' | 'never-ready' | 'not-blank' | 'wrong-type' }
  | { kind: 'command' }
  | { kind: 'write-error' }
  | { kind: 'verify-error' }
  | { kind: 'link'; what: 'noise' | 'corrupt' | 'drop-reply' };

export type FaultLevel = 'robot' | 'command' | 'media' | 'recorder' | 'link';

/** What a step is doing when a fault may fire: the phase, and where its disc comes from and goes. */
export interface StepContext {
  phase: string;
  source?: Place;
  target?: Place;
  drive?: number;
}

export interface FaultDef {
  id: string;
  level: FaultLevel;
  /** Robot level: the SYSERR the device reports in STATE state=2. */
  syserr?: number;
  /** Command and media level: the PTRobot result a reply carries (media-not-blank: none, MEDIA_INFO blank=0). */
  result?: number;
  phases: readonly string[];
  effect: Effect;
  /** What happens in the unit. */
  consequence: string;
  /** DPRP requests that clear it, in order (placeholders above); none for faults that need no one. */
  remedy: string[];
  /** Alternatives and what happens after the remedy. */
  remedyNote?: string;
  /** Models it exists on (primera-robot.md §4.7 applicability, §6.3); absent: all. */
  appliesTo?: (model: ModelParams) => boolean;
  /** Only steps this is true for count as the fault's phase (e.g. dropped-bin2: delivering to bin 2). */
  matches?: (step: StepContext) => boolean;
  source: string;
}

const BUTTON = ['SIM_BUTTON'];
const REJECT_DISC = ['UNLOAD_DRIVE drive=<i> to=200'];
const REF = 'primera-robot.md §8.3';
const hasPrinter = (m: ModelParams) => m.printer.present;
const printerWith = (group: InkGroup) => (m: ModelParams) =>
  m.printer.present && (group !== 'black' || m.printer.cartridges.includes('black')) && (group !== 'both' || m.printer.cartridges.length > 1);
const canAlign = (m: ModelParams) => hasPrinter(m) && supportsAction(m, 'ALIGNPRINTER');
const proOrXrp = (m: ModelParams) => m.id === 'DP-PRO' || m.id === 'DP-XRP';
const goingTo = (kind: Place['kind'], bin?: number) => (step: StepContext) =>
  step.target?.kind === kind && (bin === undefined || (step.target.kind === 'bin' && step.target.bin === bin));

function robot(id: string, syserr: number, phases: readonly string[], effect: Effect, consequence: string, remedy: string[], extra: Partial<FaultDef> = {}): FaultDef {
  return { id, level: 'robot', syserr, phases, effect, consequence, remedy, source: REF, ...extra };
}

const droppedBins: FaultDef[] = [1, 2, 3, 4, 5].map((bin) =>
  robot(`dropped-bin${bin}`, 27 + bin, DELIVERING, { kind: 'drop' },
    `the disc falls into the chassis on its way to bin ${bin}`, [`SIM_PLACE loc=${bin}`, ...BUTTON],
    { appliesTo: (m) => m.bins.count >= bin, matches: goingTo('bin', bin) }));

const inkRows: FaultDef[] = (['colour', 'black', 'both'] as const).flatMap((group, i) => [
  robot(`ink-low-${group}`, 5 + i, ['PRINTING'], { kind: 'ink', level: 'low', group },
    `the ${group} ink drops below the low mark; printing waits`,
    ['SYSTEM_ACTION action=IGNOREINKLOW'], { appliesTo: printerWith(group), remedyNote: 'the print goes on at once; or SIM_INK slot=<slot> pct=100 (or a new cartridge), then SIM_BUTTON' }),
  robot(`ink-empty-${group}`, 49 + i, ['PRINTING'], { kind: 'ink', level: 'empty', group },
    `the ${group} ink runs out; printing stops`, ['SIM_CART slot=<slot> type=<kind>', ...BUTTON],
    { appliesTo: printerWith(group), remedyNote: 'SIM_INK slot=<slot> pct=100 refills instead of a new cartridge' }),
]);

const FAULTS: FaultDef[] = [
  robot('input-empty', 3, ['PICKING'], { kind: 'input-empty' }, 'the picker finds the source bin empty (injected: the bin sensor reads empty); nothing moves',
    ['SIM_BIN bin=<bin> count=<n>', ...BUTTON], { remedyNote: 'KILL_ERROR resetPrinter=0 works as the button' }),
  robot('pick', 8, ['PICKING'], { kind: 'none' }, 'the pick fails; the disc stays in the bin', BUTTON),
  robot('multiple-pick', 17, ['PICKING'], { kind: 'extra-in-picker' }, 'the picker lifts two discs (the second from the same bin, numbered)',
    ['SIM_REMOVE loc=picker', ...BUTTON], { remedyNote: 'SIM_REMOVE takes the extra disc (not the carried one) to the reject bin' }),
  robot('multiple-in-printer', 18, ['LOADING_PRINTER'], { kind: 'extra-at-target' }, 'an extra disc lies in the printer tray under the one loaded',
    ['SIM_REMOVE loc=100', ...BUTTON], { appliesTo: hasPrinter }),
  robot('multiple-in-recorder', 19, ['LOADING_DRIVE'], { kind: 'extra-at-target' }, 'an extra disc lies on the drive tray under the one loaded',
    ['SIM_REMOVE loc=drive:<i>', ...BUTTON]),
  robot('multiple-in-right-bin', 47, DELIVERING, { kind: 'extra-in-bin', side: 'right' }, 'an extra disc lies crooked on top of the right bin (bin 1)',
    ['SIM_REMOVE loc=1', ...BUTTON]),
  robot('multiple-in-left-bin', 48, DELIVERING, { kind: 'extra-in-bin', side: 'left' }, 'an extra disc lies crooked on top of the left bin',
    ['SIM_REMOVE loc=<left>', ...BUTTON], { appliesTo: (m) => m.bins.count >= 2 }),
  robot('dropped-recorder', 20, ['LOADING_DRIVE'], { kind: 'drop' }, 'the disc falls into the chassis on its way to the drive',
    ['SIM_PLACE loc=drive:<i>', ...BUTTON]),
  robot('dropped-printer', 33, ['LOADING_PRINTER'], { kind: 'drop' }, 'the disc falls into the chassis on its way to the printer',
    ['SIM_PLACE loc=100', ...BUTTON], { appliesTo: hasPrinter }),
  ...droppedBins,
  robot('dropped-reject', 34, DELIVERING, { kind: 'drop' }, 'the disc falls into the chassis on its way to the reject slide',
    ['SIM_PLACE loc=200', ...BUTTON], { matches: goingTo('reject') }),
  robot('dropped-unknown', 35, CARRYING, { kind: 'drop' }, 'the disc falls somewhere inside the unit',
    ['SIM_PLACE loc=<target>', ...BUTTON]),
  robot('dropped-printer-fatal', 46, ['LOADING_PRINTER'], { kind: 'drop-fatal' },
    'the disc falls inside the printer; after the printer reset the device gives the operation up (OPDONE result=FAILED)',
    ['SIM_REMOVE loc=chassis', 'KILL_ERROR resetPrinter=1'], { appliesTo: hasPrinter, remedyNote: 'SIM_BUTTON button=power resets the printer too; the operation then ends with OPDONE result=FAILED' }),
  robot('printer-pick', 16, ['UNLOADING_PRINTER'], { kind: 'none' }, 'the picker cannot take the disc from the printer; it stays in the tray',
    ['SIM_BUTTON button=power'], { appliesTo: hasPrinter, remedyNote: 'the power button resets the printer; KILL_ERROR retries as well' }),
  robot('no-disc-in-printer', 53, ['PRINTING'], { kind: 'printer-slip' }, 'the disc slips off the printer tray into the chassis; the tray is empty',
    ['SIM_PLACE loc=100', ...BUTTON], { appliesTo: hasPrinter }),
  robot('printer-tray', 1, PRINTER_MOTION, { kind: 'none' }, 'the printer tray jams; nothing moves', BUTTON, { appliesTo: hasPrinter }),
  robot('arm-move', 9, MOTION, { kind: 'none' }, 'the arm stalls; nothing moves', BUTTON,
    { appliesTo: (m) => m.id === 'DP', source: `${REF}; primera-robot.md §6.3 (only the first Disc Publisher)` }),
  robot('carriage-move', 10, MOTION, { kind: 'none' }, 'the picker carriage stalls; nothing moves', BUTTON),
  robot('cover-open', 15, ANY, { kind: 'cover-open' }, 'the cover opens: motion halts, bin counts become unknown (255) until CHECKDISCS',
    ['SIM_COVER open=0'], { remedyNote: 'clears by itself once closed, no button; bins then report 255 until CHECKDISCS' }),
  ...inkRows,
  robot('cart-invalid', 2, ['PRINTING'], { kind: 'cartridge', change: 'invalid', group: 'colour' }, 'the left cartridge reads as not genuine',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: hasPrinter }),
  robot('colour-invalid', 37, ['PRINTING'], { kind: 'cartridge', change: 'invalid', group: 'colour' }, 'the colour cartridge is invalid',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: (m) => hasPrinter(m) && m.id !== 'DP-II' && m.id !== 'DP-XR' }),
  robot('black-invalid', 38, ['PRINTING'], { kind: 'cartridge', change: 'invalid', group: 'black' }, 'the black cartridge is invalid',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: printerWith('black') }),
  robot('both-invalid', 39, ['PRINTING'], { kind: 'cartridge', change: 'invalid', group: 'both' }, 'both cartridges are invalid',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: printerWith('both') }),
  robot('cart-missing', 40, ['PRINTING'], { kind: 'cartridge', change: 'missing', group: 'both' }, 'no cartridge is installed',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: (m) => hasPrinter(m) && m.id !== 'DP-II' && m.id !== 'DP-XR' }),
  robot('black-in-colour', 41, ['PRINTING'], { kind: 'cartridge', change: 'black-in-colour', group: 'colour' }, 'a black cartridge sits in the colour slot',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: proOrXrp }),
  robot('colour-in-black', 42, ['PRINTING'], { kind: 'cartridge', change: 'colour-in-black', group: 'black' }, 'a colour cartridge sits in the black slot',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: proOrXrp }),
  robot('cart-swapped', 43, ['PRINTING'], { kind: 'cartridge', change: 'swapped', group: 'both' }, 'the two cartridges are swapped',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: proOrXrp }),
  robot('pigment-cart', 44, ['PRINTING'], { kind: 'cartridge', change: 'pigment', group: 'black' }, 'a pigment cartridge sits in the black slot',
    ['SIM_CART slot=<slot> type=<kind>', ...BUTTON], { appliesTo: proOrXrp }),
  robot('align-needed', 36, ['PRINTING'], { kind: 'align-needed' }, 'the printer wants an alignment before it prints',
    ['SYSTEM_ACTION action=ALIGNPRINTER'], { appliesTo: (m) => canAlign(m) && m.id !== 'DP-II', remedyNote: 'answers R OK without op: the alignment runs inside the paused operation, which then goes on' }),
  robot('align-failed', 45, ['ALIGNING'], { kind: 'align-failed' }, 'the alignment fails; the printer still wants one',
    ['SYSTEM_ACTION action=ALIGNPRINTER'], { appliesTo: canAlign, remedyNote: 'align again (inside the paused operation)' }),
  robot('waiting-for-printer', 52, ['PRINTING'], { kind: 'none' }, 'the printer does not answer in time; the disc is not printed yet', BUTTON, { appliesTo: hasPrinter }),
  robot('printer-comm', 4, ANY, { kind: 'none' }, 'internal printer communication fails; nothing moves', BUTTON),
  robot('offline', 14, ANY, { kind: 'offline' }, 'the unit goes off line (USB link to the printer lost); the operation waits',
    ['SIM_POWER state=on'], { remedyNote: 'back on line: clears by itself, the operation goes on' }),
  robot('no-robotic-drives', 13, ['INITIALIZING', 'LOADING_DRIVE'], { kind: 'none' }, 'the robot sees no robotic drives; nothing moves', BUTTON),
  robot('internal-sw', 12, ANY, { kind: 'none' }, 'internal software error; nothing moves', BUTTON),
  robot('unknown-hardware', 58, ANY, { kind: 'none' }, 'the unit reports unknown hardware; nothing moves', BUTTON),
  robot('dock-sensor', 56, PRINTER_MOTION, { kind: 'none' }, 'the printer dock sensor fails; nothing moves', BUTTON, { appliesTo: hasPrinter }),
  robot('purge', 55, ['PRINTING'], { kind: 'purge' }, 'the cartridges need purging before printing',
    ['SYSTEM_ACTION action=CLEANCARTRIDGES'], { appliesTo: (m) => hasPrinter(m) && supportsAction(m, 'CLEANCARTRIDGES'), remedyNote: 'answers R OK without op: the cleaning runs inside the paused operation, which then goes on' }),
  robot('already-printed', 57, ['PRINTING'], { kind: 'already-printed' }, 'the printer finds the disc already printed', BUTTON, { appliesTo: hasPrinter, remedyNote: 'the print goes over it' }),
  robot('busy', 54, ANY, { kind: 'none' }, 'the robot reports itself busy with another command', BUTTON),
  robot('tray-open-fail', 20, ['LOADING_DRIVE'], { kind: 'drop' }, 'the drive reports its tray open but it is not: the disc drops (DROPPED_DISC_RECORDER)',
    ['SIM_PLACE loc=drive:<i>', ...BUTTON]),
  robot('power-cycle', 14, ANY, { kind: 'power-cycle' },
    'power fails mid-operation: discs stay where they are (picker, drive, printer); state OFFLINE until power returns, then the device initialises and the operation ends FAILED',
    ['SIM_POWER state=on'], { remedyNote: 'the device initialises (STATE phase=INITIALIZING op=0) and ends the operation with OPDONE result=FAILED; a disc left in the picker goes to the reject slide' }),
  {
    id: 'open-close-fail', level: 'command', result: 506, phases: ['LOADING_DRIVE', 'UNLOADING_DRIVE', 'CLEARING_DRIVE'], effect: { kind: 'command' },
    consequence: 'the drive tray will not open: the verb is refused with ERR 506 and nothing moves', remedy: [], remedyNote: 'the host sends the verb again', source: REF,
  },
  ...([
    ['drive-never-ready', 523, 'never-ready', 'the loaded disc never spins up: MEDIA_INFO answers 523 DRIVE_NOT_READY for as long as it is in the drive'],
    ['media-none', 525, 'unreadable', 'the drive does not see the loaded disc: MEDIA_INFO answers 525 NO_MEDIA'],
    ['media-invalid', 524, 'flipped', 'the loaded disc is upside down: MEDIA_INFO answers 524 INVALID_MEDIA, writing fails'],
    ['media-not-blank', undefined, 'not-blank', 'the loaded disc was already written: MEDIA_INFO answers blank=0, writing fails'],
    ['media-wrong-type', undefined, 'wrong-type', 'the loaded disc is of another kind than the bin holds (MEDIA_INFO type= differs)'],
  ] as const).map(([id, result, flaw, consequence]): FaultDef => ({
    id, level: 'media', result, phases: ['LOADING_DRIVE'], effect: { kind: 'media', flaw }, consequence, remedy: REJECT_DISC, source: REF,
  })),
  {
    id: 'write-error', level: 'recorder', phases: [RECORDING_PHASE], effect: { kind: 'write-error' },
    consequence: 'SIM_DRIVE_WRITE stops at the armed percentage (at=, default 50): a partial file, the disc is unusable, DRIVE_DONE result=WRITE_ERROR',
    remedy: REJECT_DISC, source: REF,
  },
  {
    id: 'verify-error', level: 'recorder', phases: [RECORDING_PHASE], effect: { kind: 'verify-error' },
    consequence: 'the write reports OK but one byte of the written data is flipped: only the host\'s read-back finds it',
    remedy: REJECT_DISC, source: REF,
  },
  ...([
    ['link-noise', 'noise', 'a line of random bytes goes out before the next device line'],
    ['link-corrupt', 'corrupt', 'the next device line goes out with one character changed (its checksum no longer matches)'],
    ['link-drop-reply', 'drop-reply', 'the next reply is not sent (it is kept in the reply cache: the host\'s repeat gets it)'],
  ] as const).map(([id, what, consequence]): FaultDef => ({
    id, level: 'link', phases: ANY, effect: { kind: 'link', what }, consequence, remedy: [], remedyNote: 'the host resynchronises (repeat, PING, GET_STATUS)', source: REF,
  })),
];

export interface FaultInfo {
  id: string;
  level: FaultLevel;
  syserr: number | null;
  syserrName: string | null;
  result: number | null;
  resultName: string | null;
  phases: string[];
  consequence: string;
  remedy: string[];
  remedyNote: string | null;
  source: string;
}

/** The catalogue as data (for `--list-faults`, documentation and table-driven tests). */
export function listFaults(model?: ModelParams): FaultInfo[] {
  return FAULTS.filter((f) => !model || appliesTo(f, model)).map((f) => ({
    id: f.id,
    level: f.level,
    syserr: f.syserr ?? null,
    syserrName: f.syserr === undefined ? null : systemError(f.syserr).name,
    result: f.result ?? null,
    resultName: f.result === undefined ? null : resultName(f.result),
    phases: [...f.phases],
    consequence: f.consequence,
    remedy: [...f.remedy],
    remedyNote: f.remedyNote ?? null,
    source: f.source,
  }));
}

export function getFault(id: string): FaultDef | undefined {
  return FAULTS.find((f) => f.id === id);
}

export function appliesTo(fault: FaultDef, model: ModelParams): boolean {
  return fault.appliesTo ? fault.appliesTo(model) : true;
}
