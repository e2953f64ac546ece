import { type ChunkObservation, type QueueEvent, type WorkQueue, WORK_QUEUE_STATUSES, WorkQueueError } from "@logmk/workqueue";
import { z } from "zod";
import { createMetricRegistry } from "./prometheus.js";

export interface WorkQueueMetricsOptions {
  /** The queue whose events are counted and whose store is asked for the item counts. */
  queue: WorkQueue;
  /** Upper bounds of the purge chunk duration buckets, in seconds. @default 0.01 to 10 */
  chunkDurationBuckets?: readonly number[];
  /** Upper bounds of the enqueue-to-start latency buckets, in seconds. @default 0.005 to 3600 */
  startLatencyBuckets?: readonly number[];
}

/** The queue's Prometheus metrics, served by the app at `GET /metrics`. */
export interface WorkQueueMetrics {
  /** Records one committed purge chunk; pass it to `createLogPurgeHandler({ onChunk })`. */
  readonly observeChunk: (observation: ChunkObservation) => void;
  /** Renders every metric as Prometheus text, reading the item counts from the store. */
  render(): Promise<string>;
  /** Stops counting queue events. Safe to call twice. */
  close(): void;
}

const DEFAULT_CHUNK_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const DEFAULT_LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 15, 60, 300, 900, 3600];

const buckets = (field: string) =>
  z
    .array(z.number({ error: `${field} must contain numbers of seconds` }).positive({ error: `${field} must contain positive numbers of seconds` }).finite())
    .min(1, { error: `${field} must contain at least one bucket bound` })
    .refine((bounds) => bounds.every((bound, index) => index === 0 || bound > bounds[index - 1]!), { error: `${field} must be in strictly ascending order, such as [0.1, 1, 10]` });

const MetricsOptionsSchema = z
  .object({
    queue: z.custom((value) => typeof (value as WorkQueue | undefined)?.onAny === "function" && typeof (value as WorkQueue).store?.countByStatus === "function", {
      error: "queue must be a work queue, such as createWorkQueue({ store, handlers })",
    }),
    chunkDurationBuckets: buckets("chunkDurationBuckets").default(DEFAULT_CHUNK_BUCKETS),
    startLatencyBuckets: buckets("startLatencyBuckets").default(DEFAULT_LATENCY_BUCKETS),
  })
  .strict();

/**
 * Creates the metrics and starts counting the queue's events. The event counters see every
 * event in the store, including those of other processes, so with several replicas read them
 * from one replica (or take the maximum) instead of adding them up. The chunk figures count only
 * the purges of this process, through `observeChunk`.
 */
export function createWorkQueueMetrics(options: WorkQueueMetricsOptions): WorkQueueMetrics {
  const parsed = MetricsOptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new WorkQueueError("VALIDATION_FAILED", `Invalid createWorkQueueMetrics options: ${parsed.error.issues.map((issue) => issue.message).join("; ")}.`, { cause: parsed.error });
  }
  const { queue } = options;
  const registry = createMetricRegistry();

  const items = registry.gauge("workqueue_items", "Items in the queue by status, read from the store at scrape time.", ["status"]);
  const oldestPending = registry.gauge("workqueue_oldest_pending_age_seconds", "Seconds since the oldest eligible PENDING item became eligible, 0 when there is none.");
  const claims = registry.counter("workqueue_claims_total", "Items claimed by a worker (QueueItemStarted events).", ["type"]);
  const completions = registry.counter("workqueue_completions_total", "Items completed (QueueItemCompleted events).", ["type"]);
  const failures = registry.counter("workqueue_failures_total", "Items that ended FAILED (QueueItemFailed events).", ["type"]);
  const retries = registry.counter("workqueue_retries_total", "Items put back to PENDING (QueueItemRetried events), by reason.", ["type", "reason"]);
  const cancellations = registry.counter("workqueue_cancellations_total", "Items that ended CANCELLED (QueueItemCancelled events).", ["type"]);
  const startLatency = registry.histogram(
    "workqueue_start_latency_seconds",
    "Seconds from an item's runAt (when it became eligible) to its claim.",
    parsed.data.startLatencyBuckets,
    ["type"],
  );
  const chunkDuration = registry.histogram("workqueue_purge_chunk_duration_seconds", "Duration of committed purge chunks in this process.", parsed.data.chunkDurationBuckets);
  const rowsPurged = registry.counter("workqueue_purge_rows_deleted_total", "Log rows deleted by purge chunks in this process.");

  const onEvent = (event: QueueEvent) => {
    const type = { type: event.item.type };
    switch (event.name) {
      case "QueueItemStarted": {
        claims.inc(type);
        const startedAt = event.item.startedAt === null ? Number.NaN : Date.parse(event.item.startedAt);
        const latencySeconds = (startedAt - Date.parse(event.item.runAt)) / 1000;
        if (Number.isFinite(latencySeconds)) startLatency.observe(Math.max(0, latencySeconds), type);
        break;
      }
      case "QueueItemCompleted":
        completions.inc(type);
        break;
      case "QueueItemFailed":
        failures.inc(type);
        break;
      case "QueueItemRetried":
        retries.inc({ ...type, reason: event.reason ?? "unknown" });
        break;
      case "QueueItemCancelled":
        cancellations.inc(type);
        break;
      default:
        break;
    }
  };
  // NOTE: listening starts the queue's event feed, which polls the store in the background.
  let stopListening: (() => void) | undefined = queue.onAny(onEvent);

  return {
    observeChunk(observation) {
      chunkDuration.observe(observation.durationMs / 1000);
      rowsPurged.inc({}, observation.deleted);
    },

    async render() {
      const stats = await queue.store.countByStatus();
      for (const status of WORK_QUEUE_STATUSES) items.set(stats.counts[status], { status });
      const oldest = stats.oldestEligibleRunAt;
      oldestPending.set(oldest === null ? 0 : Math.max(0, (stats.now.getTime() - oldest.getTime()) / 1000));
      return registry.render();
    },

    close() {
      stopListening?.();
      stopListening = undefined;
    },
  };
}
