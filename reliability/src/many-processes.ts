import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { dropSchema, nextMessage, openSql, startChild, uniqueSchema } from "@logmk/bench/support";
import { createPostgresStore } from "@logmk/workqueue-postgres";
import { stopWorker } from "./crash.js";
import { RECORDED_JOB_TYPE } from "./job-type.js";
import type { JobWorkerInput } from "./job-worker.js";
import { Expectations, waitFor, type TrialResult } from "./trial.js";

export interface ManyProcessesOptions {
  url: string;
  iterations: number;
  jobs: number;
  processes: number;
  concurrency: number;
  localQueueSize: number;
  verbose: boolean;
}

const scriptFolder = path.dirname(fileURLToPath(import.meta.url));

/**
 * Runs `jobs` jobs through `processes` worker processes sharing one queue. Each run of a job is
 * recorded in a table keyed by the job id, so a job run twice shows as `runs = 2` and a job never
 * run as a missing row.
 */
export async function runManyProcessesTrial(options: ManyProcessesOptions): Promise<TrialResult> {
  const started = performance.now();
  const sql = openSql(options.url);
  const failures: string[] = [];
  const notes: string[] = [];
  try {
    for (let iteration = 1; iteration <= options.iterations; iteration++) {
      const expect = new Expectations(`many processes ${iteration}`);
      const queueSchema = uniqueSchema("trial_jobs");
      const workers: ChildProcess[] = [];
      try {
        const store = createPostgresStore({ connection: options.url, schema: queueSchema });
        await store.migrate();
        await store.close();
        await sql.unsafe(`CREATE TABLE "${queueSchema}".job_runs (item_id bigint PRIMARY KEY, runs integer NOT NULL, worker_id text NOT NULL)`);
        // The same columns and values as store.enqueue writes, for all jobs in one statement.
        await sql.unsafe(
          `INSERT INTO "${queueSchema}".work_queue (type, status, pod_name, payload, priority, run_at, schedule, created_at, updated_at, max_attempts)
           SELECT $1, 'PENDING', 'trial', '{}'::jsonb, 0, now(), 'now', now(), now(), 5 FROM generate_series(1, $2::integer)`,
          [RECORDED_JOB_TYPE, options.jobs],
        );

        const jobsStarted = performance.now();
        for (let index = 0; index < options.processes; index++) {
          const input: JobWorkerInput = { url: options.url, queueSchema, workerId: `process-${index + 1}`, concurrency: options.concurrency, localQueueSize: options.localQueueSize, verbose: options.verbose };
          const worker = startChild(path.join(scriptFolder, "job-worker.ts"), input, { quiet: !options.verbose });
          workers.push(worker);
        }
        await Promise.all(workers.map((worker) => nextMessage<{ started?: boolean }>(worker, (message) => message.started === true)));
        const completed = async () => {
          const [row] = await sql.unsafe(`SELECT count(*)::integer AS count FROM "${queueSchema}".work_queue WHERE status = 'COMPLETED'`);
          return Number(row!.count);
        };
        await waitFor(async () => (await completed()) === options.jobs, 120_000, `${options.jobs} jobs to complete`, 200);
        const seconds = (performance.now() - jobsStarted) / 1_000;
        for (const worker of workers) await stopWorker(worker);

        const [runs] = await sql.unsafe(`SELECT count(*)::integer AS jobs, COALESCE(sum(runs), 0)::integer AS runs, COALESCE(max(runs), 0)::integer AS most, count(DISTINCT worker_id)::integer AS workers FROM "${queueSchema}".job_runs`);
        const [statuses] = await sql.unsafe(`SELECT count(*) FILTER (WHERE status <> 'COMPLETED')::integer AS unfinished, COALESCE(max(attempts), 0)::integer AS most_attempts FROM "${queueSchema}".work_queue`);
        expect.equal(Number(runs!.jobs), options.jobs, "jobs that ran");
        expect.equal(Number(runs!.runs), options.jobs, "runs recorded");
        expect.equal(Number(runs!.most), 1, "most runs of one job");
        expect.equal(Number(statuses!.unfinished), 0, "jobs not COMPLETED");
        expect.equal(Number(statuses!.most_attempts), 1, "most attempts of one job");
        notes.push(`iteration ${iteration}: ${options.jobs} jobs in ${seconds.toFixed(1)} s over ${runs!.workers} processes`);
      } catch (error) {
        expect.that(false, (error as Error).message);
      } finally {
        for (const worker of workers) await stopWorker(worker);
        await dropSchema(sql, queueSchema);
      }
      failures.push(...expect.failures);
    }
  } finally {
    await sql.end();
  }
  return { name: "many processes", iterations: options.iterations, failures, notes, durationMs: performance.now() - started };
}
