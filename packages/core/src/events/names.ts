import type { WorkQueueItemResponse } from "../model/dto.js";
import type { WorkQueueItem } from "../model/item.js";

/** Names of the queue events, as emitted in-process and as Server-Sent Event names. */
export const QUEUE_EVENT_NAMES = [
  "QueueItemAdded",
  "QueueItemStarted",
  "QueueItemProgress",
  "QueueItemCompleted",
  "QueueItemFailed",
  "QueueItemCancelled",
  "QueueItemRetried",
] as const;

export type QueueEventName = (typeof QUEUE_EVENT_NAMES)[number];

/**
 * Why an item went back to PENDING: an automatic retry after a failure (`backoff`), a worker
 * that stopped heartbeating (`lease-expired`), a person's retry (`manual`), or a release by the
 * processor when the off-peak window closed (`window-closed`) or the processor stopped (`shutdown`).
 */
export type RetryReason = "backoff" | "lease-expired" | "manual" | "window-closed" | "shutdown";

/** An event as the store records it, in the same transaction as the change it describes. */
export interface StoredEvent {
  /** Increasing sequence number; the Server-Sent Event id. */
  id: number;
  name: QueueEventName;
  itemId: number;
  at: Date;
  /** The item as the change left it. */
  item: WorkQueueItem;
  /** For QueueItemRetried: why the item went back to PENDING. */
  reason?: RetryReason;
  /** For QueueItemRetried: the error of the failed attempt, when there was one. */
  errorMessage?: string | null;
}

/** An event as listeners receive it: the item in its API representation. */
export interface QueueEvent {
  id: number;
  name: QueueEventName;
  at: string;
  item: WorkQueueItemResponse;
  reason?: RetryReason;
  errorMessage?: string | null;
}

/** Event map for the typed emitter: every event name carries a {@link QueueEvent}. */
export type QueueEventMap = { [Name in QueueEventName]: QueueEvent };
