// The composition root of `discrobot serve`: opens the database and the store, starts the actor
// system with the real adapters provided, and listens. Returns a handle to stop it.
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { createActor, type ActorRefFrom } from 'xstate';
import type { Logger } from 'pino';
import { routeLibraryLogs } from './log.ts';
import type { Config } from './config/schema.ts';
import { openDatabase, type Db } from '../adapters/db/database.ts';
import { InstanceIndex } from '../adapters/db/instances.ts';
import { InstanceStore } from '../adapters/store/instance-store.ts';
import type { DurableFs } from '../adapters/store/durable-fs.ts';
import { DicomListener, type ListenAddress } from '../adapters/dicom/listener.ts';
import { associationMachine, type AssociationContext } from '../machines/association.machine.ts';
import { publisherMachine } from '../machines/publisher.machine.ts';

export interface RunningPublisher {
  listening: ListenAddress[];
  db: Db;
  index: InstanceIndex;
  store: InstanceStore;
  publisher: ActorRefFrom<typeof publisherMachine>;
  /** Stops accepting, lets associations finish within the grace period, then closes everything. */
  stop(): Promise<void>;
}

export interface ServeOptions {
  /** Replaces the real file operations (tests record the order of durable writes). */
  fs?: DurableFs;
}

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

export async function serve(config: Config, logger: Logger, options: ServeOptions = {}): Promise<RunningPublisher> {
  routeLibraryLogs(logger.child({ component: 'dcmjs-dimse' }));
  const dataDir = path.resolve(config.storage.data);
  const db = openDataFolder(dataDir, config.storage.durable);
  const index = new InstanceIndex(db);
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
    addresses: dicom.listeners,
    store,
    logger: logger.child({ component: 'dicom' }),
    limits: { maxPDataLength: dicom.maxPduLength, maxAssociateLength: dicom.maxAssociationPduBytes },
    onConnection: ({ associationId, peer, listener: on }) =>
      publisher.send({ type: 'connection.opened', associationId, input: { id: associationId, peer, listener: on, policy } }),
  });

  const dicomLog = logger.child({ component: 'association' });
  const publisher: ActorRefFrom<typeof publisherMachine> = createActor(
    publisherMachine.provide({
      actors: { association: associationMachine.provide({ actors: { connection: listener.connectionLogic() } }) },
    }),
    {
      systemId: 'publisher',
      inspect: (event) => {
        if (event.type !== '@xstate.snapshot') return;
        const id = (event.actorRef as { id?: string }).id;
        const snapshot = event.snapshot as { status?: string; value?: unknown; context?: Partial<AssociationContext> };
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

  const listening = await listener.start().catch((err) => {
    publisher.stop();
    db.close();
    throw err;
  });
  logger.info({ listening, aeTitles: dicom.aeTitles, data: dataDir, durable: config.storage.durable }, 'discrobot is listening');

  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      logger.info('stopping: no new associations; in-flight ones finish or are aborted');
      await listener.stopAccepting();
      publisher.send({ type: 'shutdown.requested' });
      const deadline = Date.now() + policy.shutdownGraceMs + 1000;
      while (listener.openConnections > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      listener.destroyAll();
      publisher.stop();
      db.close();
      logger.info('stopped');
    })());

  return { listening, db, index, store, publisher, stop };
}
