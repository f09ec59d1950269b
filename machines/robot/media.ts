// Whether the blank a drive reports (MEDIA_INFO type=) can take the image a request was mastered
// for. Kinds are ordered by capacity: a medium at least as large as the request's kind holds the
// image (a CD-sized image on a DVD-R reads fine); a smaller one, or a type we do not know, does
// not. Which blanks a job should get at all (a per-bin media map) is routing, not this check.

import type { MediaKind } from '../robot-port.ts';

/** Smallest to largest, as src/media/media-choice.ts plans them. */
const BY_SIZE = ['cd', 'dvd', 'dvd-dl', 'bd', 'bd-dl'] as const satisfies readonly MediaKind[];

// Fails to compile when MediaKind gains a kind this list lacks.
type MissingKind = Exclude<MediaKind, (typeof BY_SIZE)[number]>;
const _everyKindListed: [MissingKind] extends [never] ? true : never = true;

/** MEDIA_INFO type= names (docs/robot-protocol.md §5, and the +R single layer) and their kinds. */
const KIND_OF_TYPE: Readonly<Record<string, MediaKind>> = {
  'CD-R': 'cd',
  'DVD-R': 'dvd',
  'DVD+R': 'dvd',
  'DVD+R-DL': 'dvd-dl',
  'BD-R': 'bd',
  'BD-R-DL': 'bd-dl',
};

/** Why the reported medium cannot take an image mastered for `wanted`, or null when it can. */
export function mediaMismatch(wanted: MediaKind, reportedType: string | undefined): string | null {
  const kind = reportedType === undefined ? undefined : KIND_OF_TYPE[reportedType];
  if (kind === undefined) return `the drive reports an unknown medium (type=${reportedType ?? 'none'}) for a ${wanted} image`;
  if (BY_SIZE.indexOf(kind) < BY_SIZE.indexOf(wanted)) return `the drive holds a ${reportedType} (${kind}), smaller than the ${wanted} the image was made for`;
  return null;
}
