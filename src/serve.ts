// The composition root of `discrobot serve`: opens the database and the store, starts the robots
// (simulated ones in this process), restores the actors of the last run, starts the actor system
// with the real adapters provided, listens for DICOM and serves the HTTP API. Returns a handle to stop it.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { createActor, type ActorRefFrom } from 'xstate';
import type { Logger } from 'pino';
import { routeLibraryLogs } from './log.ts';
import type { Config } from './config/schema.ts';
import { parseListenAddress } from './config/listen-address.ts';
import { commitRelaxed, openDatabase, type Db } from '../adapters/db/database.ts';
import { InstanceIndex } from '../adapters/db/instances.ts';
import { AuditTrail } from '../adapters/db/audit.ts';
import { JobRepository } from '../adapters/db/jobs.ts';
import { SnapshotRepository, SnapshotVersionError } from '../adapters/db/snapshots.ts';
import { StudyRepository } from '../adapters/db/studies.ts';
import { InstanceStore } from '../adapters/store/instance-store.ts';
import type { DurableFs } from '../adapters/store/durable-fs.ts';
import { DicomListener, type ListenAddress } from '../adapters/dicom/listener.ts';
import { startApiServer, type RunningApiServer } from '../adapters/http/api-server.ts';
import { associationMachine, type AssociationContext } from '../machines/association.machine.ts';
import { discJobMachine } from '../machines/disc-job.machine.ts';
import { publisherMachine, type PublisherRoute } from '../machines/publisher.machine.ts';
import { createDeadlineTimer, studyMachine, type StudyHoldReason } from '../machines/study.machine.ts';
import type { MediaKind } from './media/media-choice.ts';
import { createPublisherApi } from './publisher/api.ts';
import { JobRecords } from './publisher/job-records.ts';
import { DeferredWrites } from './publisher/deferred-writes.ts';
import { LiveActors } from './publisher/live-actors.ts';
import { PublisherPersistence } from './publisher/persistence.ts';
import { restorable } from './publisher/restorable.ts';
import { restoreActors } from './publisher/restore.ts';
import { startRobots, type RobotSet, type ServedRobot } from './publisher/robots.ts';
import { studyMasterLogic } from './publisher/study-master.ts';
import { PublisherViews } from './publisher/views.ts';
import { startRetention, type RetentionHandle } from './retention/retention-timer.ts';
import { associationAuditor } from './audit/association-audit.ts';
import { startSecurityAudit } from './audit/start-audit.ts';
import { auditSettingsOf } from './config/audit-schema.ts';

export interface RunningPublisher {
  listening: ListenAddress[];
  /** The HTTP API, e.g. http://127.0.0.1:8080. */
  http: { url: string };
  db: Db;
  index: InstanceIndex;
  store: InstanceStore;
  robots: readonly ServedRobot[];
  publisher: ActorRefFrom<typeof publisherMachine>;
  /** Settles if the publisher actor itself stops on an error (it should never): the process is then of no use and should be restarted. */
  failed: Promise<Error>;
  /** Stops accepting, lets associations finish within the grace period, then closes everything. */
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Replaces the real file operations (tests record the order of durable writes). */
  fs?: DurableFs;
}

/** The HTTP API cannot listen where it was told: a message for a person, naming --http. */
export class HttpListenError extends Error {}

/** The data folder cannot be made or its database opened: a message for a person, naming --data. */
export class DataFolderError extends Error {}

function openDataFolder(dataDir: string, durable: boolean): Db {
  try {
    mkdirSync(dataDir, { recursive: true });
    return openDatabase(path.join(dataDir, 'db.sqlite'), { durable });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message;
    throw new DataFolderError(`cannot use the data folder ${dataDir}: ${why}. Choose a folder this user may write with --data (or storage.data in the config file)`);
  }
}

/** A machine's statechart for the dashboard, rendered when first asked for (Graphviz loads only then). */
async function statechartSvg(machineId: string): Promise<string | undefined> {
  const [{ renderMachineSvg }, { diagramMachine }] = await Promise.all([import('./diagrams/render-svg.ts'), import('./diagrams/machines.ts')]);
  return diagramMachine(machineId) ? renderMachineSvg(machineId) : undefined;
}

/** The config's routes as the publisher uses them. */
function publisherRoutes(config: Config): PublisherRoute[] {
  return config.routes.map((route) => ({
    name: route.name,
    match: { calledAe: route.match.calledAe, callingAe: route.match.callingAe },
    media: route.media as MediaKind | 'auto',
    copies: route.copies,
    robots: [...route.robots],
    quietPeriodMs: route.quietPeriodSeconds * 1000,
    followUp: route.lateArrivals,
    print: route.print,
    label: { institution: route.label.institution, lines: [...route.label.lines] },
  }));
}

export async function serve(config: Config, logger: Logger, options: ServeOptions = {}): Promise<RunningPublisher> {
  routeLibraryLogs(logger.child({ component: 'dcmjs-dimse' }));
  const dataDir = path.resolve(config.storage.data);
  const db = openDataFolder(dataDir, config.storage.durable);
  const cleanup: Array<() => Promise<void> | void> = [() => void db.close()];
  const undo = async () => {
    for (const step of cleanup.reverse()) await step();
  };
  try {
    return await compose(config, logger, options, dataDir, db, cleanup);
  } catch (err) {
    await undo();
    if (err instanceof SnapshotVersionError) throw new DataFolderError(`cannot restore the data folder ${dataDir}: ${err.message}`);
    throw err;
  }
}

async function compose(config: Config, logger: Logger, options: ServeOptions, dataDir: string, db: Db, cleanup: Array<() => Promise<void> | void>): Promise<RunningPublisher> {
  const index = new InstanceIndex(db);
  // First, so that every audit-trail entry of this run is mirrored to the security audit log.
  const securityAudit = startSecurityAudit(auditSettingsOf(config), dataDir, db, logger.child({ component: 'audit' }));
  cleanup.push(() => securityAudit.close());
  const store = new InstanceStore({
    dataDir,
    durable: config.storage.durable,
    reserveBytes: config.storage.reserveBytes,
    index,
    logger: logger.child({ component: 'store' }),
    fs: options.fs,
  });
  await store.init();

  const dicom = config.dicom;
  const policy = {
    aeTitles: dicom.aeTitles,
    acceptStructuredReports: dicom.acceptStructuredReports,
    maxPduLength: dicom.maxPduLength,
    artimTimeoutMs: dicom.artimTimeoutSeconds * 1000,
    idleTimeoutMs: dicom.idleTimeoutSeconds * 1000,
    releaseTimeoutMs: dicom.releaseTimeoutSeconds * 1000,
    shutdownGraceMs: dicom.shutdownGraceSeconds * 1000,
  };

  const listener = new DicomListener({
    listeners: dicom.listeners,
    associationLimits: { maxAssociations: dicom.maxAssociations, maxAssociationsPerPeer: dicom.maxAssociationsPerPeer },
    tlsHandshakeTimeoutMs: policy.artimTimeoutMs,
    store,
    logger: logger.child({ component: 'dicom' }),
    limits: { maxPDataLength: dicom.maxPduLength, maxAssociateLength: dicom.maxAssociationPduBytes },
    // The listener's per-connection decisions (calling AE allow-list, limit reached) join the policy.
    onConnection: ({ associationId, peer, listener: on, policy: admission }) =>
      publisher.send({ type: 'connection.opened', associationId, input: { id: associationId, peer, listener: on, policy: { ...policy, ...admission } } }),
    securityAudit: securityAudit.log,
  });
  const associationAudit = associationAuditor(securityAudit.log, (id) => listener.tlsOf(id));

  const robotSet: RobotSet = await startRobots(config.robots, dataDir);
  cleanup.push(() => robotSet.close());

  const studies = new StudyRepository<string, StudyHoldReason>(db);
  const jobs = new JobRepository(db);
  const snapshots = new SnapshotRepository(db);
  const audit = new AuditTrail(db);
  const records = new JobRecords(jobs, audit);
  const capacities = Object.fromEntries(Object.entries(config.media.capacities).filter(([, bytes]) => bytes !== null)) as Partial<Record<MediaKind, number>>;
  const persistence = new PublisherPersistence({
    // Snapshots and rows the actors can be rebuilt from: committed without an fsync of their own (commitRelaxed).
    transaction: (fn) => commitRelaxed(db, fn),
    snapshots, studies, jobs, audit, logger: logger.child({ component: 'persistence' }),
    routeOf: (studyUid) => publisher.getSnapshot().context.studyRoutes[studyUid] ?? null,
    deliveredImageFile: (robot) => robotSet.deliveredImageFile(robot),
  });

  const deferred = new DeferredWrites(logger.child({ component: 'persistence' }));
  cleanup.push(() => deferred.stop());
  cleanup.push(() => persistence.stop());
  const live = new LiveActors();
  cleanup.push(() => live.close());
  const dicomLog = logger.child({ component: 'association' });
  const publisher: ActorRefFrom<typeof publisherMachine> = createActor(
    publisherMachine.provide({
      actors: {
        association: associationMachine.provide({ actors: { connection: listener.connectionLogic() } }),
        robot: robotSet.fleet.machine(),
        ptburnRobot: robotSet.ptburnFleet.machine(),
        study: restorable(studyMachine.provide({ actors: { deadline: createDeadlineTimer({ now: Date.now, setTimeout, clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) }) } })),
        discJob: restorable(discJobMachine.provide({ actors: { master: studyMasterLogic({ db, jobs, dataDir, capacities }) } })),
      },
      actions: {
        recordJobOrder: (_, { order }) => deferred.run(`order of job ${order.jobId}`, () => records.recordStudyOrder(order)),
        recordJobWithdrawn: (_, { jobId, reason }) => {
          if (jobId !== null) deferred.run(`withdrawal of job ${jobId}`, () => records.withdraw(jobId, reason));
        },
      },
    }),
    {
      systemId: 'publisher',
      input: { routes: publisherRoutes(config), nextJobNumber: records.nextJobNumber(), failoverAfterMs: config.publishing.failoverAfterSeconds * 1000 },
      inspect: (event) => {
        persistence.inspect(event);
        live.inspect(event);
        if (event.type !== '@xstate.snapshot') return;
        const id = (event.actorRef as { id?: string }).id;
        if (!id?.startsWith('association:')) return;
        const snapshot = event.snapshot as { status?: string; value?: unknown; context?: Partial<AssociationContext> };
        associationAudit.observe(id, snapshot);
        const context = snapshot.context;
        if (snapshot.status === 'done' && context?.outcome) {
          // AE titles, addresses and counts only: no patient data at info level.
          dicomLog.info({
            actor: id,
            peer: context.peer,
            callingAeTitle: context.request?.callingAeTitle,
            calledAeTitle: context.request?.calledAeTitle,
            outcome: context.outcome,
            counters: context.counters,
          }, 'association ended');
        } else if (dicomLog.isLevelEnabled('debug')) dicomLog.debug({ actor: id, state: snapshot.value }, 'actor state');
      },
    },
  ).start();
  cleanup.push(() => publisher.stop());
  const failed = new Promise<Error>((resolve) => {
    publisher.subscribe({
      error: (err: unknown) => {
        logger.fatal({ err }, 'the publisher actor stopped on an error: discrobot must be restarted (its state is restored from the database)');
        resolve(err instanceof Error ? err : new Error(String(err)));
      },
    });
  });

  for (const robot of robotSet.robots) {
    publisher.send(robot.kind === 'ptburn'
      ? { type: 'robot.configured', kind: 'ptburn', input: { name: robot.name, options: robot.ptburnOptions ?? {} } }
      : { type: 'robot.configured', input: { name: robot.name, options: robot.options } });
  }
  const restored = restoreActors({ publisher, db, snapshots, studies, jobs, persistence, logger });
  if (restored.studies > 0 || Object.values(restored.jobs).some((n) => n > 0)) logger.info({ restored }, 'restored the studies and jobs of the last run');

  const listen = parseListenAddress(config.http.listen);
  if (!listen) throw new Error(`http.listen: ${config.http.listen} is not ADDRESS:PORT`);
  const api = createPublisherApi({ publisher, db, studies, jobs, audit, views: new PublisherViews(db), records, robots: robotSet.robots });
  const http: RunningApiServer = await startApiServer({
    api, listen, token: config.http.token, logger: logger.child({ component: 'http' }), securityAudit: securityAudit.log,
    dashboard: { live, diagrams: statechartSvg },
  }).catch((err: unknown) => {
    throw new HttpListenError(`${(err as Error).message}. Choose another address with --http (or http.listen in the config file)`);
  });
  cleanup.push(() => http.close());

  const retention: RetentionHandle = startRetention({ db, dataDir, retainDays: config.storage.retainDays, logger: logger.child({ component: 'retention' }) });
  cleanup.push(() => retention.stop());

  const listening = await listener.start();
  logger.info({
    listening, aeTitles: dicom.aeTitles, data: dataDir, durable: config.storage.durable, http: http.url, dashboard: `${http.url}/`,
    robots: robotSet.robots.map((robot) => `${robot.name}=${robot.kind}${robot.model ? `:${robot.model}` : ''}`),
  }, 'discrobot is listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('stopping: no new associations; in-flight ones finish or are aborted');
      await listener.stopAccepting();
      publisher.send({ type: 'shutdown.requested' });
      const deadline = Date.now() + policy.shutdownGraceMs + 1000;
      while (listener.openConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      listener.destroyAll();
      for (const step of cleanup.splice(0).reverse()) await step();
      logger.info('stopped');
    })());

  return { listening, http: { url: http.url }, db, index, store, robots: robotSet.robots, publisher, failed, stop };
}
