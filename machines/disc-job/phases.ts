// The per-disc phases as a runtime list, so the disc job can build one state and one transition
// per phase from the robot port's DiscPhase type without listing them twice.

import type { DiscPhase } from '../robot-port.ts';

export const DISC_PHASES = ['loading', 'burning', 'finalizing', 'verifying', 'printing', 'delivering', 'rejecting'] as const satisfies readonly DiscPhase[];

// Fails to compile when the port gains a phase this list lacks.
type MissingPhase = Exclude<DiscPhase, (typeof DISC_PHASES)[number]>;
const _everyPhaseListed: [MissingPhase] extends [never] ? true : never = true;
