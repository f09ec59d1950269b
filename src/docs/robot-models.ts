// docs/robot-models.md: the simulator's model table (every parameter with its source or marked as
// an assumption) and its fault catalogue, generated from simulator/models.ts and simulator/faults.ts
// so that the document and the simulator cannot disagree.

import { getModel, MODEL_IDS, modelSources, type ModelParams } from '../../simulator/models.ts';
import { appliesTo, getFault, listFaults } from '../../simulator/faults.ts';
import { bulletList, code, MarkdownDocument, table } from './markdown.ts';

function flatten(value: unknown, prefix = ''): Array<[string, unknown]> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, inner]) => flatten(inner, prefix ? `${prefix}.${key}` : key));
  }
  return [[prefix, value]];
}

function show(value: unknown): string {
  if (Array.isArray(value)) return value.join(', ');
  return String(value);
}

export function outputOf(model: ModelParams): string {
  return model.bins.output === 'front' ? 'front tray' : `bin ${model.bins.output}`;
}

function overview(): string[][] {
  return MODEL_IDS.map((id) => {
    const m = getModel(id);
    return [
      code(id), m.description, String(m.robotType),
      `${m.drives.count} (${m.drives.media.join(', ')})`,
      `${m.bins.count} × ${m.bins.maxPerBin}${m.bins.kiosk ? ', kiosk' : ''}`,
      `bin ${m.bins.input} → ${outputOf(m)}`,
      m.printer.present ? m.printer.cartridges.join(' + ') : 'none',
      code(`0x${m.acts.toString(16).toUpperCase()}`),
    ];
  });
}

function parameters(id: (typeof MODEL_IDS)[number]): string[][] {
  const sources = modelSources(id);
  return flatten(getModel(id)).map(([path, value]) => [code(path), show(value), sources[path] ?? 'assumption']);
}

function faults(): string[][] {
  const models = MODEL_IDS.map((id) => getModel(id));
  return listFaults().map((f) => {
    const def = getFault(f.id)!;
    const on = models.filter((m) => appliesTo(def, m)).map((m) => m.id);
    const number = f.syserr !== null ? `SYSERR ${f.syserr} ${f.syserrName}` : f.result !== null ? `result ${f.result} ${f.resultName}` : f.level;
    return [
      code(f.id), number, f.phases.join(', '), f.consequence,
      f.remedy.length ? f.remedy.map((r) => code(r)).join('; ') : 'none: the robot actor deals with it (see above)',
      on.length === models.length ? 'all' : on.length ? on.join(', ') : 'none of the listed models',
    ];
  });
}

export function renderRobotModels(): string {
  const doc = new MarkdownDocument();
  doc.heading(1, 'Robot models and faults of the simulator');
  doc.add(
    'Generated from `simulator/models.ts` and `simulator/faults.ts` by `npx tsx scripts/gen-docs.ts`; do not edit. The simulator (`discrobot simulate --model ID`) stands in for each of the Primera disc publishers the CDRobot3 conformance statement lists (its section 4.4.1.2). Every parameter names its source; a value no public source gives is marked as an assumption, to be calibrated on a real unit through a bridge (docs/robot-protocol.md).',
    'Bins are numbered as PTRobot calls number them: bin 1 is the right-most.',
  );
  doc.contents(2, 3);
  doc.heading(2, 'Models');
  doc.add(table(['Id', 'Model', 'PTRobot type', 'Drives (media)', 'Bins × discs', 'Input → output', 'Printer cartridges', 'Actions'], overview()));
  for (const id of MODEL_IDS) {
    doc.heading(3, `${id}: ${getModel(id).description}`);
    doc.add(table(['Parameter', 'Value', 'Source'], parameters(id)));
  }
  doc.heading(2, 'Faults');
  doc.add(
    'Each fault can be armed with a trigger: `now`, `next:<PHASE>`, `nth:<k>:<PHASE>` or `prob:<p>:<PHASE>` (`SIM_FAULT`, `discrobot simulate --inject`, `discrobot publish --inject`). The remedy is what the operator does, as DPRP requests (placeholders: `<i>` drive, `<bin>` source bin, `<left>` left-most bin, `<target>` where the disc was going, `<slot>`/`<kind>` each cartridge touched).',
    bulletList(['`robot` faults stop the operation in hand with a SYSERR; it goes on once the remedy is done.', '`command` and `media` faults answer a request with a PTRobot result. The robot actor sends a verb refused with 506 (tray open/close failed) once more, and rejects the disc on a second 506; it rejects a disc whose drive never becomes ready, holds no or an unusable medium, a written one, or a blank smaller than the image was made for (a larger blank is used).', '`recorder` faults spoil the burn: a write error stops it, a verify error leaves a disc that fails the read-back.', '`link` faults garble, corrupt or drop lines; the driver resynchronises.', 'The remedies of the table are what `discrobot publish --operator auto` performs; the robot actor itself adds `KILL_ERROR` where the operator clears the error through discrobot.']),
    table(['Fault', 'Reported as', 'Phases', 'What happens', 'Remedy', 'Models'], faults()),
  );
  return doc.render();
}
