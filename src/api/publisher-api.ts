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

export interface RobotView {
  name: string;
  /** The robot actor's state (dotted). */
  state: string;
  kind: 'sim' | 'serial';
  model: string | null;
  /** The job whose disc it works on. */
  jobId: string | null;
  error: { code: number; name: string; kind: string; hint: string } | null;
  /** Simulated robots only: the folder where delivered disc images lie. */
  outputFolder: string | null;
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

export interface PublisherApi {
  listStudies(filter: { state?: string; q?: string }): StudySummaryView[];
  getStudy(studyInstanceUid: string): StudyDetailView | undefined;
  listJobs(filter: { state?: string; q?: string }): JobSummaryView[];
  getJob(jobId: string): JobDetailView | undefined;
  listRobots(): RobotView[];
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
  /** An action on a simulated robot's simulator: 404 no such robot, 409 not simulated, 422 the simulator refuses (naming the field). */
  simulatorAction(robot: string, action: SimulatorAction, by: Operator): ActionResult;
}
