// `--robot sim:MODEL | serial:PATH | ptburn:FOLDER`: which robot a one-off publish (or serve) drives.

export type RobotSpec = { kind: 'sim'; model: string } | { kind: 'serial'; path: string } | { kind: 'ptburn'; folder: string };

export class RobotSpecError extends Error {
  override name = 'RobotSpecError';
}

export function parseRobotSpec(text: string): RobotSpec {
  const colon = text.indexOf(':');
  const kind = colon > 0 ? text.slice(0, colon) : '';
  const rest = colon > 0 ? text.slice(colon + 1) : '';
  if (kind === 'sim' && rest) return { kind: 'sim', model: rest };
  if (kind === 'serial' && rest) return { kind: 'serial', path: rest };
  if (kind === 'ptburn' && rest) return { kind: 'ptburn', folder: rest };
  throw new RobotSpecError(`--robot "${text}" is none of sim:MODEL (e.g. sim:DP-4100), serial:PATH (e.g. serial:/dev/ttyUSB0) or ptburn:FOLDER (a PTBurn job folder, e.g. ptburn:/mnt/ptburn)`);
}

/** `FAULT@TRIGGER` of --inject, e.g. cover-open@next:PICKING; without @ the fault fires now. */
export function parseInjection(text: string): { code: string; trigger: string } {
  const [code = '', trigger = 'now', ...extra] = text.split('@');
  if (!/^[a-z0-9-]+$/.test(code) || extra.length > 0 || !trigger) {
    throw new RobotSpecError(`--inject "${text}" is not FAULT@TRIGGER (e.g. pick@next:PICKING; ids: discrobot simulate --list-faults)`);
  }
  return { code, trigger };
}
