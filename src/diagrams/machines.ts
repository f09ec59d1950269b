// The machines drawn as statechart diagrams (docs/diagrams/<id>.svg, the dashboard's
// /dashboard/diagrams/<id>.svg): the same list docs/statecharts.md documents, looked up by machine.id.
import type { AnyStateMachine } from 'xstate';
import { DOCUMENTED_MACHINES } from '../docs/machine-list.ts';

export const DIAGRAM_MACHINES: readonly AnyStateMachine[] = DOCUMENTED_MACHINES.map((entry) => entry.machine);

export const DIAGRAM_MACHINE_IDS: readonly string[] = DIAGRAM_MACHINES.map((machine) => machine.id);

/** The machine whose `id` is `machineId`, or undefined when no diagram is drawn for it. */
export function diagramMachine(machineId: string): AnyStateMachine | undefined {
  return DIAGRAM_MACHINES.find((machine) => machine.id === machineId);
}
