import { z } from "zod";
import { type Clock, systemClock } from "../clock.js";
import { WorkQueueError, errorMessageOf } from "../errors.js";
import { createEventFeed, type EventFeed } from "../events/feed.js";
import type { QueueEventListener } from "../events/emitter.js";
import type { QueueEvent, QueueEventMap, QueueEventName } from "../events/names.js";
import { toQueueEvent } from "../events/feed.js";
import { type Logger, silentLogger } from "../logger.js";
import { CreateWorkQueueItemRequestSchema, type CreateWorkQueueItemRequest, type WorkQueueStatusResponse } from "../model/dto.js";
import type { WorkQueueItem } from "../model/item.js";
import { DEFAULTS } from "../model/limits.js";
import { toItemResponse } from "../model/response.js";
import { WorkQueueStatusSchema, type WorkQueueStatus } from "../model/status.js";
import type { WorkQueueHandler } from "../processor/handler.js";
import { toOffPeakWindow, type OffPeakWindow, type OffPeakWindowOptions } from "../schedule/window.js";
import type { WorkQueueStore } from "../store/port.js";
import { parseOrThrow } from "../validation.js";
import { checkQueueOptions } from "./options.js";

export interface WorkQueueOptions {
  store: WorkQueueStore;
  /**
   * Handlers (or just their types and payload schemas) whose payloads `enqueue` validates.
   * An item of a type not listed here is rejected.
   */
  handlers: ReadonlyArray<Pick<WorkQueueHandler<any>, "type" | "payloadSchema">>;
  /** Maximum number of open (PENDING or IN_PROGRESS) items. Null: no limit. @default 1000 */
  maxOpenItems?: number | null;
  /** Attempts per item unless the request sets `maxAttempts`. @default 5 */
  defaultMaxAttempts?: number;
  /** Age in milliseconds after which `cleanup` deletes finished items. @default 30 days */
  retentionMs?: number;
  /** Age in milliseconds after which `cleanup` deletes recorded events. @default 1 day */
  eventRetentionMs?: number;
  /** Window for items queued with `schedule: "off-peak"`; without it such requests are rejected. */
  offPeakWindow?: OffPeakWindowOptions | OffPeakWindow;
  /** @default the system clock */
  clock?: Clock;
  /** @default silent */
  logger?: Logger;
}

export interface ListOptions {
  status?: WorkQueueStatus;
  type?: string;
  podName?: string;
  deployment?: string;
  /** Keyset cursor: items with a smaller id than this one. */
  before?: number;
  /** Page size, at most 500. @default 50 */
  limit?: number;
}

export interface CancelResult {
  /** `cancelled` when a PENDING item ended at once; `cancel-requested` when a running item was asked to stop. */
  outcome: "cancelled" | "cancel-requested";
  item: WorkQueueItem;
}

export interface CleanupResult {
  deletedItems: number;
  deletedEvents: number;
}

/** The work queue as applications and the HTTP layer use it. */
export interface WorkQueue extends AsyncDisposable {
  readonly store: WorkQueueStore;
  readonly offPeakWindow: OffPeakWindow | undefined;
  enqueue(request: CreateWorkQueueItemRequest): Promise<WorkQueueItem>;
  /** Returns the item, or throws NOT_FOUND. */
  get(id: number): Promise<WorkQueueItem>;
  list(options?: ListOptions): Promise<WorkQueueItem[]>;
  /** Items IN_PROGRESS now. */
  active(): Promise<WorkQueueItem[]>;
  /** Open items of a pod, oldest first. */
  openByPod(podName: string, deployment?: string | null): Promise<WorkQueueItem[]>;
  status(): Promise<WorkQueueStatusResponse>;
  /** Cancels a PENDING item at once or requests that a running one stop; throws NOT_FOUND or INVALID_STATE. */
  cancel(id: number): Promise<CancelResult>;
  /** Puts a FAILED or CANCELLED item back to PENDING; throws NOT_FOUND, INVALID_STATE or CONFLICT. */
  retry(id: number): Promise<WorkQueueItem>;
  /** Deletes finished items and events older than their retention. */
  cleanup(): Promise<CleanupResult>;

  /** Listens to one event, from any process sharing the store. Returns the function that stops listening. */
  on<Name extends QueueEventName>(name: Name, listener: (event: QueueEventMap[Name]) => void): () => void;
  /** Listens to every event. */
  onAny(listener: QueueEventListener): () => void;
  /** Recorded events after `afterId`, for replay to a client that reconnects. */
  readEvents(afterId: number, limit?: number): Promise<QueueEvent[]>;
  /** Starts following the store's events, if not yet started; `on` and `onAny` call it. */
  startEvents(): Promise<void>;
  /** Id of the last event delivered to listeners. */
  eventPosition(): number;
  /** Stops following events. Safe to call twice. */
  close(): Promise<void>;
}

const ListOptionsSchema = z
  .object({
    status: WorkQueueStatusSchema.optional(),
    type: z.string().max(64).optional(),
    podName: z.string().max(256).optional(),
    deployment: z.string().max(256).optional(),
    before: z.number().int().positive().optional(),
    limit: z.number().int().min(1).max(DEFAULTS.maxPageSize, { error: `limit must be at most ${DEFAULTS.maxPageSize}` }).default(DEFAULTS.pageSize),
  })
  .strict();

export function createWorkQueue(options: WorkQueueOptions): WorkQueue {
  checkQueueOptions(options);
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxOpenItems = options.maxOpenItems === undefined ? DEFAULTS.maxOpenItems : options.maxOpenItems;
  const defaultMaxAttempts = options.defaultMaxAttempts ?? DEFAULTS.maxAttempts;
  const retentionMs = options.retentionMs ?? DEFAULTS.retentionMs;
  const eventRetentionMs = options.eventRetentionMs ?? DEFAULTS.eventRetentionMs;
  const offPeakWindow = toOffPeakWindow(options.offPeakWindow);

  const schemas = new Map<string, z.ZodType>();
  for (const handler of options.handlers ?? []) schemas.set(handler.type, handler.payloadSchema);

  const feed: EventFeed = createEventFeed({ store, clock, logger });
  let feedStarted: Promise<void> | undefined;

  function startEvents(): Promise<void> {
    feedStarted ??= feed.start().catch((error) => {
      feedStarted = undefined;
      logger.error({ err: error }, `Starting the queue event feed failed: ${errorMessageOf(error)}`);
      throw error;
    });
    return feedStarted;
  }

  function notFound(id: number): WorkQueueError {
    return new WorkQueueError("NOT_FOUND", `No work-queue item has id ${id}; list items with GET /api/workqueue to find the id.`);
  }

  const queue: WorkQueue = {
    store,
    offPeakWindow,

    async enqueue(input) {
      const request = parseOrThrow(CreateWorkQueueItemRequestSchema, input, "work-queue item");
      const schema = schemas.get(request.type);
      if (!schema) {
        throw new WorkQueueError("VALIDATION_FAILED", `No handler is registered for type "${request.type}"; registered types: ${[...schemas.keys()].join(", ") || "none"}.`, { issues: [{ path: "type", message: "unknown type" }] });
      }
      const payload = parseOrThrow(schema, request.payload, `payload for type ${request.type}`) as Record<string, unknown>;

      let runAt = request.runAt === undefined ? null : new Date(request.runAt);
      if (request.schedule === "off-peak") {
        if (!offPeakWindow) {
          throw new WorkQueueError("VALIDATION_FAILED", `schedule "off-peak" needs an off-peak window, and none is configured; configure offPeakWindow or use schedule "now".`, { issues: [{ path: "schedule", message: "no off-peak window configured" }] });
        }
        runAt = offPeakWindow.nextStart(runAt ?? clock.now());
      }

      const item = await store.enqueue({
        item: {
          type: request.type,
          podName: request.podName,
          deployment: request.deployment ?? null,
          payload,
          metadata: request.metadata ?? null,
          priority: request.priority,
          runAt,
          schedule: request.schedule,
          maxAttempts: request.maxAttempts ?? defaultMaxAttempts,
          uniqueKey: request.uniqueKey ?? null,
          estimatedRecords: request.estimatedRecords ?? null,
          createdBy: request.createdBy ?? null,
        },
        maxOpenItems,
      });
      logger.info({ itemId: item.id, itemType: item.type, podName: item.podName, deployment: item.deployment, runAt: item.runAt.toISOString() }, `Queued item ${item.id}`);
      return item;
    },

    async get(id) {
      const item = await store.getItem({ id });
      if (!item) throw notFound(id);
      return item;
    },

    async list(listOptions = {}) {
      const parsed = parseOrThrow(ListOptionsSchema, listOptions, "list options");
      return store.listItems(parsed);
    },

    async active() {
      const items = await store.listItems({ status: "IN_PROGRESS", limit: DEFAULTS.maxPageSize });
      return items.reverse();
    },

    async openByPod(podName, deployment) {
      return store.findOpenByPod({ podName, deployment: deployment ?? null });
    },

    async status() {
      const [stats, pending, running] = await Promise.all([
        store.countByStatus(),
        store.listItems({ status: "PENDING", limit: DEFAULTS.maxPageSize }),
        store.listItems({ status: "IN_PROGRESS", limit: DEFAULTS.maxPageSize }),
      ]);
      const open = [...running.reverse(), ...pending.reverse()];
      const oldestPendingAgeSeconds = stats.oldestEligibleRunAt === null ? null : Math.max(0, (stats.now.getTime() - stats.oldestEligibleRunAt.getTime()) / 1000);
      return {
        items: open.map((item) => toItemResponse(item, stats.now)),
        pendingCount: stats.counts.PENDING,
        activeCount: stats.counts.IN_PROGRESS,
        completedCount: stats.counts.COMPLETED,
        failedCount: stats.counts.FAILED,
        cancelledCount: stats.counts.CANCELLED,
        oldestPendingAgeSeconds,
      };
    },

    async cancel(id) {
      // A pending item can be claimed between the two writes, and a running one released, so try a few rounds.
      for (let round = 0; round < 3; round++) {
        const pending = await store.cancelPending({ id });
        if (pending.applied && pending.item) {
          logger.info({ itemId: id }, `Cancelled pending item ${id}`);
          return { outcome: "cancelled", item: pending.item };
        }
        if (!pending.item) throw notFound(id);

        const running = await store.requestCancel({ id });
        if (running.applied && running.item) {
          logger.info({ itemId: id, lockedBy: running.item.lockedBy }, `Requested cancel of running item ${id}`);
          return { outcome: "cancel-requested", item: running.item };
        }
        if (!running.item) throw notFound(id);
        if (running.item.status !== "PENDING") {
          throw new WorkQueueError("INVALID_STATE", `Item ${id} is ${running.item.status} and cannot be cancelled; only PENDING and IN_PROGRESS items can.`, { item: running.item });
        }
      }
      throw new WorkQueueError("CONFLICT", `Item ${id} changed state while being cancelled; try again.`);
    },

    async retry(id) {
      // An off-peak item retried outside its window would be claimed and released at once.
      const offPeakRunAt = offPeakWindow ? offPeakWindow.nextStart(clock.now()) : null;
      const result = await store.retryItem({ id, maxOpenItems, offPeakRunAt });
      if (!result.item) throw notFound(id);
      if (!result.applied) {
        throw new WorkQueueError("INVALID_STATE", `Item ${id} is ${result.item.status} and cannot be retried; only FAILED and CANCELLED items can.`, { item: result.item });
      }
      logger.info({ itemId: id, previousError: result.previousErrorMessage, runAt: result.item.runAt.toISOString() }, `Retrying item ${id} by request`);
      return result.item;
    },

    async cleanup() {
      const now = clock.now().getTime();
      const deletedItems = await store.deleteFinishedBefore({ before: new Date(now - retentionMs), batchSize: 1_000 });
      const deletedEvents = await store.deleteEventsBefore({ before: new Date(now - eventRetentionMs) });
      logger.info({ deletedItems, deletedEvents, retentionMs, eventRetentionMs }, "Retention cleanup finished");
      return { deletedItems, deletedEvents };
    },

    on(name, listener) {
      void startEvents().catch(() => {});
      return feed.emitter.on(name, listener);
    },

    onAny(listener) {
      void startEvents().catch(() => {});
      return feed.emitter.onAny(listener);
    },

    async readEvents(afterId, limit = 500) {
      const events = await store.readEvents({ afterId, limit });
      return events.map(toQueueEvent);
    },

    startEvents,
    eventPosition: () => feed.position(),

    async close() {
      if (!feedStarted) return;
      await feedStarted.catch(() => {});
      feedStarted = undefined;
      await feed.stop();
    },

    [Symbol.asyncDispose]() {
      return queue.close();
    },
  };

  return queue;
}
