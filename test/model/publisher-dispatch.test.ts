// Which waiting order goes to which robot (machines/publisher/dispatch.ts, pure), checked against
// the rules rather than an expected list: a robot makes one job at a time, so it takes an order only
// when it is available and has no job; an order goes only to a robot its route names (none named:
// any) whose stated media include the order's (nothing stated, or 'auto' media: any); orders are
// served oldest first, so a younger order never takes a robot an older waiting one could have had;
// a job moved off a robot goes elsewhere when another robot may take it. Which of several fitting
// robots an order gets is not a rule, and is not checked.

import { describe, expect, it } from 'vitest';
import { assignJobs, type Assignment } from '../../machines/publisher/dispatch.ts';
import type { JobOrder, RobotSlot } from '../../machines/publisher/types.ts';
import type { MediaKind } from '../../machines/robot-port.ts';

function order(jobId: string, overrides: Partial<JobOrder> = {}): JobOrder {
  return { jobId, kind: 'study', studyUid: null, copies: 1, print: true, robots: [], media: 'auto', source: null, resume: false, avoid: [], ...overrides };
}

function slot(overrides: Partial<RobotSlot> = {}): RobotSlot {
  return { available: true, jobId: null, media: [], ...overrides };
}

/** The medium an order needs of a robot's bins, or null when any will do. */
function mediumOf(o: JobOrder): MediaKind | null {
  if (o.image) return o.image.media;
  return o.media === 'auto' ? null : o.media;
}

/** The rules' own answer to "may this robot take this order now?" (robots taken in this round excluded by the caller). */
function fits(o: JobOrder, name: string, s: RobotSlot): boolean {
  const medium = mediumOf(o);
  return s.available && s.jobId === null && (o.robots.length === 0 || o.robots.includes(name)) && (medium === null || s.media.length === 0 || s.media.includes(medium));
}

/** Throws, naming the rule, when the assignments break one. */
function checkRules(queue: JobOrder[], robots: Record<string, RobotSlot>, assignments: Assignment[]): void {
  const taken = new Set<string>();
  const given = new Map(assignments.map((a) => [a.order.jobId, a.robot]));
  expect(given.size, 'an order is given at most once').toBe(assignments.length);
  // In queue order, as the rules serve them.
  const positions = assignments.map((a) => queue.findIndex((o) => o.jobId === a.order.jobId));
  expect(positions, 'assignments follow the queue').toEqual([...positions].sort((a, b) => a - b));
  for (const o of queue) {
    const free = Object.keys(robots).filter((name) => !taken.has(name) && fits(o, name, robots[name]!));
    const robot = given.get(o.jobId);
    if (free.length === 0) {
      expect(robot, `${o.jobId}: no robot may take it now`).toBeUndefined();
      continue;
    }
    // An older order that fits a free robot is never passed over.
    expect(free, `${o.jobId} goes to a robot free for it`).toContain(robot);
    const elsewhere = free.filter((name) => !o.avoid.includes(name));
    if (elsewhere.length > 0) expect(elsewhere, `${o.jobId} was moved off ${o.avoid.join(', ')}: another robot first`).toContain(robot);
    taken.add(robot!);
  }
}

describe('assignJobs', () => {
  it('gives nothing while no robot is available, or every robot has a job', () => {
    const queue = [order('J1'), order('J2')];
    expect(assignJobs(queue, { r1: slot({ available: false }), r2: slot({ available: false }) })).toEqual([]);
    expect(assignJobs(queue, { r1: slot({ jobId: 'J0' }), r2: slot({ available: false, jobId: null }) })).toEqual([]);
    expect(assignJobs(queue, {})).toEqual([]);
  });

  it('gives each robot one order, oldest first, and leaves the rest waiting', () => {
    const queue = [order('J1'), order('J2'), order('J3')];
    const assignments = assignJobs(queue, { r1: slot(), r2: slot() });
    expect(assignments.map((a) => a.order.jobId)).toEqual(['J1', 'J2']);
    expect(new Set(assignments.map((a) => a.robot))).toEqual(new Set(['r1', 'r2']));
  });

  it("keeps an order off robots its route does not name, without holding up younger orders", () => {
    const queue = [order('J1', { robots: ['left'] }), order('J2')];
    expect(assignJobs(queue, { left: slot({ jobId: 'J0' }), right: slot() })).toEqual([{ order: queue[1], robot: 'right' }]);
  });

  it('gives an order of a medium only to a robot whose stated media include it; a ready image brings its own', () => {
    const dvd = order('J1', { media: 'dvd' });
    expect(assignJobs([dvd], { cds: slot({ media: ['cd'] }) })).toEqual([]);
    expect(assignJobs([dvd], { cds: slot({ media: ['cd'] }), both: slot({ media: ['cd', 'dvd'] }) })).toEqual([{ order: dvd, robot: 'both' }]);
    expect(assignJobs([dvd], { unstated: slot() })).toEqual([{ order: dvd, robot: 'unstated' }]);
    const reprint = order('J2', { media: 'auto', image: { path: '/i.iso', bytes: 1, media: 'bd', labelPath: null } });
    expect(assignJobs([reprint], { cds: slot({ media: ['cd', 'dvd'] }) })).toEqual([]);
    expect(assignJobs([order('J3')], { cds: slot({ media: ['cd'] }) })).toHaveLength(1);
  });

  it('moves a job off a robot it failed on when another may take it, and back to it when none other can', () => {
    const moved = order('J1', { avoid: ['a'], resume: true });
    expect(assignJobs([moved], { a: slot(), b: slot() })).toEqual([{ order: moved, robot: 'b' }]);
    expect(assignJobs([moved], { a: slot(), b: slot({ jobId: 'J9' }) })).toEqual([{ order: moved, robot: 'a' }]);
  });

  it('follows the rules for random queues and fleets', () => {
    let seed = 12345;
    const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
    const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const names = ['a', 'b', 'c', 'd'];
    const mediaSets: MediaKind[][] = [[], ['cd'], ['dvd'], ['cd', 'dvd'], ['bd']];
    for (let round = 0; round < 500; round++) {
      const robots: Record<string, RobotSlot> = {};
      for (const name of names.slice(0, 1 + Math.floor(next() * names.length))) {
        robots[name] = slot({ available: next() < 0.75, jobId: next() < 0.3 ? 'busy' : null, media: pick(mediaSets) });
      }
      const queue = Array.from({ length: Math.floor(next() * 6) }, (_, i) =>
        order(`J${i}`, {
          robots: pick([[], [], ['a'], ['b', 'c'], ['d'], ['a', 'd']]),
          media: pick<JobOrder['media']>(['auto', 'auto', 'cd', 'dvd', 'bd']),
          avoid: next() < 0.3 ? [pick(names)] : [],
          ...(next() < 0.15 ? { image: { path: '/x.iso', bytes: 1, media: pick<MediaKind>(['cd', 'dvd']), labelPath: null } } : {}),
        }),
      );
      const assignments = assignJobs(queue, robots);
      checkRules(queue, robots, assignments);
      // The same queue and fleet give the same answer: dispatch is a pure function.
      expect(assignJobs(queue, robots)).toEqual(assignments);
    }
  });
});
