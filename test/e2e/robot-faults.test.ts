// The fault table of primera-robot.md §8.3, one test per row, end to end: `runPublish` burns one
// labelled disc on the simulator over a real socat pty with the row's fault armed, the simulated
// operator performs the catalogue's remedy, and the job ends. Each row says, written out here (not
// read from the catalogue, so a catalogue change that breaks an expectation fails): where the job
// paused (SYSERR, kind, name), exactly what the operator did, how each attempt ended, which bin
// the robot says the delivered disc went to, and how many discs lie in the reject bin. After every scenario the simulator's world accounts for every disc
// and every delivered disc reads back against the image's MD5 tags; a disc rejected for a write or
// verify error does not.
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi, type ExpectStatic } from 'vitest';
import { runPublish, type PublishSummary } from '../../src/publish/publish-run.ts';
import { systemError, type ErrorKind } from '../../src/robot/syserr.ts';
import { appliesTo, getFault, listFaults } from '../../simulator/faults.ts';
import { getModel, MODEL_IDS, type ModelId } from '../../simulator/models.ts';
import { WorldStore } from '../../simulator/persistence.ts';
import { findDisc } from '../../simulator/world.ts';
import { expectEveryDiscAccounted, masterTestImage, readBackProblem, simDirOf, tempDir, type TestImage } from '../support/publish-fixtures.ts';

interface Pause {
  syserr: number;
  kind: ErrorKind;
  name: string;
}

interface OperatorAct {
  fault: string;
  syserr: number;
  did: string[];
}

interface Row {
  fault: string;
  model: ModelId;
  /** FAULT@TRIGGER for runPublish; a second fault where the row's own needs its phase to happen. */
  inject: string[];
  pauses: Pause[];
  operator: OperatorAct[];
  /** The job's discs in order: `delivered`, or `rejected:<cause>`. */
  discs: string[];
  /** Discs in the reject bin afterwards. */
  reject: number;
  /**
   * Where the robot says the delivered disc went. Every listed model here delivers to its left bin,
   * PTRobot's bin 2: the robot tells it from the bin counts, which a cover-open or a power cycle
   * makes unknown until CHECKDISCS.
   */
  location?: string;
  /** What the row checks beyond the table (the world the simulator left behind). */
  check?: (run: { dataDir: string; summary: PublishSummary; expect: ExpectStatic }) => void;
  /** Wall time the scenario needs whatever the time scale (the robot's own bounds), to schedule it first. */
  waitsMs?: number;
}

const pause = (syserr: number, kind: ErrorKind, name: string): Pause => ({ syserr, kind, name });
const op = (fault: string, syserr: number, ...did: string[]): OperatorAct => ({ fault, syserr, did });
const DELIVERED = ['delivered'];
const BUTTON = 'SIM_BUTTON';

/** A fault the operator clears; one pause, one remedy, the disc delivered. */
function operatorRow(fault: string, trigger: string, p: Pause, did: string[], extra: Partial<Row> = {}): Row {
  return { fault, model: 'DP-XRP', inject: [`${fault}@${trigger}`], pauses: [p], operator: [op(fault, p.syserr, ...did)], discs: DELIVERED, reject: 0, ...extra };
}

/** A fault with no operator remedy: the disc goes to the reject bin and a new blank is burned. */
function rejectRow(fault: string, cause: string, reject: number, extra: Partial<Row> = {}): Row {
  return { fault, model: 'DP-XRP', inject: [`${fault}@now`], pauses: [], operator: [], discs: [`rejected:${cause}`, 'delivered'], reject, ...extra };
}

const TABLE: Row[] = [
  // Picking
  // The operator fills the bin to its capacity (DP-XRP: 50).
  operatorRow('input-empty', 'next:PICKING', pause(3, 'operator', 'SYSERR_INPUT_EMPTY'), ['SIM_BIN bin=1 count=50', BUTTON]),
  operatorRow('pick', 'next:PICKING', pause(8, 'operator', 'SYSERR_PICK'), [BUTTON]),
  // The extra disc goes to the reject bin; the one carried goes on.
  operatorRow('multiple-pick', 'next:PICKING', pause(17, 'operator', 'SYSERR_MULTIPLE_PICK'), ['SIM_REMOVE loc=picker', BUTTON], { reject: 1 }),
  operatorRow('multiple-in-printer', 'next:LOADING_PRINTER', pause(18, 'operator', 'SYSERR_MULTIPLEDISCS_IN_PRINTER'), ['SIM_REMOVE loc=100', BUTTON], { reject: 1 }),
  operatorRow('multiple-in-recorder', 'next:LOADING_DRIVE', pause(19, 'operator', 'SYSERR_MULTIPLEDISCS_IN_RECORDER'), ['SIM_REMOVE loc=drive:0', BUTTON], { reject: 1 }),
  operatorRow('multiple-in-right-bin', 'next:UNLOADING_PRINTER', pause(47, 'operator', 'SYSERR_MULTIPLEDISCS_IN_RIGHTBIN'), ['SIM_REMOVE loc=1', BUTTON], { reject: 1 }),
  operatorRow('multiple-in-left-bin', 'next:UNLOADING_PRINTER', pause(48, 'operator', 'SYSERR_MULTIPLEDISCS_IN_LEFTBIN'), ['SIM_REMOVE loc=2', BUTTON], { reject: 1 }),
  // Dropped discs: the operator puts the disc where it was going.
  operatorRow('dropped-recorder', 'next:LOADING_DRIVE', pause(20, 'operator', 'SYSERR_DROPPED_DISC_RECORDER'), ['SIM_PLACE loc=drive:0', BUTTON]),
  operatorRow('dropped-printer', 'next:LOADING_PRINTER', pause(33, 'operator', 'SYSERR_DROPPED_DISC_PRINTER'), ['SIM_PLACE loc=100', BUTTON]),
  // No model delivers to bin 1 (outputs are bin 2 or the front tray, rejects go to 200): armed, it never fires in a job.
  { fault: 'dropped-bin1', model: 'DP-XRP', inject: ['dropped-bin1@next:UNLOADING_PRINTER'], pauses: [], operator: [], discs: DELIVERED, reject: 0 },
  operatorRow('dropped-bin2', 'next:UNLOADING_PRINTER', pause(29, 'operator', 'SYSERR_DROPPED_DISC_BIN2'), ['SIM_PLACE loc=2', BUTTON]),
  // A write error sends the disc to the reject slide; on the way there it drops.
  {
    fault: 'dropped-reject', model: 'DP-XRP', inject: ['write-error@now', 'dropped-reject@next:UNLOADING_DRIVE'],
    pauses: [pause(34, 'operator', 'SYSERR_DROPPED_DISC_REJECT')], operator: [op('dropped-reject', 34, 'SIM_PLACE loc=200', BUTTON)],
    discs: ['rejected:write', 'delivered'], reject: 1,
  },
  operatorRow('dropped-unknown', 'next:LOADING_DRIVE', pause(35, 'operator', 'SYSERR_DROPPED_DISC_UNKNOWN'), ['SIM_PLACE loc=drive:0', BUTTON]),
  // The printer reset makes the device give the operation up (OPDONE FAILED): the robot runs its
  // start-up rules again and reports the disc rejected (cause robot); the operator took the dropped
  // disc to the reject bin, a new blank is burned.
  operatorRow('dropped-printer-fatal', 'next:LOADING_PRINTER', pause(46, 'mechanical', 'SYSERR_DROPPED_DISC_PRINTER_FATAL'),
    ['SIM_REMOVE loc=chassis', 'KILL_ERROR resetPrinter=1'], { discs: ['rejected:robot', 'delivered'], reject: 1 }),
  // Printer
  operatorRow('printer-pick', 'next:UNLOADING_PRINTER', pause(16, 'operator', 'SYSERR_PRINTER_PICK'), ['SIM_BUTTON button=power']),
  operatorRow('no-disc-in-printer', 'next:PRINTING', pause(53, 'operator', 'SYSERR_NO_DISC_IN_PRINTER'), ['SIM_PLACE loc=100', BUTTON]),
  operatorRow('printer-tray', 'next:PRINTING', pause(1, 'mechanical', 'SYSERR_PTR_TRAY'), [BUTTON]),
  // Motion
  operatorRow('arm-move', 'next:PICKING', pause(9, 'mechanical', 'SYSERR_ARM_MOVE'), [BUTTON], { model: 'DP' }),
  operatorRow('carriage-move', 'next:PICKING', pause(10, 'mechanical', 'SYSERR_CART_MOVE'), [BUTTON]),
  // Closing the cover clears it; no button. The bin counts are unknown until the robot's CHECKDISCS
  // (once the print is done, before the delivery), so the robot can still tell the disc's bin.
  operatorRow('cover-open', 'next:PRINTING', pause(15, 'operator', 'SYSERR_COVER_OPEN'), ['SIM_COVER open=0']),
  // Ink and cartridges (DP-XRP: colour in slot 1, black in slot 2)
  operatorRow('ink-low-colour', 'next:PRINTING', pause(5, 'consumable', 'SYSERR_CLR_EMPTY'), ['SYSTEM_ACTION action=IGNOREINKLOW']),
  operatorRow('ink-empty-colour', 'next:PRINTING', pause(49, 'consumable', 'SYSERR_CLR_EMPTY_FINAL'), ['SIM_CART slot=1 type=colour', BUTTON]),
  operatorRow('ink-low-black', 'next:PRINTING', pause(6, 'consumable', 'SYSERR_BLK_EMPTY'), ['SYSTEM_ACTION action=IGNOREINKLOW']),
  operatorRow('ink-empty-black', 'next:PRINTING', pause(50, 'consumable', 'SYSERR_BLK_EMPTY_FINAL'), ['SIM_CART slot=2 type=black', BUTTON]),
  operatorRow('ink-low-both', 'next:PRINTING', pause(7, 'consumable', 'SYSERR_BOTH_EMPTY'), ['SYSTEM_ACTION action=IGNOREINKLOW']),
  operatorRow('ink-empty-both', 'next:PRINTING', pause(51, 'consumable', 'SYSERR_BOTH_EMPTY_FINAL'), ['SIM_CART slot=1 type=colour', 'SIM_CART slot=2 type=black', BUTTON]),
  operatorRow('cart-invalid', 'next:PRINTING', pause(2, 'consumable', 'SYSERR_CART_CODE'), ['SIM_CART slot=1 type=colour', BUTTON]),
  operatorRow('colour-invalid', 'next:PRINTING', pause(37, 'consumable', 'SYSERR_COLOR_INVALID'), ['SIM_CART slot=1 type=colour', BUTTON]),
  operatorRow('black-invalid', 'next:PRINTING', pause(38, 'consumable', 'SYSERR_BLACK_INVALID'), ['SIM_CART slot=2 type=black', BUTTON]),
  operatorRow('both-invalid', 'next:PRINTING', pause(39, 'consumable', 'SYSERR_BOTH_INVALID'), ['SIM_CART slot=1 type=colour', 'SIM_CART slot=2 type=black', BUTTON]),
  operatorRow('cart-missing', 'next:PRINTING', pause(40, 'consumable', 'SYSERR_NOCARTS'), ['SIM_CART slot=1 type=colour', 'SIM_CART slot=2 type=black', BUTTON]),
  operatorRow('black-in-colour', 'next:PRINTING', pause(41, 'consumable', 'SYSERR_K_IN_CMY'), ['SIM_CART slot=1 type=colour', BUTTON]),
  operatorRow('colour-in-black', 'next:PRINTING', pause(42, 'consumable', 'SYSERR_CMY_IN_K'), ['SIM_CART slot=2 type=black', BUTTON]),
  operatorRow('cart-swapped', 'next:PRINTING', pause(43, 'consumable', 'SYSERR_SWAPPED'), ['SIM_CART slot=1 type=colour', 'SIM_CART slot=2 type=black', BUTTON]),
  operatorRow('pigment-cart', 'next:PRINTING', pause(44, 'consumable', 'SYSERR_PIGONPRO'), ['SIM_CART slot=2 type=black', BUTTON]),
  // Alignment runs inside the paused operation, which then goes on.
  operatorRow('align-needed', 'next:PRINTING', pause(36, 'consumable', 'SYSERR_ALIGNNEEDED'), ['SYSTEM_ACTION action=ALIGNPRINTER']),
  // Only an alignment can fail: align-needed makes the operator start one, which fails once.
  {
    fault: 'align-failed', model: 'DP-XRP', inject: ['align-needed@next:PRINTING', 'align-failed@next:ALIGNING'],
    pauses: [pause(36, 'consumable', 'SYSERR_ALIGNNEEDED'), pause(45, 'consumable', 'SYSERR_ALIGNFAILED')],
    operator: [op('align-needed', 36, 'SYSTEM_ACTION action=ALIGNPRINTER'), op('align-failed', 45, 'SYSTEM_ACTION action=ALIGNPRINTER')],
    discs: DELIVERED, reject: 0,
  },
  operatorRow('waiting-for-printer', 'next:PRINTING', pause(52, 'communication', 'SYSERR_WAITING_FOR_PRINTER'), [BUTTON]),
  operatorRow('printer-comm', 'next:PICKING', pause(4, 'communication', 'SYSERR_PTR_COMM'), [BUTTON]),
  // Off line (USB to the printer lost): back on line, the operation goes on.
  operatorRow('offline', 'next:PICKING', pause(14, 'communication', 'SYSERR_OFFLINE'), ['SIM_POWER state=on']),
  operatorRow('no-robotic-drives', 'next:LOADING_DRIVE', pause(13, 'configuration', 'SYSERR_NO_ROBODRIVES'), [BUTTON]),
  operatorRow('internal-sw', 'next:PICKING', pause(12, 'configuration', 'SYSERR_INTERNAL_SW'), [BUTTON]),
  operatorRow('unknown-hardware', 'next:PICKING', pause(58, 'configuration', 'SYSERR_UNKNOWN_HARDWARE'), [BUTTON]),
  operatorRow('dock-sensor', 'next:PRINTING', pause(56, 'mechanical', 'SYSERR_DOCK_SENSOR'), [BUTTON]),
  operatorRow('purge', 'next:PRINTING', pause(55, 'consumable', 'SYSERR_PURGE'), ['SYSTEM_ACTION action=CLEANCARTRIDGES']),
  operatorRow('already-printed', 'next:PRINTING', pause(57, 'operator', 'SYSERR_ALREADY_PRINTED'), [BUTTON]),
  operatorRow('busy', 'next:PICKING', pause(54, 'communication', 'SYSERR_BUSY'), [BUTTON]),
  // The drive says its tray is open but it is not: the disc drops (reported as SYSERR 20).
  operatorRow('tray-open-fail', 'next:LOADING_DRIVE', pause(20, 'operator', 'SYSERR_DROPPED_DISC_RECORDER'), ['SIM_PLACE loc=drive:0', BUTTON]),
  // Power fails with the disc in the picker. Power on: the device initialises (the picked disc goes to
  // the reject slide, the bin counts are forgotten) and ends the operation FAILED; the robot runs its
  // start-up rules again (CHECKDISCS among them), reports the disc rejected (cause robot) and the
  // job burns a new blank.
  operatorRow('power-cycle', 'next:LOADING_DRIVE', pause(14, 'communication', 'SYSERR_OFFLINE'), ['SIM_POWER state=on'],
    { discs: ['rejected:robot', 'delivered'], reject: 1 }),
  // Power fails with the disc in the printer, which initialising leaves there: the start-up rules
  // send it to the reject slide, so the next disc's printing is not blocked by it.
  operatorRow('power-cycle', 'next:PRINTING', pause(14, 'communication', 'SYSERR_OFFLINE'), ['SIM_POWER state=on'],
    { discs: ['rejected:robot', 'delivered'], reject: 1 }),
  // ERR 506 on LOAD_DRIVE: nothing moved, so the robot sends the verb once more, and the first disc is delivered.
  { fault: 'open-close-fail', model: 'DP-XRP', inject: ['open-close-fail@now'], pauses: [], operator: [], discs: DELIVERED, reject: 0 },
  // MEDIA_INFO answers 523 for good: after the robot's 30 s bound (wall clock) the disc is rejected.
  rejectRow('drive-never-ready', 'notReady', 1, { waitsMs: 30_000 }),
  rejectRow('media-none', 'media', 1),
  rejectRow('media-invalid', 'media', 1),
  rejectRow('media-not-blank', 'media', 1),
  // A blank of another kind than the bin holds (DP-XRP's bin: DVD-R; the fault makes it the model's
  // next kind, CD-R), answered blank=1. The test image is a CD image, and a CD-R is not smaller: it
  // is written and delivered. (A smaller medium than the image's kind is rejected, cause media:
  // test/model/robot.test.ts.)
  {
    fault: 'media-wrong-type', model: 'DP-XRP', inject: ['media-wrong-type@now'], pauses: [], operator: [], discs: DELIVERED, reject: 0,
    check: ({ dataDir, summary, expect }) => {
      expect(summary.jobs[0]!.media).toBe('cd');
      const delivered = summary.simulator!.accounting.output;
      const store = new WorldStore(simDirOf(dataDir));
      try {
        const world = store.load()!;
        expect(world.bins.map((bin) => bin.media)).toEqual(['DVD-R', 'DVD-R']);
        expect(delivered.map((id) => findDisc(world, id)?.media)).toEqual(['CD-R']);
      } finally {
        store.close();
      }
    },
  },
  rejectRow('write-error', 'write', 1),
  rejectRow('verify-error', 'verify', 1),
  // Link faults: the driver resynchronises (repeat, PING, GET_STATUS); nothing reaches the job.
  { fault: 'link-noise', model: 'DP-XRP', inject: ['link-noise@next:PICKING'], pauses: [], operator: [], discs: DELIVERED, reject: 0 },
  { fault: 'link-corrupt', model: 'DP-XRP', inject: ['link-corrupt@next:PICKING'], pauses: [], operator: [], discs: DELIVERED, reject: 0 },
  { fault: 'link-drop-reply', model: 'DP-XRP', inject: ['link-drop-reply@next:PICKING'], pauses: [], operator: [], discs: DELIVERED, reject: 0 },
];

/** Faults of the catalogue that exist on no listed model (no model has more than two bins). */
const ON_NO_MODEL = ['dropped-bin3', 'dropped-bin4', 'dropped-bin5'];

const REJECTED_UNREADABLE = new Set(['rejected:write', 'rejected:verify']);

let dir: string;
let image: TestImage;

beforeAll(async () => {
  dir = await tempDir('discrobot-robot-faults-');
  image = await masterTestImage(dir);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('the fault table', () => {
  it('has a row for every fault the simulator implements (discrobot simulate --list-faults), each row its own injection', () => {
    const faults = [...new Set(TABLE.map((row) => row.fault)), ...ON_NO_MODEL];
    expect(faults.sort()).toEqual(listFaults().map((f) => f.id).sort());
    const injections = TABLE.map(runName);
    expect(new Set(injections).size).toBe(injections.length);
  });

  it('runs every row on a model the fault exists on', () => {
    const misplaced = TABLE.filter((row) => !appliesTo(getFault(row.fault)!, getModel(row.model))).map((row) => `${row.fault} on ${row.model}`);
    expect(misplaced).toEqual([]);
  });

  it.each(ON_NO_MODEL)('%s exists on no listed model (so no job can meet it)', (fault) => {
    expect(MODEL_IDS.filter((id) => listFaults(getModel(id)).some((f) => f.id === fault))).toEqual([]);
  });
});

/** A row's name: its injections, which tell two rows of one fault apart. */
function runName(row: Row): string {
  return row.inject.join('+').replace(/[^A-Za-z0-9-]+/g, '_');
}

function describeDisc(disc: PublishSummary['jobs'][number]['discs'][number]): string {
  return disc.outcome === 'rejected' ? `rejected:${disc.cause ?? '?'}` : disc.outcome;
}

function title(row: Row): string {
  const stops = row.pauses.map((p) => `SYSERR ${p.syserr}`).join(' + ');
  return `${row.fault} on ${row.model} (${row.inject.join(', ')}): ${stops ? `pauses ${stops}, ` : ''}${row.discs.join(' → ')}`;
}

// Rows that wait on the robot's own wall-clock bounds start first, so the others run alongside.
// Most of a row's wall time is the driver waiting for the device's HELLO over the fresh pty (2 s,
// idle), so more rows than vitest's default five run at once.
vi.setConfig({ maxConcurrency: 10 });
const ORDERED = [...TABLE].sort((a, b) => (b.waitsMs ?? 0) - (a.waitsMs ?? 0));

describe.concurrent('a publish job over a pty meets one fault (primera-robot.md §8.3)', () => {
  for (const row of ORDERED) {
    it(title(row), async ({ expect }) => {
      const dataDir = path.join(dir, 'runs', runName(row));
      const summary = await runPublish({
        inputs: [image.iso], robot: { kind: 'sim', model: row.model }, copies: 1, timeScale: 0, inject: row.inject,
        dataDir, simLink: 'pty', autoOperator: true,
      });
      const job = summary.jobs[0]!;
      expect(summary.jobs).toHaveLength(1);
      expect({ status: summary.status, state: job.state, copiesDone: job.copiesDone, reason: job.reason }).toEqual({ status: 'delivered', state: 'done', copiesDone: 1, reason: null });
      expect(job.discs.map(describeDisc)).toEqual(row.discs);
      const delivered = job.discs.filter((d) => d.outcome === 'delivered');
      expect(delivered.map((d) => d.location), 'where the robot says the disc went').toEqual(delivered.map(() => row.location ?? 'bin 2'));
      expect(job.pauses.map((p) => pause(p.code, p.kind as ErrorKind, p.name))).toEqual(row.pauses);
      for (const p of job.pauses) expect(p.hint, `hint of SYSERR ${p.code}`).toBe(systemError(p.code).hint);
      expect(summary.operatorActions).toEqual(row.operator);

      const acc = await expectEveryDiscAccounted(expect, summary, dataDir, image, { reject: row.reject, printed: true });
      // A disc rejected for its writing is unreadable: the read-back is what caught (or would catch) it.
      if (row.discs.some((d) => REJECTED_UNREADABLE.has(d))) {
        const rejected = acc.discs.filter((d) => acc.reject.includes(d.id));
        expect(rejected.map((d) => d.file === null)).toEqual(rejected.map(() => false));
        for (const disc of rejected) expect(await readBackProblem(path.join(simDirOf(dataDir), disc.file!), image), `${disc.id} must not read back`).not.toBeNull();
      }
      row.check?.({ dataDir, summary, expect });
    }, 120_000);
  }
});
