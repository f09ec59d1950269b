// The configuration file's schema: every setting, its default (defaults.ts) and its allowed values.
// `parseConfig` turns what a file held into a fully resolved Config, or throws a ConfigError whose
// lines each name the file, the setting's path and the reason.
import { z } from 'zod';
import { parseByteSize } from './byte-size.ts';
import {
  DEFAULT_SETTINGS,
  LOG_LEVELS,
  MAX_ASSOCIATION_PDU_BYTES_BOUNDS,
  MAX_PDU_LENGTH_BOUNDS,
  MAX_TIMEOUT_SECONDS,
} from './defaults.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** One line per problem, each already prefixed with the file or flag it concerns. */
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.problems = problems;
  }
}

// ---- leaf schemas (shared with the command-line flags) ----------------------------------------

const integerFrom = (min: number, max: number) => {
  const error = `must be an integer from ${min} to ${max}`;
  return z.int({ error }).min(min, { error }).max(max, { error });
};

const seconds = () => {
  const error = `must be a number of seconds greater than 0 and at most ${MAX_TIMEOUT_SECONDS}`;
  return z.number({ error }).positive({ error }).max(MAX_TIMEOUT_SECONDS, { error });
};

const yesNo = () => z.boolean({ error: 'must be true or false' });

export const portSchema = integerFrom(1, 65535);

export const hostSchema = z
  .string({ error: 'must be an IPv4 or IPv6 address' })
  .refine((v) => z.ipv4().safeParse(v).success || z.ipv6().safeParse(v).success, {
    error: 'must be an IPv4 or IPv6 address',
  });

/** Why a text is not an AE title (PS3.5 6.2, VR AE), or undefined when it is one. */
export function aeTitleProblem(value: string): string | undefined {
  // Leading and trailing spaces are not significant in an AE title; the rest must fit in 16.
  const title = value.trim();
  if (title === '') return 'must not be empty or all spaces';
  if (title.length > 16) return 'must be at most 16 characters';
  if (title.includes('\\')) return 'must not contain a backslash';
  if (!/^[\x20-\x7e]*$/.test(title)) {
    return 'must contain only printable ASCII characters (the DICOM default character repertoire)';
  }
  return undefined;
}

export const aeTitleSchema = z
  .string({ error: 'must be an AE title: text of 1 to 16 characters' })
  .superRefine((value, ctx) => {
    const problem = aeTitleProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  .transform((value) => value.trim());

export const dataFolderSchema = z
  .string({ error: 'must be a folder path' })
  .refine((v) => v.trim() !== '', { error: 'must be a folder path' })
  .refine((v) => !v.includes('\0'), { error: 'must not contain a NUL character' });

const byteSizeSchema = z.unknown().transform((value, ctx) => {
  const bytes = parseByteSize(value);
  if (bytes === undefined) {
    ctx.addIssue({ code: 'custom', message: 'must be a number of bytes or a size such as "2GB", "500MB" or "1GiB"' });
    return z.NEVER;
  }
  return bytes;
});

// ---- sections ----------------------------------------------------------------------------------

/** A strict section: unknown keys are errors, reported by formatIssue with the known keys. */
const section = <Shape extends z.ZodRawShape>(shape: Shape) =>
  z.strictObject(shape, {
    error: (issue) => (issue.code === 'invalid_type' ? 'must be a mapping of settings' : undefined),
  });

const listenerShape = {
  host: hostSchema.default(DEFAULT_SETTINGS.dicom.listeners[0].host),
  port: portSchema.default(DEFAULT_SETTINGS.dicom.listeners[0].port),
};

const listenersSchema = z
  .array(section(listenerShape), { error: 'must be a list of listeners such as [{ host: "0.0.0.0", port: 104 }]' })
  .min(1, { error: 'must list at least one listener' })
  .superRefine((listeners, ctx) => {
    const seen = new Set<string>();
    listeners.forEach((l, i) => {
      const key = `${l.host} port ${l.port}`;
      if (seen.has(key)) {
        ctx.addIssue({ code: 'custom', path: [i], message: `repeats the listener on ${key}`, params: { omitGot: true } });
      }
      seen.add(key);
    });
  });

const aeTitlesSchema = z
  .array(aeTitleSchema, { error: 'must be a list of AE titles ([] accepts any called AE title)' })
  .superRefine((titles, ctx) => {
    titles.forEach((t, i) => {
      if (titles.indexOf(t) !== i) {
        ctx.addIssue({ code: 'custom', path: [i], message: `repeats the AE title "${t}"`, params: { omitGot: true } });
      }
    });
  });

const dicomShape = {
  listeners: listenersSchema.prefault(DEFAULT_SETTINGS.dicom.listeners.map((l) => ({ ...l }))),
  aeTitles: aeTitlesSchema.prefault([...DEFAULT_SETTINGS.dicom.aeTitles]),
  acceptStructuredReports: yesNo().default(DEFAULT_SETTINGS.dicom.acceptStructuredReports),
  maxPduLength: integerFrom(MAX_PDU_LENGTH_BOUNDS.min, MAX_PDU_LENGTH_BOUNDS.max).default(
    DEFAULT_SETTINGS.dicom.maxPduLength,
  ),
  artimTimeoutSeconds: seconds().default(DEFAULT_SETTINGS.dicom.artimTimeoutSeconds),
  idleTimeoutSeconds: seconds().default(DEFAULT_SETTINGS.dicom.idleTimeoutSeconds),
  releaseTimeoutSeconds: seconds().default(DEFAULT_SETTINGS.dicom.releaseTimeoutSeconds),
  shutdownGraceSeconds: seconds().default(DEFAULT_SETTINGS.dicom.shutdownGraceSeconds),
  maxAssociationPduBytes: integerFrom(
    MAX_ASSOCIATION_PDU_BYTES_BOUNDS.min,
    MAX_ASSOCIATION_PDU_BYTES_BOUNDS.max,
  ).default(DEFAULT_SETTINGS.dicom.maxAssociationPduBytes),
};

const dicomSchema = section(dicomShape).superRefine((dicom, ctx) => {
  if (dicom.maxAssociationPduBytes < dicom.maxPduLength) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxAssociationPduBytes'],
      message: `must be at least dicom.maxPduLength (${dicom.maxPduLength})`,
    });
  }
});

const storageShape = {
  data: dataFolderSchema.default(DEFAULT_SETTINGS.storage.data),
  durable: yesNo().default(DEFAULT_SETTINGS.storage.durable),
  reserveBytes: byteSizeSchema.prefault(DEFAULT_SETTINGS.storage.reserveBytes),
};

const logShape = {
  level: z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default(DEFAULT_SETTINGS.log.level),
};

/** A medium's capacity: null (the default) keeps the built-in figure. */
const capacitySchema = z.union([z.null(), byteSizeSchema]).default(null);
const capacitiesShape = {
  cd: capacitySchema,
  dvd: capacitySchema,
  'dvd-dl': capacitySchema,
  bd: capacitySchema,
  'bd-dl': capacitySchema,
};
const mediaShape = {
  capacities: section(capacitiesShape).prefault({}),
};

const configShape = {
  dicom: dicomSchema.prefault({}),
  storage: section(storageShape).prefault({}),
  log: section(logShape).prefault({}),
  media: section(mediaShape).prefault({}),
};

export const configSchema = section(configShape);

/** The fully resolved configuration: every setting present, sizes in bytes, AE titles trimmed. */
export type Config = z.output<typeof configSchema>;
export type ListenerConfig = Config['dicom']['listeners'][number];

/** The keys each mapping accepts, by path pattern (list indexes as []), for "unknown setting" messages. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(configShape),
  dicom: Object.keys(dicomShape),
  'dicom.listeners[]': Object.keys(listenerShape),
  storage: Object.keys(storageShape),
  log: Object.keys(logShape),
  media: Object.keys(mediaShape),
  'media.capacities': Object.keys(capacitiesShape),
};

// ---- parsing and messages ----------------------------------------------------------------------

/**
 * Validates what a configuration file held (already parsed from YAML or JSON) and fills in defaults.
 * An empty value (YAML `key:` with nothing after it) means "not set". `source` names the file in
 * messages. Throws ConfigError listing every problem found.
 */
export function parseConfig(raw: unknown, source: string): Config {
  const input = withoutEmptyValues(raw) ?? {};
  const result = configSchema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) => describeIssue(issue, input).map((line) => `${source}: ${line}`)));
}

/** The configuration with no file at all. */
export function embeddedDefaults(): Config {
  return parseConfig({}, 'embedded defaults');
}

/** `path: reason (got value)` lines for one zod issue; several for several unknown keys. */
export function describeIssue(issue: z.core.$ZodIssue, input: unknown, showValue = formatValue): string[] {
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS[pathPattern(issue.path)];
    const hint = known ? ` (known settings here: ${known.join(', ')})` : '';
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: is not a known setting${hint}`);
  }
  const omitGot = issue.code === 'custom' && issue.params?.['omitGot'] === true;
  const value = valueAt(input, issue.path);
  const got = omitGot || value === undefined ? '' : ` (got ${showValue(value)})`;
  const where = issue.path.length > 0 ? `${formatPath(issue.path)}: ` : '';
  return [`${where}${issue.message}${got}`];
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

function pathPattern(path: readonly PropertyKey[]): string {
  return formatPath(path.map((key) => (typeof key === 'number' ? -1 : key))).replace(/\[-1\]/g, '[]');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function formatValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Mapping entries with a null value are dropped (recursively), so they take their defaults. */
function withoutEmptyValues(value: unknown): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map((item) => (item === null ? item : withoutEmptyValues(item)));
  if (typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== null)
      .map(([k, v]) => [k, withoutEmptyValues(v)]),
  );
}
