// How discrobot reaches one PTBurn robot: its hot folder, which of PTBurn's robots, how often
// PTBurn rewrites its status, and how our local paths look from the PTBurn server.

export interface PathMapping {
  /** A local path prefix (where discrobot writes images and labels)… */
  from: string;
  /** …and the same place as the PTBurn server sees it (e.g. `\\\\host\\share\\spool`). */
  to: string;
}

export interface HotFolderConfig {
  /** The PTBurn job folder (the share, mounted locally). */
  folder: string;
  /** PTBurn's name of the robot (its [RobotList] entry and status file); null: the first listed. */
  robotName: string | null;
  /** PTBurn's StatusFrequency (default 2 s); the folder and status files are read this often. */
  statusFrequencyMs: number;
  /** ServerTickCount frozen this long, and at least 3 status periods, means PTBurn stopped. */
  minStallMs: number;
  /** Local → server path prefixes for ImageFile and PrintLabel; none: identity. */
  pathMap: PathMapping[];
  /** First retry delay when the share is unreachable (doubling up to maxBackoffMs). */
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Real time in ms; tests pass their own. */
  now: () => number;
}

export const HOT_FOLDER_DEFAULTS: Omit<HotFolderConfig, 'folder'> = {
  robotName: null,
  statusFrequencyMs: 2_000,
  minStallMs: 10_000,
  pathMap: [],
  initialBackoffMs: 500,
  maxBackoffMs: 10_000,
  now: () => Date.now(),
};

export function hotFolderConfig(fields: Partial<HotFolderConfig> & { folder: string }): HotFolderConfig {
  return { ...HOT_FOLDER_DEFAULTS, ...fields };
}

/**
 * A local path as the server sees it: the first matching prefix is replaced, and when the server
 * side is a Windows path the rest's "/" become "\". No match: the path as it is.
 */
export function serverPath(localPath: string, pathMap: readonly PathMapping[]): string {
  for (const { from, to } of pathMap) {
    const prefix = from.endsWith('/') ? from : `${from}/`;
    if (localPath !== from && !localPath.startsWith(prefix)) continue;
    const rest = localPath.slice(from.length).replace(/^\/+/, '');
    const windows = to.includes('\\');
    const sep = windows ? '\\' : '/';
    const base = to.endsWith(sep) ? to.slice(0, -1) : to;
    return rest === '' ? base : `${base}${sep}${windows ? rest.replace(/\//g, '\\') : rest}`;
  }
  return localPath;
}
