// The parameter table of every Primera model the conformance statement lists (section 4.4.1.2):
// what a simulated unit reports (GET_INFO, ENUM_DRIVES) and how it behaves (drives, bins, printer,
// supported actions, timings). Every value carries where it comes from, or the marker
// 'assumption' when no public source gives it: `modelSources(id)` lists them by field path.
// The golden transcripts of docs/robot-protocol.md pin DP-XRP.

import { SYSTEM_ACTIONS } from '../src/robot/codes.ts';
import type { MediaName } from './media.ts';

export const MODEL_IDS = ['DP', 'DP-II', 'DP-PRO', 'DP-XR', 'DP-XRP', 'DP-SE', 'DP-XI', 'DP-4100', 'DP-4100-XRP'] as const;
export type ModelId = (typeof MODEL_IDS)[number];

/** Cartridge (or ink tank) kinds, with PTRobotInfo2's dwCartridgeType codes in CARTRIDGE_CODES. */
export type CartridgeKind = 'colour' | 'black' | 'yellow' | 'cyan' | 'magenta';
export const CARTRIDGE_CODES: Readonly<Record<CartridgeKind, number>> = { colour: 1, black: 2, yellow: 3, cyan: 4, magenta: 5 };

export interface ModelTimings {
  /** Power-on or RESETSYSTEM homing. */
  initS: number;
  checkDiscsPerBinS: number;
  /** Taking a disc from a bin (the first part of a 12 s bin → drive load). */
  pickS: number;
  /** Carrying the picked disc onto a drive tray, tray open and close included. */
  loadDriveS: number;
  /** clear=1 finding the drive empty. */
  clearProbeS: number;
  /** Carrying the picked disc into the printer tray. */
  loadPrinterS: number;
  driveToPrinterS: number;
  unloadPrinterS: number;
  unloadDriveS: number;
  /** Carrying a picked disc between bins (MOVE). */
  moveS: number;
  printS: number;
  alignS: number;
  cleanS: number;
  identifyS: number;
  cartridgeChangeS: number;
  cancelS: number;
  /** Relative spread of motion times when jitter is on (seeded). */
  jitterFraction: number;
}

export interface ModelParams {
  id: ModelId;
  /** PTRobot dwRobotType. */
  robotType: number;
  /** PTBurn RobotType. */
  ptburnType: number;
  description: string;
  firmware: string;
  drives: {
    count: number;
    cols: number;
    rows: number;
    busType: 'USB' | '1394';
    /** Media the recorders write; the first is what a new world's input bin holds. */
    media: MediaName[];
    /** Write speed (×) per medium. */
    speeds: Partial<Record<MediaName, number>>;
  };
  bins: {
    count: number;
    maxPerBin: number;
    kiosk: boolean;
    /** PTRobot bin number `from=0` picks from (kiosk off). */
    input: number;
    /** Where `to=0` delivers (kiosk off): a PTRobot bin number, or the front output tray. */
    output: number | 'front';
  };
  printer: {
    present: boolean;
    /** Slots left to right. */
    cartridges: CartridgeKind[];
    /** Percent of every cartridge one label uses. */
    inkPerPrintPct: number;
    /** Below this level printing stops with SYSERR 5–7 until acknowledged. */
    lowInkPct: number;
    pigmentAllowed: boolean;
  };
  /** dwSupportedActions. */
  acts: number;
  timings: ModelTimings;
}

// ---- the table, every leaf with its source ----

interface Leaf<T> {
  v: T;
  src: string;
}
// Brackets keep unions (boolean, 'USB' | '1394') whole: one leaf of the union, not a union of leaves.
type Spec<T> = [T] extends [readonly unknown[]] ? Leaf<T> : [T] extends [object] ? { [K in keyof T]: Spec<T[K]> } : Leaf<T>;

const ASSUMPTION = 'assumption';
const s = <T>(v: T, src: string): Leaf<T> => ({ v, src });
const TYPES = 'primera-robot.md §3.8 (PTRobot.h ROBOT_*), §6.3';
const MODEL_TABLE = 'primera-robot.md §6.3';
const ACTIONS = 'primera-robot.md §3.7 (PTRobot.h PTACT_*), §6.3';
const TIMINGS_SRC = 'primera-robot.md §6.2 (assumed default, no public figure)';
const SPEEDS_SRC = 'primera-robot.md §6.1 (measured burns: CD 24×+, DVD 16× media, BD 6×); assumption per model';

function acts(...names: string[]): number {
  return names.reduce((mask, name) => mask | (SYSTEM_ACTIONS[name] ?? 0), 0);
}

/** Actions every simulated unit supports (what DP-XRP's golden acts=0x3B3 holds besides ALIGNPRINTER). */
const BASE_ACTIONS = ['IGNOREINKLOW', 'IDENTIFY', 'CANCELCMD', 'RESETSYSTEM', 'CHECKDISCS', 'CLEANCARTRIDGES'];

const TIMINGS: Spec<ModelTimings> = {
  initS: s(20, TIMINGS_SRC),
  checkDiscsPerBinS: s(6, TIMINGS_SRC),
  pickS: s(5, `${TIMINGS_SRC}; split of the 12 s bin → drive load: assumption`),
  loadDriveS: s(7, `${TIMINGS_SRC}; split of the 12 s bin → drive load: assumption`),
  clearProbeS: s(5, TIMINGS_SRC),
  loadPrinterS: s(4, `${TIMINGS_SRC}; 9 s bin → printer less the pick: assumption`),
  driveToPrinterS: s(10, TIMINGS_SRC),
  unloadPrinterS: s(7, TIMINGS_SRC),
  unloadDriveS: s(8, TIMINGS_SRC),
  moveS: s(4, ASSUMPTION),
  printS: s(35, `${TIMINGS_SRC}; quality 2 (Better), the PTBurn default: assumption`),
  alignS: s(60, TIMINGS_SRC),
  cleanS: s(30, TIMINGS_SRC),
  identifyS: s(3, ASSUMPTION),
  cartridgeChangeS: s(10, ASSUMPTION),
  cancelS: s(3, ASSUMPTION),
  jitterFraction: s(0.2, `${TIMINGS_SRC}; ±2–3 s on 7–12 s motions, rounded`),
};

const COMMON_PRINTER = {
  present: s(true, 'primera-robot.md §6.3 ("all listed Primera publishers print with inkjet cartridges")'),
  inkPerPrintPct: s(0.2, ASSUMPTION),
  lowInkPct: s(10, 'primera-robot.md §3.10 (OsiriX warns at 20/10/5 %); threshold: assumption'),
};

interface RowInput {
  id: ModelId;
  type: number;
  description: string;
  drives: Spec<ModelParams['drives']>;
  bins: Spec<ModelParams['bins']>;
  cartridges: Leaf<CartridgeKind[]>;
  pigmentAllowed: Leaf<boolean>;
  acts: Leaf<number>;
}

function row(input: RowInput): Spec<ModelParams> {
  return {
    id: s(input.id, 'docs/robot-protocol.md (model ids); primera-robot.md §6.3'),
    robotType: s(input.type, TYPES),
    ptburnType: s(input.type, `${TYPES} (PTBurn RobotType)`),
    description: s(input.description, `${MODEL_TABLE} (model name)`),
    firmware: s('SIM-1', 'docs/robot-protocol.md §10 (golden session-open)'),
    drives: input.drives,
    bins: input.bins,
    printer: { ...COMMON_PRINTER, cartridges: input.cartridges, pigmentAllowed: input.pigmentAllowed },
    acts: input.acts,
    timings: TIMINGS,
  };
}

const dvdCd = (src: string): Spec<ModelParams['drives']>['media'] => s<MediaName[]>(['DVD-R', 'CD-R', 'DVD+R-DL'], src);
const speeds = (cd: number, dvd: number, dl: number, bd?: number): Spec<ModelParams['drives']>['speeds'] => ({
  'CD-R': s(cd, SPEEDS_SRC),
  'DVD-R': s(dvd, SPEEDS_SRC),
  'DVD+R-DL': s(dl, SPEEDS_SRC),
  ...(bd === undefined ? {} : { 'BD-R': s(bd, SPEEDS_SRC), 'BD-R-DL': s(Math.max(2, bd / 2), SPEEDS_SRC) }),
});
const usb = s<'USB' | '1394'>('USB', 'primera-robot.md §3.5 (dwDriveBusType); USB for every model but DP: assumption');
const twoBins = (maxPerBin: number, maxSrc: string, kiosk: boolean, kioskSrc: string): Spec<ModelParams['bins']> => ({
  count: s(2, MODEL_TABLE),
  maxPerBin: s(maxPerBin, maxSrc),
  kiosk: s(kiosk, kioskSrc),
  input: s(1, 'primera-robot.md §3.6 (kiosk off: pick from the right bin, bin 1)'),
  output: s<number | 'front'>(2, 'primera-robot.md §3.6 (kiosk off: finished discs to the left bin, bin 2)'),
});
const colourBlack = s<CartridgeKind[]>(['colour', 'black'], 'primera-robot.md §6.3 (colour left, black right); §3.5 dwCartridgeType');
const noPigment = s(false, ASSUMPTION);

const SPECS: Spec<ModelParams>[] = [
  row({
    id: 'DP', type: 0, description: 'Disc Publisher',
    drives: { count: s(1, 'primera-robot.md §6.3 ("for the Disc Publisher this will be 1")'), cols: s(1, ASSUMPTION), rows: s(1, ASSUMPTION),
      busType: s<'USB' | '1394'>('1394', 'primera-robot.md §6.3 (FireWire drives)'), media: dvdCd(ASSUMPTION), speeds: speeds(24, 8, 4) },
    bins: twoBins(25, 'primera-robot.md §6.3 (~25, unverified)', false, MODEL_TABLE),
    cartridges: s<CartridgeKind[]>(['colour', 'black'], ASSUMPTION), pigmentAllowed: noPigment,
    acts: s(acts(...BASE_ACTIONS), ACTIONS + '; only the base actions: assumption'),
  }),
  row({
    id: 'DP-II', type: 1, description: 'Disc Publisher II',
    drives: { count: s(1, MODEL_TABLE), cols: s(1, MODEL_TABLE), rows: s(1, MODEL_TABLE), busType: usb, media: dvdCd(ASSUMPTION), speeds: speeds(48, 16, 8) },
    bins: twoBins(20, 'primera-robot.md §6.3 (20, unverified)', true, MODEL_TABLE),
    cartridges: s<CartridgeKind[]>(['colour', 'black'], 'primera-robot.md §6.3 (2 slots, colour + black or colour + colour)'), pigmentAllowed: noPigment,
    acts: s(acts(...BASE_ACTIONS, 'DISABLEPWRBUTTON', 'ENABLEPWRBUTTON', 'CALIBRATE_ONE_DISC', 'CHANGE_CARTRIDGE', 'SHIP_POSITION',
      'RESET_LEFT_INK_LEVELS', 'RESET_RIGHT_INK_LEVELS', 'ALLOW_NO_CARTRIDGES'), ACTIONS + ' (no align on the II)'),
  }),
  row({
    id: 'DP-PRO', type: 2, description: 'Disc Publisher PRO',
    drives: { count: s(2, MODEL_TABLE), cols: s(1, ASSUMPTION), rows: s(2, ASSUMPTION), busType: usb, media: dvdCd(ASSUMPTION), speeds: speeds(48, 16, 8) },
    bins: twoBins(50, 'primera-robot.md §6.3 (50, 100 in kiosk; unverified)', true, MODEL_TABLE),
    cartridges: colourBlack, pigmentAllowed: s(false, 'primera-robot.md §6.3 (PIGONPRO: no pigment cartridges)'),
    acts: s(acts(...BASE_ACTIONS, 'ALIGNPRINTER', 'DISABLEPWRBUTTON', 'ENABLEPWRBUTTON'), ACTIONS),
  }),
  row({
    id: 'DP-XR', type: 4, description: 'Disc Publisher XR',
    drives: { count: s(1, MODEL_TABLE), cols: s(1, MODEL_TABLE), rows: s(1, MODEL_TABLE), busType: usb, media: dvdCd(ASSUMPTION), speeds: speeds(48, 16, 8) },
    bins: twoBins(50, ASSUMPTION, true, MODEL_TABLE),
    cartridges: s<CartridgeKind[]>(['colour', 'black'], 'primera-robot.md §6.3 (printer as the II)'), pigmentAllowed: noPigment,
    acts: s(acts(...BASE_ACTIONS, 'DISABLEPWRBUTTON', 'ENABLEPWRBUTTON', 'CALIBRATE_ONE_DISC', 'CHANGE_CARTRIDGE', 'SHIP_POSITION',
      'RESET_LEFT_INK_LEVELS', 'RESET_RIGHT_INK_LEVELS', 'ALLOW_NO_CARTRIDGES'), ACTIONS + ' (rack-mount II: as the II)'),
  }),
  row({
    id: 'DP-XRP', type: 5, description: 'Disc Publisher XRP',
    drives: { count: s(2, 'primera-robot.md §6.3 (2, PTBurn status example); docs/robot-protocol.md §10'), cols: s(1, 'docs/robot-protocol.md §10 (col 0)'),
      rows: s(2, 'primera-robot.md §6.3 (top/bottom); docs/robot-protocol.md §10 (rows 0, 1)'), busType: usb,
      media: s<MediaName[]>(['DVD-R', 'CD-R', 'DVD+R-DL'], 'docs/robot-protocol.md §10 (DVD-R first); the others: assumption'), speeds: speeds(48, 16, 8) },
    bins: twoBins(50, 'primera-robot.md §6.3 (50, 100 in kiosk); docs/robot-protocol.md §10 (maxPerBin=50)', true, 'primera-robot.md §6.3; docs/robot-protocol.md §10 (kiosk=1)'),
    cartridges: s<CartridgeKind[]>(['colour', 'black'], 'primera-robot.md §6.3 (colour left, black right); docs/robot-protocol.md §10 (carts=1,2)'), pigmentAllowed: noPigment,
    acts: s(acts(...BASE_ACTIONS, 'ALIGNPRINTER'), 'docs/robot-protocol.md §10 (acts=0x3B3); primera-robot.md §3.7, §6.3'),
  }),
  row({
    id: 'DP-SE', type: 6, description: 'Disc Publisher SE',
    drives: { count: s(1, MODEL_TABLE), cols: s(1, MODEL_TABLE), rows: s(1, MODEL_TABLE), busType: usb, media: dvdCd(ASSUMPTION), speeds: speeds(48, 16, 8) },
    bins: {
      count: s(1, 'primera-robot.md §6.3 (1 input bin)'),
      maxPerBin: s(20, 'primera-robot.md §6.3 (20, unverified)'),
      kiosk: s(false, 'primera-robot.md §6.3 (no kiosk)'),
      input: s(1, 'primera-robot.md §6.3 (its only bin)'),
      output: s<number | 'front'>('front', 'assumption (finished discs leave at the front: no output bin)'),
    },
    cartridges: s<CartridgeKind[]>(['colour'], 'primera-robot.md §6.3 (single colour cartridge)'), pigmentAllowed: noPigment,
    acts: s(acts(...BASE_ACTIONS, 'ALIGNPRINTER', 'CHANGE_CARTRIDGE', 'END_CARTRIDGE_CHANGE', 'CALIBRATE_ONE_DISC'), ACTIONS),
  }),
  row({
    id: 'DP-XI', type: 7, description: 'Disc Publisher Pro Xi',
    drives: { count: s(2, MODEL_TABLE), cols: s(1, ASSUMPTION), rows: s(2, ASSUMPTION), busType: usb,
      media: s<MediaName[]>(['DVD-R', 'CD-R', 'DVD+R-DL', 'BD-R', 'BD-R-DL'], 'primera-robot.md §6.3 (Xi2-Blu reports BD drives); order: assumption'), speeds: speeds(48, 16, 8, 6) },
    bins: twoBins(50, 'primera-robot.md §6.3 (50, 100 in kiosk; unverified)', true, MODEL_TABLE),
    cartridges: colourBlack, pigmentAllowed: noPigment,
    acts: s(acts(...BASE_ACTIONS, 'ALIGNPRINTER', 'XI_LIGHT_OFF', 'XI_LIGHT_ON', 'XI_LIGHT_FLASH'), ACTIONS + '; ALIGNPRINTER: assumption'),
  }),
  row({
    id: 'DP-4100', type: 8, description: 'Disc Publisher 4100',
    drives: { count: s(2, 'primera-robot.md §6.3 (1–2: the 4102 has 2); assumption'), cols: s(1, ASSUMPTION), rows: s(2, ASSUMPTION), busType: usb,
      media: s<MediaName[]>(['DVD-R', 'CD-R', 'DVD+R-DL', 'BD-R', 'BD-R-DL'], ASSUMPTION), speeds: speeds(48, 16, 8, 6) },
    bins: twoBins(50, 'primera-robot.md §6.3 (50, 100 in kiosk; unverified)', true, MODEL_TABLE),
    cartridges: s<CartridgeKind[]>(['cyan', 'magenta', 'yellow', 'black'], 'primera-robot.md §6.3 (4 separate CMYK tanks); order: assumption'), pigmentAllowed: noPigment,
    acts: s(acts(...BASE_ACTIONS, 'AUTOPRINTER_MODE', 'FAN_ON', 'FAN_OFF'), ACTIONS),
  }),
  row({
    id: 'DP-4100-XRP', type: 9, description: 'Disc Publisher 4100 XRP',
    drives: { count: s(2, MODEL_TABLE), cols: s(1, ASSUMPTION), rows: s(2, ASSUMPTION), busType: usb,
      media: s<MediaName[]>(['DVD-R', 'CD-R', 'DVD+R-DL', 'BD-R', 'BD-R-DL'], ASSUMPTION), speeds: speeds(48, 16, 8, 6) },
    bins: twoBins(100, 'primera-robot.md §6.3 (100 per bin, unverified)', true, MODEL_TABLE),
    cartridges: s<CartridgeKind[]>(['cyan', 'magenta', 'yellow', 'black'], 'primera-robot.md §6.3 (CMYK tanks); order: assumption'), pigmentAllowed: noPigment,
    acts: s(acts(...BASE_ACTIONS, 'AUTOPRINTER_MODE', 'FAN_ON', 'FAN_OFF'), ACTIONS + ' (as the 4100)'),
  }),
];

// ---- resolution ----

function isLeaf(value: unknown): value is Leaf<unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).sort().join() === 'src,v';
}

function unwrap(spec: unknown): unknown {
  if (isLeaf(spec)) return structuredClone(spec.v);
  return Object.fromEntries(Object.entries(spec as Record<string, unknown>).map(([key, value]) => [key, unwrap(value)]));
}

function sourcesOf(spec: unknown, prefix = '', out: Record<string, string> = {}): Record<string, string> {
  if (isLeaf(spec)) out[prefix] = spec.src;
  else for (const [key, value] of Object.entries(spec as Record<string, unknown>)) sourcesOf(value, prefix ? `${prefix}.${key}` : key, out);
  return out;
}

const MODELS = new Map(SPECS.map((spec) => [spec.id.v, { params: unwrap(spec) as ModelParams, sources: sourcesOf(spec) }]));

export function isModelId(text: string): text is ModelId {
  return MODELS.has(text as ModelId);
}

/** The parameters of one model (a fresh copy: callers may not change the table). */
export function getModel(id: string): ModelParams {
  const entry = MODELS.get(id as ModelId);
  if (!entry) throw new Error(`unknown robot model "${id}": one of ${MODEL_IDS.join(', ')}`);
  return structuredClone(entry.params);
}

/** Where every value of a model comes from, by field path (e.g. `drives.count`): a source or 'assumption'. */
export function modelSources(id: ModelId): Record<string, string> {
  return { ...MODELS.get(id)!.sources };
}

export function listModels(): ModelParams[] {
  return MODEL_IDS.map((id) => getModel(id));
}

/** Whether the model offers a PTRobot system action (by name, e.g. ALIGNPRINTER). */
export function supportsAction(model: ModelParams, action: string): boolean {
  const bit = SYSTEM_ACTIONS[action];
  return bit !== undefined && (model.acts & bit) !== 0;
}
