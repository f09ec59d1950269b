// The publisher's data: the orders for disc jobs it keeps until a robot takes them, and the events
// it takes from the composition root, its children and operators. Plain JSON data.

import type { LabelLineRole } from '../../src/media/label-data.ts';
import type { DiscImage, JsonValue } from '../disc-job.machine.ts';
import type { MediaKind } from '../robot-port.ts';
import type { FollowUpPolicy } from '../study/types.ts';

/** What made a job: a study's first disc, a follow-up disc of late arrivals, or an operator. */
export type JobKind = 'study' | 'followUp' | 'reburn' | 'reprint';

/**
 * A disc job the publisher has ordered: waiting in its queue for a robot, or given to one. The
 * job's row (adapters/db/jobs.ts) holds the instances its discs carry; this holds what the job
 * actor is made from.
 */
export interface JobOrder {
  jobId: string;
  kind: JobKind;
  studyUid: string | null;
  copies: number;
  print: boolean;
  /** Robot names the route allows; empty: any robot. */
  robots: string[];
  media: MediaKind | 'auto';
  /** Handed to the job's 'master' actor unread. */
  source: JsonValue;
  /** A ready image (reprint): the job does not master. */
  image?: DiscImage;
  /** The job actor exists (restored, failed, or moved off a robot): a robot takes it with job.retry. */
  resume: boolean;
  /** Robots this job was moved off: others are preferred. */
  avoid: string[];
}

/** A robot as the dispatcher sees it. */
export interface RobotSlot {
  available: boolean;
  /** The job whose discs it makes, or null when it has none. */
  jobId: string | null;
  /** Media its bins hold; empty: not stated (any). */
  media: MediaKind[];
}

/**
 * A routing rule as the publisher uses it (the config's `routes`, converted by the composition
 * root): chosen by called and calling AE title, first match wins.
 */
export interface PublisherRoute {
  name: string;
  /** null matches any AE title; otherwise one of these (AE titles compare trimmed). */
  match: { calledAe: string[] | null; callingAe: string[] | null };
  media: MediaKind | 'auto';
  copies: number;
  /** Robot names; empty: any. */
  robots: string[];
  quietPeriodMs: number;
  followUp: FollowUpPolicy;
  print: boolean;
  /** The label template of the route's discs; absent: the default label. */
  label?: RouteLabel;
}

/** What a route's disc labels say (a type, not an interface, so that it is JSON data for an order's source). */
export type RouteLabel = {
  /** Text of the institution line; null: the instances' Institution Name. */
  institution: string | null;
  /** Which lines, in this order. */
  lines: LabelLineRole[];
};
