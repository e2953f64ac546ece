/**
 * A worker process of the many-processes trial: runs a processor whose handler records each run of
 * a job in `job_runs`, counting repeated runs of the same job, until `{ stop: true }` arrives over IPC.
 * Started with one JSON argument (see JobWorkerInput).
 */
import { createProcessor, type WorkQueueHandler } from "@logmk/workqueue";
import { createPostgresStore } from "@logmk/workqueue-postgres";
import postgres from "postgres";
import { z } from "zod";
import { RECORDED_JOB_TYPE } from "./job-type.js";
import { stderrLogger } from "./stderr-logger.js";
import { serveWorker } from "./worker-process.js";

export interface JobWorkerInput {
  url: string;
  queueSchema: string;
  workerId: string;
  concurrency: number;
  localQueueSize: number;
  verbose: boolean;
}

const input = JSON.parse(process.argv[2]!) as JobWorkerInput;
const logger = input.verbose ? stderrLogger({ workerId: input.workerId }) : undefined;
const sql = postgres(input.url, { max: input.concurrency, onnotice: () => {} });
const store = createPostgresStore({ connection: input.url, schema: input.queueSchema, migrate: false, ...(logger ? { logger } : {}) });
const recordRun = `INSERT INTO "${input.queueSchema}".job_runs (item_id, runs, worker_id) VALUES ($1, 1, $2)
  ON CONFLICT (item_id) DO UPDATE SET runs = job_runs.runs + 1`;
const handler: WorkQueueHandler<Record<string, never>> = {
  type: RECORDED_JOB_TYPE,
  payloadSchema: z.object({}).strict(),
  async run({ item }) {
    await sql.unsafe(recordRun, [item.id, input.workerId]);
  },
};
const processor = createProcessor({ store, handlers: [handler], workerId: input.workerId, concurrency: input.concurrency, localQueueSize: input.localQueueSize, ...(logger ? { logger } : {}) });

await serveWorker(processor, async () => {
  await store.close();
  await sql.end();
});
