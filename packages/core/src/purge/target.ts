import type { FencedResult, ReportProgressParams } from "../store/port.js";

/** The rows one purge deletes, fixed when the purge is queued. */
export interface PurgeRange {
  /** Null when the log table has no deployment column. */
  deployment: string | null;
  podName: string;
  /** Inclusive lower bound on the log timestamp; null means from the oldest log. */
  from: Date | null;
  /** Exclusive upper bound on the log timestamp. */
  to: Date;
  /** Highest log id at enqueue: rows inserted later are never deleted. Null when the table was empty. */
  maxId: number | null;
}

/** Kinds of transient chunk errors that the purge retries. */
export type ChunkErrorKind = "deadlock" | "lock-timeout" | "statement-timeout" | "connection";

export interface DeleteChunkParams {
  range: PurgeRange;
  /** Keyset position after the previous chunk, as this target returned it; null for the first chunk. */
  cursor: unknown;
  /** Maximum number of rows to delete. */
  limit: number;
  /** Time limit of the delete statement, in milliseconds. */
  statementTimeoutMs: number;
  /**
   * Builds the fenced progress write for `deleted` rows. `done` is true when no matching row is left.
   * A target that shares a database with the queue store runs it in the chunk's transaction and
   * rolls the delete back when it does not apply.
   */
  progress?: (deleted: number, cursor: unknown, done: boolean) => ReportProgressParams;
}

export interface ChunkResult {
  /** Rows deleted by this chunk (0 when the progress write did not apply and the delete rolled back). */
  deleted: number;
  /** Keyset position the next chunk starts after. */
  cursor: unknown;
  /** True when no matching row is left after the cursor. */
  done: boolean;
  /** The progress write made in the chunk's transaction, when the target made one. */
  progressWrite?: FencedResult;
}

/** A pod as the purge screen lists it. */
export interface PodSummary {
  deployment: string | null;
  podName: string;
  /** An estimate, not an exact count. */
  approximateCount: number;
  oldest: Date | null;
  newest: Date | null;
}

export interface PodLookup {
  /** Whether any log row has this pod name. */
  exists: boolean;
  /** Deployments that have logs of this pod; null when the table has no deployment column. */
  deployments: string[] | null;
}

/**
 * The log table a purge deletes from. Database adapters implement it; `createMemoryLogTarget`
 * implements it in memory for tests.
 */
export interface LogPurgeTarget {
  /** Short name for logs, such as `postgres:public.Log`. */
  readonly name: string;
  /** Largest chunk the target accepts, such as 4,000 rows on SQL Server to stay below lock escalation. */
  readonly maxChunkSize?: number;
  /** The database's current time: the default upper end of a purge. */
  now(): Promise<Date>;
  findPod(params: { podName: string }): Promise<PodLookup>;
  /** Highest log id now, or null when the table is empty. */
  maxLogId(): Promise<number | null>;
  /** A fast estimate of the rows in the range, from statistics; never an exact count over the table. */
  estimateRows(range: PurgeRange): Promise<number>;
  /** Deletes the next chunk of the range, walking the (deployment, pod, timestamp) index by key. */
  deleteChunk(params: DeleteChunkParams): Promise<ChunkResult>;
  listPods(): Promise<PodSummary[]>;
  /**
   * Refreshes the statistics that `estimateRows` and `listPods` read. The purge handler starts it
   * without waiting once a purge has deleted its last rows, so `close()` should wait for it.
   * Optional: a database whose statistics follow deletes by themselves needs none.
   */
  refreshStatistics?(): Promise<void>;
  /** Classifies a thrown error as a transient kind that the purge retries, or null when it is not transient. */
  classifyError(error: unknown): ChunkErrorKind | null;
  close?(): Promise<void>;
}
