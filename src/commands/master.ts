// `discrobot master <file-or-folder>... --out DIR`: disc images and labels from DICOM files, with a
// JSON summary on stdout. Exit status: 0 discs written; 1 no disc written (bad input or a job error,
// both in the summary); 2 wrong usage; 3 discs written from the good inputs only (--skip-bad).
import { loadConfigFile } from '../config/load.ts';
import { ConfigError } from '../config/schema.ts';
import { Command, Option } from 'commander';
import { parseByteSize } from '../config/byte-size.ts';
import { master, type MasterOptions, type MasterSummary } from '../../adapters/media/master.ts';
import { isFileSetId } from '../media/fileset.ts';
import { MEDIA_KINDS, isMediaKind, type MediaChoice, type MediaKind } from '../media/media-choice.ts';

export const EXIT_WRITTEN = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_WRITTEN_WITH_SKIPS = 3;

interface MasterFlags {
  out: string;
  media: MediaChoice;
  filesetId?: string;
  config?: string;
  capacity?: string[];
  institution?: string;
  contact?: string;
  siteFolder?: string;
  siteEntry?: string;
  allowPrivate?: boolean;
  skipBad?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

class UsageError extends Error {}

/** Adds the `master` command; `setExitCode` receives its exit status (default: process.exitCode). */
export function registerMasterCommand(program: Command, setExitCode: (code: number) => void = (code) => (process.exitCode = code)): Command {
  return program
    .command('master')
    .description('write disc images (ISO 9660) and labels (JPG) from DICOM files and folders; prints a JSON summary')
    .argument('<file-or-folder...>', 'DICOM files, or folders searched recursively')
    .requiredOption('--out <dir>', 'folder for the images and labels (created if missing)')
    .addOption(new Option('--media <kind>', 'medium: auto takes the smallest that holds everything, else spans over the largest')
      .choices(['auto', ...MEDIA_KINDS]).default('auto'))
    .option('--fileset-id <id>', 'File-set ID and volume ID, 1-16 characters A-Z 0-9 _ (spanned discs get _1OF2, ...)')
    .option('--config <file>', 'configuration file (YAML or JSON); its media.capacities apply, --capacity overrides them')
    .option('--capacity <kind=size>', 'capacity of a medium, e.g. cd=650MB or dvd=4700000000 (repeatable)', collect)
    .option('--institution <name>', 'institution named on the disc and label (default: the instances\' Institution Name)')
    .option('--contact <text>', 'contact named in README.TXT and INDEX.HTM')
    .option('--site-folder <dir>', 'folder merged into every disc under its own name (ISO 9660 Level 1 names only), e.g. a viewer')
    .option('--site-entry <file>', 'file of the site folder INDEX.HTM links to')
    .option('--allow-private', 'put private SOP classes on the disc as PRIVATE records')
    .option('--skip-bad', 'write the discs from the good inputs even when some are bad (they stay listed; exit status 3)')
    .action(async (inputs: string[], flags: MasterFlags) => {
      let options: MasterOptions;
      try {
        options = masterOptions(flags);
      } catch (err) {
        if (!(err instanceof UsageError)) throw err;
        process.stderr.write(`discrobot master: ${err.message}\n`);
        setExitCode(EXIT_USAGE);
        return;
      }
      const summary = await master(inputs, options);
      process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
      if (summary.status === 'failed') process.stderr.write(`discrobot master: ${summary.error ?? 'failed'}\n`);
      setExitCode(exitCodeOf(summary));
    });
}

export function exitCodeOf(summary: MasterSummary): number {
  if (summary.status === 'written') return EXIT_WRITTEN;
  if (summary.status === 'written-with-skips') return EXIT_WRITTEN_WITH_SKIPS;
  return EXIT_FAILED;
}

function masterOptions(flags: MasterFlags): MasterOptions {
  if (flags.filesetId !== undefined && !isFileSetId(flags.filesetId)) {
    throw new UsageError(`--fileset-id "${flags.filesetId}" must be 1 to 16 characters A-Z, 0-9 or _`);
  }
  const capacities: Partial<Record<MediaKind, number>> = {};
  if (flags.config !== undefined) {
    let config;
    try {
      config = loadConfigFile(flags.config);
    } catch (err) {
      if (err instanceof ConfigError) throw new UsageError(err.message);
      throw err;
    }
    for (const [kind, bytes] of Object.entries(config.media.capacities)) if (bytes !== null) capacities[kind as MediaKind] = bytes;
  }
  for (const spec of flags.capacity ?? []) {
    const [kind = '', size = ''] = spec.split('=', 2);
    const bytes = parseByteSize(size);
    if (!isMediaKind(kind) || bytes === undefined || bytes <= 0) {
      throw new UsageError(`--capacity "${spec}" must be <kind>=<size> with kind one of ${MEDIA_KINDS.join(', ')} and a size such as 700MB`);
    }
    capacities[kind] = bytes;
  }
  if (flags.siteEntry !== undefined && flags.siteFolder === undefined) throw new UsageError('--site-entry needs --site-folder');
  return {
    outDir: flags.out,
    media: flags.media,
    fileSetId: flags.filesetId,
    capacities,
    institution: flags.institution,
    contact: flags.contact,
    site: flags.siteFolder ? { dir: flags.siteFolder, entry: flags.siteEntry } : undefined,
    allowPrivate: flags.allowPrivate ?? false,
    skipBad: flags.skipBad ?? false,
  };
}
