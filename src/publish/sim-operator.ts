// A simulated operator for a publish run against the in-process simulator: when the robot stops
// with an error, it does what the fault catalogue says a person would (refill a bin, close the
// cover, remove the extra disc, change a cartridge, press the button) so that a run with injected
// faults finishes by itself. Robot-side remedies go through the publisher as operator commands,
// exactly as the dashboard will send them.

import type { AnyActorRef } from 'xstate';
import type { SimulatorHandle } from '../../simulator/server.ts';
import { getFault, listFaults } from '../../simulator/faults.ts';
import { remedyRequests, type RemedyRequest } from '../../simulator/fault-remedies.ts';
import type { LinkChannel } from '../../adapters/robot/link-channel.ts';

export interface OperatorAction {
  fault: string;
  syserr: number;
  did: string[];
}

export interface SimOperatorOptions {
  sim: SimulatorHandle;
  publisher: AnyActorRef;
  robotName: string;
  channel: LinkChannel;
  onAction?: (action: OperatorAction) => void;
}

/** The simulator's cause for a unit without power, and the catalogue fault whose remedy (power on) ends it. */
const POWER_OFF = 'power-off';
const POWER_FAULT = 'power-cycle';

/** More remedies than any one job's faults need; beyond it the operator stops acting. */
const MAX_REMEDIES = 200;

/** Watches the robot actor; returns a stop function. */
export function startSimOperator(robot: AnyActorRef, options: SimOperatorOptions): () => void {
  let busy = false;
  let attempts = 0;
  let given = false;
  const remedy = async () => {
    if (busy || given) return;
    busy = true;
    try {
      const snapshot = options.sim.snapshot();
      // The error the unit reports: power off above all, else the latest one (the top of its stack).
      const error = snapshot.errors.find((e) => e.cause === POWER_OFF) ?? snapshot.errors[snapshot.errors.length - 1];
      if (!error) return;
      // An injected fault names itself; a natural one (the input bin ran out) is fixed like the
      // catalogue fault with the same SYSERR. An operator refills a bin to the brim.
      const fault = getFault(error.cause) ? error.cause : error.cause === POWER_OFF ? POWER_FAULT : naturalFault(error.syserr, options.sim);
      const context = { blanks: options.sim.model.bins.maxPerBin, ...snapshot.remedyContext };
      const requests: RemedyRequest[] = fault ? remedyRequests(fault, options.sim.model, context) : [{ verb: 'SIM_BUTTON', args: {} }];
      // A remedy that does not clear the error would otherwise be repeated for ever: a person
      // would stop and call for help; the robot stays paused and says why.
      if (++attempts > MAX_REMEDIES) {
        given = true;
        options.onAction?.({ fault: fault ?? error.cause, syserr: error.syserr, did: [`gave up after ${MAX_REMEDIES} remedies; the robot waits for a person`] });
        return;
      }
      const did: string[] = [];
      for (const request of requests) did.push(await perform(request, options));
      options.onAction?.({ fault: fault ?? error.cause, syserr: error.syserr, did });
    } finally {
      busy = false;
    }
  };
  const subscription = robot.subscribe((snapshot: { matches(state: string): boolean }) => {
    if (snapshot.matches('error')) setTimeout(() => void remedy(), 0);
  });
  return () => subscription.unsubscribe();
}

function naturalFault(syserr: number, sim: SimulatorHandle): string | null {
  return listFaults(sim.model).find((fault) => fault.level === 'robot' && fault.syserr === syserr)?.id ?? null;
}

async function perform(request: RemedyRequest, options: SimOperatorOptions): Promise<string> {
  const line = [request.verb, ...Object.entries(request.args).map(([k, v]) => `${k}=${v}`)].join(' ');
  if (request.verb === 'KILL_ERROR') {
    options.publisher.send({ type: 'operator.clearRobotError', robot: options.robotName, resetPrinter: request.args.resetPrinter === '1' });
  } else if (request.verb === 'SYSTEM_ACTION' && request.args.action === 'IGNOREINKLOW') {
    options.publisher.send({ type: 'operator.acknowledgeInkLow', robot: options.robotName });
  } else if (request.verb.startsWith('SIM_')) {
    options.sim.perform(request.verb, request.args);
  } else if (request.verb === 'SYSTEM_ACTION') {
    await options.channel.request(request.verb, request.args);
  } else {
    // Disc moves (e.g. UNLOAD_DRIVE to the reject bin) are the robot actor's own decisions.
    return `${line} (left to the robot actor)`;
  }
  return line;
}
