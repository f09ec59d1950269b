// The simulator-only verbs (docs/robot-protocol.md §7): a new world, the clock, fault injection,
// the operator's hands (bins, cover, button, ink, cartridges, discs, power), the snapshot and the
// virtual recorders. A bridge answers all of them with 606; the simulator with these.

import fs from 'node:fs';
import path from 'node:path';
import { encodeValue, MAX_LINE_BYTES } from '../src/robot/dprp/frame.ts';
import type { Answer, Fields, SimDevice } from './device.ts';
import { appliesTo } from './faults.ts';
import { prepareFault } from './fault-triggers.ts';
import { resolveOperatorPlace } from './locations.ts';
import { getModel, isModelId } from './models.ts';
import { fillBin, placeDisc, removeDisc, setCartridge, setInk, type OperatorContext, type OperatorResult } from './operator.ts';

const bad = (arg: string): Answer => ({ ok: false, code: 603, arg });

function int(text: string | undefined): number {
  return text !== undefined && /^\d{1,6}$/.test(text) ? Number(text) : NaN;
}

function fromOperator(result: OperatorResult): Answer {
  return result.ok ? { ok: true, fields: result.disc ? { disc: result.disc } : {} } : bad(result.arg);
}

export function handleSimVerb(device: SimDevice, verb: string, args: Fields): Answer {
  const ctx: OperatorContext = { world: device.world, model: device.model, robot: device.robot, clock: device.clock, commit: () => device.commit() };
  switch (verb) {
    case 'SIM_RESET': {
      const id = args.model ?? device.model.id;
      if (!isModelId(id)) return bad('model');
      device.reset(getModel(id));
      return { ok: true };
    }
    case 'SIM_CLOCK': {
      const scale = args.scale === undefined || args.scale.trim() === '' ? NaN : Number(args.scale);
      if (!Number.isFinite(scale) || scale < 0) return bad('scale');
      device.clock.setScale(scale);
      return { ok: true };
    }
    case 'SIM_FAULT': {
      const prepared = prepareFault(args);
      if (!prepared.ok) return bad(prepared.arg);
      const { armed } = prepared;
      if (!appliesTo(armed.def, device.model)) return { ok: false, code: 520 };
      const effect = armed.def.effect;
      if (armed.trigger.kind !== 'now' || (armed.def.level !== 'robot' && armed.def.level !== 'link')) device.faults.arm(armed);
      else if (effect.kind === 'link') device.afterReply(() => device.linkFault(effect.what));
      else device.robot.fireNow(armed.def);
      return { ok: true };
    }
    case 'SIM_CLEARFAULTS':
      device.faults.clear();
      return { ok: true };
    case 'SIM_BIN':
      return fromOperator(fillBin(ctx, int(args.bin), int(args.count), args.media));
    case 'SIM_COVER':
      if (args.open !== '0' && args.open !== '1') return bad('open');
      device.robot.coverMoved(args.open === '1');
      return { ok: true };
    case 'SIM_BUTTON': {
      const button = args.button ?? 'left';
      if (button !== 'left' && button !== 'power') return bad('button');
      device.robot.killError(button === 'power');
      return { ok: true };
    }
    case 'SIM_INK':
      return fromOperator(setInk(ctx, int(args.slot), Number(args.pct ?? 'x')));
    case 'SIM_CART':
      return fromOperator(setCartridge(ctx, int(args.slot), args.type ?? ''));
    case 'SIM_PLACE': {
      const place = resolveOperatorPlace(args.loc, device.model);
      return place.ok ? fromOperator(placeDisc(ctx, place.place, args.media)) : bad('loc');
    }
    case 'SIM_REMOVE': {
      const place = resolveOperatorPlace(args.loc, device.model);
      if (!place.ok) return bad('loc');
      const to = resolveOperatorPlace(args.to ?? '200', device.model);
      if (!to.ok || to.place.kind === 'chassis') return bad('to');
      return fromOperator(removeDisc(ctx, place.place, to.place, args.disc));
    }
    case 'SIM_POWER':
      if (args.state === 'off') device.robot.powerOff();
      else if (args.state === 'on') void device.robot.powerOn();
      else return bad('state');
      return { ok: true };
    case 'SIM_SNAPSHOT':
      return snapshotAnswer(device);
    case 'SIM_DRIVE_WRITE': {
      const refusal = device.recorders.start(args);
      return refusal ? { ok: false, code: refusal.code, ...(refusal.arg ? { arg: refusal.arg } : {}) } : { ok: true };
    }
    default:
      return { ok: false, code: 602 };
  }
}

/**
 * `json=` when the snapshot fits a line (1024 bytes); a world with many discs does not, and then
 * the reply names a file holding it (`file=`, `bytes=`): simulator and host share the file system.
 */
function snapshotAnswer(device: SimDevice): Answer {
  const json = JSON.stringify(device.snapshot());
  if (encodeValue(json).length + 64 <= MAX_LINE_BYTES) return { ok: true, fields: { json } };
  const file = path.join(device.simDir, 'snapshot.json');
  fs.writeFileSync(file, json);
  return { ok: true, fields: { file, bytes: String(Buffer.byteLength(json)) } };
}
