import { type Clock, sleep } from "../clock.js";
import { errorMessageOf } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ChunkSizer } from "./chunk-size.js";
import type { ChunkErrorKind, ChunkResult, LogPurgeTarget } from "./target.js";

export interface ChunkRetryPolicy {
  /** Retries of one chunk after transient errors before the attempt fails. @default 8 */
  maxRetries: number;
  /** First delay in milliseconds, doubled per retry. @default 100 */
  baseDelayMs: number;
  /** Largest delay in milliseconds. @default 5000 */
  maxDelayMs: number;
}

export const DEFAULT_CHUNK_RETRY: ChunkRetryPolicy = { maxRetries: 8, baseDelayMs: 100, maxDelayMs: 5_000 };

/**
 * Runs one chunk, retrying deadlocks, lock timeouts, statement timeouts and lost connections with
 * backoff. A statement timeout also halves the chunk, so the retry does less work.
 */
export async function deleteChunkWithRetry(
  target: LogPurgeTarget,
  runChunk: (limit: number) => Promise<ChunkResult>,
  context: { sizer: ChunkSizer; policy: ChunkRetryPolicy; clock: Clock; logger: Logger; signal: AbortSignal; itemId: number },
): Promise<ChunkResult> {
  let delayMs = context.policy.baseDelayMs;

  for (let retry = 0; ; retry++) {
    const limit = context.sizer.current();
    try {
      return await runChunk(limit);
    } catch (error) {
      const kind: ChunkErrorKind | null = target.classifyError(error);
      if (kind === null || retry >= context.policy.maxRetries) throw error;

      if (kind === "statement-timeout") context.sizer.shrink();
      context.logger.warn(
        { err: error, itemId: context.itemId, errorKind: kind, retry: retry + 1, retryInMs: delayMs, nextChunkSize: context.sizer.current() },
        `Purge chunk of item ${context.itemId} hit a ${kind}, retrying in ${delayMs} ms: ${errorMessageOf(error)}`,
      );
      // A stop request during the wait ends the attempt: nothing of the failed chunk was committed.
      await sleep(context.clock, delayMs, context.signal);
      delayMs = Math.min(delayMs * 2, context.policy.maxDelayMs);
    }
  }
}
