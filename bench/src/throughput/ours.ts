import { createProcessor, createWorkQueue, type Processor, type WorkQueueHandler } from "@logmk/workqueue";
import { createPostgresStore } from "@logmk/workqueue-postgres";
import { z } from "zod";
import { dropSchema, openSql, uniqueSchema } from "../support/database.js";
import type { ContenderFactory } from "./contender.js";

export interface OursOptions {
  /** Name in the figures. */
  name: string;
  localQueueSize?: number;
  completionBatchMs?: number;
}

const NOOP_TYPE = "BENCH_NOOP";

/** The LogMk work queue: `createProcessor` over `createPostgresStore`, with LISTEN/NOTIFY wake-ups. */
export function oursContender(options: OursOptions): ContenderFactory {
  return async ({ url, concurrency }) => {
    const schema = uniqueSchema("ours");
    const sql = openSql(url);
    const store = createPostgresStore({ connection: url, schema });
    await store.migrate();
    let onJob: () => void = () => {};
    const handler: WorkQueueHandler<Record<string, never>> = {
      type: NOOP_TYPE,
      payloadSchema: z.object({}).strict(),
      run: async () => onJob(),
    };
    const queue = createWorkQueue({ store, handlers: [handler], maxOpenItems: null });
    let processor: Processor | undefined;

    return {
      name: options.name,
      async enqueueBulk(count) {
        // The same columns and values as store.enqueue writes, for many rows in one statement.
        await sql.unsafe(
          `INSERT INTO "${schema}".work_queue (type, status, pod_name, payload, priority, run_at, schedule, created_at, updated_at, max_attempts)
           SELECT $1, 'PENDING', 'bench', '{}'::jsonb, 0, now(), 'now', now(), now(), 5 FROM generate_series(1, $2::integer)`,
          [NOOP_TYPE, count],
        );
      },
      async enqueueOne() {
        await queue.enqueue({ type: NOOP_TYPE, podName: "bench" });
      },
      async startWorkers(callback) {
        onJob = callback;
        processor = createProcessor({
          store,
          handlers: [handler],
          concurrency,
          ...(options.localQueueSize === undefined ? {} : { localQueueSize: options.localQueueSize }),
          ...(options.completionBatchMs === undefined ? {} : { completionBatchMs: options.completionBatchMs }),
        });
        await processor.start();
      },
      async stopWorkers() {
        await processor?.stop();
      },
      async countCompleted() {
        const [row] = await sql.unsafe(`SELECT count(*)::integer AS count FROM "${schema}".work_queue WHERE status = 'COMPLETED'`);
        return Number(row!.count);
      },
      async dispose() {
        await processor?.stop();
        await queue.close();
        await store.close();
        await dropSchema(sql, schema);
        await sql.end();
      },
    };
  };
}
