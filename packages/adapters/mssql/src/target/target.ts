import type { ChunkResult, DeleteChunkParams, FencedResult, LogPurgeTarget, PodSummary, PurgeRange } from "@logmk/workqueue";
import { resolveConnection } from "../connection.js";
import { classifyMssqlError } from "../errors.js";
import { lastRecordset, type SqlRow, type SqlStatement } from "../executor.js";
import { fencedResultFromRow } from "../store/row.js";
import { itemProgress } from "../store/sql/fenced.js";
import { databaseNow } from "../store/sql/queries.js";
import { queueTables } from "../store/tables.js";
import { chunkOutcome, parseCursor } from "./cursor.js";
import { type MssqlLogTargetOptions, targetSettings } from "./options.js";
import { logDeleteChunk } from "./sql-chunk.js";
import { logMaxId, logPodDeployments, logPodStatistics, logPods } from "./sql-lookup.js";
import { logTable } from "./tables.js";

/** Thrown inside a chunk's transaction to roll it back when the fenced progress write matched no row. */
class ProgressNotApplied extends Error {
  override readonly name = "ProgressNotApplied";
  constructor(readonly write: FencedResult) {
    super("the fenced progress write did not apply");
  }
}

/** Share of the pod's rows inside [from, to), assuming they are spread evenly over its time span. */
export function rangeFraction(range: Pick<PurgeRange, "from" | "to">, oldest: Date, newest: Date): number {
  const from = range.from?.getTime() ?? -Infinity;
  const to = range.to.getTime();
  const span = newest.getTime() - oldest.getTime();
  if (span <= 0) return oldest.getTime() >= from && oldest.getTime() < to ? 1 : 0;

  const covered = Math.min(to, newest.getTime()) - Math.max(from, oldest.getTime());
  return Math.min(1, Math.max(0, covered / span));
}

export interface MssqlLogTarget extends LogPurgeTarget {
  readonly maxChunkSize: number;
  close(): Promise<void>;
}

/**
 * Creates the purge target for LogMk's log table on SQL Server: chunked deletes by key below lock
 * escalation, estimates from statistics, and lookups that only seek the (Deployment, Pod,
 * TimeStamp) index.
 */
export function createMssqlLogTarget(options: MssqlLogTargetOptions): MssqlLogTarget {
  const settings = targetSettings(options);
  const { logger } = settings;
  const connection = resolveConnection(options, { what: "SQL Server log target", requestTimeoutMs: settings.requestTimeoutMs, logger });
  const { executor } = connection;
  const table = logTable({ ...settings.table, textType: settings.textType });
  const queue = settings.queueSchema === null ? null : queueTables(settings.queueSchema);

  const lookup = async (statement: SqlStatement): Promise<SqlRow[]> => lastRecordset(await executor.query({ ...statement, timeoutMs: settings.queryTimeoutMs }));

  async function deleteChunk(params: DeleteChunkParams): Promise<ChunkResult> {
    const { range } = params;
    const cursor = parseCursor(params.cursor);
    // An empty table at enqueue leaves nothing the purge may delete.
    if (range.maxId === null) return { deleted: 0, cursor: params.cursor, done: true };

    const limit = Math.min(params.limit, settings.maxChunkSize);
    const statement = logDeleteChunk(table, {
      range,
      cursor,
      limit,
      timeoutMs: params.statementTimeoutMs,
      lockTimeoutMs: Math.min(settings.lockTimeoutMs, params.statementTimeoutMs),
    });

    // A lone DELETE statement commits on its own; the transaction is only needed to join the progress write.
    if (!params.progress || queue === null) {
      return chunkOutcome(lastRecordset(await executor.query(statement))[0], cursor, limit);
    }

    const progress = params.progress;
    try {
      return await executor.transaction(async (transaction) => {
        const chunk = chunkOutcome(lastRecordset(await transaction.query(statement))[0], cursor, limit);
        const update = progress(chunk.deleted, chunk.cursor, chunk.done);
        const write = fencedResultFromRow(lastRecordset(await transaction.query({ ...itemProgress(queue, update), timeoutMs: params.statementTimeoutMs }))[0]);
        if (!write.applied) throw new ProgressNotApplied(write);
        return { ...chunk, progressWrite: write };
      });
    } catch (error) {
      if (!(error instanceof ProgressNotApplied)) throw error;
      logger.info({ itemId: error.write.item?.id, status: error.write.item?.status }, "Purge chunk rolled back: the item's lease was lost before the chunk committed");
      return { deleted: 0, cursor: params.cursor, done: false, progressWrite: error.write };
    }
  }

  return {
    name: `mssql:${table.plainName}`,
    maxChunkSize: settings.maxChunkSize,

    async now() {
      const [row] = await lookup(databaseNow());
      return row?.["Now"] as Date;
    },

    async maxLogId() {
      const [row] = await lookup(logMaxId(table));
      const value = row?.["MaxId"];
      return value === null || value === undefined ? null : Number(value);
    },

    async findPod({ podName }) {
      const rows = await lookup(logPodDeployments(table, podName, settings.maxDeployments));
      if (table.deployment === null) return { exists: rows[0]?.["Found"] === 1, deployments: null };
      const deployments = rows.map((row) => String(row["Deployment"]));
      return { exists: deployments.length > 0, deployments };
    },

    // NOTE: this target has no refreshStatistics. SQL Server refreshes statistics by itself once
    // enough rows changed (AUTO_UPDATE_STATISTICS), so after a purge of a small pod in a large
    // table the estimates may still count its deleted rows; UPDATE STATISTICS was never run here.
    async estimateRows(range) {
      if (range.maxId === null) return 0;
      const [row] = await lookup(logPodStatistics(table, range, settings.estimateCountCap));
      const oldest = row?.["Oldest"];
      const newest = row?.["Newest"];
      if (!(oldest instanceof Date) || !(newest instanceof Date)) return 0;
      return Math.round(Number(row?.["PodRows"] ?? 0) * rangeFraction(range, oldest, newest));
    },

    deleteChunk,

    async listPods(): Promise<PodSummary[]> {
      const rows = await lookup(logPods(table, settings.maxPods));
      return rows.map((row) => ({
        deployment: row["Deployment"] === null || row["Deployment"] === undefined ? null : String(row["Deployment"]),
        podName: String(row["Pod"]),
        approximateCount: Math.max(0, Math.round(Number(row["Rows"] ?? 0))),
        oldest: row["Oldest"] instanceof Date ? row["Oldest"] : null,
        newest: row["Newest"] instanceof Date ? row["Newest"] : null,
      }));
    },

    classifyError: classifyMssqlError,

    close: () => connection.close(),
  };
}
