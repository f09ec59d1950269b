// Which waiting job goes to which robot. A robot makes one job's discs at a time, so a job waits in
// the publisher's queue (oldest first) until a robot it may use is available, has no job, and holds
// the job's medium; a job moved off a failed robot prefers any other. Pure.

import type { JobOrder, RobotSlot } from './types.ts';

export interface Assignment {
  order: JobOrder;
  robot: string;
}

function mayUse(order: JobOrder, name: string, slot: RobotSlot): boolean {
  if (!slot.available || slot.jobId !== null) return false;
  if (order.robots.length > 0 && !order.robots.includes(name)) return false;
  // 'auto' media is chosen by mastering: any robot serves it. Image media must be in the bins when stated.
  const media = order.image?.media ?? (order.media === 'auto' ? null : order.media);
  return media === null || slot.media.length === 0 || slot.media.includes(media);
}

/** Assignments for the queue as it stands, in queue order; each robot at most once. */
export function assignJobs(queue: readonly JobOrder[], robots: Readonly<Record<string, RobotSlot>>): Assignment[] {
  const taken = new Set<string>();
  const assignments: Assignment[] = [];
  const names = Object.keys(robots).sort();
  for (const order of queue) {
    const free = names.filter((name) => !taken.has(name) && mayUse(order, name, robots[name]!));
    const robot = free.find((name) => !order.avoid.includes(name)) ?? free[0];
    if (robot === undefined) continue;
    taken.add(robot);
    assignments.push({ order, robot });
  }
  return assignments;
}
