import { type Clock, systemClock } from "../clock.js";
import { WorkQueueError } from "../errors.js";
import type { QueueEventName, RetryReason, StoredEvent } from "../events/names.js";
import type { WorkQueueItem } from "../model/item.js";
import { WORK_QUEUE_STATUSES, isOpenStatus, type WorkQueueStatus } from "../model/status.js";
import type {
  ChangeResult,
  FailResult,
  FencedParams,
  FencedResult,
  RecoveredItem,
  StatusCounts,
  StoreNotice,
  WorkQueueStore,
} from "./port.js";

export interface MemoryStoreOptions {
  /**
   * Clock that plays the database's role for leases and `runAt`.
   * @default the system clock
   */
  clock?: Clock;
}

/**
 * Creates an in-memory store for tests and single-process embedding.
 * NOTE: it is not durable: every item and event is lost when the process exits.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): WorkQueueStore {
  const clock = options.clock ?? systemClock;
  const items = new Map<number, WorkQueueItem>();
  const events: StoredEvent[] = [];
  const listeners = new Set<(notice: StoreNotice) => void>();
  let lastItemId = 0;
  let lastEventId = 0;

  const now = () => clock.now();
  const copy = <T>(value: T): T => structuredClone(value);

  function notify(notice: StoreNotice): void {
    // Deliver after the current call returns, as a database notification would arrive.
    queueMicrotask(() => {
      for (const listener of listeners) listener(notice);
    });
  }

  function record(name: QueueEventName, item: WorkQueueItem, extra: { reason?: RetryReason; errorMessage?: string | null } = {}): void {
    events.push({ id: ++lastEventId, name, itemId: item.id, at: now(), item: copy(item), ...extra });
  }

  function openCount(): number {
    let count = 0;
    for (const item of items.values()) if (isOpenStatus(item.status)) count++;
    return count;
  }

  function openItemWithKey(uniqueKey: string | null, exceptId?: number): WorkQueueItem | undefined {
    if (uniqueKey === null) return undefined;
    for (const item of items.values()) {
      if (item.id !== exceptId && item.uniqueKey === uniqueKey && isOpenStatus(item.status)) return item;
    }
    return undefined;
  }

  /** Returns the claimed item when the token matches its current lease, else undefined. */
  function fenced({ id, fencingToken }: FencedParams): WorkQueueItem | undefined {
    const item = items.get(id);
    if (!item || item.status !== "IN_PROGRESS" || item.fencingToken !== fencingToken) return undefined;
    return item;
  }

  function notApplied(id: number): FencedResult {
    const item = items.get(id);
    return { applied: false, item: item ? copy(item) : null };
  }

  function clearLease(item: WorkQueueItem): void {
    item.lockedBy = null;
    item.leaseExpiresAt = null;
  }

  function finish(item: WorkQueueItem, status: WorkQueueStatus, stopReason: WorkQueueItem["stopReason"]): void {
    const at = now();
    item.status = status;
    item.stopReason = stopReason;
    item.completedAt = at;
    item.updatedAt = at;
    clearLease(item);
  }

  const store: WorkQueueStore = {
    kind: "memory",

    async enqueue({ item: request, maxOpenItems }) {
      const existing = openItemWithKey(request.uniqueKey);
      if (existing) {
        throw new WorkQueueError("CONFLICT", `An open item with unique key "${request.uniqueKey}" already exists (item ${existing.id}); wait for it to finish or cancel it.`, { item: copy(existing) });
      }
      if (maxOpenItems !== null && openCount() >= maxOpenItems) {
        throw new WorkQueueError("QUEUE_FULL", `The queue is full: it has ${maxOpenItems} open items, the maximum; retry after some have finished.`, { details: { maxOpenItems } });
      }

      const at = now();
      const item: WorkQueueItem = {
        id: ++lastItemId,
        type: request.type,
        status: "PENDING",
        podName: request.podName,
        deployment: request.deployment,
        payload: copy(request.payload),
        metadata: copy(request.metadata),
        priority: request.priority,
        runAt: request.runAt ?? at,
        schedule: request.schedule,
        createdAt: at,
        updatedAt: at,
        startedAt: null,
        completedAt: null,
        errorMessage: null,
        recordsAffected: 0,
        recordsAtClaim: 0,
        estimatedRecords: request.estimatedRecords,
        progress: 0,
        attempts: 0,
        maxAttempts: request.maxAttempts,
        uniqueKey: request.uniqueKey,
        lockedBy: null,
        fencingToken: 0,
        leaseExpiresAt: null,
        cancelRequestedAt: null,
        createdBy: request.createdBy,
        checkpoint: null,
        stopReason: null,
      };
      items.set(item.id, item);
      record("QueueItemAdded", item);
      notify({ kind: "work-available" });
      notify({ kind: "events" });
      return copy(item);
    },

    async claimNext({ workerId, types, leaseMs, limit }) {
      const at = now();
      const eligible = [...items.values()]
        .filter((item) => item.status === "PENDING" && item.runAt <= at && types.includes(item.type))
        .sort((a, b) => b.priority - a.priority || a.runAt.getTime() - b.runAt.getTime() || a.id - b.id)
        .slice(0, Math.max(0, limit));

      for (const item of eligible) {
        item.status = "IN_PROGRESS";
        item.attempts += 1;
        item.recordsAtClaim = item.recordsAffected;
        item.fencingToken += 1;
        item.lockedBy = workerId;
        item.leaseExpiresAt = new Date(at.getTime() + leaseMs);
        item.startedAt = at;
        item.updatedAt = at;
        item.stopReason = null;
        record("QueueItemStarted", item);
      }
      if (eligible.length > 0) notify({ kind: "events" });
      return eligible.map(copy);
    },

    async heartbeat(params) {
      const item = fenced(params);
      if (!item) return notApplied(params.id);
      item.leaseExpiresAt = new Date(now().getTime() + params.leaseMs);
      return { applied: true, item: copy(item) };
    },

    async reportProgress(params) {
      const item = fenced(params);
      if (!item) return notApplied(params.id);
      const at = now();
      item.recordsAffected = params.recordsAdded === undefined ? params.recordsAffected : item.recordsAffected + params.recordsAdded;
      item.progress = params.progress;
      if (params.estimatedRecords !== undefined) item.estimatedRecords = params.estimatedRecords;
      if (params.checkpoint !== undefined) item.checkpoint = copy(params.checkpoint);
      if (params.leaseMs !== undefined) item.leaseExpiresAt = new Date(at.getTime() + params.leaseMs);
      item.updatedAt = at;
      record("QueueItemProgress", item);
      notify({ kind: "events" });
      return { applied: true, item: copy(item) };
    },

    async completeItem(params) {
      const item = fenced(params);
      if (!item) return notApplied(params.id);
      if (params.recordsAffected !== undefined) item.recordsAffected = params.recordsAffected;
      if (params.checkpoint !== undefined) item.checkpoint = copy(params.checkpoint);
      item.progress = 100;
      item.errorMessage = null;
      finish(item, "COMPLETED", "completed");
      record("QueueItemCompleted", item);
      notify({ kind: "events" });
      return { applied: true, item: copy(item) };
    },

    async completeItems({ items: batch }) {
      const results: FencedResult[] = [];
      for (const params of batch) results.push(await store.completeItem(params));
      return results;
    },

    async failItem(params): Promise<FailResult> {
      const item = fenced(params);
      if (!item) return { ...notApplied(params.id), outcome: null };
      item.errorMessage = params.errorMessage;

      if (params.retryDelayMs !== null && item.attempts < item.maxAttempts) {
        const at = now();
        item.status = "PENDING";
        item.runAt = new Date(at.getTime() + params.retryDelayMs);
        item.stopReason = params.stopReason;
        item.updatedAt = at;
        clearLease(item);
        record("QueueItemRetried", item, { reason: "backoff", errorMessage: params.errorMessage });
        notify({ kind: "events" });
        return { applied: true, item: copy(item), outcome: "retried" };
      }

      finish(item, "FAILED", params.stopReason);
      record("QueueItemFailed", item);
      notify({ kind: "events" });
      return { applied: true, item: copy(item), outcome: "failed" };
    },

    async cancelClaimed(params) {
      const item = fenced(params);
      if (!item) return notApplied(params.id);
      if (params.recordsAffected !== undefined) item.recordsAffected = params.recordsAffected;
      if (params.checkpoint !== undefined) item.checkpoint = copy(params.checkpoint);
      item.cancelRequestedAt ??= now();
      finish(item, "CANCELLED", "cancelled");
      record("QueueItemCancelled", item);
      notify({ kind: "events" });
      return { applied: true, item: copy(item) };
    },

    async releaseItem(params) {
      const item = fenced(params);
      if (!item) return notApplied(params.id);
      const at = now();
      item.status = "PENDING";
      item.attempts = Math.max(0, item.attempts - 1);
      item.runAt = params.runAt ?? at;
      item.stopReason = params.reason;
      item.updatedAt = at;
      clearLease(item);
      record("QueueItemRetried", item, { reason: params.reason });
      notify({ kind: "events" });
      notify({ kind: "work-available" });
      return { applied: true, item: copy(item) };
    },

    async requestCancel({ id }): Promise<ChangeResult> {
      const item = items.get(id);
      if (!item) return { applied: false, item: null };
      if (item.status !== "IN_PROGRESS") return { applied: false, item: copy(item) };
      if (item.cancelRequestedAt === null) {
        item.cancelRequestedAt = now();
        item.updatedAt = item.cancelRequestedAt;
      }
      return { applied: true, item: copy(item) };
    },

    async cancelPending({ id }): Promise<ChangeResult> {
      const item = items.get(id);
      if (!item) return { applied: false, item: null };
      if (item.status !== "PENDING") return { applied: false, item: copy(item) };
      item.cancelRequestedAt = now();
      finish(item, "CANCELLED", "cancelled");
      record("QueueItemCancelled", item);
      notify({ kind: "events" });
      return { applied: true, item: copy(item) };
    },

    async retryItem({ id, maxOpenItems, offPeakRunAt }) {
      const item = items.get(id);
      if (!item) return { applied: false, item: null, previousErrorMessage: null };
      if (item.status !== "FAILED" && item.status !== "CANCELLED") {
        return { applied: false, item: copy(item), previousErrorMessage: null };
      }
      const existing = openItemWithKey(item.uniqueKey, item.id);
      if (existing) {
        throw new WorkQueueError("CONFLICT", `Item ${id} cannot be retried while item ${existing.id} with the same unique key "${item.uniqueKey}" is open; wait for it to finish or cancel it.`, { item: copy(existing) });
      }
      if (maxOpenItems !== null && openCount() >= maxOpenItems) {
        throw new WorkQueueError("QUEUE_FULL", `The queue is full: it has ${maxOpenItems} open items, the maximum; retry after some have finished.`, { details: { maxOpenItems } });
      }

      const at = now();
      const previousErrorMessage = item.errorMessage;
      item.status = "PENDING";
      item.attempts = 0;
      item.errorMessage = null;
      item.runAt = item.schedule === "off-peak" && offPeakRunAt && offPeakRunAt > at ? new Date(offPeakRunAt) : at;
      item.completedAt = null;
      item.cancelRequestedAt = null;
      item.stopReason = null;
      item.updatedAt = at;
      clearLease(item);
      record("QueueItemRetried", item, { reason: "manual", errorMessage: previousErrorMessage });
      notify({ kind: "events" });
      notify({ kind: "work-available" });
      return { applied: true, item: copy(item), previousErrorMessage };
    },

    async recoverExpiredLeases({ retryDelayMs, limit }) {
      const at = now();
      const expired = [...items.values()]
        .filter((item) => item.status === "IN_PROGRESS" && item.leaseExpiresAt !== null && item.leaseExpiresAt <= at)
        .sort((a, b) => a.id - b.id)
        .slice(0, limit);

      const recovered: RecoveredItem[] = [];
      for (const item of expired) {
        if (item.cancelRequestedAt !== null) {
          finish(item, "CANCELLED", "cancelled");
          record("QueueItemCancelled", item);
          recovered.push({ item: copy(item), outcome: "cancelled" });
        } else if (item.attempts < item.maxAttempts) {
          const previousErrorMessage = item.errorMessage;
          item.status = "PENDING";
          item.runAt = new Date(at.getTime() + retryDelayMs);
          item.stopReason = "lease-lost";
          item.updatedAt = at;
          clearLease(item);
          record("QueueItemRetried", item, { reason: "lease-expired", errorMessage: previousErrorMessage });
          recovered.push({ item: copy(item), outcome: "retried" });
        } else {
          item.errorMessage = `The worker's lease expired on attempt ${item.attempts} of ${item.maxAttempts}; the worker probably crashed or lost its connection.`;
          finish(item, "FAILED", "lease-lost");
          record("QueueItemFailed", item);
          recovered.push({ item: copy(item), outcome: "failed" });
        }
      }
      if (recovered.length > 0) {
        notify({ kind: "events" });
        notify({ kind: "work-available" });
      }
      return recovered;
    },

    async getItem({ id }) {
      const item = items.get(id);
      return item ? copy(item) : null;
    },

    async listItems({ status, type, podName, deployment, before, limit }) {
      const found: WorkQueueItem[] = [];
      const ids = [...items.keys()].sort((a, b) => b - a);
      for (const id of ids) {
        if (found.length >= limit) break;
        const item = items.get(id)!;
        if (before !== undefined && item.id >= before) continue;
        if (status !== undefined && item.status !== status) continue;
        if (type !== undefined && item.type !== type) continue;
        if (podName !== undefined && item.podName !== podName) continue;
        if (deployment !== undefined && item.deployment !== deployment) continue;
        found.push(copy(item));
      }
      return found;
    },

    async findOpenByPod({ podName, deployment }) {
      return [...items.values()]
        .filter((item) => item.podName === podName && isOpenStatus(item.status))
        .filter((item) => deployment === undefined || deployment === null || item.deployment === deployment)
        .sort((a, b) => a.id - b.id)
        .map(copy);
    },

    async countByStatus(): Promise<StatusCounts> {
      const at = now();
      const counts = Object.fromEntries(WORK_QUEUE_STATUSES.map((status) => [status, 0])) as Record<WorkQueueStatus, number>;
      let oldestEligibleRunAt: Date | null = null;
      for (const item of items.values()) {
        counts[item.status] += 1;
        if (item.status === "PENDING" && item.runAt <= at && (oldestEligibleRunAt === null || item.runAt < oldestEligibleRunAt)) {
          oldestEligibleRunAt = item.runAt;
        }
      }
      return { counts, oldestEligibleRunAt: oldestEligibleRunAt === null ? null : new Date(oldestEligibleRunAt), now: at };
    },

    async deleteFinishedBefore({ before }) {
      let deleted = 0;
      for (const [id, item] of items) {
        if (!isOpenStatus(item.status) && item.completedAt !== null && item.completedAt < before) {
          items.delete(id);
          deleted++;
        }
      }
      return deleted;
    },

    async readEvents({ afterId, limit }) {
      const found: StoredEvent[] = [];
      for (const event of events) {
        if (event.id <= afterId) continue;
        found.push(copy(event));
        if (found.length >= limit) break;
      }
      return found;
    },

    async lastEventId() {
      return lastEventId;
    },

    async deleteEventsBefore({ before }) {
      const keepFrom = events.findIndex((event) => event.at >= before);
      const deleted = keepFrom === -1 ? events.length : keepFrom;
      events.splice(0, deleted);
      return deleted;
    },

    async ping() {},

    async subscribe(listener) {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
  };

  return store;
}
