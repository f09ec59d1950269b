// The life of a PTBurn job told by its file name (PTBurn 3 SDK rev 3.24 §3): the client writes
// MyJob.JRQ; PTBurn renames it MyJob.QRJ when queued, MyJob.INP while it runs, and MyJob.DON or
// MyJob.ERR (failed or aborted) at the end, deleting the last after Status_Time (60 min). The
// extensions can be changed in PTSETUP.INI, so they are a parameter here. PTSETUP.INI's comments
// also mention .ABT for aborted jobs; we read it as a failure too, although the manual's own
// lifecycle only uses .ERR.

export type JobFileState = 'submitted' | 'queued' | 'in-process' | 'done' | 'failed';

export interface JobExtensions {
  submitted: string;
  queued: string;
  inProcess: string;
  done: string;
  failed: string;
  /** Further extensions that also mean "failed" (the .ABT of PTSETUP.INI's comments). */
  alsoFailed: string[];
}

export const DEFAULT_EXTENSIONS: JobExtensions = {
  submitted: 'JRQ', queued: 'QRJ', inProcess: 'INP', done: 'DON', failed: 'ERR', alsoFailed: ['ABT'],
};

/** Ordered from first to last, so the furthest state wins when stale files linger. */
const ORDER: JobFileState[] = ['submitted', 'queued', 'in-process', 'done', 'failed'];

export const isFinal = (state: JobFileState) => state === 'done' || state === 'failed';

export function stateOfExtension(extension: string, ext: JobExtensions = DEFAULT_EXTENSIONS): JobFileState | undefined {
  const e = extension.replace(/^\./, '').toUpperCase();
  if (e === ext.submitted.toUpperCase()) return 'submitted';
  if (e === ext.queued.toUpperCase()) return 'queued';
  if (e === ext.inProcess.toUpperCase()) return 'in-process';
  if (e === ext.done.toUpperCase()) return 'done';
  if (e === ext.failed.toUpperCase() || ext.alsoFailed.some((a) => a.toUpperCase() === e)) return 'failed';
  return undefined;
}

export function jobFileName(baseName: string, state: JobFileState, ext: JobExtensions = DEFAULT_EXTENSIONS): string {
  const extension = { submitted: ext.submitted, queued: ext.queued, 'in-process': ext.inProcess, done: ext.done, failed: ext.failed }[state];
  return `${baseName}.${extension}`;
}

export interface JobFilesReading {
  /** undefined: no file of this job is there (never written, or deleted after Status_Time). */
  state: JobFileState | undefined;
  /** More than one state's file exists (a stale file, or a listing taken mid-rename). */
  conflicting: boolean;
}

/**
 * The state of job `baseName` from a folder listing. Windows names are case-insensitive, so is
 * this match. When several state files exist the furthest state wins and `conflicting` says so.
 */
export function jobStateFromFiles(baseName: string, fileNames: Iterable<string>, ext: JobExtensions = DEFAULT_EXTENSIONS): JobFilesReading {
  const base = baseName.toLowerCase();
  const found = new Set<JobFileState>();
  for (const name of fileNames) {
    const dot = name.lastIndexOf('.');
    if (dot < 0 || name.slice(0, dot).toLowerCase() !== base) continue;
    const state = stateOfExtension(name.slice(dot + 1), ext);
    if (state) found.add(state);
  }
  const state = ORDER.filter((s) => found.has(s)).pop();
  return { state, conflicting: found.size > 1 };
}

/** Windows device names that cannot be file names whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i;

/**
 * Why `baseName` cannot name a job file on the Windows share, or undefined when it can. PTBurn
 * also uses it as the job's section name in the status file, so "[" and "]" are out as well.
 */
export function jobBaseNameProblem(baseName: string): string | undefined {
  if (baseName === '') return 'is empty';
  if (baseName.length > 64) return 'is longer than 64 characters';
  if (/[\\/:*?"<>|[\]\x00-\x1f\x7f]/.test(baseName)) return 'contains a character Windows or the INI format does not allow';
  if (/[. ]$/.test(baseName) || /^ /.test(baseName)) return 'starts with a space or ends with a dot or space';
  if (RESERVED.test(baseName)) return 'is a reserved Windows device name';
  return undefined;
}
