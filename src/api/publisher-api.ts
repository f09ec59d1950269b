// The contract between the HTTP API (adapters/http/) and the running publisher: what a person can
// see and do. The composition root implements it over the actor system and the database; the HTTP
// adapter only translates requests and answers. Views are plain JSON data. Patient data appears in
// views (the API is for the people who publish the discs) but never in log lines.

export interface StudySummaryView {
  studyInstanceUid: string;
  /** The study actor's state: collecting, settling, queued, publishing, published, failed, held. */
  state: string;
  patientId: string | null;
  patientName: string | null;
  accessionNumber: string | null;
  studyDate: string | null;
  studyDescription: string | null;
  /** Instances stored for the study (kept-apart duplicates included). */
  instances: number;
  /** Instances on no disc request yet. */
  unpublished: number;
  lateArrivals: number;
  /** Epoch ms when the quiet period ends while settling, else null. */
  quietDeadlineMs: number | null;
  holdReasons: { code: string; message: string }[];
  route: string | null;
  /** Whether its stored files were purged by retention (no re-burn possible then). */
  purged: boolean;
  createdAtMs: number;
  updatedAtMs: number;
}

export interface InstanceView {
  id: number;
  sopInstanceUid: string;
  sopClassUid: string;
  seriesInstanceUid: string;
  patientId: string | null;
  patientName: string | null;
  patientBirthDate: string | null;
  modality: string | null;
  callingAeTitle: string;
  receivedAt: string;
  /** The job whose discs carry it, if any. */
  jobId: string | null;
  /** Set for a second object under an already stored SOP Instance UID. */
  duplicateOf: number | null;
}

export interface StudyDetailView extends StudySummaryView {
  instanceList: InstanceView[];
  /** Patient data behind the hold reasons (checkStudy's values). */
  holdValues: Record<string, unknown>;
  /** While an operator's hold stands: who held it, why and when (from the audit trail). */
  operatorHold: { by: string; why: string; atMs: number } | null;
  jobs: JobSummaryView[];
}

export interface DiscView {
  discId: string;
  copy: number;
  attempt: number;
  outcome: string;
  cause: string | null;
  location: string | null;
  robot: string | null;
  atMs: number;
  /** A simulated robot's delivered disc image (a file under the data folder), else null. */
  imageFile: string | null;
}

export interface JobSummaryView {
  jobId: string;
  /** What made it: a study's first disc, a follow-up disc of late arrivals, an operator's re-burn or reprint. */
  kind: string;
  studyInstanceUid: string | null;
  /** The job actor's state (dotted for nested states: 'disc.burning'), or 'pending' before a robot takes it. */
  state: string;
  robot: string | null;
  copies: number;
  copiesDone: number;
  media: string | null;
  /** Why it failed, was interrupted or cancelled. */
  reason: string | null;
  /** Burn and verify progress of the current disc. */
  progress: { phase: string; pct: number } | null;
  /** The robot fault the job is paused on, with its plain-words hint. */
  pause: { code: number; name: string; kind: string; hint: string } | null;
  createdAtMs: number;
  finishedAtMs: number | null;
}

export interface JobDetailView extends JobSummaryView {
  imagePath: string | null;
  labelPath: string | null;
  instanceIds: number[];
  discs: DiscView[];
}

/** One disc bin, as the robot counts it. */
export interface RobotBinView {
  /** The bin's number as the robot (and the simulator's fillBin action) numbers it: 1 is the right-most. */
  bin: number;
  /** Discs in it; null while the robot does not know (after the cover was open, or a power cycle). */
  count: number | null;
}

/** One printer cartridge (or ink tank). */
export interface RobotInkView {
  /** 1 is the left-most slot, as the simulator's cartridge and ink actions number them. */
  slot: number;
  /** Ink left, percent; null when the robot did not say. */
  pct: number | null;
  /** What is in the slot: colour, black, yellow, cyan, magenta; none (empty or not readable); unknown (a code we do not know). */
  cartridge: 'colour' | 'black' | 'yellow' | 'cyan' | 'magenta' | 'none' | 'unknown';
}

/**
 * What a drive is doing: empty or holding no disc of ours (idle), a disc going in (loading), the
 * drive getting the blank ready (preparing), recording (burning, finalizing, verifying), the disc
 * going out to the printer or a bin (unloading), or holding it while the robot is paused (holding).
 */
export type DriveActivity = 'idle' | 'loading' | 'preparing' | 'burning' | 'finalizing' | 'verifying' | 'unloading' | 'holding';

export interface RobotDriveView {
  index: number;
  name: string;
  activity: DriveActivity;
  /** The disc the robot works on is in (or going into) this drive. */
  holdsCurrentDisc: boolean;
}

/** The disc the robot works on (one at a time). */
export interface RobotDiscView {
  /** `<jobId>/<copy>.<attempt>` */
  discId: string;
  jobId: string;
  copy: number;
  attempt: number;
  /**
   * Its step: loading, awaitingMedia (the drive gets the blank ready), burning, finalizing,
   * verifying, printing (going to the printer), labelling, delivering, rejecting; null between steps.
   */
  step: string | null;
  /** Where it is: still in a bin, in a drive, in the printer. */
  where: 'bin' | 'drive' | 'printer';
  /** The drive chosen for it (index), null before it reached one. */
  drive: number | null;
  /** Burn and verify progress, while recording. */
  progress: { phase: string; pct: number } | null;
  /** Paused by a robot fault (see the robot's error). */
  paused: boolean;
  /** Its job was cancelled: the disc goes to the reject bin once it can move. */
  cancelling: boolean;
}

/** What the robot said about itself when the link came up. */
export interface RobotInfoView {
  /** The unit's own name for its model, e.g. "Disc Publisher 4100". */
  description: string;
  firmware: string;
  /** Who answers on the link: sim (the simulator) or a bridge to PTRobot. */
  connection: string;
  drives: number;
  printers: number;
  bins: number;
  /** Discs a bin holds at most. */
  maxPerBin: number;
  /** A kiosk model (discs come out of a front slot). */
  kiosk: boolean;
}

export interface RobotView {
  name: string;
  /** The robot actor's state (dotted). */
  state: string;
  /** sim: simulated in this process; serial: a DPRP/1 device; ptburn: a Primera robot behind a PTBurn server's hot folder. */
  kind: 'sim' | 'serial' | 'ptburn';
  model: string | null;
  /** The job whose disc it works on. */
  jobId: string | null;
  error: { code: number; name: string; kind: string; hint: string } | null;
  /** Simulated robots only: the folder where delivered disc images lie. */
  outputFolder: string | null;
  /**
   * What the unit is doing as it last reported (PICKING, LOADING_DRIVE, PRINTING, IDLE…; UNKNOWN
   * from a bridge), null before it ever reported. The fields below are what it last reported
   * too: while offline, from before the link dropped.
   */
  phase: string | null;
  /** Bins left to right. */
  bins: RobotBinView[];
  cover: 'open' | 'closed' | null;
  /** The printer tray: in and empty, in holding a disc, out; null without a printer or a report. */
  printerTray: 'empty' | 'holdingDisc' | 'out' | null;
  /** The picker arm: empty or holding a disc; null before a report. */
  picker: 'empty' | 'holdingDisc' | null;
  /** Cartridges left to right; empty when the unit has no printer or did not say. */
  ink: RobotInkView[];
  drives: RobotDriveView[];
  disc: RobotDiscView | null;
  info: RobotInfoView | null;
}

/** A DICOM association in progress (no patient data: who sends, to whom, how much). */
export interface AssociationView {
  /** The association's id (as in the log). */
  id: string;
  peerAddress: string;
  peerPort: number;
  /** Null until the peer's A-ASSOCIATE-RQ arrived. */
  callingAeTitle: string | null;
  calledAeTitle: string | null;
  /** The association actor's state (dotted), e.g. negotiating, established.idle, established.receiving.transferring, releasing. */
  state: string;
  /** When the publisher first saw it (epoch ms). */
  startedAtMs: number;
  /** Objects stored, refused or lost, their bytes, and C-ECHOs answered. */
  stored: number;
  failed: number;
  bytes: number;
  echoes: number;
  /** Objects stored per second since it started, to two decimals. */
  ratePerSecond: number;
  /** The SOP class of the object being received now, with its name when the class is known. */
  currentSopClass: { uid: string; name: string | null } | null;
}

export interface AuditView {
  id: number;
  atMs: number;
  actor: string;
  action: string;
  subject: string;
  details: Record<string, unknown>;
}

/** An operator's name as the audit trail records it (`operator:<name>`). */
export interface Operator {
  name: string;
}

/** The result of an action: accepted, or refused with a reason a person can act on. */
export type ActionResult = { ok: true; jobId?: string } | { ok: false; status: 404 | 409 | 422; error: string };

export interface StudySplitRequest {
  /** SOP Instance UIDs to move out of the study into a study of their own, checked and published like any study. */
  sopInstanceUids: string[];
}

/**
 * What a person does to a simulated robot (tests, demonstrations, the dashboard): arm a fault
 * (`trigger` as the simulator takes it: now, next:<PHASE>, nth:<k>:<PHASE>, prob:<p>:<PHASE>), or
 * lend the operator's hands: fill a bin, open or close the cover, change a cartridge or its ink,
 * switch the power.
 */
export type SimulatorAction =
  | { kind: 'fault'; code: string; trigger?: string }
  | { kind: 'fillBin'; bin: number; count: number }
  | { kind: 'cover'; open: boolean }
  | { kind: 'cartridge'; slot: number; type: string }
  | { kind: 'ink'; slot: number; pct: number }
  | { kind: 'power'; on: boolean };

/** A fault a simulated robot's simulator can inject (the catalogue row, for the dashboard's controls). */
export interface SimulatorFaultView {
  /** The code to arm it with (simulator action `fault`). */
  id: string;
  /** robot (a SYSERR), command (a verb's result), recorder or media. */
  level: string;
  /** The SYSERR or result name the robot reports, when it reports one. */
  reports: string | null;
  /** The device phases it can happen in (its `next:<PHASE>` triggers). */
  phases: string[];
  /** What happens to the unit, in words. */
  consequence: string;
}

export interface PublisherApi {
  listStudies(filter: { state?: string; q?: string }): StudySummaryView[];
  getStudy(studyInstanceUid: string): StudyDetailView | undefined;
  listJobs(filter: { state?: string; q?: string }): JobSummaryView[];
  getJob(jobId: string): JobDetailView | undefined;
  listRobots(): RobotView[];
  /** The DICOM associations in progress, oldest first. */
  listAssociations(): AssociationView[];
  audit(filter: { subject?: string; limit?: number }): AuditView[];

  /** Publish now, without waiting for the rest of the quiet period. */
  releaseStudyNow(studyInstanceUid: string, by: Operator): ActionResult;
  /** Hold a study for review (it will not be burned until released). */
  holdStudy(studyInstanceUid: string, by: Operator, why: string): ActionResult;
  /** A person reviewed the hold and accepts the study as it is; a failed study is asked for a new disc. */
  releaseStudy(studyInstanceUid: string, by: Operator): ActionResult;
  /** Move instances out of a held study. */
  splitStudy(studyInstanceUid: string, request: StudySplitRequest, by: Operator): ActionResult;
  cancelJob(jobId: string, by: Operator): ActionResult;
  retryJob(jobId: string, by: Operator): ActionResult;
  /** A new job burning the same instances again (while their files exist); answers the new job id. */
  reburnJob(jobId: string, by: Operator, copies?: number): ActionResult;
  /** A new job of one copy burning the mastered image again with its label on a new disc (answers the new job id). */
  reprintLabel(jobId: string, by: Operator): ActionResult;
  clearRobotError(robot: string, by: Operator): ActionResult;
  /** Go on printing although the ink is low (the robot's ink-low warning); 409 for any other state. */
  acknowledgeInkLow(robot: string, by: Operator): ActionResult;
  /** An action on a simulated robot's simulator: 404 no such robot, 409 not simulated, 422 the simulator refuses (naming the field). */
  simulatorAction(robot: string, action: SimulatorAction, by: Operator): ActionResult;
  /** The faults a simulated robot's model can have; undefined when there is no such simulated robot. */
  simulatorFaults(robot: string): SimulatorFaultView[] | undefined;
}
