import {
  createLogPurgeHandler,
  createLogPurgeService,
  createProcessor,
  createWorkQueue,
  type ChunkObservation,
  type LogPurgeTarget,
  type Processor,
  type WorkQueueItem,
} from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore, type PostgresConnection, type PostgresStore } from "@logmk/workqueue-postgres";
import { deferred, within } from "./deferred.js";
import { createLogTable, fingerprint, insertLogRows, scenarioGroups } from "./log-table.js";
import type { AdminConnection } from "./schemas.js";

export interface PurgeScenarioOptions {
  admin: AdminConnection;
  /** Connections of the two processes' stores, and of their log targets. */
  storeConnection: () => PostgresConnection;
  targetConnection: () => PostgresConnection;
  logSchema: string;
  queueSchema: string;
  /** Rows of the purged pod; the table contains twice as many. */
  podRows: number;
  chunkSize: number;
  /** The first process stops after this many chunks. */
  crashAfterChunk: number;
  timeoutMs: number;
}

export interface PurgeScenarioResult {
  item: WorkQueueItem;
  /** Rows that matched the purge when it was queued. */
  matchingAtEnqueue: number;
  matchingLeft: number;
  othersBefore: { count: number; idSum: string };
  othersAfter: { count: number; idSum: string };
  lateRows: { before: number; after: number };
  /** Cursor the second process started from. */
  resumedFrom: unknown;
  /** Chunks the second process committed, in order. */
  chunks: ChunkObservation[];
  /** Chunks the first process committed before it lost its lease. */
  chunksBeforeCrash: number;
}

const T0 = new Date("2026-10-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1_000);

/**
 * Runs a purge of one pod through the core's queue, service, handler and processors. A first
 * process loses its lease between two chunks, because "another instance" recovers the item, and
 * stops. Rows of the pod are inserted while the purge runs. A second process resumes from the
 * checkpoint and finishes. Returns what the assertions need.
 */
export async function runPurgeScenario(options: PurgeScenarioOptions): Promise<PurgeScenarioResult> {
  const { admin, logSchema, queueSchema, podRows } = options;
  const quotedLog = `"${logSchema}"."Log"`;

  await createLogTable(admin, logSchema);
  await insertLogRows(admin, logSchema, scenarioGroups(podRows, T0));
  // Without autovacuum, dead index entries stay, so flat chunk times show the walk never rereads them.
  await admin.exec(`ALTER TABLE ${quotedLog} SET (autovacuum_enabled = false)`);
  await admin.exec(`ANALYZE ${quotedLog}`);

  const from = at(podRows * 0.1);
  const to = at(podRows * 0.9);
  const matching = `"Deployment" = 'api' AND "Pod" = 'api-1' AND "TimeStamp" >= ($1::timestamptz AT TIME ZONE 'UTC') AND "TimeStamp" < ($2::timestamptz AT TIME ZONE 'UTC')`;
  const bounds = [from.toISOString(), to.toISOString()];
  const matchingAtEnqueue = (await fingerprint(admin, logSchema, matching, bounds)).count;
  const othersBefore = await fingerprint(admin, logSchema, `NOT (${matching})`, bounds);

  const stores: PostgresStore[] = [];
  const targets: LogPurgeTarget[] = [];
  const processors: Processor[] = [];
  const openProcess = (onChunk?: (observation: ChunkObservation) => void) => {
    const store = createPostgresStore({ connection: options.storeConnection(), schema: queueSchema });
    const target = createPostgresLogTarget({ connection: options.targetConnection(), schema: logSchema, queueStore: store });
    const handler = createLogPurgeHandler({ target, chunkSize: options.chunkSize, targetChunkMs: null, ...(onChunk ? { onChunk } : {}) });
    stores.push(store);
    targets.push(target);
    return { store, target, handler };
  };

  try {
    const first = openProcess();
    await first.store.migrate();
    const queue = createWorkQueue({ store: first.store, handlers: [first.handler] });
    const service = createLogPurgeService({ queue, target: first.target });
    const queued = await service.enqueue({ podName: "api-1", deployment: "api", from: from.toISOString(), to: to.toISOString() });

    // The first process: after `crashAfterChunk` chunks it stops, and another instance recovers the item.
    const crashed = deferred();
    let firstChunks = 0;
    let firstStopped: Promise<void> | undefined;
    const lateRows = Math.max(10, Math.round(podRows * 0.002));
    const crashingTarget: LogPurgeTarget = {
      ...first.target,
      async deleteChunk(params) {
        firstChunks++;
        if (firstChunks === 2) {
          await insertLogRows(admin, logSchema, [{ deployment: "api", pod: "api-1", count: lateRows, start: at(podRows * 0.5), stepMs: 10 }]);
        }
        if (firstChunks === options.crashAfterChunk + 1) {
          firstStopped = processorA.stop();
          await admin.exec(`UPDATE "${queueSchema}".work_queue SET lease_expires_at = now() - interval '1 second' WHERE id = $1`, [queued.id]);
          await first.store.recoverExpiredLeases({ retryDelayMs: 0, limit: 10 });
          crashed.resolve();
        }
        return first.target.deleteChunk(params);
      },
    };
    const processorA = createProcessor({ store: first.store, handlers: [createLogPurgeHandler({ target: crashingTarget, chunkSize: options.chunkSize, targetChunkMs: null })], workerId: "process-a", leaseMs: 30_000, pollIntervalMs: 60_000 });
    processors.push(processorA);
    await processorA.start();
    await within(crashed.promise, options.timeoutMs, "the first process's crash");
    await firstStopped;

    // The second process resumes from the checkpoint the first one committed.
    const chunks: ChunkObservation[] = [];
    const second = openProcess((observation) => chunks.push(observation));
    const resumedFrom = (await second.store.getItem({ id: queued.id }))?.checkpoint;
    const secondQueue = createWorkQueue({ store: second.store, handlers: [second.handler] });
    const completed = deferred<WorkQueueItem>();
    secondQueue.on("QueueItemCompleted", (event) => {
      if (event.item.id === queued.id) completed.resolve(event.item as unknown as WorkQueueItem);
    });
    await secondQueue.startEvents();
    const processorB = createProcessor({ store: second.store, handlers: [second.handler], workerId: "process-b", leaseMs: 30_000, pollIntervalMs: 60_000 });
    processors.push(processorB);
    await processorB.start();
    await within(completed.promise, options.timeoutMs, "completion of the purge");
    await processorB.stop();
    await secondQueue.close();

    const item = (await second.store.getItem({ id: queued.id }))!;
    return {
      item,
      matchingAtEnqueue,
      matchingLeft: (await fingerprint(admin, logSchema, `${matching} AND "Id" <= $3`, [...bounds, queued.payload.maxId])).count,
      othersBefore,
      othersAfter: await fingerprint(admin, logSchema, `NOT (${matching})`, bounds),
      lateRows: { before: lateRows, after: (await fingerprint(admin, logSchema, `"Id" > $1`, [queued.payload.maxId])).count },
      resumedFrom,
      chunks,
      chunksBeforeCrash: options.crashAfterChunk,
    };
  } finally {
    for (const processor of processors) await processor.stop();
    for (const target of targets) await target.close?.();
    for (const store of stores) await store.close();
  }
}
