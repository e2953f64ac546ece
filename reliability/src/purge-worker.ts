/**
 * A worker process of the purge trials: runs a processor with the log purge handler until
 * `{ stop: true }` arrives over IPC or the process is killed. Sends `{ started: true }` once running and `{ chunk }` after
 * every committed chunk. Started with one JSON argument (see PurgeWorkerInput).
 */
import { createLogPurgeHandler, createProcessor } from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import { stderrLogger } from "./stderr-logger.js";
import { serveWorker } from "./worker-process.js";

export interface PurgeWorkerInput {
  url: string;
  logSchema: string;
  queueSchema: string;
  workerId: string;
  chunkSize: number;
  leaseMs: number;
  /** Log warnings and errors to standard error. */
  verbose: boolean;
}

const input = JSON.parse(process.argv[2]!) as PurgeWorkerInput;
const logger = input.verbose ? stderrLogger({ workerId: input.workerId }) : undefined;
const store = createPostgresStore({ connection: input.url, schema: input.queueSchema, migrate: false, ...(logger ? { logger } : {}) });
const target = createPostgresLogTarget({ connection: input.url, schema: input.logSchema, queueStore: store, ...(logger ? { logger } : {}) });
const handler = createLogPurgeHandler({
  target,
  chunkSize: input.chunkSize,
  minChunkSize: input.chunkSize,
  // A fixed chunk size gives every trial about the same number of kill points.
  targetChunkMs: null,
  onChunk: (chunk) => process.send?.({ chunk }),
});
const processor = createProcessor({
  store,
  handlers: [handler],
  workerId: input.workerId,
  leaseMs: input.leaseMs,
  pollIntervalMs: 1_000,
  backoff: { baseMs: 200, maxMs: 2_000 },
  ...(logger ? { logger } : {}),
});

await serveWorker(processor, async () => {
  await target.close();
  await store.close();
});
