// PTRobot's system errors (SYSERR_*, 0–58) as DPRP carries them, each with the kind the robot actor
// reacts to and the hint an operator reads. Numbers and names come from PTRobot.h
// (shared/reference/primera-robot.md §3.4); kinds and hints are ours (§8.2, PTBurn wording §4.7).

export type ErrorKind = 'operator' | 'consumable' | 'mechanical' | 'communication' | 'media' | 'configuration';

export interface SystemError {
  code: number;
  name: string;
  kind: ErrorKind;
  /** What the operator does; shown on the dashboard and in the job's pause reason. */
  hint: string;
}

const rows: Array<[number, string, ErrorKind, string]> = [
  [1, 'PTR_TRAY', 'mechanical', 'The printer tray could not move: check for an obstruction, then press the button.'],
  [2, 'CART_CODE', 'consumable', 'An ink cartridge is not valid for this printer: install a genuine cartridge.'],
  [3, 'INPUT_EMPTY', 'operator', 'The input bin is empty: load blank discs, then press the button.'],
  [4, 'PTR_COMM', 'communication', 'Internal printer communication failed: press the button to retry.'],
  [5, 'CLR_EMPTY', 'consumable', 'Colour ink is low: replace the cartridge or acknowledge to go on.'],
  [6, 'BLK_EMPTY', 'consumable', 'Black ink is low: replace the cartridge or acknowledge to go on.'],
  [7, 'BOTH_EMPTY', 'consumable', 'Colour and black ink are low: replace the cartridges or acknowledge to go on.'],
  [8, 'PICK', 'operator', 'The robot failed to pick a disc: check the discs are not stuck together, then press the button.'],
  [9, 'ARM_MOVE', 'mechanical', 'The robotic arm could not move: check for an obstruction, then press the button.'],
  [10, 'CART_MOVE', 'mechanical', 'The picker carriage could not move: check for an obstruction, then press the button.'],
  [12, 'INTERNAL_SW', 'configuration', 'Internal software error in the robot: restart the robot.'],
  [13, 'NO_ROBODRIVES', 'configuration', 'No robotic drives were found: check the drive cabling and configuration.'],
  [14, 'OFFLINE', 'communication', 'The robot is offline: switch it on and check the cable.'],
  [15, 'COVER_OPEN', 'operator', 'The cover is open: close it.'],
  [16, 'PRINTER_PICK', 'operator', 'The disc could not be picked from the printer: remove it by hand, then press the button.'],
  [17, 'MULTIPLE_PICK', 'operator', 'More than one disc was picked: remove the extra disc, then press the button.'],
  [18, 'MULTIPLEDISCS_IN_PRINTER', 'operator', 'More than one disc is in the printer: remove the extra disc, then press the button.'],
  [19, 'MULTIPLEDISCS_IN_RECORDER', 'operator', 'More than one disc is in a recorder: remove the extra disc, then press the button.'],
  [20, 'DROPPED_DISC_RECORDER', 'operator', 'A disc was dropped on the way to a recorder: place it in the recorder, then press the button.'],
  [28, 'DROPPED_DISC_BIN1', 'operator', 'A disc was dropped on the way to bin 1: place it in the bin, then press the button.'],
  [29, 'DROPPED_DISC_BIN2', 'operator', 'A disc was dropped on the way to bin 2: place it in the bin, then press the button.'],
  [30, 'DROPPED_DISC_BIN3', 'operator', 'A disc was dropped on the way to bin 3: place it in the bin, then press the button.'],
  [31, 'DROPPED_DISC_BIN4', 'operator', 'A disc was dropped on the way to bin 4: place it in the bin, then press the button.'],
  [32, 'DROPPED_DISC_BIN5', 'operator', 'A disc was dropped on the way to bin 5: place it in the bin, then press the button.'],
  [33, 'DROPPED_DISC_PRINTER', 'operator', 'A disc was dropped on the way to the printer: place it in the printer tray, then press the button.'],
  [34, 'DROPPED_DISC_REJECT', 'operator', 'A disc was dropped on the way to the reject slide: place it in the reject bin, then press the button.'],
  [35, 'DROPPED_DISC_UNKNOWN', 'operator', 'A disc was dropped: find it, place it where it was going, then press the button.'],
  [36, 'ALIGNNEEDED', 'consumable', 'The printer needs alignment after a cartridge change: run the alignment.'],
  [37, 'COLOR_INVALID', 'consumable', 'The colour cartridge is invalid: install a valid one.'],
  [38, 'BLACK_INVALID', 'consumable', 'The black cartridge is invalid: install a valid one.'],
  [39, 'BOTH_INVALID', 'consumable', 'Both cartridges are invalid: install valid ones.'],
  [40, 'NOCARTS', 'consumable', 'No ink cartridges are installed: install them.'],
  [41, 'K_IN_CMY', 'consumable', 'The black cartridge is in the colour slot: swap them.'],
  [42, 'CMY_IN_K', 'consumable', 'The colour cartridge is in the black slot: swap them.'],
  [43, 'SWAPPED', 'consumable', 'The cartridges are swapped: swap them back.'],
  [44, 'PIGONPRO', 'consumable', 'Pigment cartridges are not allowed in this model: install dye cartridges.'],
  [45, 'ALIGNFAILED', 'consumable', 'Printer alignment failed: clean the cartridges and align again.'],
  [46, 'DROPPED_DISC_PRINTER_FATAL', 'mechanical', 'A disc fell inside the printer: remove it and reset the printer.'],
  [47, 'MULTIPLEDISCS_IN_RIGHTBIN', 'operator', 'More than one disc lies in the right bin: remove the extra disc, then press the button.'],
  [48, 'MULTIPLEDISCS_IN_LEFTBIN', 'operator', 'More than one disc lies in the left bin: remove the extra disc, then press the button.'],
  [49, 'CLR_EMPTY_FINAL', 'consumable', 'The colour cartridge is empty: change it.'],
  [50, 'BLK_EMPTY_FINAL', 'consumable', 'The black cartridge is empty: change it.'],
  [51, 'BOTH_EMPTY_FINAL', 'consumable', 'Both cartridges are empty: change them.'],
  [52, 'WAITING_FOR_PRINTER', 'communication', 'The printer did not answer in time: press the button to retry.'],
  [53, 'NO_DISC_IN_PRINTER', 'operator', 'The printer tray holds no disc: place the disc in the tray, then press the button.'],
  [54, 'BUSY', 'communication', 'The robot is busy with another command.'],
  [55, 'PURGE', 'consumable', 'The cartridges need purging: run a cartridge clean.'],
  [56, 'DOCK_SENSOR', 'mechanical', 'The dock sensor failed: check the printer carriage, then press the button.'],
  [57, 'ALREADY_PRINTED', 'operator', 'The disc in the printer is already printed: remove it, then press the button.'],
  [58, 'UNKNOWN_HARDWARE', 'configuration', 'The robot reports unknown hardware: check the model and firmware.'],
];

export const SYSTEM_ERRORS: ReadonlyMap<number, SystemError> = new Map(
  rows.map(([code, name, kind, hint]) => [code, { code, name: `SYSERR_${name}`, kind, hint }]),
);

/** An unknown number (a newer firmware) is still an error: mechanical, with the number in the hint. */
export function systemError(code: number): SystemError {
  return SYSTEM_ERRORS.get(code) ?? { code, name: `SYSERR_${code}`, kind: 'mechanical', hint: `The robot reports error ${code}: see its manual.` };
}

/** Ink-low warnings block until acknowledged (IGNOREINKLOW) or the cartridge is changed (§8.6). */
export const INK_LOW_ERRORS: ReadonlySet<number> = new Set([5, 6, 7]);
