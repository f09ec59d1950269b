// PTBurn's own error numbering (PTBurn 3 SDK rev 3.24 Appendix C; shared/reference/primera-robot.md
// §4.7), which differs from PTRobot's SYSERR numbers in src/robot/syserr.ts:
// - system errors 0–42 (SysErrorNumber): names are the JPSYSERR_* identifiers of the macOS
//   JobProcessor framework (as listed by the OsiriX DiscPublishing plugin, pixmeo/osirixplugins),
//   `message` is PTBurn's SysErrorString as printed in Appendix C (typos included, since the
//   emulator writes it back), kinds and hints are ours, classified as syserr.ts classifies PTRobot's;
// - job/disc errors 1–40 (JobErrorNumber, DiscErrorNumberX) with J (fails the job) / D (fails the disc);
// - the PTRobot SYSERR → PTBurn number mapping, with which the emulator reports the physical
//   simulator's faults as PTBurn would.

import type { ErrorKind } from '../syserr.ts';

export interface PtburnSystemError {
  number: number;
  name: string;
  /** 'none' only for 0. */
  kind: ErrorKind | 'none';
  /** PTBurn's SysErrorString. */
  message: string;
  /** What the operator does, in plain words (PTBurn's recovery text, Appendix C, shortened). */
  hint: string;
  /** A .PTM command that clears it from the client side, when there is one (§4.4, §4.5). */
  clearedBy?: 'IGNORE_INKLOW' | 'ALIGN_PRINTER';
}

const A = 'Administrator attention: ';
const BUTTON = 'then press the left (Cartridge) button on the unit';

const systemRows: Array<[number, string, ErrorKind | 'none', string, string]> = [
  [0, 'NONE', 'none', 'No Errors', 'Nothing to do.'],
  [1, 'PTR_TRAY', 'mechanical', `${A}Printer tray movement error.`, `The printer tray could not move: clear any obstruction, ${BUTTON}.`],
  [2, 'CART_CODE', 'consumable', `${A}Invalid cartridge.`, `The ink cartridges were not found: open the cover, check colour is on the left and black on the right, ${BUTTON}, close the cover.`],
  [3, 'INPUT_EMPTY', 'operator', `${A}Input bin is empty.`, `The input bin is empty: load blank discs, ${BUTTON}.`],
  [4, 'PTR_COMM', 'communication', `${A}Internal printer communication error.`, `Internal printer communication failed: ${BUTTON} to retry.`],
  [5, 'CLR_EMPTY', 'consumable', `${A}Color ink cartridge is low.`, 'Colour ink is low: replace the left cartridge, or acknowledge the warning to go on.'],
  [6, 'BLK_EMPTY', 'consumable', `${A}Black ink cartridge is low.`, 'Black ink is low: replace the right cartridge, or acknowledge the warning to go on.'],
  [7, 'BOTH_EMPTY', 'consumable', `${A}Both ink cartridges are low.`, 'Both inks are low: replace the cartridges, or acknowledge the warning to go on.'],
  [8, 'PICK', 'operator', `${A}Failure picking disc.`, `The robot failed to pick a disc: check the discs are not stuck together, ${BUTTON}.`],
  [9, 'ARM_MOVE', 'mechanical', `${A}Mechanical error moving robotic arm.`, `The robotic arm could not move: clear any obstruction, ${BUTTON}.`],
  [10, 'CART_MOVE', 'mechanical', `${A}Mechanical error moving printer cartridge.`, `The picker could not home or hook up: clear any obstruction, ${BUTTON}.`],
  [11, 'ADMIN', 'configuration', `${A}Server lacks local admin rights on the machine.`, 'The PTBurn server lacks local administrator rights: run it with them and restart it.'],
  [12, 'INTERNAL_SW', 'configuration', `${A}Internal software error (PTBurn.exe).`, 'PTBurn had an internal software error: restart the PTBurn service.'],
  [13, 'NO_ROBODRIVES', 'configuration', `${A}No robotically controlled drives are present.`, 'PTBurn found no robotic recorders: unplug and replug the publisher, reboot the server, restart PTBurn.'],
  [14, 'OFFLINE', 'communication', `${A}The unit is offline.`, 'The publisher is offline: check it is connected and switched on, then restart the PTBurn service.'],
  [15, 'COVER_OPEN', 'operator', `${A}The cover on the unit has been open for an extended period of time.`, 'The cover is open: close it.'],
  // Appendix C prints "Adminstrator" for 16; kept, since PTBurn writes its own string.
  [16, 'PRINTER_PICK', 'operator', 'Adminstrator attention: Failure picking disc.', 'The disc could not be taken from the printer: remove it by hand, close the cover, press the power (right) button several times to reset the printer.'],
  [17, 'MULTIPLE_PICK', 'operator', `${A}Multiple discs were picked.`, `More than one disc was picked: remove the extra discs, leave one in place, close the cover, ${BUTTON}.`],
  [18, 'DROPPED_DISC_RECORDER', 'operator', `${A}Disc was dropped while moving into the Recorder.`, `A disc was dropped on the way to a recorder: place it in the recorder tray, close the cover, ${BUTTON}.`],
  [19, 'DROPPED_DISC_PRINTER', 'operator', `${A}Disc was dropped while moving into the Printer.`, `A disc was dropped on the way to the printer: place it in the printer tray, close the cover, ${BUTTON}.`],
  [20, 'DROPPED_DISC_LEFTBIN', 'operator', `${A}Disc was dropped while moving into the Left Bin.`, `A disc was dropped on the way to the left bin: place it in the left bin, close the cover, ${BUTTON}.`],
  [21, 'DROPPED_DISC_REJECT', 'operator', `${A}Disc was dropped while moving to Reject (Front Slide).`, `A disc was dropped on the way to the reject slide: remove it, close the cover, ${BUTTON}.`],
  [22, 'ALIGNNEEDED', 'consumable', `${A}The printer needs alignment.`, 'The printer needs aligning after a cartridge change: run the alignment.'],
  [23, 'COLOR_INVALID', 'consumable', `${A}Invalid color cartridge.`, 'The colour cartridge is invalid: open the cover, press the Cartridge button, change it, close the cover.'],
  [24, 'BLACK_INVALID', 'consumable', `${A}Invalid black cartridge.`, 'The black cartridge is invalid: open the cover, press the Cartridge button, change it, close the cover.'],
  [25, 'BOTH_INVALID', 'consumable', `${A}Both cartridges are invalid.`, 'Both cartridges are invalid: open the cover, press the Cartridge button, change them, close the cover.'],
  [26, 'NOCARTS', 'consumable', `${A}No cartridges are installed.`, 'No ink cartridges are installed: open the cover, press the Cartridge button, install them, close the cover.'],
  [27, 'K_IN_CMY', 'consumable', `${A}The Black Cartridge is in the Color Cartridge holder.`, 'The black cartridge sits in the colour holder: swap it into the black holder.'],
  [28, 'CMY_IN_K', 'consumable', `${A}The Color Cartridge is in the Black Cartridge holder.`, 'The colour cartridge sits in the black holder: swap it into the colour holder.'],
  [29, 'SWAPPED', 'consumable', `${A}The Color and Black cartridges are swapped.`, 'The colour and black cartridges are swapped: swap them back.'],
  [30, 'PIGONPRO', 'consumable', `${A}This printer is not compatible with a pigment based cartridge.`, 'A pigment cartridge is not allowed in this printer: install a dye cartridge.'],
  [31, 'ALIGNFAILED', 'consumable', `${A}The alignment print failed.`, 'The alignment print failed: check the cartridges and run the alignment again.'],
  [32, 'DROPPED_DISC_PRINTER_FATAL', 'mechanical', `${A}The disc was dropped moving into the printer.`, 'A disc fell inside the printer: remove it and reset the printer.'],
  [33, 'MULTIPLEDISCS_IN_RIGHTBIN', 'operator', `${A}Multiple discs were placed into the right bin.`, `More than one disc went into the right bin: remove the extra disc, ${BUTTON}.`],
  [34, 'MULTIPLEDISCS_IN_LEFTBIN', 'operator', `${A}Multiple discs were placed into the left bin.`, `More than one disc went into the left bin: remove the extra disc, ${BUTTON}.`],
  [35, 'CLR_EMPTY_FINAL', 'consumable', `${A}The color cartridge is empty.`, 'The colour cartridge is empty: open the cover, press the left button, install a new cartridge, close the cover.'],
  [36, 'BLK_EMPTY_FINAL', 'consumable', `${A}The black cartridge is empty.`, 'The black cartridge is empty: open the cover, press the left button, install a new cartridge, close the cover.'],
  [37, 'BOTH_EMPTY_FINAL', 'consumable', `${A}Both ink cartridges are empty.`, 'Both cartridges are empty: open the cover, press the left button, install new cartridges, close the cover.'],
  [38, 'WAITING_FOR_PRINTER', 'communication', `${A}Timed out waiting for printer.`, 'The printer did not finish in time; the disc may be unprinted: check it, then retry.'],
  [39, 'DROPPED_DISC_OTHER', 'operator', `${A}The disc was dropped.`, `A disc was dropped: find it, put it where it was going, ${BUTTON}.`],
  [40, 'NO_DISC_IN_PRINTER', 'operator', `${A}The disc is missing from the printer tray.`, 'The disc to print is missing from the printer tray: put it back in the tray and close the tray (left button with the cover closed).'],
  [41, 'DROPPED_DISC_RIGHTBIN', 'operator', `${A}The disc was dropped while moving into the Right Bin.`, `A disc was dropped on the way to the right bin: place it in the right bin, close the cover, ${BUTTON}.`],
  [42, 'BUSY', 'communication', `${A}Timed out waiting for robot response.`, 'The robot is not responding: check its power and cable, then restart the PTBurn service.'],
];

const CLEARED_BY: Record<number, PtburnSystemError['clearedBy']> = { 5: 'IGNORE_INKLOW', 6: 'IGNORE_INKLOW', 7: 'IGNORE_INKLOW', 22: 'ALIGN_PRINTER' };

export const PTBURN_SYSTEM_ERRORS: ReadonlyMap<number, PtburnSystemError> = new Map(
  systemRows.map(([number, name, kind, message, hint]) => {
    const clearedBy = CLEARED_BY[number];
    const entry: PtburnSystemError = { number, name: `JPSYSERR_${name}`, kind, message, hint };
    return [number, clearedBy ? { ...entry, clearedBy } : entry];
  }),
);

/** A number beyond 42 (a newer PTBurn) is still an error: mechanical, with the number in the hint. */
export function ptburnSystemError(number: number): PtburnSystemError {
  return PTBURN_SYSTEM_ERRORS.get(number) ?? {
    number, name: `JPSYSERR_${number}`, kind: 'mechanical', message: `System error ${number}`,
    hint: `PTBurn reports system error ${number}: see the PTBurn manual.`,
  };
}

/** Ink low (5, 6, 7): a warning that blocks until IGNORE_INKLOW or a new cartridge. */
export const PTBURN_INK_LOW: ReadonlySet<number> = new Set([5, 6, 7]);

export interface PtburnJobError {
  number: number;
  name: string;
  /** 'job' fails the whole job; 'disc' fails one disc, which PTBurn rejects and retries. */
  fails: 'job' | 'disc';
  /** PTBurn's JobErrorString / DiscErrorStringX as printed in Appendix C. */
  message: string;
  /** Plain words for an operator or a log. */
  description: string;
}

const jobRows: Array<[number, string, 'J' | 'D', string, string]> = [
  // Appendix C rev 3.24 prints no string for 1; this one is our wording from its description.
  [1, 'INTERNAL_RECORDING', 'J', 'Internal recording engine error.', 'The recording engine failed.'],
  [2, 'INTERNAL_JOBPROC', 'J', 'Internal Job Processor error.', 'The PTBurn job processor failed.'],
  [3, 'INTERNAL_ROBOTICS', 'J', 'Internal robotics error.', 'The robotics module failed.'],
  [4, 'BURNFILE_INVALID', 'J', 'The file/s you are trying to burn are invalid.', 'A file to burn is missing, corrupt or of the wrong kind.'],
  [5, 'BURNFILE_TOO_MANY', 'J', 'The number of files you are trying to burn exceeds the limit.', 'More than 99 files or folders were given at the top level.'],
  [6, 'BURNFILE_NONE', 'J', 'There is no burn file defined for this job.', 'The job names nothing to burn.'],
  [7, 'PRINTFILE_INVALID', 'J', 'The print file is invalid.', 'The label file is not .STD, .BMP, .JPG or .PRN, or a .PRN made for another printer.'],
  [8, 'JOBFILE_INVALID', 'J', 'The job request file is invalid.', 'The job request file is missing, locked or unreadable.'],
  [9, 'STATUSFILE', 'J', 'The status file is corrupted or invalid.', 'The status file is corrupt (not raised by the SDK version).'],
  [10, 'MEDIA_INVALID', 'D', 'The media (CD/DVD) is invalid.', 'The disc is unusable: flipped, unreadable, or it failed a media check.'],
  [11, 'MEDIA_NO_SPACE', 'D', 'The media (CD/DVD) has insufficient space.', 'The data does not fit on the disc.'],
  [12, 'MEDIA_NOT_BLANK', 'D', 'The media (CD/DVD) is not blank.', 'The disc is not blank and the job asked to reject such discs.'],
  [13, 'DRIVE_OPENCLOSE', 'J', 'The drive failed to open/close.', 'A recorder tray did not open or close.'],
  [14, 'DRIVE_NOT_READY', 'D', 'The drive failed to become ready in a reasonable time.', 'The recorder never became ready with the disc, usually poor media.'],
  [15, 'DRIVE_NOT_ROBOTIC', 'J', 'The drive selected is not a robotically controlled drive.', 'The recorder used is not the one inside the publisher.'],
  [16, 'ABORTED', 'J', 'The job was aborted.', 'The job was cancelled.'],
  [17, 'DVD_INVALID', 'J', 'The DVD structure was invalid.', 'VIDEO_TS or AUDIO_TS breaks the DVD-Video or DVD-Audio rules.'],
  [18, 'RECORDING', 'D', 'Error recording the disc, see the log file for further information.', 'Writing the disc failed.'],
  [19, 'VERIFYING', 'D', 'Error verifying the disc, see the log file for further information.', 'The disc did not read back as written.'],
  [20, 'REJECTS_TOO_MANY', 'J', 'The number of allowable rejects was exceeded.', 'Too many discs in a row were rejected.'],
  [21, 'SESSION_INVALID', 'J', 'The session of a mulitsession disc is invalid.', 'A session of a multisession disc is invalid.'],
  [22, 'CLIENT_INVALID', 'J', 'This client (You) are not authorized to use the server and there are no licenses available.', 'This client has no licence on the server (not raised by the SDK version).'],
  [23, 'CLIENTMSG_INVALID', 'J', 'Error processing client message.', 'A command file could not be processed.'],
  [24, 'UNKNOWN_JOBTYPE', 'J', 'An unknown job type was attempted.', 'The job request asks for a kind of job PTBurn does not know.'],
  [25, 'KEYVALUE_INVALID', 'J', 'A critical key or value in the job request was invalid', 'A key or value in the job request is invalid.'],
  [26, 'TEMP_OVERFLOW', 'J', 'The temporary folder has exceeded its limit.', 'The server ran out of temporary space.'],
  [27, 'CDTEXT_INVALID', 'J', 'The CDText you attempted to use is invalid.', 'The CD-Text is malformed or too long.'],
  [28, 'PRINTAPP_NOTINSTALLED', 'J', 'The print application is not installed.', 'The label printing application is not installed on the server.'],
  [29, 'PRINTFILE_NOTEXIST', 'J', 'The print file does not exist.', 'The label file named in the job does not exist.'],
  [30, 'INVALIDCART_FOR_PRINT', 'J', 'Invalid cartridge/s for the print file specified.', 'The installed cartridges cannot print this label (e.g. colour label, black cartridge only).'],
  [31, 'READLOC_NO_SPACE', 'D', 'Insufficient space in the read disc location.', 'There is no room to store a disc being read.'],
  [32, 'READING', 'D', 'Error reading the disc, see the log file for further information.', 'Reading the disc failed.'],
  [33, 'INVALID_PVDFIELD', 'J', 'The PVD data is invalid', 'A volume descriptor field is invalid, usually too long.'],
  [34, 'INVALID_PVDJOBTYPE', 'J', 'Invalid job type for specifying PVD Data', 'Volume descriptor fields were given for a job that is not a data disc.'],
  [35, 'CREATING_IMAGE', 'J', 'Error creating disc image', 'The disc image could not be built.'],
  [36, 'NO_STATUS', 'J', 'Unable to get status', 'PTBurn could not get status from the unit.'],
  [37, 'NOT_SUPPORTED', 'J', 'Feature not supported', 'The robot does not support the action asked for.'],
  [38, 'INVALID_JOB_ID', 'J', 'Invalid Job ID', 'The job ID is invalid.'],
  [39, 'STRING_TOO_LONG', 'J', 'String too long', 'A merge field is longer than 260 characters.'],
  // The Mac framework's list ends in JOBERR_NOT_READY; PTBurn 3.23 added 40 as a printing exception.
  [40, 'PRINTING_EXCEPTION', 'J', 'There was a printing exception', 'Printing failed fatally.'],
];

export const PTBURN_JOB_ERRORS: ReadonlyMap<number, PtburnJobError> = new Map(
  jobRows.map(([number, name, fails, message, description]) => [
    number,
    { number, name: `JOBERR_${name}`, fails: fails === 'J' ? 'job' : 'disc', message, description },
  ]),
);

export function ptburnJobError(number: number): PtburnJobError {
  return PTBURN_JOB_ERRORS.get(number) ?? {
    number, name: `JOBERR_${number}`, fails: 'job', message: `Job error ${number}`, description: `PTBurn reports job error ${number}.`,
  };
}

/**
 * PTRobot SYSERR → PTBurn SysErrorNumber (§4.7). Bin sides follow "Bin1 = right" (§3.6): BIN1 → 41
 * (right bin), BIN2 → 20 (left bin). Null: PTBurn has no number for it (18, 19, 30–32, 55–58), so
 * the emulator must choose what to show (see docs/robot-ptburn.md, open questions).
 */
const mappingRows: Array<[number, number | null]> = [
  [1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [7, 7], [8, 8], [9, 9], [10, 10],
  [12, 12], [13, 13], [14, 14], [15, 15], [16, 16], [17, 17],
  [18, null], [19, null],
  [20, 18], [28, 41], [29, 20], [30, null], [31, null], [32, null], [33, 19], [34, 21], [35, 39], [36, 22],
  [37, 23], [38, 24], [39, 25], [40, 26], [41, 27], [42, 28], [43, 29], [44, 30], [45, 31],
  [46, 32], [47, 33], [48, 34], [49, 35], [50, 36], [51, 37], [52, 38], [53, 40], [54, 42],
  [55, null], [56, null], [57, null], [58, null],
];

export const PTROBOT_TO_PTBURN_SYSTEM_ERROR: ReadonlyMap<number, number | null> = new Map(mappingRows);

/** The PTBurn number for a PTRobot SYSERR: 0 for 0, null when PTBurn has none or the code is unknown. */
export function ptburnNumberForPtrobot(syserr: number): number | null {
  if (syserr === 0) return 0;
  return PTROBOT_TO_PTBURN_SYSTEM_ERROR.get(syserr) ?? null;
}
