// The robot machine's invoked `link` actor (machines/robot-link.ts) over DPRP/1, and connectDprp for
// callers without XState. The work is in link-supervisor.ts; this file only adapts it to fromCallback.

import { fromCallback } from 'xstate';
import type { LinkCommand, LinkEvent } from '../../machines/robot-link.ts';
import { DprpLinkSupervisor, type DprpLinkOptions } from './link-supervisor.ts';
import { withFields } from './dprp-logger.ts';

export { connectDprp, type ConnectDprpOptions, type DprpConnection } from './dprp-connect.ts';
export type { DprpLinkOptions };

/** What the robot machine passes to its link (the machine's LinkInput). */
export interface DprpLinkInput {
  robot: string;
}

/** Options for every robot, or per robot name (one provided machine serving several robots). */
export function dprpLinkLogic(optionsFor: DprpLinkOptions | ((robot: string) => DprpLinkOptions)) {
  return fromCallback<LinkCommand, DprpLinkInput>(({ sendBack, receive, input }) => {
    const options = typeof optionsFor === 'function' ? optionsFor(input.robot) : optionsFor;
    const logger = options.logger && input?.robot ? withFields(options.logger, { robot: input.robot }) : options.logger;
    const supervisor = new DprpLinkSupervisor({ ...options, logger }, (event: LinkEvent) => sendBack(event));
    receive((command) => supervisor.handle(command));
    supervisor.start();
    return () => {
      void supervisor.stop();
    };
  });
}
