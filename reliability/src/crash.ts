import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildProcess } from "node:child_process";
import { exitOf, nextMessage, openSql, startChild, type LogTableShape } from "@logmk/bench/support";
import { checkPurge, dropPurgeFixture, preparePurge, readPurgeItem, type PurgeFixture } from "./purge-fixture.js";
import type { PurgeWorkerInput } from "./purge-worker.js";
import { Expectations, randomInt, waitFor, type TrialResult } from "./trial.js";

export interface CrashTrialOptions extends LogTableShape {
  url: string;
  iterations: number;
  chunkSize: number;
  /** Lease of the workers, in milliseconds: how long the restarted worker waits to take over. */
  leaseMs: number;
  verbose: boolean;
}

const scriptFolder = path.dirname(fileURLToPath(import.meta.url));

export function startPurgeWorker(fixture: PurgeFixture, options: Pick<CrashTrialOptions, "chunkSize" | "leaseMs" | "verbose">, workerId: string): ChildProcess {
  const input: PurgeWorkerInput = { url: fixture.url, logSchema: fixture.logSchema, queueSchema: fixture.queueSchema, workerId, chunkSize: options.chunkSize, leaseMs: options.leaseMs, verbose: options.verbose };
  return startChild(path.join(scriptFolder, "purge-worker.ts"), input, { quiet: !options.verbose });
}

/** Asks a worker to stop gracefully and waits until its process exits. */
export async function stopWorker(worker: ChildProcess): Promise<void> {
  const exited = exitOf(worker);
  if (worker.connected) worker.send({ stop: true });
  await exited;
}

/**
 * Kills a worker process with SIGKILL at a random point of a purge, starts another, and checks that
 * the purge completes with the exact result. The kill comes a random number of committed chunks in,
 * plus up to 20 ms, so it often lands inside a chunk's transaction.
 */
export async function runCrashTrial(options: CrashTrialOptions): Promise<TrialResult> {
  const started = performance.now();
  const sql = openSql(options.url);
  const failures: string[] = [];
  const killPoints: string[] = [];
  try {
    for (let iteration = 1; iteration <= options.iterations; iteration++) {
      const expect = new Expectations(`crash ${iteration}`);
      const fixture = await preparePurge(sql, options.url, options);
      const workers: ChildProcess[] = [];
      try {
        const chunks = Math.ceil(fixture.matchingAtEnqueue / options.chunkSize);
        const killAfterChunks = randomInt(0, Math.max(0, chunks - 1));
        const first = startPurgeWorker(fixture, options, `crash-${iteration}-first`);
        workers.push(first);
        let committed = 0;
        await nextMessage<{ started?: boolean; chunk?: unknown }>(first, (message) => {
          if (message.chunk) committed++;
          return committed >= killAfterChunks && (killAfterChunks > 0 || message.started === true);
        });
        await new Promise((resolve) => setTimeout(resolve, randomInt(0, 20)));
        first.kill("SIGKILL");
        await exitOf(first);
        const killedAt = await readPurgeItem(sql, fixture);
        killPoints.push(`${killedAt.recordsAffected} of ${fixture.matchingAtEnqueue}`);

        const second = startPurgeWorker(fixture, options, `crash-${iteration}-second`);
        workers.push(second);
        await waitFor(async () => (await readPurgeItem(sql, fixture)).status === "COMPLETED", options.leaseMs * 4 + 30_000, `purge ${fixture.itemId} to complete after the kill`);
        await checkPurge(sql, fixture, expect);
      } catch (error) {
        expect.that(false, (error as Error).message);
      } finally {
        for (const worker of workers) {
          await stopWorker(worker);
        }
        await dropPurgeFixture(sql, fixture);
      }
      failures.push(...expect.failures);
    }
  } finally {
    await sql.end();
  }
  return { name: "crash and restart", iterations: options.iterations, failures, notes: [`rows counted when the worker was killed: ${killPoints.join(", ")}`], durationMs: performance.now() - started };
}
