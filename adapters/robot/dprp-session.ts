// Opening a DPRP session (docs/robot-protocol.md §3): wait briefly for the device's E0 HELLO, answer
// with our HELLO, then GET_INFO, ENUM_DRIVES (its DRIVE events come before the reply) and GET_STATUS.
// Any refusal or unreadable field fails the opening with an error that says which step and field.

import type { DeviceStatus, DriveInfo, RobotInfo } from '../../machines/robot-link.ts';
import type { ChannelReply, DeviceChannel, DeviceEvent } from './channel.ts';
import { DprpRefusedError } from './dprp-errors.ts';
import { parseDrive, parseRobotInfo, parseStatus } from './dprp-fields.ts';

export const PROTOCOL = 'DPRP/1';
export const HELLO_WAIT_MS = 2000;

export interface SessionHello {
  /** The fields of the device's E0 HELLO, or null when none came within the wait. */
  announced: Record<string, string> | null;
  proto: string;
  impl: string;
  trayControl: string;
}

export interface DprpSession {
  hello: SessionHello;
  info: RobotInfo;
  drives: DriveInfo[];
  status: DeviceStatus;
}

export interface OpenSessionOptions {
  /** How long to wait for the device's HELLO before sending ours anyway (default 2000 ms). */
  helloWaitMs?: number;
}

export interface SessionChannel extends DeviceChannel {
  waitForHello(waitMs: number): Promise<DeviceEvent | null>;
}

export async function openSession(channel: SessionChannel, clientName: string, options: OpenSessionOptions = {}): Promise<DprpSession> {
  const announced = await channel.waitForHello(options.helloWaitMs ?? HELLO_WAIT_MS);
  const helloReply = requireOk('HELLO', await channel.request('HELLO', { proto: PROTOCOL, client: clientName }));
  if (helloReply.proto !== PROTOCOL) throw new Error(`the device speaks ${JSON.stringify(helloReply.proto ?? '')}, not ${PROTOCOL}`);
  const infoReply = requireOk('GET_INFO', await channel.request('GET_INFO'));
  const info = parseRobotInfo(helloReply, infoReply);
  const drives = await enumerateDrives(channel);
  const status = parseStatus(requireOk('GET_STATUS', await channel.request('GET_STATUS')));
  return {
    hello: { announced: announced?.args ?? null, proto: helloReply.proto, impl: info.impl, trayControl: helloReply.trayControl ?? info.trayControl },
    info,
    drives,
    status,
  };
}

/** ENUM_DRIVES: the DRIVE events that arrive before the reply, as many as its `n=` says. */
async function enumerateDrives(channel: DeviceChannel): Promise<DriveInfo[]> {
  const seen: Array<Record<string, string>> = [];
  const subscription = channel.events$.subscribe((event) => {
    if (event.verb === 'DRIVE') seen.push(event.args);
  });
  let reply: ChannelReply;
  try {
    reply = await channel.request('ENUM_DRIVES');
  } finally {
    subscription.unsubscribe();
  }
  const fields = requireOk('ENUM_DRIVES', reply);
  const drives = seen.map(parseDrive);
  if (fields.n !== String(drives.length)) throw new Error(`ENUM_DRIVES reply says n=${fields.n ?? '(missing)'} but ${drives.length} DRIVE events came before it`);
  return drives;
}

function requireOk(verb: string, reply: ChannelReply): Record<string, string> {
  if (!reply.ok) throw new DprpRefusedError(verb, reply.code, reply.name);
  return reply.fields;
}
