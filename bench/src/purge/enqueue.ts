import { LOG_PURGE_TYPE, LogPurgePayloadSchema, createWorkQueue } from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import { createWorkQueueApp } from "@logmk/workqueue-http";
import { dropSchema, openSql, uniqueSchema } from "../support/database.js";
import { createReport, type Report } from "../support/report.js";
import { formatCount, percentile, round } from "../support/stats.js";
import { buildLogTable, databaseNow } from "./build.js";
import { PURGED_POD, matchingCountSql } from "./log-table.js";

export interface EnqueueBenchmarkOptions {
  url: string;
  rows: number;
  podRows: number;
  /** Purge requests timed. */
  requests: number;
}

/** Untimed requests first, so that connections are open and code is compiled. */
const WARMUP_REQUESTS = 3;

/**
 * Times `POST /api/workqueue/purge` through the HTTP app against a real Postgres server with a
 * large log table, each purge cancelled again before the next (one open purge per pod), and an
 * exact COUNT of the same rows for comparison.
 */
export async function runEnqueueBenchmark(options: EnqueueBenchmarkOptions): Promise<Report> {
  const sql = openSql(options.url);
  const logSchema = uniqueSchema("enqueue_log");
  const queueSchema = `${logSchema}_queue`;
  const store = createPostgresStore({ connection: options.url, schema: queueSchema });
  const target = createPostgresLogTarget({ connection: options.url, schema: logSchema, queueStore: store });
  const queue = createWorkQueue({ store, handlers: [{ type: LOG_PURGE_TYPE, payloadSchema: LogPurgePayloadSchema }] });
  const app = createWorkQueueApp({ queue, logTarget: target, metrics: false });
  try {
    await buildLogTable(sql, logSchema, options);
    await store.migrate();

    const latencies: number[] = [];
    for (let index = 0; index < WARMUP_REQUESTS + options.requests; index++) {
      const started = performance.now();
      const response = await app.request("/api/workqueue/purge", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(PURGED_POD) });
      const elapsed = performance.now() - started;
      if (response.status !== 202) throw new Error(`POST /api/workqueue/purge answered ${response.status}: ${await response.text()}`);
      const item = (await response.json()) as { id: number };
      const cancelled = await app.request(`/api/workqueue/${item.id}`, { method: "DELETE" });
      if (cancelled.status !== 200) throw new Error(`DELETE /api/workqueue/${item.id} answered ${cancelled.status}: ${await cancelled.text()}`);
      if (index >= WARMUP_REQUESTS) latencies.push(elapsed);
    }

    const to = await databaseNow(sql);
    const countStarted = performance.now();
    await sql.unsafe(matchingCountSql(logSchema), [PURGED_POD.deployment, PURGED_POD.podName, to, options.rows * 2]);
    const countMs = performance.now() - countStarted;

    console.log(JSON.stringify({ benchmark: "enqueue", p50Ms: round(percentile(latencies, 0.5)), p99Ms: round(percentile(latencies, 0.99)), exactCountMs: Math.round(countMs) }));
    const report = createReport(`POST /api/workqueue/purge on a ${formatCount(options.rows)}-row log table`);
    report.table(
      ["Requests", "p50 ms", "p99 ms", "max ms", "Exact COUNT of the pod's rows, ms"],
      [[options.requests, round(percentile(latencies, 0.5)), round(percentile(latencies, 0.99)), round(Math.max(...latencies)), round(countMs)]],
    );
    report.note(`Through createWorkQueueApp's request handler (app.request, no socket) with createPostgresStore and createPostgresLogTarget; each queued purge of ${formatCount(options.podRows)} rows is cancelled before the next request. The request resolves the deployment, reads max("Id"), checks with one index descent that the range holds a row and asks the planner for an estimate; it never counts rows.`);
    return report;
  } finally {
    await queue.close();
    await target.close();
    await store.close();
    await dropSchema(sql, logSchema);
    await dropSchema(sql, queueSchema);
    await sql.end();
  }
}
