import { z } from "zod";
import { nextEventLoopTurn, type Clock, systemClock } from "../clock.js";
import { WorkQueueError, errorMessageOf } from "../errors.js";
import { DEFAULTS } from "../model/limits.js";
import { ItemStopError, type HandlerContext, type WorkQueueHandler } from "../processor/handler.js";
import type { ReportProgressParams } from "../store/port.js";
import { DEFAULT_CHUNK_RETRY, deleteChunkWithRetry, type ChunkRetryPolicy } from "./chunk-retry.js";
import { createChunkSizer } from "./chunk-size.js";
import { LOG_PURGE_TYPE, LogPurgePayloadSchema, type LogPurgePayload } from "./payload.js";
import type { LogPurgeTarget, PurgeRange } from "./target.js";

/** Facts about one committed chunk, for metrics. */
export interface ChunkObservation {
  itemId: number;
  deleted: number;
  durationMs: number;
  chunkSize: number;
}

export interface LogPurgeHandlerOptions {
  target: LogPurgeTarget;
  /** Rows in the first chunk. @default 10000 */
  chunkSize?: number;
  /** Smallest chunk. @default 500 */
  minChunkSize?: number;
  /** Largest chunk; the target's own maximum applies too. @default 100000 */
  maxChunkSize?: number;
  /** Chunk duration to aim at, in milliseconds; null keeps `chunkSize` fixed. @default 100 */
  targetChunkMs?: number | null;
  /** Time limit of one chunk's delete statement, in milliseconds. @default 5000 */
  chunkTimeoutMs?: number;
  /** Retries of a chunk after transient database errors. */
  chunkRetry?: Partial<ChunkRetryPolicy>;
  /** Called after every committed chunk. */
  onChunk?: (observation: ChunkObservation) => void;
  /** @default the system clock */
  clock?: Clock;
}

const HandlerOptionsSchema = z.object({
  chunkSize: z.number().int().min(1, { error: "chunkSize must be at least 1" }),
  minChunkSize: z.number().int().min(1, { error: "minChunkSize must be at least 1" }),
  maxChunkSize: z.number().int().min(1, { error: "maxChunkSize must be at least 1" }),
  targetChunkMs: z.number().positive({ error: "targetChunkMs must be greater than 0, or null" }).nullable(),
  chunkTimeoutMs: z.number().int().positive({ error: "chunkTimeoutMs must be greater than 0" }),
});

/** Percent done, held below 100 until the purge has finished. */
export function purgeProgress(recordsAffected: number, estimate: number): number {
  if (estimate <= 0) return 0;
  return Math.min(99, Math.floor((recordsAffected / estimate) * 10_000) / 100);
}

export function rangeOf(podName: string, deployment: string | null, payload: LogPurgePayload): PurgeRange {
  return {
    deployment,
    podName,
    from: payload.from === null ? null : new Date(payload.from),
    to: new Date(payload.to),
    maxId: payload.maxId,
  };
}

/**
 * Creates the handler of LOG_PURGE items: deletes the pod's rows of the frozen range in chunks,
 * each a short statement of its own, resuming after the last committed chunk.
 */
export function createLogPurgeHandler(options: LogPurgeHandlerOptions): WorkQueueHandler<LogPurgePayload> {
  const { target } = options;
  const clock = options.clock ?? systemClock;
  const parsed = HandlerOptionsSchema.safeParse({
    chunkSize: options.chunkSize ?? DEFAULTS.chunkSize,
    minChunkSize: options.minChunkSize ?? 500,
    maxChunkSize: Math.min(options.maxChunkSize ?? 100_000, target.maxChunkSize ?? Infinity),
    targetChunkMs: options.targetChunkMs === undefined ? 100 : options.targetChunkMs,
    chunkTimeoutMs: options.chunkTimeoutMs ?? 5_000,
  });
  if (!parsed.success) {
    throw new WorkQueueError("VALIDATION_FAILED", `Invalid log purge options: ${parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; ")}.`);
  }
  const settings = parsed.data;
  if (settings.minChunkSize > settings.maxChunkSize) {
    throw new WorkQueueError("VALIDATION_FAILED", `minChunkSize (${settings.minChunkSize}) is larger than the largest chunk allowed (${settings.maxChunkSize}); lower minChunkSize.`);
  }
  const retryPolicy: ChunkRetryPolicy = { ...DEFAULT_CHUNK_RETRY, ...options.chunkRetry };

  /**
   * Lets the target refresh its row estimates, which would otherwise still count the deleted rows.
   * A failure only leaves the estimates stale, so it is logged and the purge completes.
   */
  async function refreshStatistics(itemId: number, logger: HandlerContext<LogPurgePayload>["logger"]): Promise<void> {
    if (!target.refreshStatistics) return;
    try {
      await target.refreshStatistics();
    } catch (error) {
      logger.warn({ err: error }, `Refreshing the log table statistics after item ${itemId} failed; estimates stay stale until the database refreshes them: ${errorMessageOf(error)}`);
    }
  }

  async function run(context: HandlerContext<LogPurgePayload>) {
    const { item, payload, signal, logger } = context;
    const range = rangeOf(item.podName, item.deployment, payload);
    const sizer = createChunkSizer({ initial: settings.chunkSize, min: settings.minChunkSize, max: settings.maxChunkSize, targetMs: settings.targetChunkMs });

    let cursor: unknown = item.checkpoint ?? null;
    let recordsAffected = item.recordsAffected;
    let estimate = item.estimatedRecords ?? (await target.estimateRows(range));
    let chunks = 0;
    logger.info({ target: target.name, range, resumeFrom: cursor, recordsAffected, estimate }, `Purge of item ${item.id} ${cursor === null ? "starting" : "resuming"}`);

    /** Fenced progress after `deleted` more rows, re-basing the estimate when it proved low. */
    const progressAfter = (deleted: number, nextCursor: unknown, done = false): ReportProgressParams => {
      const total = recordsAffected + deleted;
      // Rows are left although the count reached the estimate: assume at least one more chunk's worth.
      const estimatedRecords = !done && total >= estimate ? total + Math.max(deleted, 1) : Math.max(estimate, total);
      return {
        id: item.id,
        fencingToken: item.fencingToken,
        recordsAffected: total,
        estimatedRecords,
        progress: purgeProgress(total, estimatedRecords),
        checkpoint: nextCursor,
        leaseMs: context.leaseMs,
      };
    };

    for (;;) {
      if (signal.aborted) throw signal.reason;

      const started = clock.now().getTime();
      const result = await deleteChunkWithRetry(
        target,
        // The write that commits with the chunk adds its rows to the stored count, so that a chunk
        // retried after a commit whose reply was lost counts only the rows it deleted itself.
        (limit) => target.deleteChunk({ range, cursor, limit, statementTimeoutMs: settings.chunkTimeoutMs, progress: (deleted, nextCursor, done) => ({ ...progressAfter(deleted, nextCursor, done), recordsAdded: deleted }) }),
        { sizer, policy: retryPolicy, clock, logger, signal, itemId: item.id },
      );
      const durationMs = clock.now().getTime() - started;

      if (result.progressWrite) {
        // The delete and its progress committed together, or both rolled back when the lease was lost.
        const accepted = context.acceptFencedResult(result.progressWrite);
        if (!accepted.applied) throw signal.reason ?? new ItemStopError("lease-lost", "the progress write did not apply");
        const written = result.progressWrite.item;
        recordsAffected = written?.recordsAffected ?? recordsAffected + result.deleted;
        estimate = written?.estimatedRecords ?? estimate;
      } else {
        const update = progressAfter(result.deleted, result.cursor, result.done);
        recordsAffected = update.recordsAffected;
        estimate = update.estimatedRecords ?? estimate;
        const accepted = await context.reportProgress(update);
        if (!accepted.applied) throw signal.reason ?? new ItemStopError("lease-lost", "the progress write did not apply");
      }
      cursor = result.cursor;
      chunks++;

      sizer.observe(result.deleted, durationMs);
      options.onChunk?.({ itemId: item.id, deleted: result.deleted, durationMs, chunkSize: sizer.current() });
      logger.debug({ deleted: result.deleted, durationMs, recordsAffected, nextChunkSize: sizer.current() }, `Purge chunk ${chunks} of item ${item.id} committed`);

      if (result.done) {
        logger.info({ recordsAffected, chunks }, `Purge of item ${item.id} deleted its last rows`);
        // Not awaited, because the item completes now while an ANALYZE of a large table takes a while.
        if (recordsAffected > 0) void refreshStatistics(item.id, logger);
        return { recordsAffected, checkpoint: cursor };
      }
      await nextEventLoopTurn();
    }
  }

  return {
    type: LOG_PURGE_TYPE,
    payloadSchema: LogPurgePayloadSchema,
    run,
  };
}
