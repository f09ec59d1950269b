// Reading the configuration: the file (YAML or JSON, chosen by extension) and the command-line
// flags that override it. Every problem becomes a ConfigError naming the file or the flag.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_PTBURN_ROBOT, DEFAULT_TIME_SCALE, MIN_HTTP_TOKEN_LENGTH } from './defaults.ts';
import {
  aeTitleSchema,
  ConfigError,
  dataFolderSchema,
  describeIssue,
  hostSchema,
  httpListenSchema,
  httpTokenProblem,
  modelIdSchema,
  parseConfig,
  portSchema,
  ptburnFolderSchema,
  quietPeriodSchema,
  serialPathSchema,
  timeScaleSchema,
  type Config,
  type RobotConfig,
} from './schema.ts';
import { parseRobotSpec, RobotSpecError } from '../publish/robot-spec.ts';

const FORMATS: Record<string, 'yaml' | 'json'> = { '.yaml': 'yaml', '.yml': 'yaml', '.json': 'json' };

/** Reads, parses and validates a configuration file. */
export function loadConfigFile(path: string): Config {
  const format = FORMATS[extname(path).toLowerCase()];
  if (!format) {
    throw new ConfigError([`${path}: unsupported file type: name the file *.yaml, *.yml or *.json`]);
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError([`${path}: cannot read the file: ${describeFsError(err)}`]);
  }
  // The yaml package reads both; with the json schema it accepts only JSON's own values.
  const doc = parseDocument(text, {
    schema: format === 'json' ? 'json' : 'core',
    uniqueKeys: true,
    prettyErrors: true,
    logLevel: 'error',
  });
  const [syntaxError] = doc.errors;
  if (syntaxError) {
    throw new ConfigError([`${path}: not valid ${format.toUpperCase()}: ${firstLine(syntaxError.message)}`]);
  }
  return parseConfig(doc.toJS({ maxAliasCount: 100 }), path);
}

/** Command-line flags as the CLI collects them; ports may still be the text that was typed. */
export interface ConfigFlags {
  data?: string;
  port?: ReadonlyArray<number | string>;
  host?: string;
  ae?: readonly string[];
  /** `sim:MODEL` or `serial:PATH`, repeatable. */
  robot?: readonly string[];
  quietPeriod?: number | string;
  http?: string;
  timeScale?: number | string;
}

/**
 * The configuration with the flags applied: `--port` (repeatable) replaces the listeners' ports,
 * `--host` their host, both together give one listener per port on that host; `--ae` (repeatable)
 * replaces the AE titles; `--data` the data folder. `--robot` (repeatable) replaces the robots,
 * named robot1, robot2, ... in order; `--quiet-period` sets every route's quiet period, `--http`
 * the API's address, `--time-scale` every simulated robot's speed. Each value is checked by the
 * file's own rules.
 */
export function applyFlags(config: Config, flags: ConfigFlags): Config {
  const problems: string[] = [];
  const check = <T>(flag: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
    const result = schema.safeParse(value);
    if (result.success) return result.data;
    // The value is shown as it was typed: `--port: ... (got abc)`.
    problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, value, String)).map((line) => `${flag}: ${line}`));
    return undefined;
  };
  const checkAll = <T>(flag: string, schema: z.ZodType<T>, values: ReadonlyArray<unknown>): T[] => {
    const checked = values.map((v) => check(flag, schema, v));
    checked.forEach((v, i) => {
      if (v !== undefined && checked.indexOf(v) !== i) problems.push(`${flag}: ${String(v)} is given twice`);
    });
    return checked.filter((v): v is T => v !== undefined);
  };

  const ports = flags.port?.length ? checkAll('--port', portSchema, flags.port.map(portFromText)) : undefined;
  const host = flags.host === undefined ? undefined : check('--host', hostSchema, flags.host);
  const aeTitles = flags.ae?.length ? checkAll('--ae', aeTitleSchema, flags.ae) : undefined;
  const data = flags.data === undefined ? undefined : check('--data', dataFolderSchema, flags.data);
  const robots = flags.robot?.length ? robotsFromFlags(flags.robot, check, problems) : undefined;
  const quietPeriod = flags.quietPeriod === undefined ? undefined : check('--quiet-period', quietPeriodSchema, numberFromText(flags.quietPeriod));
  const httpListen = flags.http === undefined ? undefined : check('--http', httpListenSchema, flags.http);
  const timeScale = flags.timeScale === undefined ? undefined : check('--time-scale', timeScaleSchema, numberFromText(flags.timeScale));
  if (problems.length > 0) throw new ConfigError(problems);

  const finalRobots = (robots ?? config.robots).map((robot) =>
    robot.kind === 'sim' && timeScale !== undefined ? { ...robot, timeScale } : robot,
  );
  if (timeScale !== undefined && !finalRobots.some((r) => r.kind === 'sim')) {
    problems.push('--time-scale applies to simulated robots only');
  }
  if (robots) problems.push(...routesNamingMissingRobots(config, robots));
  const http = { ...config.http, listen: httpListen ?? config.http.listen };
  const tokenProblem = httpListen === undefined ? undefined : httpTokenProblem(http);
  if (tokenProblem) {
    problems.push(`--http: ${httpListen} is not a loopback address: the API then needs http.token (text of at least ${MIN_HTTP_TOKEN_LENGTH} characters) in the configuration file`);
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const current = config.dicom.listeners;
  const hosts = host !== undefined ? [host] : unique(current.map((l) => l.host));
  const listenerPorts = ports ?? unique(current.map((l) => l.port));
  let listeners = current;
  if (ports !== undefined || host !== undefined) {
    // The flags move the listeners, never drop their TLS or allow-lists; with different security
    // per listener there is no telling which new address gets which, so that is an error.
    const security = sharedListenerSecurity(current);
    if (!security) {
      const flag = [host !== undefined ? '--host' : '', ports !== undefined ? '--port' : ''].filter(Boolean).join(' and ');
      throw new ConfigError([
        `${flag}: the configured listeners differ in their tls or allow settings, so they cannot be moved by ${flag}; set each listener's host and port in the configuration file (dicom.listeners) instead`,
      ]);
    }
    listeners = hosts.flatMap((h) => listenerPorts.map((p) => ({ host: h, port: p, ...security })));
  }

  const merged = {
    ...config,
    dicom: { ...config.dicom, listeners, aeTitles: aeTitles ?? config.dicom.aeTitles },
    storage: { ...config.storage, data: data ?? config.storage.data },
    routes: config.routes.map((route) => ({ ...route, quietPeriodSeconds: quietPeriod ?? route.quietPeriodSeconds })),
    robots: finalRobots,
    http,
  };
  return parseConfig(merged, 'command line');
}

/** The tls and allow settings all listeners have in common (only those set), or undefined when they differ. */
function sharedListenerSecurity(listeners: Config['dicom']['listeners']): Pick<Config['dicom']['listeners'][number], 'tls' | 'allow'> | undefined {
  const securityOf = ({ tls, allow }: (typeof listeners)[number]) => ({ ...(tls ? { tls } : {}), ...(allow ? { allow } : {}) });
  const [first = {}, ...others] = listeners.map(securityOf);
  return others.every((o) => JSON.stringify(o) === JSON.stringify(first)) ? first : undefined;
}

type Check = <T>(flag: string, schema: z.ZodType<T>, value: unknown) => T | undefined;

/** The robots `--robot` gives, named robot1, robot2, ... in the order given. */
function robotsFromFlags(specs: readonly string[], check: Check, problems: string[]): RobotConfig[] | undefined {
  const robots: RobotConfig[] = [];
  specs.forEach((text, i) => {
    const name = `robot${i + 1}`;
    let spec;
    try {
      spec = parseRobotSpec(text);
    } catch (err) {
      if (!(err instanceof RobotSpecError)) throw err;
      problems.push(err.message);
      return;
    }
    if (spec.kind === 'sim') {
      const model = check(`--robot ${text}`, modelIdSchema, spec.model);
      if (model !== undefined) robots.push({ name, kind: 'sim', model, timeScale: DEFAULT_TIME_SCALE });
    } else if (spec.kind === 'serial') {
      const path = check(`--robot ${text}`, serialPathSchema, spec.path);
      if (path !== undefined) robots.push({ name, kind: 'serial', path });
    } else {
      const folder = check(`--robot ${text}`, ptburnFolderSchema, spec.folder);
      if (folder !== undefined) robots.push({ name, kind: 'ptburn', folder, ...DEFAULT_PTBURN_ROBOT, pathMap: [] });
    }
  });
  return robots.length === specs.length ? robots : undefined;
}

/** Routes of the file that name robots `--robot` no longer gives: an error, not a silent change. */
function routesNamingMissingRobots(config: Config, robots: readonly RobotConfig[]): string[] {
  const names = robots.map((r) => r.name);
  return config.routes.flatMap((route) =>
    route.robots
      .filter((name) => !names.includes(name))
      .map((name) => `--robot: route "${route.name}" names the robot "${name}", which --robot does not give (robots: ${names.join(', ')})`),
  );
}

/** "2.5" becomes 2.5; anything else stays text so the message can show what was typed. */
function numberFromText(value: number | string): number | string {
  return typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
}

/** "104" becomes 104; anything else stays text so the message can show what was typed. */
function portFromText(value: number | string): number | string {
  return typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value;
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}

function firstLine(message: string): string {
  return (message.split('\n')[0] ?? message).replace(/:$/, '');
}

function describeFsError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a folder, not a file';
    default:
      return err instanceof Error ? err.message : String(err);
  }
}
