// The fields of the query replies that describe the unit: GET_INFO, the DRIVE events of
// ENUM_DRIVES, GET_STATUS and MEDIA_INFO (docs/robot-protocol.md §5), in the documented order.

import { cartridgeCodes, inkLevels } from './ink.ts';
import type { ModelParams } from './models.ts';
import type { Robot } from './robot.ts';
import type { Disc, World } from './world.ts';

export function infoFields(model: ModelParams): Record<string, string> {
  return {
    type: String(model.robotType),
    model: model.id,
    desc: model.description,
    fw: model.firmware,
    drives: String(model.drives.count),
    printers: model.printer.present ? '1' : '0',
    bins: String(model.bins.count),
    kiosk: model.bins.kiosk ? '1' : '0',
    acts: `0x${model.acts.toString(16).toUpperCase()}`,
    maxPerBin: String(model.bins.maxPerBin),
    trayControl: 'robot',
    serial: `SIM-${model.id}`,
  };
}

export function driveFields(model: ModelParams, index: number): Record<string, string> {
  return {
    i: String(index),
    col: String(Math.floor(index / model.drives.rows)),
    row: String(index % model.drives.rows),
    name: `SIM ${model.drives.media[0]} drive`,
    serial: `SIM-${model.id}-D${index}`,
    dev: `sim:${index}`,
  };
}

export function printerTray(world: World): 'D' | 'I' | 'O' {
  if (world.printer.trayOut) return 'O';
  return world.printer.discs.length > 0 ? 'D' : 'I';
}

export function statusFields(robot: Robot, world: World): Record<string, string> {
  const s = robot.status();
  return {
    state: String(s.state),
    syserr: String(s.syserr),
    phase: s.phase,
    op: String(s.op),
    bins: robot.reportedBins().join(','),
    tray: printerTray(world),
    picker: world.picker.length > 0 ? 'O' : 'X',
    cover: world.cover.open ? '1' : '0',
    coverOpened: world.cover.openedFlag ? '1' : '0',
    carts: cartridgeCodes(world),
    ink: inkLevels(world),
    prints: String(world.counters.prints),
    picks: String(world.counters.picks),
  };
}

export function mediaFields(disc: Disc): Record<string, string> {
  return { type: disc.media, id: disc.id, blank: disc.state === 'blank' ? '1' : '0' };
}
