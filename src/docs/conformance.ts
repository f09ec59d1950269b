// discrobot's DICOM conformance statement for the network side (the Storage AE), in the layout of
// PS3.2 Annex A, generated into docs/conformance.md by scripts/gen-docs.ts. The tables come from the
// code that drives negotiation and storage (src/dicom/*, src/config/defaults.ts); the prose is here.
// It is modelled on the CDRobot3 statement (sections 1, 4, 6 and 7) and says where we differ.
import {
  DEFAULT_AE_TITLE,
  DEFAULT_MAX_PDU_LENGTH,
  DEFAULT_PORT,
  DEFAULT_SETTINGS,
  MAX_ASSOCIATION_PDU_BYTES_BOUNDS,
  MAX_PDU_LENGTH_BOUNDS,
} from '../config/defaults.ts';
import { parseByteSize } from '../config/byte-size.ts';
import { STORAGE_SOP_CLASSES, type SopClass, type SopClassKind } from '../dicom/sop-classes.ts';
import { LABEL_LINE_ROLES, REQUIRED_LABEL_LINES } from '../media/label-data.ts';
import {
  APPLICATION_CONTEXT_DICOM,
  IMPLEMENTATION_CLASS_UID,
  IMPLEMENTATION_VERSION_NAME,
  TRANSFER_SYNTAX_NAMES,
  TRANSFER_SYNTAX_PREFERENCE,
  TransferSyntax,
  VERIFICATION_SOP_CLASS,
} from '../dicom/uid.ts';
import { bulletList, captionedTable, code, MarkdownDocument } from './markdown.ts';
import { mediaInterchange } from './conformance-media.ts';
import {
  listenerSecuritySettings,
  NUMBER_OF_ASSOCIATIONS,
  security,
  SECURITY_DIFFERENCE,
  SECURITY_REJECTIONS,
  SECURITY_SETTING_DESCRIPTIONS,
} from './conformance-security.ts';
import { getModel, MODEL_IDS } from '../../simulator/models.ts';
import { outputOf } from './robot-models.ts';

/** Names as in the DICOM dictionary (PS3.6 Annex A); test/docs/conformance.test.ts checks them. */
export const VERIFICATION_SOP_CLASS_NAME = 'Verification SOP Class';
export const APPLICATION_CONTEXT_NAME = 'DICOM Application Context Name';

/** What CDRobot3's statement (version 1.2.4.10, revision 1.1) gives, where we differ. */
const CDROBOT3 = {
  aeTitle: 'CDROBOT3',
  implementationClassUid: '1.2.826.0.1.3680043.8.685.1.1.2.4.10',
  implementationVersionName: 'CDROBOT3_1_2_4_10',
};

/** The storage SOP class groups, in the order and with the captions of section 4.2.1.1. */
const SOP_CLASS_GROUPS: ReadonlyArray<{ kind: SopClassKind; table: string; caption: string; intro: string }> = [
  {
    kind: 'standard',
    table: 'Table 4.2-2',
    caption: 'Storage SOP Classes',
    intro: 'The Storage AE accepts these storage SOP classes:',
  },
  {
    kind: 'retired',
    table: 'Table 4.2-3',
    caption: 'Retired Storage SOP Classes',
    intro:
      'These SOP classes are retired from the DICOM Standard (PS3.6 marks them "Retired"). The Storage AE still accepts them, as CDRobot3 does, so that older modalities can send them:',
  },
  {
    kind: 'private',
    table: 'Table 4.2-4',
    caption: 'Private Storage SOP Classes',
    intro:
      'These vendor-private SOP classes are not in the DICOM dictionary; their names are the vendors\'. The Storage AE accepts them and stores them like any other instance (see section 8.5):',
  },
  {
    kind: 'structured-report',
    table: 'Table 4.2-5',
    caption: 'Structured Report Storage SOP Classes (only when configured)',
    intro: `These structured report SOP classes are accepted only when ${code('dicom.acceptStructuredReports')} is ${code('true')} (default ${code(String(DEFAULT_SETTINGS.dicom.acceptStructuredReports))}). Otherwise a presentation context proposing one of them is rejected (abstract syntax not supported):`,
  },
];

const TRANSFER_SYNTAX_NOTES: Record<string, string> = {
  [TransferSyntax.ExplicitVRLittleEndian]: 'stored as received, byte for byte',
  [TransferSyntax.ImplicitVRLittleEndian]: 'converted to Explicit VR Little Endian element by element',
  [TransferSyntax.ExplicitVRBigEndian]: 'retired in PS3.5; byte-swapped to Explicit VR Little Endian',
};

/** PS3.8 7.1.1.9 values for A-ASSOCIATE-RJ: result, source, reason. */
const ASSOCIATION_REJECTIONS: ReadonlyArray<readonly [string, string, string, string]> = [
  [
    '1 – rejected-permanent',
    '1 – DICOM UL service-user',
    '1 – no-reason-given',
    'None of the proposed presentation contexts can be accepted: no proposed abstract syntax is a supported SOP class, or none is proposed with a supported transfer syntax.',
  ],
  [
    '1 – rejected-permanent',
    '1 – DICOM UL service-user',
    '2 – application-context-name-not-supported',
    `The application context name is not ${code(APPLICATION_CONTEXT_DICOM)}.`,
  ],
  [
    '1 – rejected-permanent',
    '1 – DICOM UL service-user',
    '7 – called-AE-title-not-recognized',
    `${code('dicom.aeTitles')} lists AE titles and the called AE title is not one of them.`,
  ],
  ...SECURITY_REJECTIONS,
];

/** PS3.4 Annex B and PS3.7 Annex C statuses the Storage AE can answer a C-STORE with. */
const C_STORE_STATUSES: ReadonlyArray<readonly [string, string, string, string]> = [
  [
    'Success',
    'Success',
    '0000',
    `The SOP instance was received, written to disk and recorded. With ${code('storage.durable')} (default ${code(String(DEFAULT_SETTINGS.storage.durable))}) the file and its folder are flushed to disk (fsync) before this status is sent.`,
  ],
  [
    'Refused',
    'Out of Resources',
    'A700',
    `The file system of the data folder is full (the object's file or the database could not grow), its free space is below ${code('storage.reserveBytes')} (default ${DEFAULT_SETTINGS.storage.reserveBytes}, ${parseByteSize(DEFAULT_SETTINGS.storage.reserveBytes)} bytes), or the database has been locked by another process for over 5 s (the store waits that long without holding up other associations). The instance is not stored and no file of it remains; the sender may try again.`,
  ],
  [
    'Error',
    'Data Set does not match SOP Class',
    'A900',
    'The SOP Class UID (0008,0016) or SOP Instance UID (0008,0018) of the data set differs from the Affected SOP Class UID or Affected SOP Instance UID of the C-STORE request. The instance is not stored.',
  ],
  [
    'Failure',
    'Processing failure',
    '0110',
    'An internal error, a malformed data set (a value or sequence running past the end of the data, a truncated element), or a Study Instance UID, Series Instance UID or SOP Instance UID that is not a valid UID (PS3.5 9.1): the stored file\'s path is derived only from validated UIDs. The instance is not stored and no partial file remains; the reason is logged and sent as Error Comment (0000,0902). The association goes on.',
  ],
  [
    'Failure',
    'SOP Class not supported',
    '0122',
    'The C-STORE request\'s Affected SOP Class UID is not the abstract syntax its presentation context was negotiated for. The instance is not stored. (A C-ECHO on a presentation context other than Verification is answered with this status too.)',
  ],
];

/** Meaning and command-line flag of every setting in DEFAULT_SETTINGS (rendering fails if one is missing). */
const SETTING_DESCRIPTIONS: Record<string, { meaning: string; flag?: string }> = {
  'storage.retainDays': {
    meaning: 'Days after a study was published before its stored files are purged (re-burn from history is offered while they exist); null keeps them.',
  },
  routes: {
    meaning: `Routing rules, first match wins: match on called and calling AE title (null: any), media (auto, cd, dvd, dvd-dl, bd, bd-dl), copies, quiet period, robots ([]: any), late arrivals (followUpDisc or holdJob), print, and the disc label: \`label.institution\` (the institution line's text; null: the instances' Institution Name) and \`label.lines\` (the lines to print, in this order, from ${LABEL_LINE_ROLES.join(', ')}; ${REQUIRED_LABEL_LINES.join(' and ')} are required; institution, patientName and patientId print above the hub, the others below it).`,
    flag: '`--quiet-period` (every route)',
  },
  robots: { meaning: 'The disc robots: kind sim (model, timeScale), serial (path) or ptburn (folder, robotName, statusFrequencyMs, pathMap, autoAcknowledgeInkLow, print; docs/robot-ptburn.md).', flag: '`--robot sim:MODEL|serial:PATH|ptburn:FOLDER` (repeatable), `--time-scale`' },
  'publishing.failoverAfterSeconds': { meaning: 'A robot unavailable (offline or in error) this long gives its job to another robot that may take it; its disc there is cancelled and never counts.' },
  'http.listen': { meaning: 'ADDRESS:PORT of the HTTP API ([::1]:8080 for IPv6); loopback by default.', flag: '`--http`' },
  'http.token': { meaning: 'Bearer token of the HTTP API; required (at least 16 characters) when http.listen is not a loopback address.' },
  ...SECURITY_SETTING_DESCRIPTIONS,
  'dicom.aeTitles': {
    meaning: 'Called AE titles the Storage AE answers to; `[]` accepts any called AE title.',
    flag: '`--ae` (repeatable)',
  },
  'dicom.acceptStructuredReports': { meaning: 'Accept the structured report SOP classes of Table 4.2-5.' },
  'dicom.maxPduLength': {
    meaning: `Maximum PDU length advertised in the A-ASSOCIATE-AC and enforced on received PDUs; ${MAX_PDU_LENGTH_BOUNDS.min} to ${MAX_PDU_LENGTH_BOUNDS.max}.`,
  },
  'dicom.artimTimeoutSeconds': {
    meaning: 'ARTIM timer (PS3.8 9.1.5): time a new connection has to send its A-ASSOCIATE-RQ, and the peer has to close the connection after a release or abort.',
  },
  'dicom.idleTimeoutSeconds': { meaning: 'An established association on which no PDU arrives for this long is aborted; so is one whose C-STORE data stops arriving for this long.' },
  'dicom.releaseTimeoutSeconds': { meaning: 'Time an association release has to complete before the connection is closed.' },
  'dicom.shutdownGraceSeconds': { meaning: 'On shutdown, time open associations have to finish before they are aborted.' },
  'dicom.maxAssociationPduBytes': {
    meaning: `Largest A-ASSOCIATE-RQ PDU accepted (it may exceed the P-DATA bound); ${MAX_ASSOCIATION_PDU_BYTES_BOUNDS.min} to ${MAX_ASSOCIATION_PDU_BYTES_BOUNDS.max} and at least ${code('dicom.maxPduLength')}.`,
  },
  'storage.data': { meaning: 'Data folder: the database and the received instances.', flag: '`--data`' },
  'storage.durable': { meaning: 'Flush each file and its folder to disk before answering Success; turn off only for benchmarks.' },
  'storage.reserveBytes': {
    meaning: 'Free space kept on the data folder\'s file system; below it C-STORE answers A700. KB, MB, GB, TB are powers of 1000; KiB, MiB, GiB, TiB powers of 1024.',
  },
  'log.level': { meaning: 'Log level (pino); patient data appears only at `debug` and `trace`.' },
  'media.capacities.cd': { meaning: 'Usable bytes of a CD-R (null: 737280000, an 80-minute disc), e.g. `650MB`; smaller values make tests span.', flag: '`master --capacity cd=SIZE`' },
  'media.capacities.dvd': { meaning: 'Usable bytes of a DVD-R (null: 4700372992, the smaller of DVD-R and DVD+R).', flag: '`master --capacity dvd=SIZE`' },
  'media.capacities.dvd-dl': { meaning: 'Usable bytes of a DVD-R DL (null: 8543666176).', flag: '`master --capacity dvd-dl=SIZE`' },
  'media.capacities.bd': { meaning: 'Usable bytes of a BD-R (null: 25025314816).', flag: '`master --capacity bd=SIZE`' },
  'media.capacities.bd-dl': { meaning: 'Usable bytes of a BD-R DL (null: 50050629632).', flag: '`master --capacity bd-dl=SIZE`' },
};

/** The storage SOP classes accepted by kind, in the table's order. */
function sopClassesOf(kind: SopClassKind): SopClass[] {
  return STORAGE_SOP_CLASSES.filter((c) => c.kind === kind);
}

/** A SOP class's name as PS3.6 shows it: retired ones carry "(Retired)". */
export function displayName(sopClass: SopClass): string {
  return sopClass.kind === 'retired' ? `${sopClass.name} (Retired)` : sopClass.name;
}

/** The generated conformance statement (network side) as Markdown. */
export function renderConformanceStatement(): string {
  const doc = new MarkdownDocument();
  doc.add(
    '<!-- Generated by `npx tsx scripts/gen-docs.ts` from src/docs/conformance.ts, src/dicom/sop-classes.ts, src/dicom/uid.ts and src/config/defaults.ts. Do not edit by hand: change the sources and run the script again. -->',
  );
  doc.heading(1, 'discrobot DICOM Conformance Statement');
  doc.add(
    captionedTable('Cover', ['Item', 'Value'], [
      ['Product', 'discrobot'],
      ['Implementation Version Name', code(IMPLEMENTATION_VERSION_NAME)],
      ['Implementation Class UID', code(IMPLEMENTATION_CLASS_UID)],
      ['Scope', 'DICOM network services (the Storage AE, section 4) and media interchange (the Recording AE, section 5).'],
    ]),
  );

  overview(doc);
  doc.heading(2, '2 Table of Contents').contents(2, 4);
  introduction(doc);
  networking(doc);
  mediaInterchange(doc);
  characterSets(doc);
  security(doc);
  annexes(doc);
  return doc.render();
}

function overview(doc: MarkdownDocument): void {
  doc.heading(2, '1 Conformance Statement Overview');
  doc.add(
    'discrobot receives studies over DICOM and burns self-contained patient discs on Primera disc robots. On the network it is a Storage SCP and a Verification SCP: it receives objects from modalities, PACS and workstations, stores them, and groups them into studies for publishing. It never initiates associations.',
  );
  const groupRows = SOP_CLASS_GROUPS.map((g) => [
    `${g.caption}: ${sopClassesOf(g.kind).length} SOP classes, see ${g.table}`,
    '',
    'No',
    g.kind === 'structured-report' ? 'Yes, when configured' : 'Yes',
  ]);
  doc.add(
    captionedTable(
      'Table 1-1 Network Services',
      ['SOP Classes', 'SOP Class UID', 'User of Service (SCU)', 'Provider of Service (SCP)'],
      [[VERIFICATION_SOP_CLASS_NAME, code(VERIFICATION_SOP_CLASS), 'No', 'Yes'], ...groupRows],
    ),
  );
}

function introduction(doc: MarkdownDocument): void {
  doc.heading(2, '3 Introduction');
  doc.heading(3, '3.1 Revision History');
  doc.add(
    `This document is generated from discrobot's source code, so it describes the version named by the Implementation Version Name ${code(IMPLEMENTATION_VERSION_NAME)}. Its history is the history of the sources it is generated from.`,
  );
  doc.heading(3, '3.2 Audience and Remarks');
  doc.add(
    'This document is for those who connect discrobot to modalities, PACS and workstations: integrators, and those responsible for a site\'s imaging network. It should be read with the DICOM Standard. As for any conformance statement, comparing statements is a first step; interoperation with specific equipment should be tested on site.',
  );
  doc.heading(3, '3.3 Differences from the CDRobot3 Conformance Statement');
  doc.add(
    'discrobot re-creates the network behaviour of CDRobot3 (Zengel Medizintechnik, DICOM Conformance Statement version 1.2.4.10, revision 1.1, 2014-03-07), so that a site can replace one with the other without changing its senders. Where discrobot behaves differently, or the CDRobot3 statement is silent or in error, Table 3-1 says so.',
  );
  doc.add(
    captionedTable('Table 3-1 Differences from the CDRobot3 Statement', ['Topic', 'CDRobot3 statement', 'discrobot'], [
      ['Default AE title', code(CDROBOT3.aeTitle), `${code(DEFAULT_AE_TITLE)} (configurable, as in CDRobot3)`],
      [
        'Called AE title not recognized',
        'Rejected 1/user/"3 - called AE title not recognized"; PS3.8 defines reason 3 as calling-AE-title-not-recognized',
        'Rejected 1/1/7: rejected-permanent, service-user, called-AE-title-not-recognized, as PS3.8 defines',
      ],
      [
        'Application context name not supported',
        'Rejected 1/1/2',
        'Rejected 1/1/2: rejected-permanent, service-user, application-context-name-not-supported (unchanged)',
      ],
      [
        'No acceptable presentation context',
        'Not stated ("Any association will be accepted if at least one presentation context is accepted")',
        'Rejected 1/1/1: rejected-permanent, service-user, no-reason-given',
      ],
      [
        'Implementation identification',
        `${code(CDROBOT3.implementationClassUid)}, ${code(CDROBOT3.implementationVersionName)}`,
        `${code(IMPLEMENTATION_CLASS_UID)}, ${code(IMPLEMENTATION_VERSION_NAME)}`,
      ],
      [
        'SOP class names',
        'Keyword-like names with typos, e.g. "ComputedRadiographylmageStorage", "XRyRayRadiationDoseSRStorage", "VLIImageStorageTrialRetired", "EncapsulatedCDASStorage"',
        'The names of the DICOM dictionary (PS3.6 Annex A); the SOP class UIDs are the same',
      ],
      ['Transfer syntax choice', 'Not stated', 'Explicit VR Little Endian, then Implicit VR Little Endian, then Explicit VR Big Endian, among those proposed'],
      [
        'Stored encoding',
        'Explicit VR Little Endian; unknown attributes of Implicit VR objects as UN',
        'The same, and: Explicit VR Little Endian kept byte for byte, Implicit VR converted element by element, Big Endian byte-swapped',
      ],
      [
        'Maximum PDU length',
        '16384 on sending and receiving',
        `${DEFAULT_MAX_PDU_LENGTH} by default, advertised and enforced: a larger P-DATA-TF PDU aborts the association`,
      ],
      ['C-STORE status A700', 'Not listed', 'Refused: Out of Resources when the disk is full, its free space is below the configured reserve, or the database stays locked by another process'],
      ['C-STORE status A900', 'Not listed', 'Error: the data set\'s SOP Class or Instance UID disagrees with the C-STORE request; not stored'],
      ['C-STORE status 0110', 'Internal errors', 'Internal errors, and also invalid UIDs (the stored path is derived only from validated UIDs)'],
      [
        'C-STORE statuses B000, B007',
        'Listed as warnings for coercion and for a data set not matching its SOP class',
        'Never returned: discrobot never coerces values and does not validate data sets against their IODs',
      ],
      ['Asynchronous operations', 'Not supported', 'Not supported; the Asynchronous Operations Window is not negotiated (unchanged)'],
      [
        'Character sets',
        'ISO_IR 100 only',
        'Any: received text is stored unchanged with its Specific Character Set',
      ],
      ['IPv4 and IPv6', 'Not stated ("The TCP/IP stack is inherited from the Java Runtime Environment")', 'Both: each listener is an IPv4 or IPv6 address'],
      ['Ports and AE titles', 'Several ports and AE titles configurable', 'Several listeners and AE titles configurable (unchanged)'],
      [...SECURITY_DIFFERENCE],
      [
        'Disc publishing robots',
        'A list of Primera models (section 4.4.1.2); "Disc Publisher SE" appears twice, "Disc Publisher Xi" is the Pro Xi; how they are driven is not stated',
        'Each listed model once (Table 4.4-3), driven through DPRP/1, a line protocol that mirrors Primera\'s PTRobot library (docs/robot-protocol.md), on a serial line to a PTRobot bridge or to the simulator',
      ],
    ]),
  );
  doc.heading(3, '3.4 References');
  doc.add(
    bulletList([
      'NEMA PS3 / ISO 12052, Digital Imaging and Communications in Medicine (DICOM) Standard, <https://www.dicomstandard.org/current>: PS3.2 (Conformance), PS3.4 (Service Class Specifications), PS3.5 (Data Structures and Encoding), PS3.6 (Data Dictionary), PS3.7 (Message Exchange), PS3.8 (Network Communication Support).',
      'Zengel Medizintechnik GmbH, CDRobot3 DICOM Conformance Statement, version 1.2.4.10, revision 1.1, 2014-03-07.',
    ]),
  );
}

function networking(doc: MarkdownDocument): void {
  doc.heading(2, '4 Networking');
  doc.heading(3, '4.1 Implementation Model');
  doc.heading(4, '4.1.1 Application Data Flow');
  doc.add(
    '```\n' +
      'Remote Storage SCU       -- C-STORE -->  Storage AE  -->  data folder (instances + database)  -->  disc publishing\n' +
      'Remote Verification SCU  -- C-ECHO  -->  Storage AE\n' +
      '```',
  );
  doc.add(
    'The Storage AE receives DICOM objects and stores each one in the data folder before it answers. Stored instances are grouped into studies, which discrobot publishes on discs (described in the media section).',
  );
  doc.heading(4, '4.1.2 Functional Definition of AEs');
  doc.add(
    `The Storage AE is a Storage SCP and a Verification SCP. It starts with discrobot and listens on every configured listener (default ${code(`${DEFAULT_SETTINGS.dicom.listeners[0].host}`)} port ${DEFAULT_PORT}). When discrobot stops, the Storage AE accepts no more associations; open associations get ${code('dicom.shutdownGraceSeconds')} (default ${DEFAULT_SETTINGS.dicom.shutdownGraceSeconds} s) to finish and are then aborted.`,
  );
  doc.heading(4, '4.1.3 Sequencing of Real-World Activities');
  doc.add('Not applicable.');

  doc.heading(3, '4.2 AE Specifications');
  doc.heading(4, '4.2.1 Storage AE');
  storageAeSopClasses(doc);
  associationPolicies(doc);
  doc.heading(5, '4.2.1.3 Association Initiation Policy');
  doc.add('The Storage AE never initiates associations.');
  associationAcceptance(doc);

  doc.heading(3, '4.3 Network Interfaces');
  doc.heading(4, '4.3.1 Physical Network Interface');
  doc.add('discrobot uses the TCP/IP stack of the operating system and is indifferent to the physical medium beneath it.');
  doc.heading(4, '4.3.2 Additional Protocols');
  doc.add('None. Listeners are given as IP addresses, so no name resolution is needed.');
  doc.heading(4, '4.3.3 IPv4 and IPv6 Support');
  doc.add(
    `Both. Each listener is an IPv4 address (such as ${code('0.0.0.0')}, all IPv4 interfaces) or an IPv6 address (such as ${code('::')}), with a port; the Storage AE may listen on several at once.`,
  );

  configuration(doc);
  robots(doc);
}

function storageAeSopClasses(doc: MarkdownDocument): void {
  doc.heading(5, '4.2.1.1 SOP Classes');
  doc.add(
    'The Storage AE provides Standard Conformance to the following SOP classes as SCP. SOP class names are those of the DICOM dictionary (PS3.6 Annex A).',
  );
  doc.add(
    captionedTable('Table 4.2-1 Verification SOP Class', ['SOP Class Name', 'SOP Class UID', 'SCU', 'SCP'], [
      [VERIFICATION_SOP_CLASS_NAME, code(VERIFICATION_SOP_CLASS), 'No', 'Yes'],
    ]),
  );
  for (const group of SOP_CLASS_GROUPS) {
    doc.add(
      group.intro,
      captionedTable(
        `${group.table} ${group.caption}`,
        ['SOP Class Name', 'SOP Class UID', 'SCU', 'SCP'],
        sopClassesOf(group.kind).map((c) => [displayName(c), code(c.uid), 'No', 'Yes']),
      ),
    );
  }
}

function associationPolicies(doc: MarkdownDocument): void {
  doc.heading(5, '4.2.1.2 Association Policies');
  doc.heading(6, '4.2.1.2.1 General');
  doc.add(
    captionedTable('Table 4.2-6 DICOM Application Context', ['Application Context Name', 'UID'], [
      [APPLICATION_CONTEXT_NAME, code(APPLICATION_CONTEXT_DICOM)],
    ]),
    captionedTable('Table 4.2-7 Maximum PDU Length', ['Item', 'Bytes'], [
      ['Maximum PDU length received (advertised in the A-ASSOCIATE-AC)', `${DEFAULT_MAX_PDU_LENGTH} (configurable from ${MAX_PDU_LENGTH_BOUNDS.min} to ${MAX_PDU_LENGTH_BOUNDS.max})`],
      ['Largest A-ASSOCIATE-RQ PDU accepted', `${DEFAULT_SETTINGS.dicom.maxAssociationPduBytes} (configurable)`],
    ]),
    'The maximum PDU length is enforced: a P-DATA-TF PDU longer than the advertised length aborts the association (A-ABORT), and so does an A-ASSOCIATE-RQ PDU longer than its bound.',
  );
  doc.heading(6, '4.2.1.2.2 Number of Associations');
  doc.add(
    captionedTable('Table 4.2-8 Number of Associations as Association Acceptor', ['Item', 'Value'], [
      [...NUMBER_OF_ASSOCIATIONS],
    ]),
  );
  doc.heading(6, '4.2.1.2.3 Asynchronous Nature');
  doc.add(
    'Not supported. The Storage AE does not negotiate an Asynchronous Operations Window: it performs one operation at a time on each association.',
  );
  doc.heading(6, '4.2.1.2.4 Implementation Identifying Information');
  doc.add(
    captionedTable('Table 4.2-9 Implementation Identification', ['Item', 'Value'], [
      ['Implementation Class UID', code(IMPLEMENTATION_CLASS_UID)],
      ['Implementation Version Name', code(IMPLEMENTATION_VERSION_NAME)],
    ]),
    'The Implementation Class UID lies under the 2.25 root (a UUID-derived UID, PS3.5 B.2) and does not change between versions; the Implementation Version Name does.',
  );
}

function associationAcceptance(doc: MarkdownDocument): void {
  doc.heading(5, '4.2.1.4 Association Acceptance Policy');
  doc.heading(6, '4.2.1.4.1 Activity: Receive Objects');
  doc.add('**4.2.1.4.1.1 Description and Sequencing of Activities**');
  doc.add(
    `The Storage AE waits for associations on every configured listener. It accepts associations from any calling AE title unless the listener's ${code('allow.callingAeTitles')} lists titles (section 7.2). When ${code('dicom.aeTitles')} lists AE titles (default ${code(DEFAULT_AE_TITLE)}), the called AE title must be one of them; when the list is empty, the called AE title is not checked. An association is accepted when at least one proposed presentation context is accepted. Otherwise it is rejected as Table 4.2-10 shows.`,
    `A connection that sends no A-ASSOCIATE-RQ within ${code('dicom.artimTimeoutSeconds')} (default ${DEFAULT_SETTINGS.dicom.artimTimeoutSeconds} s) is closed, and an established association on which nothing arrives for ${code('dicom.idleTimeoutSeconds')} (default ${DEFAULT_SETTINGS.dicom.idleTimeoutSeconds} s) is aborted, as is one whose C-STORE data set stops arriving for that long (a slow but steady transfer is never cut off).`,
    captionedTable('Table 4.2-10 Association Rejection Reasons', ['Result', 'Source', 'Reason/Diagnosis', 'Explanation'], ASSOCIATION_REJECTIONS),
  );

  doc.add('**4.2.1.4.1.2 Accepted Presentation Contexts**');
  doc.add(
    'For each SOP class of section 4.2.1.1 the Storage AE accepts a presentation context that proposes at least one of these transfer syntaxes:',
    captionedTable(
      'Table 4.2-11 Acceptable Presentation Contexts',
      ['Abstract Syntax', 'Transfer Syntax Name', 'Transfer Syntax UID', 'Preference', 'Role', 'Extended Negotiation'],
      TRANSFER_SYNTAX_PREFERENCE.map((uid, i) => [
        'Any SOP class of section 4.2.1.1',
        `${TRANSFER_SYNTAX_NAMES[uid]} (${TRANSFER_SYNTAX_NOTES[uid] ?? ''})`,
        code(uid),
        String(i + 1),
        'SCP',
        'None',
      ]),
    ),
    `When a presentation context proposes several of them, the Storage AE chooses by the preference above (${TRANSFER_SYNTAX_PREFERENCE.map((uid) => TRANSFER_SYNTAX_NAMES[uid]).join(', then ')}), whatever the order proposed. A presentation context whose abstract syntax is not supported is rejected with result 3 (abstract-syntax-not-supported); one that proposes no supported transfer syntax, with result 4 (transfer-syntaxes-not-supported). Compressed and other transfer syntaxes are not accepted. SCP/SCU role selection is not negotiated: the Storage AE is SCP only.`,
  );

  doc.add('**4.2.1.4.1.3 SOP Specific Conformance for the Verification SOP Class**');
  doc.add('The Storage AE answers every C-ECHO request with status Success (0000).');

  doc.add('**4.2.1.4.1.4 SOP Specific Conformance for Storage SOP Classes**');
  doc.add(
    'The Storage AE conforms to the Storage Service Class at Level 2 (Full): every attribute of a received data set is stored, including Type 3 and private attributes. discrobot never coerces or modifies attribute values, and it does not validate data sets against their IODs.',
    `Each instance is stored as a DICOM Part 10 file in the Explicit VR Little Endian transfer syntax (${code(TransferSyntax.ExplicitVRLittleEndian)}); the File Meta Information is written by discrobot and carries its Implementation Class UID and Version Name. The data set is stored according to the transfer syntax it was received in:`,
    bulletList([
      'Explicit VR Little Endian: kept byte for byte.',
      'Implicit VR Little Endian: converted element by element, each element with its VR from the DICOM data dictionary; attributes the dictionary does not know (such as most private attributes) are stored with VR UN.',
      'Explicit VR Big Endian: converted to little endian by swapping the bytes of each binary value; VRs are kept.',
    ]),
    `The file's location in the data folder is derived only from the Study Instance UID, Series Instance UID and SOP Instance UID after they have been checked to be valid UIDs. A C-STORE response is sent only after the instance is stored and recorded; with ${code('storage.durable')} (the default) that includes flushing the file and its folder to disk.`,
    captionedTable('Table 4.2-12 C-STORE Response Status', ['Service Status', 'Further Meaning', 'Error Code', 'Reason'], C_STORE_STATUSES),
    'The warning statuses B000 (coercion of data elements) and B007 (data set does not match SOP class), which the CDRobot3 statement lists, are never returned: discrobot does not coerce values and does not check data sets against their IODs.',
    'A SOP Instance UID received again is answered Success in both cases below. With the same data set (compared by a SHA-256 digest of the data set, File Meta Information excluded, so a resend from another AE title or in another transfer syntax is the same object) nothing new is stored. With different content the second object is stored apart and the first stays as it was; the study is held for a person, who decides whether it is published (one disc never carries two versions of an instance).',
    'Instances are grouped into studies by Study Instance UID. A study is complete when no instance of it has arrived for the quiet period of its route (chosen by called and calling AE title), and is then published to disc, unless a patient-safety check holds it for a person: names or birth dates that disagree under one Patient ID, one Study Instance UID under two Patient IDs, an instance without Patient ID, or a SOP Instance UID received again with different content.',
  );
}

function robots(doc: MarkdownDocument): void {
  doc.heading(4, '4.4.3 Disc Publishing Robots');
  doc.add(
    'discrobot drives the Primera disc publishers the CDRobot3 statement lists through DPRP/1 (docs/robot-protocol.md): a real unit through a bridge that links Primera\'s PTRobot library on a Windows or macOS host, or the simulator of each model (`discrobot simulate --model ID`; parameters and sources in docs/robot-models.md). A disc counts as delivered only after it was read back against the MD5 tags of its image.',
    captionedTable('Table 4.4-3 Disc Publishing Robots', ['Robot', 'PTRobot type', 'Simulator model', 'Recorders', 'Bins'], MODEL_IDS.map((id) => {
      const model = getModel(id);
      return [`Primera ${model.description}`, String(model.robotType), code(id), String(model.drives.count), `${model.bins.count}, to ${outputOf(model)}`];
    })),
  );
}

function configuration(doc: MarkdownDocument): void {
  doc.heading(3, '4.4 Configuration');
  doc.add(
    'discrobot reads its settings from a YAML or JSON configuration file; a few can be overridden on the command line. Settings not given take the defaults below.',
  );
  doc.heading(4, '4.4.1 AE Title/Presentation Address Mapping');
  doc.add(
    captionedTable('Table 4.4-1 AE Title Configuration Table', ['Application Entity', 'Default AE Title', 'Default Listener'], [
      [
        'Storage AE',
        code(DEFAULT_AE_TITLE),
        DEFAULT_SETTINGS.dicom.listeners.map((l) => `${code(l.host)} port ${code(l.port)}`).join(', '),
      ],
    ]),
    'Several listeners (address and port) and several AE titles may be configured. Remote AE titles are not configured; a listener may restrict the calling AE titles and peer addresses it accepts (Table 4.4-4).',
  );
  doc.heading(4, '4.4.2 Parameters');
  doc.add(
    captionedTable(
      'Table 4.4-2 Configuration Parameters',
      ['Setting', 'Default', 'Command-line flag', 'Meaning'],
      settingPaths(DEFAULT_SETTINGS).map(([path, value]) => {
        const description = SETTING_DESCRIPTIONS[path];
        if (!description) throw new Error(`conformance statement: no description for the setting ${path}`);
        return [code(path), formatDefault(value), description.flag ?? '', description.meaning];
      }),
    ),
  );
  listenerSecuritySettings(doc);
}

function characterSets(doc: MarkdownDocument): void {
  doc.heading(2, '6 Support of Extended Character Sets');
  doc.add(
    'discrobot does not convert received text. Each instance is stored with its Specific Character Set (0008,0005) and the bytes of its text values unchanged, whatever the character set: ISO_IR 100 (Latin-1), ISO_IR 192 (UTF-8), ISO 2022 code extensions and all others are kept as received.',
  );
}

function annexes(doc: MarkdownDocument): void {
  doc.heading(2, '8 Annexes');
  doc.heading(3, '8.1 IOD Contents');
  doc.add(
    bulletList([
      'Created SOP instances: none on the network side.',
      'Usage of attributes from received IODs: the Storage AE uses the SOP Class UID, SOP Instance UID, Study Instance UID and Series Instance UID to check and file each instance.',
      'Attribute mapping: none.',
      'Coerced/modified fields: none. Data sets are stored as received, apart from the change of transfer syntax of section 4.2.1.4.1.4.',
    ]),
  );
  doc.heading(3, '8.2 Data Dictionary of Private Attributes');
  doc.add('None. Private attributes are stored as received; in Implicit VR data sets, those whose VR is not known are stored with VR UN.');
  doc.heading(3, '8.3 Coded Terminology and Templates');
  doc.add('None.');
  doc.heading(3, '8.4 Grayscale Image Consistency');
  doc.add('Not applicable.');
  doc.heading(3, '8.5 Standard Extended/Specialized/Private SOP Classes');
  doc.add(
    'The private SOP classes of Table 4.2-4 are accepted as storage SOP classes; instances of them are received and stored like any other. No standard SOP class is extended or specialized.',
  );
  doc.heading(3, '8.6 Private Transfer Syntaxes');
  doc.add('None.');
}

/** [dotted path, value] for every leaf of the settings; lists are leaves. */
function settingPaths(settings: object, prefix = ''): Array<[string, unknown]> {
  return Object.entries(settings).flatMap(([key, value]): Array<[string, unknown]> => {
    const path = prefix ? `${prefix}.${key}` : key;
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? settingPaths(value as object, path)
      : [[path, value]];
  });
}

/** A value as a person would write it in the file: nested mappings and lists as JSON. */
function plain(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function formatDefault(value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return code('[]');
    return value
      .map((item) => (typeof item === 'object' && item !== null ? Object.entries(item).map(([k, v]) => `${k} ${code(plain(v))}`).join(', ') : code(String(item))))
      .join('; ');
  }
  return code(plain(value));
}
