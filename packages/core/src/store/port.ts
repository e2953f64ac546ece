import type { StoredEvent } from "../events/names.js";
import type { WorkQueueItem } from "../model/item.js";
import type { Schedule, StopReason, WorkQueueStatus } from "../model/status.js";

/** The fields a caller chooses when queueing an item; the store fills in the rest. */
export interface NewWorkQueueItem {
  type: string;
  podName: string;
  deployment: string | null;
  payload: Record<string, unknown>;
  metadata: Record<string, unknown> | null;
  priority: number;
  /** Earliest start; null means the store's current time, so that immediate items run FIFO. */
  runAt: Date | null;
  schedule: Schedule;
  maxAttempts: number;
  uniqueKey: string | null;
  estimatedRecords: number | null;
  createdBy: string | null;
}

export interface EnqueueParams {
  item: NewWorkQueueItem;
  /** Maximum number of open items; the enqueue fails with QUEUE_FULL at this count. Null: no limit. */
  maxOpenItems: number | null;
}

export interface ClaimParams {
  workerId: string;
  /** Only items of these types are claimed. */
  types: readonly string[];
  leaseMs: number;
  /** Maximum number of items to claim at once. */
  limit: number;
}

/** Identifies a claimed item and the lease under which a worker writes to it. */
export interface FencedParams {
  id: number;
  fencingToken: number;
}

export interface HeartbeatParams extends FencedParams {
  leaseMs: number;
}

export interface ReportProgressParams extends FencedParams {
  /** Total rows affected so far, across attempts. */
  recordsAffected: number;
  /**
   * Rows this write adds. When given, the store adds them to its stored count and ignores
   * `recordsAffected`, so that a chunk retried after a commit whose reply was lost cannot lower
   * the count: the retry deletes, and adds, only rows the committed chunk left.
   */
  recordsAdded?: number;
  /** Percent done, below 100 while the item runs. */
  progress: number;
  /** New estimate, or undefined to keep the stored one. */
  estimatedRecords?: number | null;
  /** Resume point for the next attempt, or undefined to keep the stored one. */
  checkpoint?: unknown;
  /** Extends the lease by this much while writing, or undefined to leave it. */
  leaseMs?: number;
}

export interface CompleteItemParams extends FencedParams {
  recordsAffected?: number;
  checkpoint?: unknown;
}

export interface FailItemParams extends FencedParams {
  errorMessage: string;
  /**
   * Delay before the next attempt, measured on the store's clock. The item ends FAILED instead
   * when this is null or the item has used all its attempts.
   */
  retryDelayMs: number | null;
  stopReason: Extract<StopReason, "failed" | "timed-out">;
}

export interface CancelClaimedParams extends FencedParams {
  recordsAffected?: number;
  checkpoint?: unknown;
}

export interface ReleaseItemParams extends FencedParams {
  reason: Extract<StopReason, "window-closed" | "shutdown">;
  /** Earliest next start, or null for the store's current time. */
  runAt: Date | null;
}

/**
 * Result of a fenced write. `applied` is false when the worker no longer holds the lease; `item`
 * is then the item as it is now (null if it was deleted), so the caller can tell why.
 */
export interface FencedResult {
  applied: boolean;
  item: WorkQueueItem | null;
}

export interface FailResult extends FencedResult {
  /** `retried` when the item went back to PENDING, `failed` when it ended FAILED. */
  outcome: "retried" | "failed" | null;
}

export interface ItemIdParams {
  id: number;
}

export interface ChangeResult {
  applied: boolean;
  item: WorkQueueItem | null;
}

export interface RetryItemParams extends ItemIdParams {
  maxOpenItems: number | null;
  /**
   * When an item with schedule `off-peak` may run again, such as the next start of the off-peak
   * window; an instant already past means at once. Items with schedule `now`, and every item
   * when this is absent, become eligible at once.
   */
  offPeakRunAt?: Date | null;
}

export interface RetryItemResult extends ChangeResult {
  /** The error message the item carried before the retry cleared it. */
  previousErrorMessage: string | null;
}

export interface RecoverParams {
  /** Delay before a recovered item may run again, on the store's clock. */
  retryDelayMs: number;
  /** Maximum number of items recovered by one call. */
  limit: number;
}

export interface RecoveredItem {
  item: WorkQueueItem;
  outcome: "retried" | "failed" | "cancelled";
}

export interface ListItemsParams {
  status?: WorkQueueStatus;
  type?: string;
  podName?: string;
  deployment?: string;
  /** Keyset cursor: only items with a smaller id. */
  before?: number;
  limit: number;
}

export interface FindOpenByPodParams {
  podName: string;
  /** When given, only items of this deployment. */
  deployment?: string | null;
}

export interface StatusCounts {
  counts: Record<WorkQueueStatus, number>;
  /** `runAt` of the oldest PENDING item that is already eligible to run, or null. */
  oldestEligibleRunAt: Date | null;
  /** The store's current time, for computing ages on the same clock. */
  now: Date;
}

export interface DeleteFinishedParams {
  /** Finished items whose `completedAt` is before this instant are deleted. */
  before: Date;
  /** Rows per delete statement, so that a large cleanup never holds locks for long. */
  batchSize: number;
}

export interface ReadEventsParams {
  /** Only events with a larger id; 0 reads from the oldest kept event. */
  afterId: number;
  limit: number;
}

/**
 * A change made through the store by any process. Stores without a push channel do not
 * implement `subscribe`; the queue then polls.
 */
export type StoreNotice = { kind: "work-available" } | { kind: "events" };

export type Unsubscribe = () => Promise<void>;

/**
 * Storage port of the work queue. Every store keeps these rules:
 * - `claimNext` is atomic: an item is claimed by one worker at a time, only when PENDING, its
 *   `runAt` reached and its type requested, in order of priority (high first), then `runAt`,
 *   then `id`.
 * - Every write after the claim presents the fencing token and changes nothing once the lease
 *   is lost (`applied: false`).
 * - Lease and `runAt` comparisons use one clock: the database's in SQL stores.
 * - `uniqueKey` is unique among open items, race-free; a duplicate enqueue fails with CONFLICT.
 * - Every change that has an event records it in the same transaction.
 */
export interface WorkQueueStore {
  /** Short name for logs, such as `memory` or `postgres`. */
  readonly kind: string;

  /** Adds an item; fails with QUEUE_FULL or CONFLICT (carrying the open item). */
  enqueue(params: EnqueueParams): Promise<WorkQueueItem>;
  /** Claims up to `limit` eligible items, marking them IN_PROGRESS under a new lease. */
  claimNext(params: ClaimParams): Promise<WorkQueueItem[]>;
  /** Extends the lease. */
  heartbeat(params: HeartbeatParams): Promise<FencedResult>;
  reportProgress(params: ReportProgressParams): Promise<FencedResult>;
  completeItem(params: CompleteItemParams): Promise<FencedResult>;
  /**
   * Completes several claimed items in one round trip; results are in the order of `items`.
   * Optional: the processor falls back to `completeItem` per item.
   */
  completeItems?(params: { items: readonly CompleteItemParams[] }): Promise<FencedResult[]>;
  /** Ends an attempt with an error: back to PENDING after the delay, or FAILED. */
  failItem(params: FailItemParams): Promise<FailResult>;
  /** Ends a claimed item CANCELLED after its handler stopped on a cancel request. */
  cancelClaimed(params: CancelClaimedParams): Promise<FencedResult>;
  /** Gives a claimed item back to PENDING without using up the attempt. */
  releaseItem(params: ReleaseItemParams): Promise<FencedResult>;

  /** Asks the worker of an IN_PROGRESS item to stop; applies to IN_PROGRESS items only. */
  requestCancel(params: ItemIdParams): Promise<ChangeResult>;
  /** Ends a PENDING item CANCELLED; applies to PENDING items only. */
  cancelPending(params: ItemIdParams): Promise<ChangeResult>;
  /** Puts a FAILED or CANCELLED item back to PENDING with its attempts reset. */
  retryItem(params: RetryItemParams): Promise<RetryItemResult>;
  /** Returns items whose lease expired to PENDING, or ends them FAILED or CANCELLED. */
  recoverExpiredLeases(params: RecoverParams): Promise<RecoveredItem[]>;

  getItem(params: ItemIdParams): Promise<WorkQueueItem | null>;
  /** Lists items newest first (by id descending). */
  listItems(params: ListItemsParams): Promise<WorkQueueItem[]>;
  /** Lists the open items of a pod, oldest first. */
  findOpenByPod(params: FindOpenByPodParams): Promise<WorkQueueItem[]>;
  countByStatus(): Promise<StatusCounts>;
  /** Deletes finished items, in batches; returns how many were deleted. */
  deleteFinishedBefore(params: DeleteFinishedParams): Promise<number>;

  /** Reads recorded events in id order. */
  readEvents(params: ReadEventsParams): Promise<StoredEvent[]>;
  /** Returns the id of the newest recorded event, or 0 when there is none. */
  lastEventId(): Promise<number>;
  /** Deletes events recorded before `before`; returns how many were deleted. */
  deleteEventsBefore(params: { before: Date }): Promise<number>;

  /** Checks that the store is reachable; throws when it is not. */
  ping(): Promise<void>;
  /** Delivers notices of changes made by any process, including this one. */
  subscribe?(listener: (notice: StoreNotice) => void): Promise<Unsubscribe>;
  /** Releases connections the store opened itself. */
  close?(): Promise<void>;
}
