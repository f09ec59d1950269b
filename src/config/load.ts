// Reading the configuration: the file (YAML or JSON, chosen by extension) and the command-line
// flags that override it. Every problem becomes a ConfigError naming the file or the flag.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import {
  aeTitleSchema,
  ConfigError,
  dataFolderSchema,
  describeIssue,
  hostSchema,
  parseConfig,
  portSchema,
  type Config,
} from './schema.ts';

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
}

/**
 * The configuration with the flags applied: `--port` (repeatable) replaces the listeners' ports,
 * `--host` their host, both together give one listener per port on that host; `--ae` (repeatable)
 * replaces the AE titles; `--data` the data folder. Each value is checked by the file's own rules.
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
  if (problems.length > 0) throw new ConfigError(problems);

  const current = config.dicom.listeners;
  const hosts = host !== undefined ? [host] : unique(current.map((l) => l.host));
  const listenerPorts = ports ?? unique(current.map((l) => l.port));
  const listeners =
    ports === undefined && host === undefined
      ? current
      : hosts.flatMap((h) => listenerPorts.map((p) => ({ host: h, port: p })));

  const merged = {
    ...config,
    dicom: { ...config.dicom, listeners, aeTitles: aeTitles ?? config.dicom.aeTitles },
    storage: { ...config.storage, data: data ?? config.storage.data },
  };
  return parseConfig(merged, 'command line');
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
