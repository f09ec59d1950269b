// The rules a job request must meet before it is written (adapter) or accepted (emulator), each
// from the PTBurn 3 SDK manual rev 3.24 §2.1 and Appendix C. A problem names the JRQ key and the
// job error number PTBurn would fail the job with, so the emulator can answer as PTBurn would.

import { valueProblem } from './key-lines.ts';
import { DATA_IMAGE_OPTIONS, FILE_SYSTEMS, type JobRequest } from './jrq.ts';

export interface JrqProblem {
  /** The JRQ key as the manual spells it (or "line N" for a line that is not Key = Value). */
  key: string;
  message: string;
  /** Appendix C job error: 5 too many items, 6 nothing to burn, 7 print file, 8 bad file, 21 session, 25 bad key/value, 33 PVD, 38 job ID, 39 string too long. */
  jobError: number;
}

/** Characters Windows forbids in a file name: JobID must not carry a path. */
const PATH_CHARACTERS = /[\\/:*?"<>|]/;
const CONTROL_CHARACTERS = /[\x00-\x1f\x7f]/;
const SESSION_LIKE = /,\s*Session\s*\d+\s*$/i;
const KNOWN_KEYS = new Set([
  'jobid', 'clientid', 'importance', 'data', 'imagefile', 'imagetype', 'deletefiles', 'dataimagetype', 'disctype',
  'closedisc', 'copies', 'printlabel', 'mergefield', 'printquality', 'printinnerdiam', 'printoutermargin',
  'printreject', 'volumename', 'burnspeed', 'verifydisc', 'rejectifnotblank', 'testrecord', 'premasterdata',
  'driveid', 'binid', 'robotname', 'loadunloadoverride', 'pvdsystemid', 'pvdpublisherid', 'pvdpreparerid',
  'pvdapplicationid', 'notifyclient',
]);
/** Burnable items at the top level (§ Appendix C job error 5). */
const MAX_TOP_LEVEL_ITEMS = 99;
const PRINT_EXTENSIONS = /\.(std|jpg|bmp|prn)$/i;

export function validateJobRequest(request: JobRequest): JrqProblem[] {
  const problems: JrqProblem[] = [];
  const add = (key: string, message: string, jobError = 25) => problems.push({ key, message, jobError });
  const text = (key: string, value: string | undefined, maxLength?: number, lengthError = 25) => {
    if (value === undefined) return;
    const problem = valueProblem(value);
    if (problem) add(key, problem);
    if (maxLength !== undefined && value.length > maxLength) add(key, `is ${value.length} characters, at most ${maxLength} allowed`, lengthError);
  };
  const range = (key: string, value: number | undefined, min: number, max: number) => {
    if (value !== undefined && !(Number.isInteger(value) && value >= min && value <= max)) add(key, `${value} is outside ${min}–${max}`);
  };

  if (request.jobId !== undefined) {
    text('JobID', request.jobId, 32, 38);
    if (request.jobId.trim() === '') add('JobID', 'must not be empty', 38);
    if (PATH_CHARACTERS.test(request.jobId)) add('JobID', 'must not contain path characters \\ / : * ? " < > |', 38);
  }
  text('ClientID', request.clientId, 32);
  range('Importance', request.importance, 0, 400);

  for (const entry of request.data) {
    text('Data', entry.source);
    text('Data', entry.destination);
    if (entry.source === '') add('Data', 'source path is empty');
    if (entry.source.includes('>')) add('Data', 'source must not contain ">" (it separates source and destination)');
    if (entry.destination !== undefined && !/^\\[^>]*$/.test(entry.destination)) add('Data', 'destination must start with "\\" (the disc root) and not contain ">"');
    if (SESSION_LIKE.test(entry.destination ?? entry.source)) add('Data', 'path must not end in ", SessionN" (it would read as a session)');
  }
  for (const image of request.images) {
    text('ImageFile', image.path);
    if (image.path === '') add('ImageFile', 'path is empty');
    if (SESSION_LIKE.test(image.path)) add('ImageFile', 'path must not end in ", SessionN" (it would read as a session)');
  }
  const sessionsOf = (items: ReadonlyArray<{ session?: number }>) => new Set(items.map((i) => i.session ?? 1));
  const imageSessions = sessionsOf(request.images);
  for (const s of sessionsOf(request.data)) if (imageSessions.has(s)) add('Data', `Data and ImageFile must not share session ${s}`, 21);
  if (request.images.length > 2 || imageSessions.size < request.images.length) add('ImageFile', 'at most one image per session', 21);
  if (request.data.length + request.images.length > MAX_TOP_LEVEL_ITEMS) add('Data', `more than ${MAX_TOP_LEVEL_ITEMS} top-level items`, 5);

  if (request.dataImageType) {
    if (!FILE_SYSTEMS.includes(request.dataImageType.fileSystem)) add('DataImageType', `unknown file system "${request.dataImageType.fileSystem}"`);
    for (const option of request.dataImageType.options) if (!DATA_IMAGE_OPTIONS.includes(option)) add('DataImageType', `unknown option "${option}"`);
    if (new Set(request.dataImageType.options).size < request.dataImageType.options.length) add('DataImageType', 'an option is repeated');
  }
  range('Copies', request.copies, 1, 10_000);
  text('PrintLabel', request.printLabel);
  if (request.printLabel !== undefined && !PRINT_EXTENSIONS.test(request.printLabel)) add('PrintLabel', 'must be a .STD, .JPG, .BMP or .PRN file', 7);
  request.mergeFields.forEach((field) => text('MergeField', field, 260, 39));
  if (request.mergeFields.length > 0 && !/\.std$/i.test(request.printLabel ?? '')) add('MergeField', 'merge fields need a SureThing (.STD) PrintLabel', 7);
  range('PrintQuality', request.printQuality, 0, 4);
  range('PrintInnerDiam', request.printInnerDiam, 150, 500);
  range('PrintOuterMargin', request.printOuterMargin, 0, 20);
  text('VolumeName', request.volumeName, 32);
  range('BurnSpeed', request.burnSpeed, 0, 100);
  request.driveIds.forEach((id) => range('DriveID', id, 0, 9));
  range('BinID', request.binId, 0, 2);
  text('RobotName', request.robotName);
  if (request.robotName === '') add('RobotName', 'must not be empty');
  text('PVDSystemID', request.pvd?.systemId, 32, 33);
  text('PVDPublisherID', request.pvd?.publisherId, 128, 33);
  text('PVDPreparerID', request.pvd?.preparerId, 128, 33);
  text('PVDApplicationID', request.pvd?.applicationId, 128, 33);

  for (const { key, value } of request.other) {
    if (key === '' || key.includes('=') || CONTROL_CHARACTERS.test(key) || key !== key.trim() || key.startsWith(';') || key.startsWith('[')) {
      add(key === '' ? '(empty key)' : key, 'is not a usable key name');
    } else if (KNOWN_KEYS.has(key.toLowerCase())) {
      add(key, 'is a modelled key and must be set through its field, not as an extra key');
    }
    text(key || '(empty key)', value);
  }
  const hasWork = request.data.length > 0 || request.images.length > 0 || request.printLabel !== undefined || request.other.length > 0;
  if (!hasWork) add('Data', 'nothing to burn or print: give Data, ImageFile or PrintLabel', 6);
  return problems;
}
