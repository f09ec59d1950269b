// A request/response channel to a DPRP device, as the driver offers it to the parts that need
// more than the robot actor's verbs (the simulator's recorder adapter, tests, the CLI).

import type { Observable } from 'rxjs';

export type ChannelReply =
  | { ok: true; fields: Record<string, string> }
  | { ok: false; code: number; name: string; fields: Record<string, string> };

export interface DeviceEvent {
  verb: string;
  args: Record<string, string>;
}

export interface DeviceChannel {
  /** Sends `Q<seq> VERB args`, resolves with the `R` line; rejects only when the link is gone or the reply never came. */
  request(verb: string, args?: Record<string, string>, options?: { timeoutMs?: number }): Promise<ChannelReply>;
  /** Every `E` line the device sends, HEARTBEAT included. */
  readonly events$: Observable<DeviceEvent>;
}
