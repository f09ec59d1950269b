// Literal samples from the PTBurn 3 SDK manual, rev 3.24 (Primera, 20 Sept 2011), as used by the
// ptburn codec tests (and later by the adapter and emulator tests). Source: the PDF committed in
// github.com/fleetwoodfc/dcm4chee-cdw at docs/PTBurn 3 SDK.pdf (commit 76be7626), text taken
// with pdftotext; page images also at manualshive.com/en/manual/primera/ptburn-3-sdk/1601700.
//
// Each sample is the manual's text line for line. Two things are not the manual's and are said
// where they apply: the PDF prints some hyphens as U+2010, which we write as "-", and it sets a
// few section headers one space in (" [RobotList]"), which `...AsPrinted` keeps and the canonical
// variant drops. The manual does not show line endings; the canonical variants use CRLF, which is
// what Windows' profile API writes.

/** Joins lines the way a Windows writer would: CRLF after every line. */
export const crlf = (lines: readonly string[]) => lines.map((line) => `${line}\r\n`).join('');

/** §2.2.1 Simple Data Job (Test1.JRQ), page 18. */
export const JRQ_SIMPLE_DATA = ['Data = c:\\MyBackup'];

/** §2.2.2 Simple Audio Job (Test2.JRQ), page 19. */
export const JRQ_SIMPLE_AUDIO = [
  'AudioFile = c:\\MyMusic\\MyTrack1.wav',
  'AudioFile = c:\\MyMusic\\MyTrack2.mp3, Pregap75',
  'AudioFile = c:\\MyMusic\\MyTrack3.wma, Pregap150',
  'BurnSpeed = 8',
  'CloseDisc = YES',
  'Copies = 2',
];

/** §2.2.3 Burn and Print job of 5 discs with many options (Test3.JRQ), page 19. U+2010 in the ClientID written "-". */
export const JRQ_BURN_AND_PRINT = [
  'JobID = Kevin’s Photos',
  'ClientID = COMPANYX-KEVIN1',
  'Data = \\\\SERVER\\PTBurnJobs\\KevinsJob\\Photos\\Data',
  'Data = c:\\MyBackup\\File1.jpg',
  'DeleteFiles = YES',
  'DataImageType = ISOLEVEL1, SAO, SETNOW',
  'CloseDisc = YES',
  'Copies = 5',
  'PrintLabel = \\\\SERVER\\PTBurnJobs\\KevinsJob\\Print\\Photos.std',
  'VolumeName = My Photos',
  'VerifyDisc = YES',
  'NotifyClient = Message',
];

/** §2.2.4 Print Only Job of 25 Discs, page 20. */
export const JRQ_PRINT_ONLY = [
  'JobID = My Print Job',
  'ClientID = MyWorkstation',
  'PrintLabel = \\\\SERVER\\PTBurnJobs\\MyJob\\MyImage.STD',
  'Copies = 25',
];

/** §2.2.5 Read Data Job of 3 Discs, page 20 (no spaces around "="). */
export const JRQ_READ_DATA = [
  'ClientID=MyComputer',
  'JobID=Job0',
  'Importance=2',
  'Copies=3',
  'NotifyClient=Message',
  'ReadDataTo=\\\\MyComputer\\PTBurnJobs\\ReadData',
  'ReadDataFormat=ReadData',
  'CreateSubFolders=YES',
];

/** §2.1.4 Data examples (pages 6–7), §2.1.6 ImageFile (page 9), §2.1.40 MergeField and §2.1.41 RobotName (pages 16–17). */
export const JRQ_KEY_EXAMPLES = {
  dataSession: 'Data = C:\\MyFolder1, Session2',
  dataRename: 'Data = C:\\MyFolder1\\MyFile.txt>\\YourFile.txt',
  dataIntoFolder: 'Data = C:\\MyFolder1\\MyFile.txt>\\YourFolder1\\YourFile.txt',
  folderIntoFolder: 'Data = C:\\MyFolder1>\\YourFolder1\\YourFolder2',
  imageSession: 'ImageFile = c:\\MyImage.ISO, Session1',
  mergeFields: [
    'MergeField=Kevin’s Merge Job Disc',
    'MergeField=C:\\images\\logo.bmp',
    'MergeField=C:\\Documents and Settings\\kevin\\My Documents\\My Pictures\\sample.jpg',
  ],
  robotName: 'RobotName=Disc Publisher XRP (Copy 1)',
};

/** §4 Client Commands (pages 38–42) and Appendix D (pages 65–66), as printed, spacing included. */
export const PTM_SAMPLES = {
  abort: ['Message = ABORT', 'ClientID = Kevin'], // §4.1, MyJob1.PTM
  shutdownAfterJob: ['Message=SHUTDOWN_AFTERJOB', 'ClientID=Administrator'], // §4.2
  shutdownImmediate: ['Message=SHUTDOWN_IMMEDIATE', 'ClientID=Administrator'], // §4.3
  alignPrinter: ['Message= ALIGN_PRINTER', 'ClientID=Administrator', 'RobotName = zzzz'], // §4.4
  ignoreInkLow: ['Message= IGNORE_INKLOW', 'ClientID=Administrator'], // §4.5
  checkBins: ['Message= CHECK_DISCSINBIN', 'ClientID=Administrator', 'RobotName = zzzz'], // §4.9
  createReport: ['Message= CREATE_REPORT'], // §4.10
  usbConnect: ['Message = USB_CONNECT'], // §4.13
  kioskMode: ['Message= CHANGE_KIOSK_MODE', 'Value=1', 'ClientID=Administrator', 'RobotName=zzzz'], // §4.15 with X = 1
  cleanCartridges: ['Message = CLEAN_CARTRIDGES'], // §4.16
  processDisc: ['Message= PROCESS_DISC', 'DiscID=0'], // Appendix D, JobXYZ.ptm
  rejectDisc: ['Message= REJECT_DISC', 'DiscID=0'], // Appendix D
  unloadDisc: ['Message= UNLOAD_DISC', 'DiscID=0'], // Appendix D
};

/** §3.1.1 Example of SystemStatus.txt, pages 21–22, with the first header set one space in as printed. */
export const SYSTEM_STATUS_AS_PRINTED = [
  ' [RobotList]',
  'Robot0=Disc Publisher XRP',
  '[Disc Publisher XRP]',
  'SysErrorString=No Errors',
  'SysErrorNumber=0',
  'SystemDrives=2',
  'RobotType=5',
  'NumJobs=0',
  'DiscsInLeftBin=6',
  'DiscsInRightBin=4',
  'StatusFile=Disc Publisher XRP.txt',
  'KioskModeEnabled=0',
  'CartridgeType0=2',
  'CartridgeFill0=96',
  'CartridgeType1=1',
  'CartridgeFill1=95',
  '[System]',
  'SysErrorString=No Errors',
  'SysErrorNumber=0',
  'PtburnSWVer=1.0.3.0',
  'JobProcSWVer=3.0.9',
  'PTRobotVer=1.3.5.0',
  'PxsdkSWVer=4.2.62.500',
  'PxengSWVer=4.2.62.500',
  'PxDrvSWVer=1.02.16a',
  'PxMasSWVer=4.2.62.500',
  'PxWaveSWVer=4.2.62.500',
  'PxHelp20SWVer=3.00.67a',
  'ServerTime=06/05/2008 17:44:27',
  'ServerTickCount=1749',
  'DriveSpace=123849',
];
export const SYSTEM_STATUS = SYSTEM_STATUS_AS_PRINTED.map((line) => line.trimStart());

/** §3.2.1 Example of RobotName.txt (Disc Publisher XRP.txt), pages 26–28; U+2010 in "PX-716A" written "-". */
export const ROBOT_STATUS_AS_PRINTED = [
  '[System]',
  'SystemStatus=System OK',
  'RoboFWVer=4.07 03/24/2008',
  'SerialNum=2091200229',
  'DateManf=3/27/2010',
  'SystemDesc=Disc Publisher XRP',
  'SystemDrives=2',
  'GoodDiscsLaunch=1',
  'BadDiscsLaunch=0',
  'GoodDiscsLife=5',
  'BadDiscsLife=0',
  'SysErrorString=No Errors',
  'SysErrorNumber=0',
  'DriveDesc0=PLEXTOR DVDR PX-716A 1.09',
  'DriveLetter0=H',
  'DriveLocation0=Bottom Recorder',
  'DriveDesc1=PLEXTOR DVDR PX-716A 1.09',
  'DriveLetter1=F',
  'DriveLocation1=Top Recorder',
  'DriveState0=0',
  'DrivePercent0=0',
  'DriveJob0=None',
  'DriveDisc0=None',
  'DriveState1=0',
  'DrivePercent1=0',
  'DriveJob1=None',
  'DriveDisc1=None',
  'DiscsInLeftBin=6',
  'DiscsInRightBin=4',
  'CartridgeType0=2',
  'CartridgeFill0=96',
  'CartridgeType1=1',
  'CartridgeFill1=95',
  '[Top Recorder]',
  'BadDiscs=3',
  'GoodDiscs=4',
  'ReadingErrors=0',
  'ReadingErrorsMedia=0',
  'RecordingErrors=0',
  'RecordingErrorsMedia=0',
  'VerifyingErrors=0',
  'VerifyingErrorsMedia=0',
  'DriveNotReady=0',
  '[Bottom Recorder]',
  'GoodDiscs=0',
  'BadDiscs=0',
  'ReadingErrors=0',
  'ReadingErrorsMedia=0',
  'RecordingErrors=0',
  'RecordingErrorsMedia=0',
  'VerifyingErrors=0',
  'VerifyingErrorsMedia=0',
  'DriveNotReady=0',
  '[JobList]',
  'Job0=DataJob_Test1',
  ' [DataJob_Test1]',
  'JobsAhead=0',
  'DiscsAhead=0',
  'CurrentStatus=Loading Disc 0',
  'CurrentStatusState=4',
  'TimeStarted=06/06/2008 14:06:12',
  'GoodDiscs=0',
  'BadDiscs=0',
  'DiscsRemaining=1',
  'JobState=1',
  'LoadDiscState0=0',
  'LoadDiscDrive0=F',
  ' [CompletedJobs]',
  'Job0=DataJob_ClosedDisc',
  '[DataJob_ClosedDisc]',
  'JobsAhead=0',
  'DiscsAhead=0',
  'CurrentStatus=The job is complete...',
  'CurrentStatusState=10',
  'TimeStarted=06/05/2008 17:14:49',
  'GoodDiscs=1',
  'BadDiscs=0',
  'DiscsRemaining=0',
  'JobState=2',
  'TimeCompleted=06/05/2008 17:16:13',
];
export const ROBOT_STATUS = ROBOT_STATUS_AS_PRINTED.map((line) => line.trimStart());
