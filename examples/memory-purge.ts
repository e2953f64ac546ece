/**
 * Queues a log purge against an in-memory log table and runs it, printing progress.
 * Run with `pnpm example:purge`. Nothing is durable: the store and the table live in memory.
 */
import {
  createLogPurgeHandler,
  createLogPurgeService,
  createMemoryLogTarget,
  createMemoryStore,
  createProcessor,
  createWorkQueue,
  LogPurgePayloadSchema,
} from "@logmk/workqueue";

const DAY_MS = 24 * 3_600_000;

const store = createMemoryStore();
const target = createMemoryLogTarget();
const now = Date.now();
target.generate({ deployment: "checkout", podName: "checkout-6f7c9-x2k4p", count: 500_000, from: new Date(now - 30 * DAY_MS), to: new Date(now) });
target.generate({ deployment: "search", podName: "search-5b8d4-q9w2e", count: 100_000, from: new Date(now - 30 * DAY_MS), to: new Date(now) });

const queue = createWorkQueue({ store, handlers: [{ type: "LOG_PURGE", payloadSchema: LogPurgePayloadSchema }] });
const purges = createLogPurgeService({ queue, target });
const processor = createProcessor({ store, handlers: [createLogPurgeHandler({ target, chunkSize: 20_000 })] });

const finished = new Promise<void>((resolve) => {
  queue.on("QueueItemProgress", ({ item }) => {
    console.log(`item ${item.id}: ${item.recordsAffected.toLocaleString("en")} of ~${item.estimatedRecords?.toLocaleString("en")} rows (${item.progress.toFixed(1)} %)`);
  });
  queue.on("QueueItemCompleted", ({ item }) => {
    console.log(`item ${item.id} completed: ${item.recordsAffected.toLocaleString("en")} rows deleted in ${item.elapsedTime}`);
    resolve();
  });
  queue.on("QueueItemFailed", ({ item }) => {
    console.error(`item ${item.id} failed: ${item.errorMessage}`);
    resolve();
  });
});
await queue.startEvents();

const item = await purges.enqueue({ podName: "checkout-6f7c9-x2k4p", timeRange: "week" });
console.log(`queued purge ${item.id} of pod ${item.podName} in ${item.deployment}: ~${item.estimatedRecords?.toLocaleString("en")} rows from ${item.payload.from} to ${item.payload.to}`);

await processor.start();
await finished;
await processor.stop();
await queue.close();

console.log(`rows left for the pod: ${target.countRows({ podName: "checkout-6f7c9-x2k4p" }).toLocaleString("en")}`);
