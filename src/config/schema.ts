// The configuration file's schema: every setting, its default (defaults.ts) and its allowed values.
// `parseConfig` turns what a file held into a fully resolved Config, or throws a ConfigError whose
// lines each name the file, the setting's path and the reason.
import { z } from 'zod';
import { parseByteSize } from './byte-size.ts';
import {
  DEFAULT_SETTINGS,
  DEFAULT_SIM_MODEL,
  DEFAULT_TIME_SCALE,
  LATE_ARRIVAL_POLICIES,
  LOG_LEVELS,
  DEFAULT_TLS_MIN_VERSION,
  MAX_ASSOCIATION_PDU_BYTES_BOUNDS,
  MAX_ASSOCIATIONS,
  MAX_COPIES,
  MAX_PDU_LENGTH_BOUNDS,
  MAX_QUIET_PERIOD_SECONDS,
  MAX_RETAIN_DAYS,
  MAX_TIME_SCALE,
  MAX_TIMEOUT_SECONDS,
  MIN_HTTP_TOKEN_LENGTH,
  TLS_MIN_VERSIONS,
  DEFAULT_PTBURN_ROBOT,
  MAX_PTBURN_STATUS_FREQUENCY_MS,
  MIN_PTBURN_STATUS_FREQUENCY_MS,
} from './defaults.ts';
import { isLoopbackHost, parseListenAddress } from './listen-address.ts';
import { parseAddressBlock } from '../../adapters/dicom/peer-address.ts';
import { isLabelLineRole, LABEL_LINE_ROLES, labelTemplateProblem, type LabelLineRole } from '../media/label-data.ts';
import { isMediaKind, MEDIA_KINDS, type MediaChoice } from '../media/media-choice.ts';
import { MODEL_IDS, type ModelId } from '../../simulator/models.ts';
import { AUDIT_KNOWN_KEYS, AUDIT_NULL_SETTINGS, auditShape } from './audit-schema.ts';

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

/** A number from min to max (fractions allowed); `what` says what it counts. */
const numberFrom = (what: string, min: number, max: number) => {
  const error = `must be a number of ${what} from ${min} to ${max}`;
  return z.number({ error }).min(min, { error }).max(max, { error });
};

export const quietPeriodSchema = numberFrom('seconds', 0, MAX_QUIET_PERIOD_SECONDS);

export const timeScaleSchema = (() => {
  const error = `must be a number of simulated seconds per second from 0 (instant) to ${MAX_TIME_SCALE}`;
  return z.number({ error }).min(0, { error }).max(MAX_TIME_SCALE, { error });
})();

export const modelIdSchema = z
  .string({ error: `must be a simulated robot model: one of ${MODEL_IDS.join(', ')}` })
  .refine((v) => (MODEL_IDS as readonly string[]).includes(v), { error: `must be a simulated robot model: one of ${MODEL_IDS.join(', ')}` })
  .transform((v) => v as ModelId);

export const serialPathSchema = z
  .string({ error: 'must be the path of a serial device, such as /dev/ttyUSB0' })
  .refine((v) => v.trim() !== '', { error: 'must be the path of a serial device, such as /dev/ttyUSB0' })
  .refine((v) => !v.includes('\0'), { error: 'must not contain a NUL character' });

export const ptburnFolderSchema = z
  .string({ error: 'must be the path of the PTBurn job folder (the share, mounted here), such as /mnt/ptburn' })
  .refine((v) => v.trim() !== '', { error: 'must be the path of the PTBurn job folder (the share, mounted here), such as /mnt/ptburn' })
  .refine((v) => !v.includes('\0'), { error: 'must not contain a NUL character' });

export const httpListenSchema = z
  .string({ error: 'must be ADDRESS:PORT, such as 127.0.0.1:8080 or [::1]:8080' })
  .refine((v) => parseListenAddress(v) !== undefined, {
    error: 'must be ADDRESS:PORT with an IPv4 address or a bracketed IPv6 address and a port from 0 to 65535, such as 127.0.0.1:8080 or [::1]:8080',
  });

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

// ---- a listener's security: TLS and allow-lists ----------------------------------------------

const filePathSchema = (what: string) =>
  z
    .string({ error: `must be the path of ${what}` })
    .refine((v) => v.trim() !== '', { error: `must be the path of ${what}` })
    .refine((v) => !v.includes('\0'), { error: 'must not contain a NUL character' });

const tlsShape = {
  cert: filePathSchema('a PEM certificate file (the listener\'s certificate, optionally followed by its chain)'),
  key: filePathSchema('a PEM private key file (unencrypted) matching tls.cert'),
  ca: filePathSchema('a PEM file of the CA certificates that sign client certificates').nullable().default(null),
  requireClientCertificate: yesNo().default(false),
  minVersion: z.enum(TLS_MIN_VERSIONS, { error: `must be one of ${TLS_MIN_VERSIONS.join(', ')}` }).default(DEFAULT_TLS_MIN_VERSION),
};

const tlsSchema = section(tlsShape).superRefine((tls, ctx) => {
  if (tls.requireClientCertificate && tls.ca === null) {
    ctx.addIssue({
      code: 'custom',
      path: ['ca'],
      message: 'is required when requireClientCertificate is true: the CA certificates that client certificates must be signed by',
      params: { omitGot: true },
    });
  }
});

const ADDRESS_BLOCK_ERROR = 'must be an IP address or a CIDR block, such as 192.0.2.7, 10.0.0.0/8 or fd00::/8';
const addressBlocksSchema = z
  .array(
    z.string({ error: ADDRESS_BLOCK_ERROR }).refine((v) => parseAddressBlock(v) !== undefined, { error: ADDRESS_BLOCK_ERROR }),
    { error: 'must be a list of IP addresses or CIDR blocks, or null to allow any address' },
  )
  .min(1, { error: 'must list at least one address or block, or be null to allow any address' });

const callingAeTitlesSchema = z
  .array(aeTitleSchema, { error: 'must be a list of AE titles, or null to allow any calling AE title' })
  .min(1, { error: 'must list at least one AE title, or be null to allow any calling AE title' })
  .superRefine((titles, ctx) => {
    titles.forEach((t, i) => {
      if (titles.indexOf(t) !== i) {
        ctx.addIssue({ code: 'custom', path: [i], message: `repeats the AE title "${t}"`, params: { omitGot: true } });
      }
    });
  });

const allowShape = {
  callingAeTitles: callingAeTitlesSchema.nullable().default(null),
  addresses: addressBlocksSchema.nullable().default(null),
};

const listenerShape = {
  host: hostSchema.default(DEFAULT_SETTINGS.dicom.listeners[0].host),
  port: portSchema.default(DEFAULT_SETTINGS.dicom.listeners[0].port),
  // Optional rather than defaulted, so a listener written as { host, port } (in code too) stays one.
  /** null or absent: plain TCP. */
  tls: tlsSchema.nullish(),
  /** null or absent: any peer. */
  allow: section(allowShape).nullish(),
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
  maxAssociations: integerFrom(1, MAX_ASSOCIATIONS).default(DEFAULT_SETTINGS.dicom.maxAssociations),
  maxAssociationsPerPeer: integerFrom(1, MAX_ASSOCIATIONS).default(DEFAULT_SETTINGS.dicom.maxAssociationsPerPeer),
};

const dicomSchema = section(dicomShape).superRefine((dicom, ctx) => {
  if (dicom.maxAssociationPduBytes < dicom.maxPduLength) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxAssociationPduBytes'],
      message: `must be at least dicom.maxPduLength (${dicom.maxPduLength})`,
    });
  }
  if (dicom.maxAssociationsPerPeer > dicom.maxAssociations) {
    ctx.addIssue({
      code: 'custom',
      path: ['maxAssociationsPerPeer'],
      message: `must be at most dicom.maxAssociations (${dicom.maxAssociations}); it is ${dicom.maxAssociationsPerPeer}`,
      params: { omitGot: true },
    });
  }
});

const RETAIN_DAYS_ERROR = `must be a number of days from 0 to ${MAX_RETAIN_DAYS}, or null to keep the files`;
const retainDaysSchema = z.union([
  z.null(),
  z.number({ error: RETAIN_DAYS_ERROR }).min(0, { error: RETAIN_DAYS_ERROR }).max(MAX_RETAIN_DAYS, { error: RETAIN_DAYS_ERROR }),
], { error: RETAIN_DAYS_ERROR });

const storageShape = {
  data: dataFolderSchema.default(DEFAULT_SETTINGS.storage.data),
  durable: yesNo().default(DEFAULT_SETTINGS.storage.durable),
  reserveBytes: byteSizeSchema.prefault(DEFAULT_SETTINGS.storage.reserveBytes),
  // An explicit null (kept by withoutEmptyValues, see NULL_MEANS_SOMETHING) keeps the files for ever.
  retainDays: retainDaysSchema.default(DEFAULT_SETTINGS.storage.retainDays),
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

// ---- routes: which studies go where ----------------------------------------------------------

const defaultRoute = DEFAULT_SETTINGS.routes[0];
const defaultMatch = defaultRoute.match;

const AE_MATCH_ERROR = 'must be an AE title, a list of AE titles, or null for any';

/** null (any), one AE title, or a list of them; always a trimmed list or null afterwards. */
const aeTitleMatchSchema = z.unknown().transform((value, ctx): string[] | null => {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') {
    const problem = aeTitleProblem(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
    return problem ? z.NEVER : [value.trim()];
  }
  if (!Array.isArray(value) || value.length === 0) {
    ctx.addIssue({ code: 'custom', message: AE_MATCH_ERROR });
    return z.NEVER;
  }
  const titles = aeTitlesSchema.safeParse(value);
  if (titles.success) return titles.data;
  for (const issue of titles.error.issues) {
    const params = issue.code === 'custom' ? issue.params : undefined;
    ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message, params });
  }
  return z.NEVER;
});

const matchShape = {
  calledAe: aeTitleMatchSchema.default(defaultMatch.calledAe),
  callingAe: aeTitleMatchSchema.default(defaultMatch.callingAe),
};

const MEDIA_ERROR = `must be one of auto, ${MEDIA_KINDS.join(', ')}`;
const mediaChoiceSchema = z
  .string({ error: MEDIA_ERROR })
  .refine((v) => v === 'auto' || isMediaKind(v), { error: MEDIA_ERROR })
  .transform((v) => v as MediaChoice);

const robotNamesSchema = z
  .array(z.string({ error: 'must be the name of a configured robot' }), {
    error: 'must be a list of robot names ([] lets any configured robot take the job)',
  })
  .superRefine((names, ctx) => {
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) {
        ctx.addIssue({ code: 'custom', path: [i], message: `repeats the robot "${n}"`, params: { omitGot: true } });
      }
    });
  });

const LABEL_LINE_ERROR = `must be a label line: one of ${LABEL_LINE_ROLES.join(', ')}`;
const labelLinesSchema = z
  .array(
    z.string({ error: LABEL_LINE_ERROR }).refine(isLabelLineRole, { error: LABEL_LINE_ERROR }).transform((v) => v as LabelLineRole),
    { error: `must be a list of label lines, such as [${LABEL_LINE_ROLES.join(', ')}]` },
  )
  .superRefine((lines, ctx) => {
    lines.forEach((role, i) => {
      if (lines.indexOf(role) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `repeats the line ${role}`, params: { omitGot: true } });
    });
    // the repeats are reported above; here only what is missing
    const problem = labelTemplateProblem([...new Set(lines)]);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** The longest institution line a site may set: Institution Name (0008,0080) is an LO of 64 characters. */
const MAX_INSTITUTION_LENGTH = 64;
const INSTITUTION_ERROR = `must be text of 1 to ${MAX_INSTITUTION_LENGTH} characters, or null for the instances' Institution Name`;

const labelShape = {
  institution: z
    .union([
      z.null(),
      z.string({ error: INSTITUTION_ERROR })
        .refine((v) => v.trim() !== '' && v.trim().length <= MAX_INSTITUTION_LENGTH, { error: INSTITUTION_ERROR })
        .transform((v) => v.trim()),
    ], { error: INSTITUTION_ERROR })
    .default(defaultRoute.label.institution),
  lines: labelLinesSchema.prefault(() => [...defaultRoute.label.lines]),
};

const routeShape = {
  name: z.string({ error: 'must be the route\'s name' }).refine((v) => v.trim() !== '', { error: 'must be the route\'s name' }),
  match: section(matchShape).prefault({}),
  media: mediaChoiceSchema.default(defaultRoute.media),
  copies: integerFrom(1, MAX_COPIES).default(defaultRoute.copies),
  quietPeriodSeconds: quietPeriodSchema.default(defaultRoute.quietPeriodSeconds),
  robots: robotNamesSchema.prefault([]),
  lateArrivals: z
    .enum(LATE_ARRIVAL_POLICIES, { error: `must be one of ${LATE_ARRIVAL_POLICIES.join(', ')}` })
    .default(defaultRoute.lateArrivals),
  print: yesNo().default(defaultRoute.print),
  label: section(labelShape).prefault({}),
};

const routesSchema = z
  .array(section(routeShape), { error: 'must be a list of routes such as [{ name: default }]' })
  .min(1, { error: 'must list at least one route' })
  .superRefine((routes, ctx) => repeatedNames(routes, 'route', ctx));

// ---- robots ------------------------------------------------------------------------------------

const ROBOT_NAME_ERROR = 'must be a name of 1 to 32 letters, digits, _ or -';
const robotNameSchema = z.string({ error: ROBOT_NAME_ERROR }).regex(/^[A-Za-z0-9_-]{1,32}$/, { error: ROBOT_NAME_ERROR });

const ROBOT_KINDS = ['sim', 'serial', 'ptburn'] as const;

// PTBurn's StatusFrequency as discrobot reads it: how often it looks at the hot folder.
const STATUS_FREQUENCY_ERROR = `must be a whole number of milliseconds from ${MIN_PTBURN_STATUS_FREQUENCY_MS} to ${MAX_PTBURN_STATUS_FREQUENCY_MS} (PTBurn's StatusFrequency)`;
const pathMappingShape = {
  from: z.string({ error: 'must be a local path prefix, such as /mnt/ptburn/spool' }).min(1, { error: 'must be a local path prefix, such as /mnt/ptburn/spool' }),
  to: z.string({ error: 'must be the same place as the PTBurn server sees it, such as \\\\server\\spool' }).min(1, { error: 'must be the same place as the PTBurn server sees it, such as \\\\server\\spool' }),
};

// One mapping for every kind, so that a key of another kind is named as such rather than unknown.
const robotShape = {
  name: robotNameSchema,
  kind: z.enum(ROBOT_KINDS, { error: 'must be sim (a simulated robot), serial (a device on a serial port) or ptburn (a PTBurn hot folder)' }),
  model: modelIdSchema.optional(),
  timeScale: timeScaleSchema.optional(),
  path: serialPathSchema.optional(),
  folder: ptburnFolderSchema.optional(),
  robotName: z.union([z.null(), z.string({ error: 'must be the robot\'s name in PTBurn\'s status files, or null (the first robot PTBurn lists)' }).min(1)], {
    error: 'must be the robot\'s name in PTBurn\'s status files, or null (the first robot PTBurn lists)',
  }).optional(),
  statusFrequencyMs: z.int({ error: STATUS_FREQUENCY_ERROR }).min(MIN_PTBURN_STATUS_FREQUENCY_MS, { error: STATUS_FREQUENCY_ERROR })
    .max(MAX_PTBURN_STATUS_FREQUENCY_MS, { error: STATUS_FREQUENCY_ERROR }).optional(),
  pathMap: z.array(section(pathMappingShape), { error: 'must be a list of { from: LOCAL PREFIX, to: SERVER PREFIX }' }).optional(),
  autoAcknowledgeInkLow: yesNo().optional(),
  print: yesNo().optional(),
};

const SIM_ONLY = ['model', 'timeScale'] as const;
const SERIAL_ONLY = ['path'] as const;
const PTBURN_ONLY = ['folder', 'robotName', 'statusFrequencyMs', 'pathMap', 'autoAcknowledgeInkLow', 'print'] as const;
const OWNER = { sim: 'simulated robots (kind: sim)', serial: 'serial robots (kind: serial)', ptburn: 'PTBurn robots (kind: ptburn)' } as const;

const robotSchema = section(robotShape)
  .superRefine((robot, ctx) => {
    const owned = { sim: SIM_ONLY, serial: SERIAL_ONLY, ptburn: PTBURN_ONLY } as const;
    for (const kind of ROBOT_KINDS) {
      if (kind === robot.kind) continue;
      for (const key of owned[kind]) {
        if (robot[key] === undefined) continue;
        ctx.addIssue({ code: 'custom', path: [key], message: `applies to ${OWNER[kind]} only` });
      }
    }
    if (robot.kind === 'serial' && robot.path === undefined) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'is required for a serial robot: the device, such as /dev/ttyUSB0' });
    }
    if (robot.kind === 'ptburn' && robot.folder === undefined) {
      ctx.addIssue({ code: 'custom', path: ['folder'], message: 'is required for a PTBurn robot: its job folder (the PTBurn share, mounted here)' });
    }
  })
  .transform((robot) => {
    if (robot.kind === 'sim') {
      return { name: robot.name, kind: 'sim' as const, model: robot.model ?? (DEFAULT_SIM_MODEL as ModelId), timeScale: robot.timeScale ?? DEFAULT_TIME_SCALE };
    }
    // path and folder are there: the refinement above refused a robot without them
    if (robot.kind === 'serial') return { name: robot.name, kind: 'serial' as const, path: robot.path ?? '' };
    const ptburn = DEFAULT_PTBURN_ROBOT;
    return {
      name: robot.name,
      kind: 'ptburn' as const,
      folder: robot.folder ?? '',
      robotName: robot.robotName ?? ptburn.robotName,
      statusFrequencyMs: robot.statusFrequencyMs ?? ptburn.statusFrequencyMs,
      pathMap: (robot.pathMap ?? []).map((m) => ({ from: m.from, to: m.to })),
      autoAcknowledgeInkLow: robot.autoAcknowledgeInkLow ?? ptburn.autoAcknowledgeInkLow,
      print: robot.print ?? ptburn.print,
    };
  });

const robotsSchema = z
  .array(robotSchema, { error: 'must be a list of robots such as [{ name: robot1, kind: sim, model: DP-4100 }]' })
  .min(1, { error: 'must list at least one robot' })
  .superRefine((robots, ctx) => repeatedNames(robots, 'robot', ctx));

// ---- the HTTP API ------------------------------------------------------------------------------

const TOKEN_ERROR = `must be text of at least ${MIN_HTTP_TOKEN_LENGTH} characters, or null`;

const httpShape = {
  listen: httpListenSchema.default(DEFAULT_SETTINGS.http.listen),
  token: z
    .union([z.null(), z.string({ error: TOKEN_ERROR }).min(MIN_HTTP_TOKEN_LENGTH, { error: TOKEN_ERROR })], { error: TOKEN_ERROR })
    .default(DEFAULT_SETTINGS.http.token),
};

/** Why the HTTP settings are unsafe together, or undefined: off this host, the API needs a token. */
export function httpTokenProblem(http: { listen: string; token: string | null }): string | undefined {
  const address = parseListenAddress(http.listen);
  if (!address || isLoopbackHost(address.host) || http.token !== null) return undefined;
  return `is required (text of at least ${MIN_HTTP_TOKEN_LENGTH} characters) when http.listen is not a loopback address (listen: ${http.listen})`;
}

const httpSchema = section(httpShape).superRefine((http, ctx) => {
  const problem = httpTokenProblem(http);
  if (problem) ctx.addIssue({ code: 'custom', path: ['token'], message: problem, params: { omitGot: true } });
});

// ---- the whole file ----------------------------------------------------------------------------

const publishingShape = {
  failoverAfterSeconds: seconds().default(DEFAULT_SETTINGS.publishing.failoverAfterSeconds),
};

const configShape = {
  dicom: dicomSchema.prefault({}),
  storage: section(storageShape).prefault({}),
  log: section(logShape).prefault({}),
  media: section(mediaShape).prefault({}),
  routes: routesSchema.prefault(() => DEFAULT_SETTINGS.routes.map((r) => ({
    ...r, match: { ...r.match }, robots: [...r.robots], label: { ...r.label, lines: [...r.label.lines] },
  }))),
  robots: robotsSchema.prefault(() => DEFAULT_SETTINGS.robots.map((r) => ({ ...r }))),
  publishing: section(publishingShape).prefault({}),
  http: httpSchema.prefault({}),
  audit: section(auditShape).prefault({}),
};

export const configSchema = section(configShape).superRefine((config, ctx) => {
  // Checked across sections: a route may only name robots that exist.
  const names = config.robots.map((r) => r.name);
  config.routes.forEach((route, r) => {
    route.robots.forEach((robot, i) => {
      if (names.includes(robot)) return;
      ctx.addIssue({
        code: 'custom',
        path: ['routes', r, 'robots', i],
        message: `route "${route.name}" names the robot "${robot}", which is not configured (robots: ${names.join(', ')})`,
        params: { omitGot: true },
      });
    });
  });
});

/** The fully resolved configuration: every setting present, sizes in bytes, AE titles trimmed. */
export type Config = z.output<typeof configSchema>;
export type ListenerConfig = Config['dicom']['listeners'][number];
export type ListenerTlsConfig = NonNullable<ListenerConfig['tls']>;
export type ListenerAllowConfig = NonNullable<ListenerConfig['allow']>;
export type RouteConfig = Config['routes'][number];
export type RobotConfig = Config['robots'][number];
export type HttpConfig = Config['http'];

/** The keys each mapping accepts, by path pattern (list indexes as []), for "unknown setting" messages. */
const KNOWN_KEYS: Record<string, readonly string[]> = {
  '': Object.keys(configShape),
  dicom: Object.keys(dicomShape),
  'dicom.listeners[]': Object.keys(listenerShape),
  'dicom.listeners[].tls': Object.keys(tlsShape),
  'dicom.listeners[].allow': Object.keys(allowShape),
  storage: Object.keys(storageShape),
  log: Object.keys(logShape),
  media: Object.keys(mediaShape),
  'media.capacities': Object.keys(capacitiesShape),
  'routes[]': Object.keys(routeShape),
  'routes[].match': Object.keys(matchShape),
  'routes[].label': Object.keys(labelShape),
  'robots[]': Object.keys(robotShape),
  'robots[].pathMap[]': Object.keys(pathMappingShape),
  publishing: Object.keys(publishingShape),
  http: Object.keys(httpShape),
  ...AUDIT_KNOWN_KEYS,
};

/** Settings where an explicit null is a value of its own, not "not set" (see withoutEmptyValues). */
const NULL_MEANS_SOMETHING = new Set(['storage.retainDays', ...AUDIT_NULL_SETTINGS]);

/** A "repeats the NAME" issue for each entry whose name an earlier entry already has. */
function repeatedNames(entries: ReadonlyArray<{ name: string }>, what: string, ctx: z.RefinementCtx): void {
  const names = entries.map((e) => e.name);
  names.forEach((name, i) => {
    if (names.indexOf(name) !== i) {
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `repeats the ${what} name "${name}"`, params: { omitGot: true } });
    }
  });
}

// ---- parsing and messages ----------------------------------------------------------------------

/**
 * Validates what a configuration file held (already parsed from YAML or JSON) and fills in defaults.
 * An empty value (YAML `key:` with nothing after it) means "not set". `source` names the file in
 * messages. Throws ConfigError listing every problem found.
 */
export function parseConfig(raw: unknown, source: string): Config {
  const input = withoutEmptyValues(raw, []) ?? {};
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

/**
 * Mapping entries with a null value are dropped (recursively), so they take their defaults; except
 * at the paths of NULL_MEANS_SOMETHING, where null is a setting of its own.
 */
function withoutEmptyValues(value: unknown, path: readonly PropertyKey[]): unknown {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map((item, i) => (item === null ? item : withoutEmptyValues(item, [...path, i])));
  if (typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([k, v]) => v !== null || NULL_MEANS_SOMETHING.has(pathPattern([...path, k])))
      .map(([k, v]) => [k, v === null ? null : withoutEmptyValues(v, [...path, k])]),
  );
}
