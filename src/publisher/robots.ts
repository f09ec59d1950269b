// The robots of `discrobot serve`: each configured robot gets a link in the fleet (RobotFleet): a
// simulated one runs in this process behind an in-process stream, with its world and disc files
// under <data>/robots/<name>/sim (restored from there after a restart); a serial one opens its tty
// on every (re)connect; a PTBurn one is a hot folder in the PTBurn fleet (PtburnFleet). Also answers
// where a simulated robot put the disc it delivered last.
import path from 'node:path';
import { RobotFleet } from '../../adapters/robot/robot-fleet.ts';
import { PtburnFleet } from '../../adapters/robot/ptburn/ptburn-fleet.ts';
import type { PtburnRobotOptions } from '../../machines/ptburn-robot.machine.ts';
import { createDuplexPair } from '../../adapters/robot/stream-pair.ts';
import { openSerialTransport, streamTransport } from '../../adapters/robot/transport.ts';
import { APPLICATION_NAME, APPLICATION_VERSION } from '../../adapters/media/master.ts';
import type { RobotOptions } from '../../machines/robot.machine.ts';
import { startSimulator, type SimulatorHandle } from '../../simulator/server.ts';
import { folderFor } from '../../simulator/locations.ts';
import type { Disc } from '../../simulator/world.ts';
import type { RobotConfig } from '../config/schema.ts';
import { scaledWaits } from './robot-waits.ts';

const CLIENT_NAME = `${APPLICATION_NAME}/${APPLICATION_VERSION}`;

export interface ServedRobot {
  name: string;
  kind: 'sim' | 'serial' | 'ptburn';
  model: string | null;
  /** The robot actor's options (a simulator's waits scaled to its time); a PTBurn robot's its own. */
  options: Partial<RobotOptions>;
  /** PTBurn robots: the robot actor's options (print, ink-low acknowledgement). */
  ptburnOptions?: Partial<PtburnRobotOptions>;
  /** PTBurn robots: the hot folder. */
  folder?: string;
  sim: SimulatorHandle | null;
  /** Simulated robots: where delivered discs lie. */
  outputFolder: string | null;
}

export interface RobotSet {
  fleet: RobotFleet;
  ptburnFleet: PtburnFleet;
  robots: ServedRobot[];
  /** The image file of the disc a simulated robot delivered last, or null. */
  deliveredImageFile(robot: string): string | null;
  close(): Promise<void>;
}

export async function startRobots(configs: readonly RobotConfig[], dataDir: string): Promise<RobotSet> {
  const fleet = new RobotFleet();
  const ptburnFleet = new PtburnFleet();
  const robots: ServedRobot[] = [];
  try {
    for (const config of configs) robots.push(config.kind === 'ptburn' ? addPtburnRobot(ptburnFleet, config) : await startRobot(fleet, config, dataDir));
  } catch (err) {
    await Promise.all(robots.map((robot) => robot.sim?.close()));
    throw err;
  }
  return {
    fleet,
    ptburnFleet,
    robots,
    deliveredImageFile: (name) => {
      const sim = robots.find((robot) => robot.name === name)?.sim;
      return sim ? lastDeliveredFile(sim) : null;
    },
    close: async () => {
      await Promise.all(robots.map((robot) => robot.sim?.close()));
    },
  };
}

type PtburnRobotConfig = Extract<RobotConfig, { kind: 'ptburn' }>;

/** A PTBurn robot: nothing runs until its actor starts reading the folder. */
function addPtburnRobot(ptburnFleet: PtburnFleet, config: PtburnRobotConfig): ServedRobot {
  const folder = path.resolve(config.folder);
  ptburnFleet.add(config.name, { folder, robotName: config.robotName, statusFrequencyMs: config.statusFrequencyMs, pathMap: config.pathMap });
  return {
    name: config.name, kind: 'ptburn', model: null, options: {}, sim: null, outputFolder: null, folder,
    ptburnOptions: { print: config.print, autoAcknowledgeInkLow: config.autoAcknowledgeInkLow },
  };
}

async function startRobot(fleet: RobotFleet, config: Exclude<RobotConfig, PtburnRobotConfig>, dataDir: string): Promise<ServedRobot> {
  if (config.kind === 'serial') {
    const devicePath = config.path;
    fleet.add(config.name, { clientName: CLIENT_NAME, open: () => openSerialTransport(devicePath) });
    return { name: config.name, kind: 'serial', model: null, options: {}, sim: null, outputFolder: null };
  }
  const [hostEnd, deviceEnd] = createDuplexPair();
  const sim = await startSimulator({ model: config.model, dataDir: path.join(dataDir, 'robots', config.name), timeScale: config.timeScale, link: deviceEnd });
  let opened = false;
  fleet.add(config.name, {
    clientName: CLIENT_NAME,
    // The in-process pair cannot be reopened: a second open means the link broke for good.
    open: async () => {
      if (opened) throw new Error('the in-process simulator link was closed');
      opened = true;
      return streamTransport(hostEnd, `sim:${config.model}`);
    },
  });
  const output = sim.model.bins.output;
  const outputFolder = path.join(sim.simDir, folderFor(output === 'front' ? { kind: 'output' } : { kind: 'bin', bin: output }));
  return { name: config.name, kind: 'sim', model: config.model, options: scaledWaits(config.timeScale), sim, outputFolder };
}

/** Discs are numbered in the order they are first picked, so the delivered disc with the highest number came last. */
function lastDeliveredFile(sim: SimulatorHandle): string | null {
  const world = sim.world;
  const delivered: Disc[] = [...world.output, ...world.bins.flatMap((bin) => bin.discs)].filter((disc) => disc.file !== null && disc.state === 'closed');
  const last = delivered.sort((a, b) => a.id.localeCompare(b.id)).at(-1);
  return last?.file ? path.join(sim.simDir, last.file) : null;
}
