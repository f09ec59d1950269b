// Every listed Primera model runs a happy-path job with its own parameters, end to end through
// `runPublish` on the in-process simulator: one copy more than the model has drives (so two-drive
// models need both), every disc printed (every listed model prints), delivered to the model's
// output (bin 2, or the front tray of the single-bin DP-SE) through the drives in turn, the input
// bin down by the copies made.
// The model parameters the expectations rest on are written out here, so a change to the model
// table that breaks them fails.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPublish } from '../../src/publish/publish-run.ts';
import { getModel, MODEL_IDS, type ModelId } from '../../simulator/models.ts';
import { expectEveryDiscAccounted, masterTestImage, simDirOf, tempDir, type TestImage } from '../support/publish-fixtures.ts';

interface ModelRow {
  model: ModelId;
  drives: number;
  bins: number;
  /** Blanks a new world's input bin holds: 25, or the bin's capacity when smaller. */
  blanks: number;
  /** The folder under <data>/sim/bins/ delivered discs lie in, and the location the robot reports. */
  outputFolder: string;
  location: string;
  /** Printer cartridge slots, left to right. */
  cartridges: string[];
}

const TWO_CARTRIDGES = ['colour', 'black'];
const FOUR_TANKS = ['cyan', 'magenta', 'yellow', 'black'];

const MODELS: ModelRow[] = [
  { model: 'DP', drives: 1, bins: 2, blanks: 25, outputFolder: 'bin2', location: 'bin 2', cartridges: TWO_CARTRIDGES },
  { model: 'DP-II', drives: 1, bins: 2, blanks: 20, outputFolder: 'bin2', location: 'bin 2', cartridges: TWO_CARTRIDGES },
  { model: 'DP-PRO', drives: 2, bins: 2, blanks: 25, outputFolder: 'bin2', location: 'bin 2', cartridges: TWO_CARTRIDGES },
  { model: 'DP-XR', drives: 1, bins: 2, blanks: 25, outputFolder: 'bin2', location: 'bin 2', cartridges: TWO_CARTRIDGES },
  { model: 'DP-XRP', drives: 2, bins: 2, blanks: 25, outputFolder: 'bin2', location: 'bin 2', cartridges: TWO_CARTRIDGES },
  { model: 'DP-SE', drives: 1, bins: 1, blanks: 20, outputFolder: 'output', location: 'output', cartridges: ['colour'] },
  { model: 'DP-XI', drives: 2, bins: 2, blanks: 25, outputFolder: 'bin2', location: 'bin 2', cartridges: TWO_CARTRIDGES },
  { model: 'DP-4100', drives: 2, bins: 2, blanks: 25, outputFolder: 'bin2', location: 'bin 2', cartridges: FOUR_TANKS },
  { model: 'DP-4100-XRP', drives: 2, bins: 2, blanks: 25, outputFolder: 'bin2', location: 'bin 2', cartridges: FOUR_TANKS },
];

let dir: string;
let image: TestImage;

beforeAll(async () => {
  dir = await tempDir('discrobot-robot-models-');
  image = await masterTestImage(dir);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

it('covers every listed model, with the parameters of the model table', () => {
  expect(MODELS.map((row) => row.model)).toEqual([...MODEL_IDS]);
  expect(MODELS.map((row) => {
    const m = getModel(row.model);
    return { model: m.id, drives: m.drives.count, bins: m.bins.count, blanks: Math.min(25, m.bins.maxPerBin), printer: m.printer.present, cartridges: m.printer.cartridges };
  })).toEqual(MODELS.map(({ model, drives, bins, blanks, cartridges }) => ({ model, drives, bins, blanks, printer: true, cartridges })));
});

describe.concurrent('a happy-path job on each model', () => {
  for (const row of MODELS) {
    const copies = row.drives + 1;
    it(`${row.model}: ${copies} printed copies on ${row.drives} drive(s), delivered to ${row.location}`, async ({ expect }) => {
      const dataDir = path.join(dir, 'runs', row.model);
      const summary = await runPublish({
        inputs: [image.iso], robot: { kind: 'sim', model: row.model }, copies, timeScale: 0, inject: [], dataDir, simLink: 'stream', autoOperator: true,
      });
      const job = summary.jobs[0]!;
      expect({ status: summary.status, robot: summary.robot, state: job.state, copies: job.copies, copiesDone: job.copiesDone })
        .toEqual({ status: 'delivered', robot: `sim:${row.model}`, state: 'done', copies, copiesDone: copies });
      // The drives take turns: on a two-drive model the three copies go through drives 0, 1, 0.
      expect(job.discs.map((d) => [d.copy, d.attempt, d.outcome, d.location, d.drive]))
        .toEqual(Array.from({ length: copies }, (_, i) => [i + 1, 1, 'delivered', row.location, i % row.drives]));
      expect(job.pauses).toEqual([]);
      expect(summary.operatorActions).toEqual([]);

      expect(summary.simulator?.model).toBe(row.model);
      expect(summary.simulator?.outputFolder).toBe(path.join(simDirOf(dataDir), 'bins', row.outputFolder));
      const acc = await expectEveryDiscAccounted(expect, summary, dataDir, image, { reject: 0, printed: true });
      expect(acc.output).toHaveLength(copies);
      expect({ blanksInBins: acc.blanksInBins, input: acc.input, collected: acc.collected }).toEqual({ blanksInBins: row.blanks - copies, input: [], collected: [] });
      expect(acc.discs.map((d) => d.state)).toEqual(acc.discs.map(() => 'closed'));
    });
  }
});

it('a unit without printer: the discs go from the drive to the output, unprinted', async ({ expect }) => {
  const dataDir = path.join(dir, 'runs', 'no-printer');
  const model = getModel('DP-XRP');
  const simModel = { ...model, printer: { ...model.printer, present: false } };
  const summary = await runPublish({
    inputs: [image.iso], robot: { kind: 'sim', model: 'DP-XRP' }, simModel, copies: 2, timeScale: 0, inject: [], dataDir, simLink: 'stream', autoOperator: true,
  });
  const job = summary.jobs[0]!;
  expect({ status: summary.status, state: job.state, copiesDone: job.copiesDone }).toEqual({ status: 'delivered', state: 'done', copiesDone: 2 });
  expect(job.discs.map((d) => [d.outcome, d.location, d.drive])).toEqual([['delivered', 'bin 2', 0], ['delivered', 'bin 2', 1]]);
  const acc = await expectEveryDiscAccounted(expect, summary, dataDir, image, { reject: 0, printed: false });
  expect(acc.output).toHaveLength(2);
});
