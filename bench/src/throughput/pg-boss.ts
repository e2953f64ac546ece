import { PgBoss } from "pg-boss";
import { dropSchema, openSql, uniqueSchema } from "../support/database.js";
import type { ContenderFactory } from "./contender.js";

export interface PgBossOptions {
  /** Name in the figures. */
  name: string;
  /** Jobs per fetch. pg-boss default: 1. */
  batchSize?: number;
  /** Sleep after a fetch, in seconds. pg-boss default: 2. */
  pollingIntervalSeconds?: number;
  /** Fetch again at once while fetches come back full. pg-boss default: false. */
  burstWhenBatchFull?: boolean;
  /** LISTEN/NOTIFY wake-ups (`useListenNotify` and the queue's `notify`). pg-boss default: off. */
  notify?: boolean;
}

const QUEUE = "bench-noop";

/** pg-boss 12 with `localConcurrency` workers, each fetching and completing `batchSize` jobs at a time. */
export function pgBossContender(options: PgBossOptions): ContenderFactory {
  return async ({ url, concurrency }) => {
    const schema = uniqueSchema("pgboss");
    const sql = openSql(url);
    const boss = new PgBoss({ connectionString: url, schema, useListenNotify: options.notify === true });
    boss.on("error", (error) => console.error(`pg-boss error: ${error.message}`));
    await boss.start();
    await boss.createQueue(QUEUE, { notify: options.notify === true });

    return {
      name: options.name,
      async enqueueBulk(count) {
        for (let start = 0; start < count; start += 1_000) {
          await boss.insert(QUEUE, Array.from({ length: Math.min(1_000, count - start) }, () => ({ data: {} })));
        }
      },
      async enqueueOne() {
        await boss.send(QUEUE, {});
      },
      async startWorkers(onJob) {
        await boss.work(
          QUEUE,
          {
            localConcurrency: concurrency,
            ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
            ...(options.pollingIntervalSeconds === undefined ? {} : { pollingIntervalSeconds: options.pollingIntervalSeconds }),
            ...(options.burstWhenBatchFull === undefined ? {} : { burstWhenBatchFull: options.burstWhenBatchFull }),
          },
          async (jobs) => {
            for (const _job of jobs) onJob();
          },
        );
      },
      async stopWorkers() {
        await boss.offWork(QUEUE, { wait: true });
      },
      async countCompleted() {
        const [row] = await sql.unsafe(`SELECT count(*)::integer AS count FROM "${schema}".job WHERE name = $1 AND state = 'completed'`, [QUEUE]);
        return Number(row!.count);
      },
      async dispose() {
        await boss.stop({ graceful: false, close: true });
        await dropSchema(sql, schema);
        await sql.end();
      },
    };
  };
}
