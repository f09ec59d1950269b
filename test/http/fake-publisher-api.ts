// A PublisherApi for the HTTP adapter's tests: it records every call with its arguments, answers
// views built from the ids it is asked about, and can be told to refuse an action or to throw.
import type {
  ActionResult,
  AssociationView,
  AuditView,
  JobDetailView,
  JobSummaryView,
  PublisherApi,
  RobotView,
  SimulatorFaultView,
  StudyDetailView,
  StudySummaryView,
} from '../../src/api/publisher-api.ts';

export interface RecordedCall {
  method: keyof PublisherApi;
  args: unknown[];
}

/** Patient data the views carry; the tests check it never reaches an info log line. */
export const PATIENT_NAME = 'DOE^JANE';
export const PATIENT_ID = 'PID-4711';

export function studySummary(studyInstanceUid: string): StudySummaryView {
  return {
    studyInstanceUid,
    state: 'held',
    patientId: PATIENT_ID,
    patientName: PATIENT_NAME,
    accessionNumber: 'ACC1',
    studyDate: '20240102',
    studyDescription: 'CT HEAD',
    instances: 3,
    unpublished: 3,
    lateArrivals: 0,
    quietDeadlineMs: null,
    holdReasons: [{ code: 'patient-name-mismatch', message: 'two patient names under one Patient ID' }],
    route: 'default',
    purged: false,
    createdAtMs: 1_700_000_000_000,
    updatedAtMs: 1_700_000_001_000,
  };
}

export function studyDetail(studyInstanceUid: string): StudyDetailView {
  return { ...studySummary(studyInstanceUid), instanceList: [], holdValues: { patientNames: [PATIENT_NAME, 'DOE^J'] }, operatorHold: null, jobs: [] };
}

export function jobSummary(jobId: string): JobSummaryView {
  return {
    jobId,
    kind: 'study',
    studyInstanceUid: '1.2.3',
    state: 'disc.burning',
    robot: 'r1',
    copies: 1,
    copiesDone: 0,
    media: 'CD',
    reason: null,
    progress: { phase: 'burn', pct: 42 },
    pause: null,
    createdAtMs: 1_700_000_000_000,
    finishedAtMs: null,
  };
}

export function jobDetail(jobId: string): JobDetailView {
  return { ...jobSummary(jobId), imagePath: null, labelPath: null, instanceIds: [1, 2, 3], discs: [] };
}

export const ROBOT: RobotView = {
  name: 'r1', state: 'busy.burning', kind: 'sim', model: 'DP-4100', jobId: 'job-17', error: null, outputFolder: '/data/sim/r1/out',
  phase: 'IDLE',
  bins: [{ bin: 2, count: 0 }, { bin: 1, count: null }],
  cover: 'closed',
  printerTray: 'empty',
  picker: 'empty',
  ink: [{ slot: 1, pct: 80, cartridge: 'colour' }, { slot: 2, pct: 95, cartridge: 'black' }],
  drives: [{ index: 0, name: 'SIM DVD-R drive', activity: 'burning', holdsCurrentDisc: true }],
  disc: {
    discId: 'job-17/1.1', jobId: 'job-17', copy: 1, attempt: 1, step: 'burning', where: 'drive', drive: 0,
    progress: { phase: 'burning', pct: 42 }, paused: false, cancelling: false,
  },
  info: { description: 'Disc Publisher 4100', firmware: 'SIM-1', connection: 'sim', drives: 1, printers: 1, bins: 2, maxPerBin: 100, kiosk: false },
};

export const ASSOCIATION: AssociationView = {
  id: 'a1', peerAddress: '127.0.0.1', peerPort: 50000, callingAeTitle: 'MODALITY1', calledAeTitle: 'DISCROBOT',
  state: 'established.receiving.transferring', startedAtMs: 1_700_000_000_000, stored: 12, failed: 0, bytes: 6_291_456, echoes: 1,
  ratePerSecond: 4, currentSopClass: { uid: '1.2.840.10008.5.1.4.1.1.2', name: 'CT Image Storage' },
};

export const AUDIT_ENTRY: AuditView = { id: 1, atMs: 1_700_000_000_000, actor: 'operator:api', action: 'study.hold', subject: 'study:1.2.3', details: {} };

/** Ids the fake knows: other studies and jobs are unknown (getStudy/getJob answer undefined). */
export const KNOWN_STUDY = '1.2.840.113619.2.55.3.604688119.969.1268071029.320';
export const KNOWN_JOB = 'job-17';
/** The one robot whose simulator faults the fake lists. */
export const SIMULATED_ROBOT = 'robot1';
export const SIMULATOR_FAULT: SimulatorFaultView = {
  id: 'input-empty', level: 'robot', reports: 'SYSERR_INPUT_EMPTY', phases: ['PICKING'], consequence: 'the picker finds the source bin empty',
};

export class FakePublisherApi implements PublisherApi {
  readonly calls: RecordedCall[] = [];
  /** The next actions' answer (until changed). */
  actionResult: ActionResult = { ok: true };
  /** When set, every method throws this. */
  failure: Error | null = null;
  /** Study and job ids answered as found, besides the known ones. */
  readonly knownIds = new Set<string>([KNOWN_STUDY, KNOWN_JOB]);

  private record(method: keyof PublisherApi, args: unknown[]): void {
    this.calls.push({ method, args });
    if (this.failure) throw this.failure;
  }

  private act(method: keyof PublisherApi, args: unknown[]): ActionResult {
    this.record(method, args);
    return this.actionResult;
  }

  /** The calls made of one method. */
  callsOf(method: keyof PublisherApi): unknown[][] {
    return this.calls.filter((call) => call.method === method).map((call) => call.args);
  }

  listStudies(filter: { state?: string; q?: string }): StudySummaryView[] {
    this.record('listStudies', [filter]);
    return [studySummary(KNOWN_STUDY)];
  }

  getStudy(uid: string): StudyDetailView | undefined {
    this.record('getStudy', [uid]);
    return this.knownIds.has(uid) ? studyDetail(uid) : undefined;
  }

  listJobs(filter: { state?: string; q?: string }): JobSummaryView[] {
    this.record('listJobs', [filter]);
    return [jobSummary(KNOWN_JOB)];
  }

  getJob(jobId: string): JobDetailView | undefined {
    this.record('getJob', [jobId]);
    return this.knownIds.has(jobId) ? jobDetail(jobId) : undefined;
  }

  listRobots(): RobotView[] {
    this.record('listRobots', []);
    return [ROBOT];
  }

  listAssociations(): AssociationView[] {
    this.record('listAssociations', []);
    return [ASSOCIATION];
  }

  audit(filter: { subject?: string; limit?: number }): AuditView[] {
    this.record('audit', [filter]);
    return [AUDIT_ENTRY];
  }

  releaseStudyNow(...args: Parameters<PublisherApi['releaseStudyNow']>) { return this.act('releaseStudyNow', args); }
  holdStudy(...args: Parameters<PublisherApi['holdStudy']>) { return this.act('holdStudy', args); }
  releaseStudy(...args: Parameters<PublisherApi['releaseStudy']>) { return this.act('releaseStudy', args); }
  splitStudy(...args: Parameters<PublisherApi['splitStudy']>) { return this.act('splitStudy', args); }
  cancelJob(...args: Parameters<PublisherApi['cancelJob']>) { return this.act('cancelJob', args); }
  retryJob(...args: Parameters<PublisherApi['retryJob']>) { return this.act('retryJob', args); }
  reburnJob(...args: Parameters<PublisherApi['reburnJob']>) { return this.act('reburnJob', args); }
  reprintLabel(...args: Parameters<PublisherApi['reprintLabel']>) { return this.act('reprintLabel', args); }
  clearRobotError(...args: Parameters<PublisherApi['clearRobotError']>) { return this.act('clearRobotError', args); }
  acknowledgeInkLow(...args: Parameters<PublisherApi['acknowledgeInkLow']>) { return this.act('acknowledgeInkLow', args); }
  simulatorAction(...args: Parameters<PublisherApi['simulatorAction']>) { return this.act('simulatorAction', args); }
  simulatorFaults(robot: string): SimulatorFaultView[] | undefined {
    this.record('simulatorFaults', [robot]);
    return robot === SIMULATED_ROBOT ? [SIMULATOR_FAULT] : undefined;
  }
}
