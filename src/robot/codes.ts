// Numbers DPRP/1 carries unchanged from PTRobot (command results, locations, system actions) and its
// own protocol errors (600–607). Source: shared/reference/primera-robot.md §3.3, §3.6, §3.7, §8.5.

export const PTROBOT_RESULTS: Readonly<Record<number, string>> = {
  0: 'OK', 500: 'INTERNAL', 501: 'SEQUENCE', 502: 'INVALID_ROBOT', 503: 'INVALID_DRIVE', 504: 'INVALID_BIN',
  505: 'NODRIVES', 506: 'OPENCLOSE_FAILED', 507: 'OVERFLOW', 508: 'NO_PRINTER', 509: 'PRINTFILE_INVALID',
  510: 'PRINTAPP_NOT_INSTALLED', 511: 'PRINTFILE_NOT_FOUND', 512: 'PRN_INVALID', 513: 'UNSUPPORTED_OPTION',
  514: 'DIRNOTFOUND', 515: 'INVALID_LOCATION', 516: 'MULTDRIVES', 517: 'INVALID_PRINTER_SETTINGS',
  518: 'INVALID_DRIVE_POSITION', 519: 'INVALID_ACTION', 520: 'FEATURE_NOT_IMPLEMENTED', 521: 'PRINTAPP_OPEN',
  522: 'MISSING_DLL', 523: 'DRIVE_NOT_READY', 524: 'INVALID_MEDIA', 525: 'NO_MEDIA', 526: 'INVALID_LANG',
  527: 'INVALID_ERROR', 528: 'BUSY', 529: 'INVALID_EXTENSION',
};

export const PROTOCOL_ERRORS: Readonly<Record<number, string>> = {
  600: 'BADFRAME', 601: 'BADCRC', 602: 'UNKNOWN_VERB', 603: 'BADARG', 604: 'NO_ROBOT', 605: 'TIMEOUT',
  606: 'NOT_IN_SIM', 607: 'DUPLICATE_SEQ_CONFLICT',
};

/** Result name as written in `name=` of an `R… ERR` line. */
export function resultName(code: number): string {
  if (PTROBOT_RESULTS[code]) return `PTROBOT_${PTROBOT_RESULTS[code]}`;
  if (PROTOCOL_ERRORS[code]) return `DPRP_${PROTOCOL_ERRORS[code]}`;
  return `CODE_${code}`;
}

/** PTRobot locations: 0 auto, 1..N bins (1 = right-most in calls), 100 printer, 200 reject slide. */
export const LOCATION = { auto: 0, printer: 100, reject: 200 } as const;

export const SYSTEM_ACTIONS: Readonly<Record<string, number>> = {
  ALIGNPRINTER: 0x1, IGNOREINKLOW: 0x2, DISABLEPWRBUTTON: 0x4, REINIT_DRIVES: 0x8, IDENTIFY: 0x10,
  CANCELCMD: 0x20, ENABLEPWRBUTTON: 0x40, RESETSYSTEM: 0x80, CHECKDISCS: 0x100, CLEANCARTRIDGES: 0x200,
  CALIBRATE_ONE_DISC: 0x400, CHANGE_CARTRIDGE: 0x800, END_CARTRIDGE_CHANGE: 0x1000, SHIP_POSITION: 0x2000,
  RESET_LEFT_INK_LEVELS: 0x4000, RESET_RIGHT_INK_LEVELS: 0x8000, ALLOW_NO_CARTRIDGES: 0x10000,
  XI_LIGHT_OFF: 0x20000, XI_LIGHT_ON: 0x40000, XI_LIGHT_FLASH: 0x80000, UNHOOK_PICKER: 0x100000,
  AUTOPRINTER_MODE: 0x200000, FAN_ON: 0x400000, FAN_OFF: 0x800000,
};

/** Busy phases a device reports in `phase=` (a bridge on PTRobot reports UNKNOWN). */
export const BUSY_PHASES = [
  'INITIALIZING', 'CHECKING_BINS', 'PICKING', 'TRAY_OPENING', 'LOADING_DRIVE', 'TRAY_CLOSING', 'CLEARING_DRIVE',
  'UNLOADING_DRIVE', 'LOADING_PRINTER', 'PRINTING', 'UNLOADING_PRINTER', 'DELIVERING', 'MOVING', 'ALIGNING',
  'CLEANING', 'CARTRIDGE_CHANGE', 'IDENTIFYING', 'CANCELLING', 'UNKNOWN',
] as const;
export type BusyPhase = (typeof BUSY_PHASES)[number];

/** PTRobot dwSystemState. */
export const SYSTEM_STATE = { idle: 0, busy: 1, error: 2 } as const;
