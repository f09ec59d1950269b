// The system error PTBurn would show for the physical robot's state: the PTRobot SYSERR the
// simulated unit stands in, turned into PTBurn's number with errors.ts's table. Where PTBurn has no
// number of its own for a PTRobot error (errors.ts maps it to null) the emulator picks the nearest
// one PTBurn does have, listed here so the choice is visible in one place.

import { ptburnNumberForPtrobot, ptburnSystemError } from '../../src/robot/ptburn/errors.ts';

/** PTRobot SYSERR → the nearest PTBurn system error, for those errors.ts leaves without one. */
const NEAREST: Readonly<Record<number, number>> = {
  18: 17, // several discs in the printer: "multiple discs were picked"
  19: 17, // several discs in a recorder: likewise
  30: 39, 31: 39, 32: 39, // dropped on the way to bins 3–5: "the disc was dropped"
  55: 4, // cartridges need purging: an internal printer problem
  56: 10, // dock sensor: the picker/cartridge could not move
  57: 40, // the disc in the printer is already printed: the disc to print is not the expected one
  58: 13, // unknown hardware: no robotic drives PTBurn can use
};

export function ptburnSystemErrorFor(ptrobotSyserr: number): { number: number; message: string } {
  const mapped = ptburnNumberForPtrobot(ptrobotSyserr) ?? NEAREST[ptrobotSyserr] ?? 12;
  return { number: mapped, message: ptburnSystemError(mapped).message };
}
