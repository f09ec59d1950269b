// Checks the arguments of a robotic verb against the model and the world (docs/robot-protocol.md
// §5: 603 bad argument, 503 drive, 504 bin, 508 no printer, 509/511 print file, 515 location)
// and turns it into the steps of its operation. Whether the robot is free (528) is the device's
// question, asked after these checks.

import fs from 'node:fs';
import path from 'node:path';
import { resolveDestination, resolveSource } from './locations.ts';
import * as ops from './operations.ts';
import type { Step, StepEnv } from './operations.ts';

export type Planned = { ok: true; steps: Step[]; drives: number[] } | { ok: false; code: number; arg?: string };

const PRINTABLE = new Set(['.jpg', '.jpeg', '.bmp', '.png', '.tif', '.tiff', '.prn', '.std']);

export const ROBOTIC_VERBS = ['LOAD_DRIVE', 'LOAD_PRINTER', 'LOAD_PRINTER_FROM_DRIVE', 'UNLOAD_DRIVE', 'UNLOAD_PRINTER', 'MOVE', 'PRINT'] as const;

function bad(arg: string): Planned {
  return { ok: false, code: 603, arg };
}

function fail(code: number): Planned {
  return { ok: false, code };
}

export function planRobotic(env: StepEnv, verb: string, args: Record<string, string>): Planned {
  const { model } = env;
  const drive = (): number | Planned => {
    if (!/^\d{1,3}$/.test(args.drive ?? '')) return bad('drive');
    const index = Number(args.drive);
    return index < model.drives.count ? index : fail(503);
  };
  const needs = (...keys: string[]) => keys.find((key) => args[key] === undefined);
  const missing = needs(...requiredArgs(verb));
  if (missing) return bad(missing);
  if (['LOAD_PRINTER', 'LOAD_PRINTER_FROM_DRIVE', 'UNLOAD_PRINTER', 'PRINT'].includes(verb) && !model.printer.present) return fail(508);

  switch (verb) {
    case 'LOAD_DRIVE': {
      const d = drive();
      if (typeof d !== 'number') return d;
      const clear = args.clear ?? '0';
      if (clear !== '0' && clear !== '1') return bad('clear');
      const source = resolveSource(args.from, model);
      if (!source.ok) return fail(504);
      return { ok: true, steps: ops.loadDrive(env, d, source.place, clear === '1'), drives: [d] };
    }
    case 'LOAD_PRINTER': {
      const source = resolveSource(args.from, model);
      if (!source.ok || source.place.kind === 'printer') return fail(504);
      return { ok: true, steps: ops.loadPrinter(env, source.place), drives: [] };
    }
    case 'LOAD_PRINTER_FROM_DRIVE': {
      const d = drive();
      if (typeof d !== 'number') return d;
      return { ok: true, steps: ops.loadPrinterFromDrive(env, d), drives: [d] };
    }
    case 'UNLOAD_DRIVE': {
      const d = drive();
      if (typeof d !== 'number') return d;
      const target = resolveDestination(args.to, model);
      if (!target.ok) return fail(515);
      return { ok: true, steps: ops.unloadDrive(env, d, target.place), drives: [d] };
    }
    case 'UNLOAD_PRINTER': {
      const target = resolveDestination(args.to, model);
      if (!target.ok || target.place.kind === 'printer') return fail(515);
      return { ok: true, steps: ops.unloadPrinter(env, target.place), drives: [] };
    }
    case 'MOVE': {
      const source = resolveSource(args.from === '0' ? undefined : args.from, model);
      const target = resolveDestination(args.to, model);
      if (!source.ok || !target.ok) return fail(515);
      return { ok: true, steps: ops.move(env, source.place, target.place), drives: [] };
    }
    case 'PRINT': {
      const file = args.file!;
      if (args.index !== undefined && !/^\d{1,5}$/.test(args.index)) return bad('index');
      if (!PRINTABLE.has(path.extname(file).toLowerCase())) return fail(509);
      if (!path.isAbsolute(file) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return fail(511);
      return { ok: true, steps: ops.print(env), drives: [] };
    }
    default:
      return fail(602);
  }
}

function requiredArgs(verb: string): string[] {
  switch (verb) {
    case 'LOAD_DRIVE': return ['drive', 'from'];
    case 'LOAD_PRINTER': return ['from'];
    case 'LOAD_PRINTER_FROM_DRIVE': return ['drive'];
    case 'UNLOAD_DRIVE': return ['drive', 'to'];
    case 'UNLOAD_PRINTER': return ['to'];
    case 'MOVE': return ['from', 'to'];
    case 'PRINT': return ['file'];
    default: return [];
  }
}
