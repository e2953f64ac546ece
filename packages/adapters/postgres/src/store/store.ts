import {
  WORK_QUEUE_STATUSES,
  WorkQueueError,
  type FailResult,
  type FencedResult,
  type RecoveredItem,
  type ReportProgressParams,
  type StatusCounts,
  type WorkQueueItem,
  type WorkQueueStatus,
  type WorkQueueStore,
} from "@logmk/workqueue";
import { openExecutor } from "../executor/connect.js";
import type { SqlQueryable } from "../executor/executor.js";
import { migrateQueueSchema } from "../migrations/migrate.js";
import { databaseIdentitySql, databasePingSql } from "../sql/database.js";
import { queueNames } from "../sql/queue-names.js";
import { admitItem } from "./admission.js";
import { createNoticeHub } from "./notices.js";
import { resolveStoreOptions, type PostgresStoreOptions } from "./options.js";
import { eventFromRow, itemFromRow, jsonParam, toNumber, type ItemRow } from "./rows.js";
import { withMissingTablesHint } from "./missing-tables.js";
import { queueStatements } from "./statements.js";

/** Identity of the database behind a connection, to tell whether two connections share one database. */
export interface DatabaseIdentity {
  /** Database name and server start time. */
  identity: string;
  /** Whether the queue's items table is visible through the connection. */
  hasTable: boolean;
}

/** The Postgres or PGlite store, with what the log purge target needs to join its transactions. */
export interface PostgresStore extends WorkQueueStore, AsyncDisposable {
  readonly kind: "postgres" | "pglite";
  /** Schema of the queue's tables. */
  readonly schema: string;
  /** Applies pending migrations; returns the versions applied. Safe to run from several processes at once. */
  migrate(): Promise<number[]>;
  /**
   * Runs the fenced progress write of `reportProgress`, with its `QueueItemProgress` event, on
   * `db`: a transaction of another connection to the same database, such as a purge chunk's.
   */
  reportProgressIn(db: SqlQueryable, params: ReportProgressParams): Promise<FencedResult>;
  /** Identifies the store's database, as seen through `db` or through the store's own connection. */
  databaseIdentity(db?: SqlQueryable): Promise<DatabaseIdentity>;
  close(): Promise<void>;
}

/** Outcome of a recovered item by the status recovery left it in. */
const RECOVERY_OUTCOMES: Partial<Record<WorkQueueStatus, RecoveredItem["outcome"]>> = { PENDING: "retried", CANCELLED: "cancelled", FAILED: "failed" };

const LEASE_EXPIRED_MESSAGE = "The worker's lease expired on attempt %s of %s; the worker probably crashed or lost its connection.";

/**
 * Creates the work-queue store on Postgres or PGlite. Every write is one statement (or one
 * transaction) that records its event with it; NOTIFY triggers wake listeners in every process.
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  const settings = resolveStoreOptions(options);
  const { logger } = settings;
  const names = queueNames(settings.schema);
  const statements = queueStatements(names);
  const executor = withMissingTablesHint(
    openExecutor(settings.connection, {
      maxConnections: settings.maxConnections,
      statementTimeoutMs: settings.statementTimeoutMs,
      applicationName: "logmk-workqueue",
      logger,
    }),
    settings.schema,
  );
  const notices = createNoticeHub(executor, names.channel, logger);

  let migrated: Promise<unknown> | undefined;
  let closing: Promise<void> | undefined;

  function ready(): Promise<unknown> {
    if (!settings.migrate) return Promise.resolve();
    migrated ??= migrateQueueSchema(executor, names, logger).catch((error) => {
      migrated = undefined;
      throw error;
    });
    return migrated;
  }

  async function readItem(db: SqlQueryable, id: number): Promise<WorkQueueItem | null> {
    const { rows } = await db.query<ItemRow>(statements.itemGet, [id]);
    return rows[0] ? itemFromRow(rows[0]) : null;
  }

  async function readItems(text: string, params: readonly unknown[]): Promise<WorkQueueItem[]> {
    await ready();
    const { rows } = await executor.query<ItemRow>(text, params);
    return rows.map(itemFromRow);
  }

  /** Runs a fenced or guarded write; when it matched no row, returns the item as it is now. */
  async function guardedWrite(db: SqlQueryable, text: string, params: readonly unknown[], id: number): Promise<FencedResult> {
    const { rows } = await db.query<ItemRow>(text, params);
    if (rows[0]) return { applied: true, item: itemFromRow(rows[0]) };
    return { applied: false, item: await readItem(db, id) };
  }

  function progressParams(params: ReportProgressParams): unknown[] {
    return [
      params.id,
      params.fencingToken,
      params.recordsAffected,
      params.progress,
      params.estimatedRecords !== undefined,
      params.estimatedRecords ?? null,
      params.checkpoint !== undefined,
      jsonParam(params.checkpoint),
      params.leaseMs ?? null,
      params.recordsAdded ?? null,
    ];
  }

  const store: PostgresStore = {
    kind: executor.isPGlite ? "pglite" : "postgres",
    schema: names.schema,

    async migrate() {
      const versions = await migrateQueueSchema(executor, names, logger);
      migrated = Promise.resolve();
      return versions;
    },

    async enqueue({ item, maxOpenItems }) {
      await ready();
      const params = [
        item.type,
        item.podName,
        item.deployment,
        jsonParam(item.payload),
        jsonParam(item.metadata),
        item.priority,
        item.runAt,
        item.schedule,
        item.maxAttempts,
        item.uniqueKey,
        item.estimatedRecords,
        item.createdBy,
      ];
      const conflict = (open: WorkQueueItem, cause?: unknown) =>
        new WorkQueueError("CONFLICT", `An open item with unique key "${item.uniqueKey}" already exists (item ${open.id}); wait for it to finish or cancel it.`, { item: open, cause });

      return admitItem(executor, { names, statements }, { uniqueKey: item.uniqueKey, itemId: null, maxOpenItems, conflict }, async (db) => {
        const { rows } = await db.query<ItemRow>(statements.itemInsert, params);
        return itemFromRow(rows[0]!);
      });
    },

    async claimNext({ workerId, types, leaseMs, limit }) {
      if (limit <= 0 || types.length === 0) return [];
      return readItems(statements.itemClaim, [workerId, [...types], leaseMs, limit]);
    },

    async heartbeat(params) {
      await ready();
      return guardedWrite(executor, statements.itemHeartbeat, [params.id, params.fencingToken, params.leaseMs], params.id);
    },

    async reportProgress(params) {
      await ready();
      return store.reportProgressIn(executor, params);
    },

    reportProgressIn(db, params) {
      return guardedWrite(db, statements.itemProgress, progressParams(params), params.id);
    },

    async completeItem(params) {
      await ready();
      const checkpoint = [params.checkpoint !== undefined, jsonParam(params.checkpoint)];
      return guardedWrite(executor, statements.itemComplete, [params.id, params.fencingToken, params.recordsAffected ?? null, ...checkpoint], params.id);
    },

    async completeItems({ items }) {
      await ready();
      if (items.length === 0) return [];
      const batch = items.map((params) => ({
        item_id: params.id,
        token: params.fencingToken,
        new_records: params.recordsAffected ?? null,
        set_checkpoint: params.checkpoint !== undefined,
        new_checkpoint: params.checkpoint ?? null,
      }));
      const { rows } = await executor.query<ItemRow>(statements.itemCompleteBatch, [JSON.stringify(batch)]);
      const completed = new Map(rows.map((row) => [toNumber(row.id), itemFromRow(row)]));

      // The ones that did not apply are read as they are now, in one more round trip.
      const missed = items.filter((params) => !completed.has(params.id)).map((params) => params.id);
      const current = new Map<number, WorkQueueItem>();
      if (missed.length > 0) {
        const { rows: found } = await executor.query<ItemRow>(statements.itemGetMany, [missed]);
        for (const row of found) current.set(toNumber(row.id), itemFromRow(row));
      }
      return items.map((params): FencedResult => {
        const item = completed.get(params.id);
        return item ? { applied: true, item } : { applied: false, item: current.get(params.id) ?? null };
      });
    },

    async failItem(params): Promise<FailResult> {
      await ready();
      const result = await guardedWrite(executor, statements.itemFail, [params.id, params.fencingToken, params.errorMessage, params.retryDelayMs, params.stopReason], params.id);
      if (!result.applied) return { ...result, outcome: null };
      return { ...result, outcome: result.item?.status === "PENDING" ? "retried" : "failed" };
    },

    async cancelClaimed(params) {
      await ready();
      const checkpoint = [params.checkpoint !== undefined, jsonParam(params.checkpoint)];
      return guardedWrite(executor, statements.itemCancelClaimed, [params.id, params.fencingToken, params.recordsAffected ?? null, ...checkpoint], params.id);
    },

    async releaseItem(params) {
      await ready();
      return guardedWrite(executor, statements.itemRelease, [params.id, params.fencingToken, params.reason, params.runAt], params.id);
    },

    async requestCancel({ id }) {
      await ready();
      return guardedWrite(executor, statements.itemRequestCancel, [id], id);
    },

    async cancelPending({ id }) {
      await ready();
      return guardedWrite(executor, statements.itemCancelPending, [id], id);
    },

    async retryItem({ id, maxOpenItems, offPeakRunAt }) {
      const current = await store.getItem({ id });
      if (!current) return { applied: false, item: null, previousErrorMessage: null };
      if (current.status !== "FAILED" && current.status !== "CANCELLED") return { applied: false, item: current, previousErrorMessage: null };

      const conflict = (open: WorkQueueItem, cause?: unknown) =>
        new WorkQueueError("CONFLICT", `Item ${id} cannot be retried while item ${open.id} with the same unique key "${current.uniqueKey}" is open; wait for it to finish or cancel it.`, { item: open, cause });

      return admitItem(executor, { names, statements }, { uniqueKey: current.uniqueKey, itemId: id, maxOpenItems, conflict }, async (db) => {
        const { rows } = await db.query<ItemRow & { previous_error_message: string | null }>(statements.itemRetry, [id, offPeakRunAt ?? null]);
        const row = rows[0];
        if (!row) return { applied: false, item: await readItem(db, id), previousErrorMessage: null };
        return { applied: true, item: itemFromRow(row), previousErrorMessage: row.previous_error_message ?? null };
      });
    },

    async recoverExpiredLeases({ retryDelayMs, limit }) {
      const items = await readItems(statements.itemRecover, [retryDelayMs, limit, LEASE_EXPIRED_MESSAGE]);
      return items.map((item): RecoveredItem => ({ item, outcome: RECOVERY_OUTCOMES[item.status] ?? "failed" }));
    },

    async getItem({ id }) {
      await ready();
      return readItem(executor, id);
    },

    listItems({ status, type, podName, deployment, before, limit }) {
      return readItems(statements.itemList, [status ?? null, type ?? null, podName ?? null, deployment ?? null, before ?? null, limit]);
    },

    findOpenByPod({ podName, deployment }) {
      return readItems(statements.itemOpenByPod, [podName, deployment ?? null]);
    },

    async countByStatus(): Promise<StatusCounts> {
      await ready();
      const { rows } = await executor.query<{ counts: Record<string, unknown>; oldest_eligible_run_at: Date | null; now: Date }>(statements.itemCountByStatus);
      const row = rows[0]!;
      const counts = Object.fromEntries(WORK_QUEUE_STATUSES.map((status) => [status, toNumber(row.counts[status] ?? 0)])) as Record<WorkQueueStatus, number>;
      return { counts, oldestEligibleRunAt: row.oldest_eligible_run_at, now: row.now };
    },

    async deleteFinishedBefore({ before, batchSize }) {
      await ready();
      let deleted = 0;
      for (;;) {
        const { rowCount } = await executor.query(statements.itemDeleteFinished, [before, batchSize]);
        deleted += rowCount;
        if (rowCount < batchSize) return deleted;
      }
    },

    async readEvents({ afterId, limit }) {
      await ready();
      const { rows } = await executor.query<ItemRow>(statements.eventRead, [afterId, limit]);
      return rows.map(eventFromRow);
    },

    async lastEventId() {
      await ready();
      const { rows } = await executor.query<{ last_id: unknown }>(statements.eventLastId);
      return toNumber(rows[0]?.last_id ?? 0);
    },

    async deleteEventsBefore({ before }) {
      await ready();
      const batchSize = 5_000;
      let deleted = 0;
      for (;;) {
        const { rowCount } = await executor.query(statements.eventDelete, [before, batchSize]);
        deleted += rowCount;
        if (rowCount < batchSize) return deleted;
      }
    },

    async ping() {
      await executor.query(databasePingSql());
    },

    subscribe(listener) {
      return notices.subscribe(listener);
    },

    async databaseIdentity(db = executor) {
      const { rows } = await db.query<{ identity: string; has_table: boolean }>(databaseIdentitySql(), [names.items]);
      return { identity: rows[0]!.identity, hasTable: rows[0]!.has_table };
    },

    close() {
      closing ??= (async () => {
        await notices.close();
        await executor.close();
        logger.debug({ schema: names.schema }, "Postgres store closed");
      })();
      return closing;
    },

    [Symbol.asyncDispose]() {
      return store.close();
    },
  };

  return store;
}
