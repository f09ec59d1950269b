// One master run: the inputs (files and folders, or instances from the store) become disc images
// and labels. Read every input; screen them (one patient, valid identities, each instance once);
// decide per SOP class whether it goes on the disc (what stays off is listed, never dropped);
// choose the medium and split over discs; then per disc: layout, DICOMDIR, README.TXT, INDEX.HTM,
// label (JPG) and ISO image. Everything is made in a work folder inside the output folder and
// renamed into place only when every disc is complete, so a failed run leaves nothing behind.
import fs from 'node:fs/promises';
import path from 'node:path';
import { decodeText } from '../../src/dicom/text.ts';
import type { CollectedValue } from '../../src/dicom/index-keys.ts';
import { findStorageSopClass } from '../../src/dicom/sop-classes.ts';
import { IMPLEMENTATION_CLASS_UID, IMPLEMENTATION_VERSION_NAME } from '../../src/dicom/uid.ts';
import { buildDicomdir, type DicomdirResult } from '../../src/media/dicomdir/build.ts';
import { DicomdirError } from '../../src/media/dicomdir/errors.ts';
import {
  assignFileIds, discFileSetIds, imageEntries, isFileSetId, layoutOrder, siteFolderProblems, type PlacedInstance, type SiteFolder,
} from '../../src/media/fileset.ts';
import { screenInstances, type InputProblem, type MasterInstance, type ScreenedInstance } from '../../src/media/instance-source.ts';
import { labelTemplateProblem, type LabelData, type LabelLineRole } from '../../src/media/label-data.ts';
import { chooseMedia, MediaPlanError, mediumSpec, SECTOR_BYTES, type MediaChoice, type MediaKind, type MediumSpec } from '../../src/media/media-choice.ts';
import { indexHtml, readmeText, type ManifestPatient, type ManifestSeries, type ManifestStudy, type OffDiscEntry, type PdiContent, type SubstitutionEntry } from '../../src/media/pdi-text.ts';
import type { MediaProfile } from '../../src/media/profiles.ts';
import { recordDecision, ROOT_RECORD_TYPES } from '../../src/media/record-types.ts';
import { readDicomFile } from './dicom-file-reader.ts';
import { renderLabel } from './label-renderer.ts';
import { makeIsoImage, XorrisoError } from './xorriso.ts';

export const APPLICATION_NAME = 'discrobot';
export const APPLICATION_VERSION = IMPLEMENTATION_VERSION_NAME.replace(/^DISCROBOT_/, '').replace(/_/g, '.');

export interface SiteFolderOption {
  /** Local folder merged into the disc root as a folder of its own. */
  dir: string;
  /** Its name on the disc; default: the folder's own name in upper case. */
  name?: string;
  /** A file in it that INDEX.HTM links to, relative to the folder. */
  entry?: string;
  description?: string;
}

export interface MasterOptions {
  outDir: string;
  media?: MediaChoice;
  /** File-set ID (and volume ID); spanned sets get "_iOFn" suffixes. Default: DR + UTC date and time. */
  fileSetId?: string;
  /** Capacity per medium in bytes, replacing the built-in table's. */
  capacities?: Partial<Record<MediaKind, number>>;
  /** The institution that makes the disc; default: the instances' Institution Name. */
  institution?: string;
  /** Which label lines, in this order (a route's label template); default: all of them (label-data.ts). */
  labelLines?: readonly LabelLineRole[];
  contact?: string;
  site?: SiteFolderOption;
  /** Put private SOP classes on the disc as PRIVATE records. */
  allowPrivate?: boolean;
  /** Make the discs from the good inputs even when some are bad (they are still reported). */
  skipBad?: boolean;
  now?: Date;
  labelDpi?: number;
}

export interface DiscSummary {
  index: number;
  count: number;
  image: string;
  label: string;
  media: MediaKind;
  mediumName: string;
  profile: MediaProfile;
  fileSetId: string;
  fileSetUid: string;
  instances: number;
  studies: number;
  series: number;
  /** Size of the image file. */
  bytes: number;
  /** Raw capacity the disc was planned for. */
  capacityBytes: number;
}

export interface OffDiscSummaryEntry extends OffDiscEntry {
  file: string;
}

export interface MasterSummary {
  /** written: every input is on a disc or listed off-disc; written-with-skips: --skip-bad left bad inputs out; failed: no disc written. */
  status: 'written' | 'written-with-skips' | 'failed';
  error?: string;
  outDir: string;
  discs: DiscSummary[];
  problems: InputProblem[];
  offDisc: OffDiscSummaryEntry[];
  substitutions: (SubstitutionEntry & { disc: number })[];
  converted: { file: string; fromTransferSyntax: string }[];
  /** Inputs that are not instances and need no disc of their own (DICOMDIR files). */
  ignored: { file: string; reason: string }[];
}

class JobError extends Error {}

const READ_CONCURRENCY = 8;
const WORK_PREFIX = '.discrobot-master-';

/** Masters files and folders given on the command line. */
export async function master(inputs: readonly string[], options: MasterOptions): Promise<MasterSummary> {
  const outDir = path.resolve(options.outDir);
  await fs.mkdir(outDir, { recursive: true });
  const work = await fs.mkdtemp(path.join(outDir, WORK_PREFIX));
  try {
    const problems: InputProblem[] = [];
    const ignored: MasterSummary['ignored'] = [];
    const files = await expandInputs(inputs, problems, outDir);
    await fs.mkdir(path.join(work, 'converted'));
    const instances: MasterInstance[] = [];
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < files.length) {
        const n = next++;
        // the reader's header reads are synchronous: let the event loop run between batches
        if (n % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
        const file = files[n]!;
        const result = await readDicomFile(file, { convertedPath: path.join(work, 'converted', `${String(n).padStart(7, '0')}.dcm`) });
        if (result.kind === 'instance') instances[n] = result.instance;
        else if (result.kind === 'directory') ignored.push({ file, reason: 'a DICOMDIR: each disc gets a new one' });
        else problems.push({ file: result.file, problem: result.problem });
      }
    };
    await Promise.all(Array.from({ length: READ_CONCURRENCY }, worker));
    return await compose(instances.filter((i) => i !== undefined), { ...options, outDir }, work, problems, ignored);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/** Masters instances already known (rows of the store, for example). */
export async function masterInstances(instances: readonly MasterInstance[], options: MasterOptions): Promise<MasterSummary> {
  const outDir = path.resolve(options.outDir);
  await fs.mkdir(outDir, { recursive: true });
  const work = await fs.mkdtemp(path.join(outDir, WORK_PREFIX));
  try {
    return await compose(instances, { ...options, outDir }, work, [], []);
  } finally {
    await fs.rm(work, { recursive: true, force: true });
  }
}

/**
 * Files of the inputs: folders walked recursively in name order; each file once (files named
 * again, or reached twice through links, are taken once); never the output folder.
 */
async function expandInputs(inputs: readonly string[], problems: InputProblem[], outDir: string): Promise<string[]> {
  const out: string[] = [];
  const realOut = await fs.realpath(outDir);
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const addFile = async (file: string, viaLink: boolean): Promise<void> => {
    // a file in a walked folder is unique by its path; only given or linked files need resolving
    const key = viaLink ? await fs.realpath(file).catch(() => file) : file;
    if (seenFiles.has(key)) return;
    seenFiles.add(key);
    out.push(file);
  };
  const walk = async (dir: string): Promise<void> => {
    const real = await fs.realpath(dir);
    if (real === realOut || seenDirs.has(real)) return; // e.g. `master . --out ./discs`
    seenDirs.add(real);
    const entries = (await fs.readdir(real, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const full = path.join(real, e.name);
      if (e.isDirectory()) await walk(full);
      else if (e.isFile()) await addFile(full, false);
      else if (e.isSymbolicLink()) {
        const stat = await fs.stat(full).catch(() => undefined);
        if (stat?.isDirectory()) await walk(full);
        else if (stat?.isFile()) await addFile(full, true);
        else problems.push({ file: full, problem: stat ? 'not a regular file' : 'unreadable: a broken link' });
      } else {
        problems.push({ file: full, problem: 'not a regular file' });
      }
    }
  };
  for (const input of inputs) {
    try {
      const stat = await fs.stat(input);
      if (stat.isDirectory()) await walk(path.resolve(input));
      else if (stat.isFile()) await addFile(path.resolve(input), true);
      else problems.push({ file: input, problem: 'not a regular file or folder' });
    } catch (err) {
      problems.push({ file: input, problem: `unreadable: ${(err as Error).message}` });
    }
  }
  return out;
}

interface Options extends MasterOptions {
  outDir: string;
}

async function compose(
  instances: readonly MasterInstance[],
  options: Options,
  work: string,
  problems: InputProblem[],
  ignored: MasterSummary['ignored'],
): Promise<MasterSummary> {
  const summary: MasterSummary = { status: 'failed', outDir: options.outDir, discs: [], problems, offDisc: [], substitutions: [], converted: [], ignored };
  try {
    await composeInto(summary, instances, options, work);
  } catch (err) {
    // whatever stops the job, the summary says so and nothing is left in the output folder
    const expected = err instanceof JobError || err instanceof MediaPlanError || err instanceof DicomdirError || err instanceof XorrisoError;
    summary.status = 'failed';
    summary.error = expected ? err.message : `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    summary.discs = [];
  }
  return summary;
}

async function composeInto(summary: MasterSummary, instances: readonly MasterInstance[], options: Options, work: string): Promise<void> {
  // a label template that cannot be printed stops the run before any work, with its reason
  const labelProblem = options.labelLines ? labelTemplateProblem(options.labelLines) : undefined;
  if (labelProblem) throw new JobError(`the label template ${labelProblem}`);
  const allowPrivate = options.allowPrivate ?? false;
  const decision = (sopClassUid: string) => recordDecision(sopClassUid, { allowPrivate });
  const screening = screenInstances(instances, {
    isRootLevel: (uid) => {
      const d = decision(uid);
      return d.onDisc && ROOT_RECORD_TYPES.has(d.recordType);
    },
  });
  summary.problems.push(...screening.problems);

  const onDisc: ScreenedInstance[] = [];
  for (const instance of layoutOrder(screening.accepted)) {
    const d = decision(instance.sopClassUid);
    if (d.onDisc) onDisc.push(instance);
    else {
      summary.offDisc.push({
        file: instance.inputPath,
        sopInstanceUid: instance.sopInstanceUid,
        sopClassUid: instance.sopClassUid,
        sopClassName: findStorageSopClass(instance.sopClassUid)?.name,
        reason: d.reason,
      });
    }
  }

  if (summary.problems.length > 0 && !options.skipBad) {
    throw new JobError(`${summary.problems.length} input(s) cannot go on a disc (see problems); nothing was written`);
  }
  const fileSetBase = options.fileSetId ?? defaultFileSetId(options.now ?? new Date());
  if (!isFileSetId(fileSetBase)) throw new JobError(`File-set ID "${fileSetBase}" must be 1 to 16 characters A-Z, 0-9 or _`);
  const site = options.site ? await loadSiteFolder(options.site) : undefined;

  // One DICOMDIR of everything first: it finds instances the directory cannot take (they become
  // problems), and its size bounds every disc's DICOMDIR, whose records are a subset of its own.
  // (made in the requested medium's profile, else in the one with the most keys)
  const profileProbe: MediaProfile = options.media && options.media !== 'auto' ? mediumSpec(options.media).profile : 'STD-GEN-DVD-JPEG';
  let candidates = onDisc;
  let probe: DicomdirResult | undefined;
  for (;;) {
    if (candidates.filter((c) => !c.rootLevel).length === 0) {
      throw new JobError(summary.problems.length > 0 || summary.offDisc.length > 0
        ? 'no instance of the inputs can go on a disc' : 'there is nothing to put on a disc');
    }
    try {
      probe = buildDicomdir({
        fileSetId: fileSetBase,
        profile: profileProbe,
        instances: assignFileIds(candidates).map((p) => directoryInstance(p)),
        allowPrivate,
      });
      break;
    } catch (err) {
      const bad = err instanceof DicomdirError && err.sopInstanceUid !== undefined ? candidates.find((c) => c.sopInstanceUid === err.sopInstanceUid) : undefined;
      if (!bad) throw err;
      summary.problems.push({ file: bad.inputPath, problem: `cannot be recorded in DICOMDIR: ${(err as Error).message}` });
      if (!options.skipBad) throw new JobError(`${summary.problems.length} input(s) cannot go on a disc (see problems); nothing was written`);
      candidates = candidates.filter((c) => c !== bad);
    }
  }

  const createdAt = (options.now ?? new Date()).toISOString();
  const institution = options.institution ?? institutionOf(candidates) ?? 'Unknown institution';
  // README/INDEX of a one-disc plan, with room to grow for "disc i of N" and per-disc notes
  const sample = pdiContent({ candidates, discOf: new Map(), discIndex: 1, discCount: 1, fileSetId: fileSetBase, profile: 'STD-GEN-CD', medium: 'CD-R', createdAt, institution, options, site, offDisc: summary.offDisc, substitutions: [] });
  const textBytes = Buffer.byteLength(readmeText(sample)) + Math.ceil(Buffer.byteLength(indexHtml(sample)) * 1.25) + 8 * 1024;
  const siteBytes = site ? await siteFolderBytes(site) : 0;
  const reserveBytes = roundUp(textBytes) + siteBytes + roundUp(probe.bytes.length);

  const plan = chooseMedia(
    candidates.map((c) => ({ ...c, fileBytes: c.bytes, recordBytes: 0 })),
    { media: options.media ?? 'auto', capacities: options.capacities, reserveBytes },
  );
  const discCount = plan.discs.length;
  const ids = discFileSetIds(fileSetBase, discCount);
  for (const id of ids) {
    for (const ext of ['iso', 'jpg']) {
      const target = path.join(options.outDir, `${id}.${ext}`);
      if (await exists(target)) throw new JobError(`${target} already exists; choose another --fileset-id or output folder`);
    }
  }
  const discOf = new Map<ScreenedInstance, number>();
  plan.discs.forEach((indexes, d) => indexes.forEach((i) => discOf.set(candidates[i]!, d + 1)));

  const staged = path.join(work, 'out');
  await fs.mkdir(staged);
  const made: { image: string; label: string; summary: DiscSummary }[] = [];
  for (let d = 0; d < discCount; d++) {
    const fileSetId = ids[d]!;
    const members = plan.discs[d]!.map((i) => candidates[i]!);
    const placed = assignFileIds(members);
    // one disc in the probe's profile: the probe is this disc's DICOMDIR
    const dicomdir = discCount === 1 && profileProbe === plan.medium.profile && fileSetId === fileSetBase
      ? probe
      : buildDicomdir({ fileSetId, profile: plan.medium.profile, instances: placed.map((p) => directoryInstance(p)), allowPrivate });
    const substitutions = dicomdir.substitutions.map((s) => ({ ...s, disc: d + 1 }));
    summary.substitutions.push(...substitutions);
    const content = pdiContent({
      candidates, discOf, discIndex: d + 1, discCount, fileSetId, profile: plan.medium.profile, medium: plan.medium.name,
      createdAt, institution, options, site, offDisc: summary.offDisc, substitutions,
    });
    const discDir = path.join(work, `disc${d + 1}`);
    await fs.mkdir(discDir);
    const dicomdirPath = path.join(discDir, 'DICOMDIR');
    const readmePath = path.join(discDir, 'README.TXT');
    const indexPath = path.join(discDir, 'INDEX.HTM');
    await fs.writeFile(dicomdirPath, dicomdir.bytes);
    await fs.writeFile(readmePath, readmeText(content), 'ascii');
    await fs.writeFile(indexPath, indexHtml(content), 'utf8');
    const imagePath = path.join(staged, `${fileSetId}.iso`);
    const labelPath = path.join(staged, `${fileSetId}.jpg`);
    const [image] = await Promise.all([
      makeIsoImage({
        outPath: imagePath,
        volumeId: fileSetId,
        applicationId: `${APPLICATION_NAME} ${APPLICATION_VERSION}`,
        entries: imageEntries({ placed, dicomdirPath, readmePath, indexPath, site }),
        pathListFile: path.join(discDir, 'paths.txt'),
      }),
      renderLabel(
        labelData(members, candidates, { institution, discIndex: d + 1, discCount, createdAt, lines: options.labelLines }),
        labelPath,
        { dpi: options.labelDpi },
      ),
    ]);
    if (image.bytes > plan.capacityBytes) {
      throw new JobError(`disc ${d + 1}'s image (${image.bytes} bytes) exceeds the ${plan.medium.name} capacity of ${plan.capacityBytes} bytes`);
    }
    const nonRoot = members.filter((m) => !m.rootLevel);
    made.push({
      image: imagePath,
      label: labelPath,
      summary: {
        index: d + 1,
        count: discCount,
        image: path.join(options.outDir, path.basename(imagePath)),
        label: path.join(options.outDir, path.basename(labelPath)),
        media: plan.medium.kind,
        mediumName: plan.medium.name,
        profile: plan.medium.profile,
        fileSetId,
        fileSetUid: dicomdir.fileSetUid,
        instances: members.length,
        studies: new Set(nonRoot.map((m) => m.studyInstanceUid)).size,
        series: new Set(nonRoot.map((m) => m.seriesInstanceUid)).size,
        bytes: image.bytes,
        capacityBytes: plan.capacityBytes,
      },
    });
  }
  await publish(made);
  summary.discs = made.map((m) => m.summary);
  summary.converted = candidates.filter((c) => c.convertedFrom).map((c) => ({ file: c.inputPath, fromTransferSyntax: c.convertedFrom! }));
  summary.status = summary.problems.length > 0 ? 'written-with-skips' : 'written';
}

/** Renames the finished images and labels into the output folder; undoes the renames on failure. */
async function publish(made: readonly { image: string; label: string; summary: DiscSummary }[]): Promise<void> {
  const done: string[] = [];
  try {
    for (const m of made) {
      for (const [from, to] of [[m.image, m.summary.image], [m.label, m.summary.label]] as const) {
        await fs.link(from, to); // fails if the target appeared meanwhile: never overwrite
        done.push(to);
      }
    }
  } catch (err) {
    await Promise.all(done.map((f) => fs.rm(f, { force: true })));
    throw new JobError(`cannot place the finished discs in the output folder: ${(err as Error).message}`);
  }
}

function directoryInstance(p: PlacedInstance<ScreenedInstance>) {
  return { fileId: p.fileId, transferSyntaxUid: p.item.transferSyntaxUid, elements: p.item.elements };
}

function defaultFileSetId(now: Date): string {
  const iso = now.toISOString(); // 2026-12-01T10:15:00.000Z
  return `DR${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
}

const roundUp = (bytes: number): number => Math.ceil(bytes / SECTOR_BYTES) * SECTOR_BYTES;

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(() => true, () => false);
}

/** A text value of the instance decoded with its Specific Character Set, or null. */
function textOf(elements: ReadonlyMap<number, CollectedValue>, tag: number): string | null {
  const v = elements.get(tag);
  if (!v) return null;
  const charset = elements.get(0x00080005);
  const text = decodeText(v.value, charset ? decodeText(charset.value, undefined).trim() : undefined).trim();
  return text === '' ? null : text;
}

function institutionOf(instances: readonly ScreenedInstance[]): string | undefined {
  for (const i of instances) {
    const name = textOf(i.elements, 0x00080080);
    if (name) return name;
  }
  return undefined;
}

async function loadSiteFolder(option: SiteFolderOption): Promise<SiteFolder> {
  const sourceDir = path.resolve(option.dir);
  const name = option.name ?? path.basename(sourceDir).toUpperCase();
  const files: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(sourceDir, rel), { withFileTypes: true }).catch((err: Error) => {
      throw new JobError(`site folder ${option.dir}: ${err.message}`);
    });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(relPath);
      else files.push(relPath);
    }
  };
  await walk('');
  const site: SiteFolder = { name, sourceDir, files, entry: option.entry };
  const problems = siteFolderProblems(site);
  if (problems.length > 0) throw new JobError(`site folder ${option.dir} cannot go on the disc: ${problems.slice(0, 5).join('; ')}${problems.length > 5 ? ` (and ${problems.length - 5} more)` : ''}`);
  return site;
}

async function siteFolderBytes(site: SiteFolder): Promise<number> {
  let bytes = SECTOR_BYTES * 4;
  const dirs = new Set<string>();
  for (const file of site.files) {
    const { size } = await fs.stat(path.join(site.sourceDir, file));
    bytes += roundUp(size) + 64;
    dirs.add(path.posix.dirname(file));
  }
  return bytes + dirs.size * SECTOR_BYTES;
}

interface PdiInput {
  candidates: readonly ScreenedInstance[];
  /** Disc number of each instance (empty: all on disc 1). */
  discOf: ReadonlyMap<ScreenedInstance, number>;
  discIndex: number;
  discCount: number;
  fileSetId: string;
  profile: MediaProfile;
  medium: MediumSpec['name'];
  createdAt: string;
  institution: string;
  options: Options;
  site?: SiteFolder;
  offDisc: readonly OffDiscSummaryEntry[];
  substitutions: readonly SubstitutionEntry[];
}

function pdiContent(input: PdiInput): PdiContent {
  const discOf = (i: ScreenedInstance): number => input.discOf.get(i) ?? 1;
  return {
    application: { name: APPLICATION_NAME, version: APPLICATION_VERSION, implementationClassUid: IMPLEMENTATION_CLASS_UID, implementationVersionName: IMPLEMENTATION_VERSION_NAME },
    institution: { name: input.institution, contact: input.options.contact },
    profile: input.profile,
    mediumName: input.medium,
    fileSetId: input.fileSetId,
    discIndex: input.discIndex,
    discCount: input.discCount,
    createdAt: input.createdAt,
    patients: manifest(input.candidates.filter((c) => !c.rootLevel), discOf, input.discIndex),
    rootObjects: input.candidates.filter((c) => c.rootLevel).map((c) => ({
      sopClassName: findStorageSopClass(c.sopClassUid)?.name ?? c.sopClassUid,
      description: textOf(c.elements, 0x00720002) ?? textOf(c.elements, 0x00700080),
      disc: discOf(c),
    })),
    instancesOnDisc: input.candidates.filter((c) => discOf(c) === input.discIndex).length,
    instancesInSet: input.candidates.length,
    offDisc: input.offDisc.map(({ file: _file, ...rest }) => rest),
    substitutions: [...input.substitutions],
    site: input.site ? { name: input.site.name, entry: input.site.entry, description: input.options.site?.description } : undefined,
  };
}

/** Patients, studies and series of the whole set, in reading order, with where each series is. */
function manifest(instances: readonly ScreenedInstance[], discOf: (i: ScreenedInstance) => number, discIndex: number): ManifestPatient[] {
  const patients = new Map<string, { patient: ManifestPatient; studies: Map<string, { study: ManifestStudy; series: Map<string, ManifestSeries> }> }>();
  for (const i of layoutOrder(instances)) {
    let p = patients.get(i.patientId);
    if (!p) {
      p = { patient: { patientId: i.patientId, name: i.entry.patientName, birthDate: i.entry.patientBirthDate, sex: i.entry.patientSex, studies: [] }, studies: new Map() };
      patients.set(i.patientId, p);
    }
    let s = p.studies.get(i.studyInstanceUid);
    if (!s) {
      s = {
        study: {
          studyInstanceUid: i.studyInstanceUid, date: i.entry.studyDate, time: i.entry.studyTime, description: i.entry.studyDescription,
          accessionNumber: i.entry.accessionNumber, studyId: i.entry.studyId, series: [],
        },
        series: new Map(),
      };
      p.studies.set(i.studyInstanceUid, s);
      p.patient.studies.push(s.study);
    }
    let se = s.series.get(i.seriesInstanceUid);
    if (!se) {
      se = {
        seriesInstanceUid: i.seriesInstanceUid, seriesNumber: i.entry.seriesNumber, modality: i.entry.modality,
        description: textOf(i.elements, 0x0008103e), instances: 0, onThisDisc: 0, discs: [],
      };
      s.series.set(i.seriesInstanceUid, se);
      s.study.series.push(se);
    }
    se.instances++;
    const disc = discOf(i);
    if (disc === discIndex) se.onThisDisc++;
    if (!se.discs.includes(disc)) se.discs.push(disc);
  }
  const out = [...patients.values()].map((p) => p.patient);
  for (const p of out) {
    // by date and time; studies without a date last
    p.studies.sort((a, b) => `${a.date ?? '~'}${a.time ?? ''}`.localeCompare(`${b.date ?? '~'}${b.time ?? ''}`));
    for (const s of p.studies) {
      s.series.sort((a, b) => (Number(a.seriesNumber ?? Infinity) - Number(b.seriesNumber ?? Infinity)) || 0);
      for (const se of s.series) se.discs.sort((a, b) => a - b);
    }
  }
  return out;
}

function labelData(
  members: readonly ScreenedInstance[],
  set: readonly ScreenedInstance[],
  disc: { institution: string; discIndex: number; discCount: number; createdAt: string; lines?: readonly LabelLineRole[] },
): LabelData {
  const patientLevel = layoutOrder(members.filter((m) => !m.rootLevel));
  // a disc of root-level files only (hanging protocols that filled disc 1) still names the set's patient
  const first = patientLevel[0] ?? layoutOrder(set.filter((m) => !m.rootLevel))[0]!;
  const studies = new Map<string, { date: string | null; description: string | null; modalities: Set<string> }>();
  for (const m of patientLevel) {
    let s = studies.get(m.studyInstanceUid);
    if (!s) {
      s = { date: m.entry.studyDate, description: m.entry.studyDescription, modalities: new Set() };
      studies.set(m.studyInstanceUid, s);
    }
    if (m.entry.modality) s.modalities.add(m.entry.modality);
  }
  return {
    patientName: first.entry.patientName ?? '',
    patientId: first.patientId,
    birthDate: first.entry.patientBirthDate,
    studies: [...studies.values()]
      .sort((a, b) => (a.date ?? '').localeCompare(b.date ?? ''))
      .map((s) => ({ date: s.date, description: s.description, modalities: [...s.modalities].sort() })),
    institution: disc.institution,
    discIndex: disc.discIndex,
    discCount: disc.discCount,
    createdAt: disc.createdAt,
    lines: disc.lines,
  };
}
