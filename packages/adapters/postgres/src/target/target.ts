import { PermanentJobError, errorMessageOf, type ChunkResult, type DeleteChunkParams, type LogPurgeTarget, type PodSummary } from "@logmk/workqueue";
import { classifyError } from "../errors.js";
import { openExecutor } from "../executor/connect.js";
import { databaseNowSql } from "../sql/database.js";
import { chunkTimeoutsSql, type ChunkScope } from "../sql/log-chunk.js";
import { logMaxIdSql } from "../sql/log-catalog.js";
import { logAnalyzeSql } from "../sql/log-analyze.js";
import { logPodEstimateSql, logRangeEstimateSql, logRangeExistsSql, planRowsOf } from "../sql/log-estimate.js";
import { logPodDeploymentsSql, logPodExistsSql } from "../sql/log-pod-find.js";
import { logPodsSql } from "../sql/log-pods.js";
import { toNumber } from "../store/rows.js";
import { ChunkRolledBack, deleteChunkStep, rolledBackResult } from "./chunk.js";
import { parseLogCursor } from "./cursor.js";
import { inspectLogTable } from "./inspect.js";
import { logTable, type TimeSql } from "./log-table.js";
import { resolveTargetOptions, type PostgresLogTargetOptions } from "./options.js";

/** Planner estimates that `listPods` runs at once; postgres.js pipelines them on its connections. */
const ESTIMATE_CONCURRENCY = 8;

async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, map: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await map(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

/** The Postgres log purge target; `close()` ends the pool it opened for a URL. */
export type PostgresLogTarget = LogPurgeTarget & AsyncDisposable & { close(): Promise<void> };

/**
 * Creates the purge target for a LogMk-shaped log table on Postgres or PGlite. Chunks walk the
 * (deployment, pod, timestamp) index by key, each in its own short transaction; with `queueStore`
 * the item's fenced progress write commits in the same transaction as the chunk's delete.
 */
export function createPostgresLogTarget(options: PostgresLogTargetOptions): PostgresLogTarget {
  const settings = resolveTargetOptions(options);
  const { logger, queueStore } = settings;
  const table = logTable(settings.schema, settings.table, settings.columns);
  const executor = openExecutor(settings.connection, {
    maxConnections: settings.maxConnections,
    statementTimeoutMs: settings.purgeTimeoutMs,
    applicationName: "logmk-workqueue-purge",
    logger,
  });

  let inspected: Promise<TimeSql> | undefined;
  let refreshing: Promise<void> | undefined;

  /** Closes the connections once a statistics refresh that a purge started has ended. */
  async function close(): Promise<void> {
    await refreshing?.catch(() => undefined);
    await executor.close();
  }
  let sharedChecked: Promise<void> | undefined;

  /** Reads the timestamp column's type once; a failed read is tried again on the next call. */
  function timeOf(): Promise<TimeSql> {
    inspected ??= inspectLogTable(executor, table, logger).catch((error) => {
      inspected = undefined;
      throw error;
    });
    return inspected;
  }

  /**
   * Checks once that the queue store and the log table are in one database, as a shared
   * transaction needs. A mismatch is a configuration error that no retry fixes, so it fails the item.
   */
  function checkSharedDatabase(): Promise<void> {
    sharedChecked ??= (async () => {
      const [throughTarget, throughStore] = await Promise.all([queueStore!.databaseIdentity(executor), queueStore!.databaseIdentity()]);
      if (throughTarget.identity !== throughStore.identity || !throughTarget.hasTable) {
        throw new PermanentJobError(
          `queueStore uses database ${throughStore.identity} but the log table ${table.label} is in ${throughTarget.identity}${throughTarget.hasTable ? "" : ", where the queue's tables are not visible"}; give queueStore only when both share one database.`,
        );
      }
    })().catch((error) => {
      if (classifyError(error) !== null) sharedChecked = undefined;
      throw error;
    });
    return sharedChecked;
  }

  async function deleteChunk(params: DeleteChunkParams): Promise<ChunkResult> {
    const cursor = parseLogCursor(params.cursor);
    const scope: ChunkScope = { table, time: await timeOf(), range: params.range };
    const progress = queueStore ? params.progress : undefined;
    if (progress) await checkSharedDatabase();
    const lockTimeoutMs = Math.min(settings.lockTimeoutMs, params.statementTimeoutMs);

    try {
      return await executor.transaction(async (tx): Promise<ChunkResult> => {
        await tx.query(chunkTimeoutsSql(), [params.statementTimeoutMs, lockTimeoutMs]);
        const step = await deleteChunkStep(tx, scope, cursor, params.limit);
        if (!progress) return step;

        const write = await queueStore!.reportProgressIn(tx, progress(step.deleted, step.cursor, step.done));
        if (!write.applied) throw new ChunkRolledBack(write);
        return { ...step, progressWrite: write };
      });
    } catch (error) {
      if (!(error instanceof ChunkRolledBack)) throw error;
      const itemId = error.write.item?.id;
      logger.warn({ itemId, status: error.write.item?.status }, `Purge chunk of item ${itemId} rolled back: ${errorMessageOf(error)}`);
      return rolledBackResult(params, error.write);
    }
  }

  const target: PostgresLogTarget = {
    name: `${executor.isPGlite ? "pglite" : "postgres"}:${table.label}`,
    ...(settings.maxChunkSize === undefined ? {} : { maxChunkSize: settings.maxChunkSize }),

    async now() {
      const { rows } = await executor.query<{ now: Date }>(databaseNowSql());
      return rows[0]!.now;
    },

    async findPod({ podName }) {
      if (table.deployment === null) {
        const { rows } = await executor.query<{ found: boolean }>(logPodExistsSql(table), [podName]);
        return { exists: rows[0]?.found === true, deployments: null };
      }
      const { rows } = await executor.query<{ deployment: string }>(logPodDeploymentsSql({ ...table, deployment: table.deployment }), [podName]);
      return { exists: rows.length > 0, deployments: rows.map((row) => row.deployment) };
    },

    async maxLogId() {
      const { rows } = await executor.query<{ max_id: unknown }>(logMaxIdSql(table));
      const maxId = rows[0]?.max_id;
      return maxId === null || maxId === undefined ? null : toNumber(maxId);
    },

    async estimateRows(range) {
      const time = await timeOf();
      const statement = logRangeEstimateSql(table, time, range);
      const probe = logRangeExistsSql(table, time, range);
      const [{ rows }, { rows: found }] = await Promise.all([executor.query(statement.text, statement.values), executor.query<{ found: boolean }>(probe.text, probe.values)]);
      if (found[0]?.found !== true) return 0;
      const acrossDeployments = planRowsOf(rows[0]);
      if (table.deployment === null) return acrossDeployments;
      // Share the pod's rows evenly among the deployments that have the pod name.
      const { deployments } = await target.findPod({ podName: range.podName });
      return Math.round(acrossDeployments / Math.max(1, deployments?.length ?? 1));
    },

    deleteChunk,

    async listPods(): Promise<PodSummary[]> {
      const { rows } = await executor.query<{ deployment: string | null; pod: string; oldest: Date | null; newest: Date | null }>(logPodsSql(table, await timeOf()));
      const estimateSql = logPodEstimateSql(table);
      const deploymentsPerPod = new Map<string, number>();
      for (const row of rows) deploymentsPerPod.set(row.pod, (deploymentsPerPod.get(row.pod) ?? 0) + 1);
      const estimates = await mapConcurrently(rows, ESTIMATE_CONCURRENCY, async (row) => {
        const { rows: plan } = await executor.query(estimateSql, [row.pod]);
        // The estimate covers the pod name in every deployment: share it among them.
        return Math.round(planRowsOf(plan[0]) / deploymentsPerPod.get(row.pod)!);
      });
      return rows.map((row, index) => ({ deployment: row.deployment, podName: row.pod, approximateCount: estimates[index]!, oldest: row.oldest, newest: row.newest }));
    },

    refreshStatistics() {
      // Purges that end while an ANALYZE runs share it rather than queue one behind another.
      refreshing ??= executor
        .query(logAnalyzeSql(table))
        .then(() => undefined)
        .finally(() => {
          refreshing = undefined;
        });
      return refreshing;
    },

    classifyError,

    close,

    [Symbol.asyncDispose]: close,
  };

  return target;
}
