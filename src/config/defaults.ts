// What discrobot does when the configuration file says nothing, and the bounds a site may set.
// The DICOM values are the CDRobot3 conformance statement's (port 104, structured reports off,
// PDU 16384) with our own AE title; docs/conformance.md is generated from these numbers.
// Plain data: the schema (schema.ts) applies them, the conformance statement quotes them.
import { LABEL_LINE_ROLES } from '../media/label-data.ts';

export const DEFAULT_AE_TITLE = 'DISCROBOT';
/** All IPv4 interfaces, as the statement's single listener. Add `{ host: '::' }` for IPv6. */
export const DEFAULT_HOST = '0.0.0.0';
export const DEFAULT_PORT = 104;
export const DEFAULT_MAX_PDU_LENGTH = 16384;

/**
 * Limits of the PDU length a site may advertise: DCMTK's own bounds (ASC_MINIMUMPDUSIZE,
 * ASC_MAXIMUMPDUSIZE), the peers we meet most. A value of 0 ("unlimited", PS3.8 D.1) is not offered:
 * the received PDU length is enforced.
 */
export const MAX_PDU_LENGTH_BOUNDS = { min: 4096, max: 131072 } as const;

/**
 * Limits of the bound on A-ASSOCIATE PDUs. An A-ASSOCIATE-RQ with 128 presentation contexts of a few
 * transfer syntaxes each is some tens of kilobytes; anything far above 1 MiB is an attack, not a peer.
 */
export const MAX_ASSOCIATION_PDU_BYTES_BOUNDS = { min: MAX_PDU_LENGTH_BOUNDS.min, max: 16 * 1024 * 1024 } as const;

/** Upper bound of dicom.maxAssociations and maxAssociationsPerPeer: far beyond what one host serves. */
export const MAX_ASSOCIATIONS = 10000;

/** TLS versions a DICOM TLS listener may require at least; nothing below TLS 1.2 is offered. */
export const TLS_MIN_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
export type TlsMinVersion = (typeof TLS_MIN_VERSIONS)[number];
export const DEFAULT_TLS_MIN_VERSION: TlsMinVersion = 'TLSv1.2';

/** Any timeout in seconds lies in (0, 1 day]; fractions are allowed so tests can run fast. */
export const MAX_TIMEOUT_SECONDS = 86400;

/** pino's levels; patient data is logged only at debug and trace. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** What a study does with instances that arrive after it was complete. */
export const LATE_ARRIVAL_POLICIES = ['followUpDisc', 'holdJob'] as const;
export type LateArrivalPolicy = (typeof LATE_ARRIVAL_POLICIES)[number];

/** Bounds of the per-route settings and of a simulated robot's speed. */
export const MAX_COPIES = 100;
export const MAX_QUIET_PERIOD_SECONDS = 86400;
export const MAX_TIME_SCALE = 100000;
/** A century: beyond it "keep" is better said with null. */
export const MAX_RETAIN_DAYS = 36500;
/** The HTTP API's bearer token must be this long when the API is reachable from other hosts. */
export const MIN_HTTP_TOKEN_LENGTH = 16;

/** The robot a configuration without robots drives: a simulated DP-4100 at real speed. */
export const DEFAULT_SIM_MODEL = 'DP-4100';
export const DEFAULT_TIME_SCALE = 1;

/** A PTBurn robot's settings when its entry says nothing: PTBurn's default StatusFrequency (2 s). */
export const DEFAULT_PTBURN_ROBOT = { robotName: null as string | null, statusFrequencyMs: 2000, autoAcknowledgeInkLow: false, print: true };
/** PTBurn never rewrites its status faster than 50 ms (the emulator's floor) and a minute is the slowest worth waiting for. */
export const MIN_PTBURN_STATUS_FREQUENCY_MS = 50;
export const MAX_PTBURN_STATUS_FREQUENCY_MS = 60_000;

/**
 * The settings an empty configuration file means, written as a file would write them (the reserve as
 * a human size). `embeddedDefaults()` is this object after validation.
 */
export const DEFAULT_SETTINGS = {
  dicom: {
    /** Without tls: plain TCP; without allow: any peer (see dicom.listeners[].tls and .allow). */
    listeners: [{ host: DEFAULT_HOST, port: DEFAULT_PORT }],
    aeTitles: [DEFAULT_AE_TITLE],
    acceptStructuredReports: false,
    maxPduLength: DEFAULT_MAX_PDU_LENGTH,
    /** PS3.8 ARTIM: time allowed for the A-ASSOCIATE-RQ after connect, and for the peer to close after release or abort. */
    artimTimeoutSeconds: 30,
    /** An established association with no PDU for this long is aborted. */
    idleTimeoutSeconds: 300,
    /** Time allowed for an association release to complete before the connection is closed. */
    releaseTimeoutSeconds: 10,
    /** On shutdown: time open associations get to finish before they are aborted. */
    shutdownGraceSeconds: 20,
    /** Bound for A-ASSOCIATE PDUs, which may legitimately exceed the P-DATA bound. */
    maxAssociationPduBytes: 1024 * 1024,
    /** Associations open at once, all peers together; over it a new one is rejected transient (local-limit-exceeded). */
    maxAssociations: 64,
    /** Associations open at once from one peer address; over it likewise. */
    maxAssociationsPerPeer: 32,
  },
  storage: {
    data: './data',
    /** fsync file and directory before answering Success; false only for benchmarks. */
    durable: true,
    /** Free space kept on the data folder's file system; below it C-STORE answers A700. */
    reserveBytes: '2GB',
    /** Days after a study was published before its stored files are purged; null keeps them. */
    retainDays: 7 as number | null,
  },
  log: {
    level: 'info' as LogLevel,
  },
  media: {
    /** Usable bytes per medium; null keeps the built-in figure (src/media/media-choice.ts). */
    capacities: { cd: null, dvd: null, 'dvd-dl': null, bd: null, 'bd-dl': null },
  },
  /** First match wins; the default sends everything, from anyone to any AE title, to any robot. */
  routes: [
    {
      name: 'default',
      /** null matches any AE title. */
      match: { calledAe: null, callingAe: null },
      media: 'auto',
      copies: 1,
      /** Seconds without a new instance before a study counts as complete. */
      quietPeriodSeconds: 60,
      /** [] lets the job go to any configured robot. */
      robots: [],
      lateArrivals: 'followUpDisc' as LateArrivalPolicy,
      print: true,
      /** The label template; these defaults print the label every disc had before routes had one. */
      label: {
        /** Text of the institution line; null: the instances' Institution Name. */
        institution: null as string | null,
        /** Which lines, in this order; patientName and patientId are required. */
        lines: [...LABEL_LINE_ROLES],
      },
    },
  ],
  robots: [{ name: 'robot1', kind: 'sim', model: DEFAULT_SIM_MODEL, timeScale: DEFAULT_TIME_SCALE }],
  publishing: {
    /** A robot unavailable (offline or in error) this long gives its job to another robot that may take it. */
    failoverAfterSeconds: 120,
  },
  http: {
    /** Loopback only by default: the API releases and cancels jobs, so it stays on this host. */
    listen: '127.0.0.1:8080',
    token: null as string | null,
  },
} as const;
