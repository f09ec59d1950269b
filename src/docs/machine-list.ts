// The machines the documentation describes, in the order it shows them, each with its role in the
// actor system: docs/statecharts.md and the statechart diagrams (docs/diagrams/, the dashboard) both
// read this one list, so a machine added here is documented and drawn.
import type { AnyStateMachine } from 'xstate';
import { associationMachine } from '../../machines/association.machine.ts';
import { publisherMachine } from '../../machines/publisher.machine.ts';
import { robotMachine } from '../../machines/robot.machine.ts';
import { ptburnRobotMachine } from '../../machines/ptburn-robot.machine.ts';
import { discJobMachine } from '../../machines/disc-job.machine.ts';
import { studyMachine } from '../../machines/study.machine.ts';

export interface DocumentedMachine {
  readonly machine: AnyStateMachine;
  readonly role: string;
}

export const DOCUMENTED_MACHINES: readonly DocumentedMachine[] = [
  { machine: publisherMachine, role: 'Root of the actor system: spawns one association actor per connection, one study actor per Study Instance UID, one robot actor per configured robot and one disc job actor per job; queues job orders and gives each to an available robot the route allows, moves a job off a robot that stays unavailable, restores studies and jobs at start-up, and forwards operator commands.' },
  { machine: associationMachine, role: 'One per TCP connection of the storage SCP; never persisted.' },
  { machine: robotMachine, role: 'One per robot (`robot:<name>`): its link to the device, start-up rules, one disc at a time through the drive, recorder, printer and output, errors that pause the operation in hand.' },
  { machine: ptburnRobotMachine, role: 'One per PTBurn robot (`robot:<name>`, in place of the robot actor, on the same robot port): one job request (.JRQ) per disc in the PTBurn server\'s hot folder, the disc\'s phase and outcome from PTBurn\'s status files, PTBurn\'s system errors and a stopped PTBurn service pause the disc in hand; cancel with an ABORT command file.' },
  { machine: studyMachine, role: 'One per Study Instance UID (`study:<uid>`): collects instances, settles for a quiet period on a stored deadline, holds a study whose patient data disagree, asks for discs and follow-up discs; an operator releases, holds or splits it.' },
  { machine: discJobMachine, role: 'One per job (`job:<id>`): mastering, then each copy through a robot; rejected discs are retried with a new blank up to a limit; never done unless every disc verified.' },
];
