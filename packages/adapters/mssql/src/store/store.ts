import {
  type ChangeResult,
  type FailResult,
  type FencedResult,
  type RecoveredItem,
  type StatusCounts,
  type StoredEvent,
  type WorkQueueItem,
  type WorkQueueStatus,
  type WorkQueueStore,
  WORK_QUEUE_STATUSES,
  WorkQueueError,
} from "@logmk/workqueue";
import { resolveConnection } from "../connection.js";
import { storeOperation } from "../errors.js";
import { lastRecordset, type SqlExecutor, type SqlRow, type SqlStatement } from "../executor.js";
import { type MigrationReport, runMigrations } from "../migrations/migrate.js";
import { createChangePoller } from "./notices.js";
import { type MssqlStoreOptions, storeSettings } from "./options.js";
import { eventFromRow, fencedResultFromRow, itemFromRow, itemOrNullFromRow } from "./row.js";
import { itemCancelPending, itemCancelRequest } from "./sql/changes.js";
import { itemsClaim, itemsRecoverExpired } from "./sql/claim.js";
import { itemInsert, itemRetry } from "./sql/enqueue.js";
import { itemCancelClaimed, itemComplete, itemFail, itemHeartbeat, itemProgress, itemRelease } from "./sql/fenced.js";
import {
  databaseNow,
  eventsDeleteBefore,
  eventsLastId,
  eventsRead,
  itemGet,
  itemsCountByStatus,
  itemsDeleteFinished,
  itemsList,
  itemsOpenByPod,
} from "./sql/queries.js";
import { queueTables } from "./tables.js";

/** The SQL Server store, with the calls a deployment needs besides the storage port. */
export interface MssqlWorkQueueStore extends WorkQueueStore {
  readonly schema: string;
  /** Creates or updates the queue tables; safe when several processes call it at once. */
  migrate(): Promise<MigrationReport>;
  /** The database's current time (`SYSUTCDATETIME()`), the clock of leases and `runAt`. */
  now(): Promise<Date>;
  /** Stops the notice polling and closes the pool when the store opened it. */
  close(): Promise<void>;
}

/** An enqueue that lost a unique-key race to an item that finished before it could be read is tried again. */
const ENQUEUE_ATTEMPTS = 3;

function queueFull(maxOpenItems: number | null): WorkQueueError {
  return new WorkQueueError("QUEUE_FULL", `The queue already holds ${maxOpenItems} open items, its maximum; retry after some have finished.`, { details: { maxOpenItems } });
}

function recoveryOutcome(status: WorkQueueStatus): RecoveredItem["outcome"] {
  if (status === "PENDING") return "retried";
  if (status === "CANCELLED") return "cancelled";
  return "failed";
}

/**
 * Creates the work queue store on SQL Server. Call `migrate()` once before use. Every method is
 * one batch: a write and its event commit together, and claims are atomic across processes.
 */
export function createMssqlStore(options: MssqlStoreOptions): MssqlWorkQueueStore {
  const settings = storeSettings(options);
  const { logger } = settings;
  const connection = resolveConnection(options, { what: "SQL Server store", requestTimeoutMs: settings.requestTimeoutMs, logger });
  const executor: SqlExecutor = connection.executor;
  const tables = queueTables(settings.schema);
  const poller = createChangePoller({ executor, tables, intervalMs: settings.pollIntervalMs, logger });
  let closed = false;

  const rowsOf = async (operation: string, statement: SqlStatement): Promise<SqlRow[]> =>
    storeOperation(operation, async () => lastRecordset(await executor.query(statement)));

  async function fenced(operation: string, statement: SqlStatement): Promise<FencedResult> {
    const [row] = await rowsOf(operation, statement);
    return fencedResultFromRow(row);
  }

  async function deleteInBatches(operation: string, statement: () => SqlStatement, batchSize: number): Promise<number> {
    let total = 0;
    for (;;) {
      const [row] = await rowsOf(operation, statement());
      const deleted = Number(row?.["Deleted"] ?? 0);
      total += deleted;
      if (deleted < batchSize) return total;
    }
  }

  const store: MssqlWorkQueueStore = {
    kind: "mssql",
    schema: settings.schema,

    migrate: () => storeOperation("migrate", () => runMigrations(executor, tables, { logger, lockTimeoutMs: settings.migrationLockTimeoutMs })),

    async now() {
      const [row] = await rowsOf("now", databaseNow());
      return row?.["Now"] as Date;
    },

    async enqueue(params) {
      for (let attempt = 1; ; attempt++) {
        const [row] = await rowsOf("enqueue", itemInsert(tables, params, settings.lockTimeoutMs));
        const outcome = row?.["Outcome"];
        if (outcome === "APPLIED") return itemFromRow(row!);
        if (outcome === "QUEUE_FULL") throw queueFull(params.maxOpenItems);
        if (outcome !== "CONFLICT") {
          throw new WorkQueueError("STORE_FAILED", `SQL Server store: enqueue returned the outcome ${JSON.stringify(outcome)} instead of APPLIED, CONFLICT or QUEUE_FULL; check that migrate() has run on schema ${settings.schema}.`);
        }

        const existing = itemOrNullFromRow(row);
        if (existing) {
          throw new WorkQueueError("CONFLICT", `An open item with unique key "${params.item.uniqueKey}" already exists (item ${existing.id}); wait for it to finish or cancel it.`, { item: existing });
        }
        // The item holding the key finished between the failed insert and the read: try again.
        if (attempt >= ENQUEUE_ATTEMPTS) {
          throw new WorkQueueError("STORE_FAILED", `SQL Server store: enqueue kept colliding with items of unique key "${params.item.uniqueKey}" that finished at once; retry the request.`);
        }
        logger.debug({ uniqueKey: params.item.uniqueKey, attempt }, "Enqueue collided with an item that has finished since, retrying");
      }
    },

    async claimNext(params) {
      if (params.types.length === 0 || params.limit <= 0) return [];
      const rows = await storeOperation("claimNext", async () => (await executor.query(itemsClaim(tables, params))).recordsets[0] ?? []);
      // OUTPUT returns rows in no particular order, so restore the claim order.
      return rows.map(itemFromRow).sort((a, b) => b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || a.id - b.id);
    },

    heartbeat: (params) => fenced("heartbeat", itemHeartbeat(tables, params)),
    reportProgress: (params) => fenced("reportProgress", itemProgress(tables, params)),
    completeItem: (params) => fenced("completeItem", itemComplete(tables, params)),
    cancelClaimed: (params) => fenced("cancelClaimed", itemCancelClaimed(tables, params)),
    releaseItem: (params) => fenced("releaseItem", itemRelease(tables, params)),

    async failItem(params): Promise<FailResult> {
      const result = await fenced("failItem", itemFail(tables, params));
      if (!result.applied) return { ...result, outcome: null };
      return { ...result, outcome: result.item?.status === "PENDING" ? "retried" : "failed" };
    },

    requestCancel: (params): Promise<ChangeResult> => fenced("requestCancel", itemCancelRequest(tables, params)),
    cancelPending: (params): Promise<ChangeResult> => fenced("cancelPending", itemCancelPending(tables, params)),

    async retryItem(params) {
      const [row] = await rowsOf("retryItem", itemRetry(tables, params, settings.lockTimeoutMs));
      const outcome = row?.["Outcome"];
      if (outcome === "QUEUE_FULL") throw queueFull(params.maxOpenItems);
      if (outcome === "CONFLICT") {
        const existing = itemOrNullFromRow(row);
        throw new WorkQueueError("CONFLICT", `Item ${params.id} cannot be retried while item ${existing?.id ?? "(finished since)"} with the same unique key is open; wait for it to finish or cancel it.`, existing ? { item: existing } : {});
      }
      const item = itemOrNullFromRow(row);
      if (outcome !== "APPLIED") return { applied: false, item, previousErrorMessage: null };
      return { applied: true, item, previousErrorMessage: (row?.["PreviousErrorMessage"] as string | null) ?? null };
    },

    async recoverExpiredLeases(params) {
      const rows = await rowsOf("recoverExpiredLeases", itemsRecoverExpired(tables, params));
      return rows.map((row): RecoveredItem => {
        const item = itemFromRow(row);
        return { item, outcome: recoveryOutcome(item.status) };
      });
    },

    async getItem({ id }) {
      const [row] = await rowsOf("getItem", itemGet(tables, id));
      return itemOrNullFromRow(row);
    },

    async listItems(params): Promise<WorkQueueItem[]> {
      return (await rowsOf("listItems", itemsList(tables, params))).map(itemFromRow);
    },

    async findOpenByPod(params) {
      return (await rowsOf("findOpenByPod", itemsOpenByPod(tables, params))).map(itemFromRow);
    },

    async countByStatus(): Promise<StatusCounts> {
      const { recordsets } = await storeOperation("countByStatus", () => executor.query(itemsCountByStatus(tables)));
      const counts = Object.fromEntries(WORK_QUEUE_STATUSES.map((status) => [status, 0])) as Record<WorkQueueStatus, number>;
      for (const row of recordsets[0] ?? []) counts[row["Status"] as WorkQueueStatus] = Number(row["Count"]);
      const oldest = recordsets[1]?.[0]?.["OldestEligibleRunAt"];
      return { counts, oldestEligibleRunAt: oldest instanceof Date ? oldest : null, now: recordsets[2]?.[0]?.["Now"] as Date };
    },

    deleteFinishedBefore: ({ before, batchSize }) => deleteInBatches("deleteFinishedBefore", () => itemsDeleteFinished(tables, before, batchSize), batchSize),

    async readEvents(params): Promise<StoredEvent[]> {
      return (await rowsOf("readEvents", eventsRead(tables, params))).map(eventFromRow);
    },

    async lastEventId() {
      const [row] = await rowsOf("lastEventId", eventsLastId(tables));
      return Number(row?.["LastId"] ?? 0);
    },

    deleteEventsBefore: ({ before }) => deleteInBatches("deleteEventsBefore", () => eventsDeleteBefore(tables, before, settings.cleanupBatchSize), settings.cleanupBatchSize),

    async ping() {
      await rowsOf("ping", databaseNow());
    },

    subscribe: (listener) => storeOperation("subscribe", () => poller.subscribe(listener)),

    async close() {
      if (closed) return;
      closed = true;
      poller.stop();
      await connection.close();
      logger.debug({ schema: settings.schema }, "SQL Server store closed");
    },
  };

  return store;
}
