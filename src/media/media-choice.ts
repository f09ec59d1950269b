// Which medium a job's payload goes on, and how it is split when one disc is not enough.
// Capacities are the user-data sectors of blank recordable media (2048-byte sectors), planned
// against the smaller of the -R/+R variants; a disc's budget is that minus the ISO 9660 image's own
// structures, the 300 KiB run-out padding, and a 1 % safety margin. Spanning follows dcm4chee-cdw:
// keep studies whole when they fit a disc, else series, else split a series by instance; a disc
// never mixes patients, and each disc becomes a complete file-set of its own (PS3.11 E.2.1.1).
import type { MediaProfile } from './profiles.ts';
import { compareLayoutKeys, type LayoutKey } from './fileset.ts';

export type MediaKind = 'cd' | 'dvd' | 'dvd-dl' | 'bd' | 'bd-dl';
export type MediaChoice = 'auto' | MediaKind;

export const SECTOR_BYTES = 2048;

export interface MediumSpec {
  kind: MediaKind;
  /** What the operator loads, as printed on the box. */
  name: string;
  /** User-data sectors of the blank medium (reference §4.6). */
  sectors: number;
  profile: MediaProfile;
}

/** Smallest to largest; the automatic choice takes the first that holds the whole payload. */
export const MEDIA: readonly MediumSpec[] = [
  // 80 min CD-R: 360,000 sectors (74 min discs, 333,000, are rare now)
  { kind: 'cd', name: 'CD-R', sectors: 360_000, profile: 'STD-GEN-CD' },
  // DVD+R SL 2,295,104 < DVD-R SL 2,298,496
  { kind: 'dvd', name: 'DVD-R', sectors: 2_295_104, profile: 'STD-GEN-DVD-JPEG' },
  // DVD-R DL 4,171,712 < DVD+R DL 4,173,824
  { kind: 'dvd-dl', name: 'DVD-R DL', sectors: 4_171_712, profile: 'STD-GEN-DVD-JPEG' },
  { kind: 'bd', name: 'BD-R', sectors: 12_219_392, profile: 'STD-GEN-BD' },
  { kind: 'bd-dl', name: 'BD-R DL', sectors: 24_438_784, profile: 'STD-GEN-BD' },
];

export const MEDIA_KINDS: readonly MediaKind[] = MEDIA.map((m) => m.kind);

export function isMediaKind(text: string): text is MediaKind {
  return (MEDIA_KINDS as readonly string[]).includes(text);
}

export function mediumSpec(kind: MediaKind): MediumSpec {
  return MEDIA.find((m) => m.kind === kind)!;
}

export const SAFETY_MARGIN = 0.01;
/**
 * The image's fixed structures: system area (16), volume descriptors (2), path tables (4), MD5
 * tags (3), slack (9), and xorriso's default 300 KiB padding (150), counted as part of the image.
 */
export const IMAGE_FIXED_SECTORS = 16 + 2 + 4 + 3 + 9 + 150;
/** ISO 9660 Level 1 files are single extents of at most 4 GiB - 1 bytes. */
export const LEVEL1_MAX_FILE_BYTES = 2 ** 32 - 1;
/** Directory records of one sector: 2048 / 44 bytes ("I0000001.;1" needs 33 + 11). */
const RECORDS_PER_SECTOR = 46;
/** Per directory: its path table entries (4 tables, up to 16 bytes each). */
const PATH_TABLE_BYTES_PER_DIRECTORY = 64;
/** xorriso's per-file MD5 (16 bytes) where it records one; counted always. */
const MD5_BYTES_PER_FILE = 16;

/** Bytes of a disc's payload the medium can take: capacity less fixed structures and the margin. */
export function usableBytes(capacityBytes: number): number {
  return Math.floor(capacityBytes * (1 - SAFETY_MARGIN)) - IMAGE_FIXED_SECTORS * SECTOR_BYTES;
}

export function capacityBytes(kind: MediaKind, overrides: Partial<Record<MediaKind, number>> = {}): number {
  return overrides[kind] ?? mediumSpec(kind).sectors * SECTOR_BYTES;
}

const sectors = (bytes: number): number => Math.ceil(bytes / SECTOR_BYTES);

/** One instance as the planner sees it. */
export interface PlanItem extends LayoutKey {
  /** Size of its file on the disc. */
  fileBytes: number;
  /** Upper bound of its DICOMDIR leaf record, and of each parent record it brings along. */
  recordBytes: number;
}

export class MediaPlanError extends Error {
  override name = 'MediaPlanError';
}

/** Running totals of one disc being filled; `cost` is what adding items would take. */
class DiscFill {
  readonly items: number[] = [];
  used: number;
  private readonly patients = new Set<string>();
  private readonly studies = new Set<string>();
  private readonly series = new Map<string, number>();

  constructor(readonly budget: number, reserve: number) {
    // the DICOMDIR's header and last sector, and the DICOM folder
    this.used = reserve + 2 * SECTOR_BYTES;
  }

  get empty(): boolean {
    return this.items.length === 0;
  }

  /** The disc's patient (root-level items, patientId "", belong to none). */
  get patient(): string | undefined {
    return [...this.patients].find((p) => p !== '');
  }

  /** Bytes that adding `list` would take on this disc, given what is already on it. */
  cost(list: readonly PlanItem[]): number {
    const patients = new Set(this.patients);
    const studies = new Set(this.studies);
    const series = new Map(this.series);
    let bytes = 0;
    for (const it of list) {
      bytes += sectors(it.fileBytes) * SECTOR_BYTES + it.recordBytes + MD5_BYTES_PER_FILE;
      if (it.rootLevel) continue;
      // a new folder costs its first directory sector, path table entries, an entry in its parent and a record
      const folder = SECTOR_BYTES + PATH_TABLE_BYTES_PER_DIRECTORY + it.recordBytes;
      if (!patients.has(it.patientId)) {
        patients.add(it.patientId);
        bytes += folder;
      }
      if (!studies.has(it.studyInstanceUid)) {
        studies.add(it.studyInstanceUid);
        bytes += folder;
      }
      const entries = series.get(it.seriesInstanceUid);
      if (entries === undefined) bytes += folder;
      const n = (entries ?? 0) + 1;
      series.set(it.seriesInstanceUid, n);
      // "." and ".." take two records; another sector when the records spill over
      if (n > 1 && (n + 2) % RECORDS_PER_SECTOR === 1) bytes += SECTOR_BYTES;
    }
    return bytes;
  }

  fits(list: readonly PlanItem[]): boolean {
    return this.used + this.cost(list) <= this.budget;
  }

  add(list: readonly PlanItem[], indexOf: Map<PlanItem, number>): void {
    this.used += this.cost(list);
    for (const it of list) {
      this.items.push(indexOf.get(it)!);
      if (it.rootLevel) continue;
      this.patients.add(it.patientId);
      this.studies.add(it.studyInstanceUid);
      this.series.set(it.seriesInstanceUid, (this.series.get(it.seriesInstanceUid) ?? 0) + 1);
    }
  }
}

export interface PlanOptions {
  /** Payload bytes one disc takes (usableBytes of its capacity). */
  usableBytes: number;
  /** Bytes set aside on every disc for README.TXT, INDEX.HTM and a site folder. */
  reserveBytes: number;
  /** Names the medium in error messages. */
  mediumName: string;
}

/**
 * Splits the items over as few discs as the rule allows: whole studies, else whole series, else
 * instances; a new disc for each patient. Returns item indexes per disc in layout order. Throws
 * MediaPlanError when a single instance cannot fit an empty disc.
 */
export function planDiscs(items: readonly PlanItem[], options: PlanOptions): number[][] {
  const indexOf = new Map(items.map((it, i) => [it, i] as const));
  const sorted = [...items].sort(compareLayoutKeys);
  const discs: DiscFill[] = [];
  const fresh = (): DiscFill => new DiscFill(options.usableBytes, options.reserveBytes);
  let current = fresh();
  discs.push(current);
  const startNew = (): void => {
    current = fresh();
    discs.push(current);
  };
  /**
   * Puts a group on the current disc, or alone on a new one; false when it should be split. A disc
   * holding only root-level files is filled further rather than left without a patient.
   */
  const place = (group: PlanItem[], indivisible = false): boolean => {
    if (current.fits(group)) {
      current.add(group, indexOf);
      return true;
    }
    if (current.patient === undefined && !indivisible) return false;
    if (!fresh().fits(group)) return false;
    if (!current.empty) startNew();
    current.add(group, indexOf);
    return true;
  };

  // root-level records' files (hanging protocols and the like) go on the first disc
  const rootLevel = sorted.filter((it) => it.rootLevel);
  if (rootLevel.length > 0 && !place(rootLevel)) {
    throw new MediaPlanError(`the ${rootLevel.length} root-level object(s) (hanging protocols, palettes, implants) do not fit one ${options.mediumName}`);
  }
  for (const patient of groupBy(sorted.filter((it) => !it.rootLevel), (it) => it.patientId)) {
    if (!current.empty && current.patient !== undefined && current.patient !== patient[0]!.patientId) startNew();
    for (const study of groupBy(patient, (it) => it.studyInstanceUid)) {
      if (place(study)) continue;
      for (const series of groupBy(study, (it) => it.seriesInstanceUid)) {
        if (place(series)) continue;
        for (const instance of series) {
          if (place([instance], true)) continue;
          throw new MediaPlanError(
            `instance ${instance.sopInstanceUid} (${instance.fileBytes} bytes) is larger than one ${options.mediumName} can hold ` +
            `(${Math.max(0, options.usableBytes - options.reserveBytes)} bytes of payload)`,
          );
        }
      }
    }
  }
  return discs.filter((d) => !d.empty).map((d) => d.items);
}

function groupBy<T>(sorted: readonly T[], key: (item: T) => string): T[][] {
  const groups: T[][] = [];
  let last: string | undefined;
  for (const item of sorted) {
    const k = key(item);
    if (groups.length === 0 || k !== last) groups.push([]);
    groups[groups.length - 1]!.push(item);
    last = k;
  }
  return groups;
}

export interface MediaDecision {
  medium: MediumSpec;
  /** Raw capacity used for this medium (after overrides). */
  capacityBytes: number;
  usableBytes: number;
  /** Item indexes per disc. */
  discs: number[][];
}

export interface ChooseOptions {
  media: MediaChoice;
  /** Per-medium capacity in bytes replacing the table's (tests, or media a site measured). */
  capacities?: Partial<Record<MediaKind, number>>;
  reserveBytes: number;
}

/**
 * The medium and the split. 'auto' takes the smallest medium that holds everything on one disc,
 * else spans over the medium with the largest capacity. An instance too large for the medium
 * (or, with 'auto', for every medium) or for ISO 9660 Level 1 is a MediaPlanError.
 */
export function chooseMedia(items: readonly PlanItem[], options: ChooseOptions): MediaDecision {
  if (items.length === 0) throw new MediaPlanError('there is nothing to put on a disc');
  const tooLarge = items.find((it) => it.fileBytes > LEVEL1_MAX_FILE_BYTES);
  if (tooLarge) {
    throw new MediaPlanError(`instance ${tooLarge.sopInstanceUid} (${tooLarge.fileBytes} bytes) exceeds the ISO 9660 Level 1 limit of ${LEVEL1_MAX_FILE_BYTES} bytes per file`);
  }
  const decide = (kind: MediaKind): MediaDecision => {
    const medium = mediumSpec(kind);
    const capacity = capacityBytes(kind, options.capacities);
    const usable = usableBytes(capacity);
    const discs = planDiscs(items, { usableBytes: usable, reserveBytes: options.reserveBytes, mediumName: medium.name });
    return { medium, capacityBytes: capacity, usableBytes: usable, discs };
  };
  if (options.media !== 'auto') return decide(options.media);

  for (const kind of MEDIA_KINDS) {
    let decision: MediaDecision;
    try {
      decision = decide(kind);
    } catch (err) {
      if (err instanceof MediaPlanError) continue;
      throw err;
    }
    if (decision.discs.length === 1) return decision;
  }
  const largest = [...MEDIA_KINDS].sort((a, b) => capacityBytes(b, options.capacities) - capacityBytes(a, options.capacities))[0]!;
  return decide(largest);
}
