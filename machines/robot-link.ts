// The contract between a robot actor and its link adapter (the invoked `link` actor, a DPRP
// driver in adapters/robot/). The machine decides which verb to send; the link frames it,
// correlates the reply, keeps the line alive and reports what the device says. Types only.

/** What the device told us when the session opened (HELLO, GET_INFO, ENUM_DRIVES). */
export interface RobotInfo {
  impl: string;
  model: string;
  /** PTRobot dwRobotType; unknown numbers are kept, not refused. */
  type: number;
  description: string;
  firmware: string;
  drives: number;
  printers: number;
  bins: number;
  /** dwSupportedActions bit mask. */
  actions: number;
  kiosk: boolean;
  maxPerBin: number;
  /** `robot` when the picker opens/closes trays itself, `host` when TRAY_REQUEST events come. */
  trayControl: 'robot' | 'host';
}

export interface DriveInfo {
  index: number;
  col: number;
  row: number;
  name: string;
  serial: string;
  /** Where the host reaches this drive: /dev/srN, or a simulator's drive file (stdio:...). */
  dev: string;
}

/** A device status, from GET_STATUS replies and STATE events; fields absent in an event keep their value. */
export interface DeviceStatus {
  /** PTRobot dwSystemState: 0 idle, 1 busy, 2 error. */
  state: 0 | 1 | 2;
  syserr: number;
  phase: string;
  /** Operation in hand, 0 when none. */
  op: number;
  /** Disc counts per bin, index 0 = left-most; 255 = unknown. */
  bins: number[];
  /** Printer tray: D in with disc, I in empty, O out. */
  tray: 'D' | 'I' | 'O';
  /** Picker: X empty, O holding. */
  picker: 'X' | 'O';
  cover: 0 | 1;
  /**
   * Printer cartridges, left to right, as PTRobot's dwCartridgeType codes (0: none or not
   * readable). Only GET_STATUS carries them; absent until a reply said, kept by STATE events.
   */
  carts?: number[];
  /** Ink left in each cartridge, percent, left to right; like `carts`, from GET_STATUS only. */
  ink?: number[];
}

/** robot machine → link */
export type LinkCommand = {
  type: 'link.send';
  /** Chosen by the machine; the reply carries it back. */
  ref: number;
  verb: string;
  args: Record<string, string>;
};

/** link → robot machine */
export type LinkEvent =
  | { type: 'link.connecting'; attempt: number }
  | { type: 'link.up'; info: RobotInfo; drives: DriveInfo[]; status: DeviceStatus }
  | { type: 'link.down'; reason: string }
  /** Reply to link.send: ok with the reply's fields, or the device's error code and name. */
  | { type: 'link.reply'; ref: number; ok: true; fields: Record<string, string> }
  | { type: 'link.reply'; ref: number; ok: false; code: number; name: string; fields: Record<string, string> }
  | { type: 'device.state'; status: DeviceStatus }
  | { type: 'device.opDone'; op: number; result: 'OK' | 'CANCELLED' | 'FAILED' };

/** Recorder (burn, finalize, verify one disc in one drive): invoked by the robot machine. */
export interface RecorderInput {
  /** The robot's name, so one provided recorder can serve several robots. */
  robot: string;
  discId: string;
  drive: DriveInfo;
  imagePath: string;
  imageBytes: number;
}

/** recorder → robot machine */
export type RecorderEvent =
  | { type: 'recorder.progress'; phase: 'burning' | 'finalizing' | 'verifying'; pct: number }
  | { type: 'recorder.finished'; result: 'ok'; md5: string }
  | { type: 'recorder.finished'; result: 'writeError' | 'verifyError' | 'mediaError'; detail: string };
