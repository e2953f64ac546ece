import { Logger, makeWorkerUtils, run, type Runner, type WorkerUtils } from "graphile-worker";
import { dropSchema, openSql, uniqueSchema } from "../support/database.js";
import type { ContenderFactory } from "./contender.js";

export interface GraphileWorkerOptions {
  /** Name in the figures. */
  name: string;
  /** `preset.worker.localQueue.size`: jobs fetched and locked ahead. graphile-worker default: off. */
  localQueueSize?: number;
  /** `preset.worker.completeJobBatchDelay` in milliseconds. graphile-worker default: off (-1). */
  completeJobBatchDelay?: number;
}

const TASK = "bench_noop";

/** Keeps graphile-worker from printing a line per job, which would slow it down and flood the output. */
const silentGraphileLogger = new Logger(() => () => {});

/** graphile-worker 0.18 with `concurrentJobs` workers; it wakes on LISTEN/NOTIFY by default. */
export function graphileWorkerContender(options: GraphileWorkerOptions): ContenderFactory {
  return async ({ url, concurrency }) => {
    const schema = uniqueSchema("graphile");
    const sql = openSql(url);
    const utils: WorkerUtils = await makeWorkerUtils({ connectionString: url, schema });
    await utils.migrate();
    let runner: Runner | undefined;
    let enqueued = 0;

    return {
      name: options.name,
      async enqueueBulk(count) {
        for (let start = 0; start < count; start += 1_000) {
          await utils.addJobs(Array.from({ length: Math.min(1_000, count - start) }, () => ({ identifier: TASK, payload: {} })));
        }
        enqueued += count;
      },
      async enqueueOne() {
        await utils.addJob(TASK, {});
        enqueued++;
      },
      async startWorkers(onJob) {
        runner = await run({
          preset: {
            worker: {
              connectionString: url,
              schema,
              concurrentJobs: concurrency,
              crontabFile: "/dev/null",
              ...(options.localQueueSize === undefined ? {} : { localQueue: { size: options.localQueueSize } }),
              ...(options.completeJobBatchDelay === undefined ? {} : { completeJobBatchDelay: options.completeJobBatchDelay }),
            },
          },
          noHandleSignals: true,
          logger: silentGraphileLogger,
          taskList: { [TASK]: async () => onJob() },
        });
      },
      async stopWorkers() {
        await runner?.stop();
        runner = undefined;
      },
      async countCompleted() {
        // graphile-worker deletes a job when it completes, so the completed jobs are the ones gone.
        const [row] = await sql.unsafe(`SELECT count(*)::integer AS count FROM "${schema}"._private_jobs`);
        return enqueued - Number(row!.count);
      },
      async dispose() {
        await runner?.stop();
        await utils.release();
        await dropSchema(sql, schema);
        await sql.end();
      },
    };
  };
}
