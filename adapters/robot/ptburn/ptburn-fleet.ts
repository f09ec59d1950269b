// The PTBurn robots of one publisher, beside RobotFleet (the DPRP ones): each robot's hot folder
// is looked up by the robot's name, so several PTBurn robots share one provided machine.

import { ptburnRobotMachine } from '../../../machines/ptburn-robot.machine.ts';
import { hotFolderLogic } from './hot-folder.ts';
import { hotFolderConfig, type HotFolderConfig } from './options.ts';

export class PtburnFleet {
  private readonly robots = new Map<string, HotFolderConfig>();

  add(name: string, config: Partial<HotFolderConfig> & { folder: string }): void {
    if (this.robots.has(name)) throw new Error(`robot "${name}" is configured twice`);
    this.robots.set(name, hotFolderConfig(config));
  }

  has(name: string): boolean {
    return this.robots.has(name);
  }

  config(name: string): HotFolderConfig {
    const config = this.robots.get(name);
    if (!config) throw new Error(`PTBurn robot "${name}" is not configured`);
    return config;
  }

  /** The PTBurn robot machine with the hot folder provided for every robot of the fleet. */
  machine(): typeof ptburnRobotMachine {
    return ptburnRobotMachine.provide({ actors: { hotFolder: hotFolderLogic((robot) => this.config(robot)) } });
  }
}
