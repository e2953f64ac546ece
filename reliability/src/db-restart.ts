import { exitOf, openSql, type LogTableShape } from "@logmk/bench/support";
import type { ChildProcess } from "node:child_process";
import { startPurgeWorker, stopWorker } from "./crash.js";
import { checkPurge, preparePurge, readPurgeItem } from "./purge-fixture.js";
import { startPrivateCluster } from "./private-cluster.js";
import { Expectations, randomInt, waitFor, type TrialResult } from "./trial.js";

export interface DatabaseRestartOptions extends LogTableShape {
  /** Server binaries, from findPostgresBinaries. */
  binaries: string;
  iterations: number;
  chunkSize: number;
  /** How long the server stays down, in milliseconds. */
  downMs: number;
  verbose: boolean;
}

/**
 * Stops and starts a private PostgreSQL cluster in the middle of a purge, and checks that the
 * worker process stays up, reconnects and completes the purge with the exact result.
 */
export async function runDatabaseRestartTrial(options: DatabaseRestartOptions): Promise<TrialResult> {
  const started = performance.now();
  const failures: string[] = [];
  const notes: string[] = [];
  const cluster = await startPrivateCluster(options.binaries);
  const sql = openSql(cluster.url);
  try {
    for (let iteration = 1; iteration <= options.iterations; iteration++) {
      const expect = new Expectations(`database restart ${iteration}`);
      const fixture = await preparePurge(sql, cluster.url, options);
      // The lease outlasts the outage, so the same worker keeps the item through it.
      const worker: ChildProcess = startPurgeWorker(fixture, { chunkSize: options.chunkSize, leaseMs: 30_000, verbose: options.verbose }, `restart-${iteration}`);
      try {
        const chunks = Math.ceil(fixture.matchingAtEnqueue / options.chunkSize);
        const stopAfter = randomInt(1, Math.max(1, Math.floor(chunks / 2)));
        let committed = 0;
        await new Promise<void>((resolve, reject) => {
          worker.on("message", (message: { chunk?: unknown }) => {
            if (message.chunk && ++committed === stopAfter) resolve();
          });
          worker.once("exit", (code) => reject(new Error(`The worker exited with code ${code} before ${stopAfter} chunks.`)));
        });
        const restartAfter = committed;
        await cluster.stop();
        const downAt = performance.now();
        await new Promise((resolve) => setTimeout(resolve, options.downMs));
        await cluster.start();
        const downMs = performance.now() - downAt;

        await waitFor(async () => (await readPurgeItem(sql, fixture)).status === "COMPLETED", 60_000, `purge ${fixture.itemId} to complete after the restart`);
        expect.that(worker.exitCode === null && worker.signalCode === null, "the worker process exited during the restart");
        await checkPurge(sql, fixture, expect);
        const item = await readPurgeItem(sql, fixture);
        notes.push(`iteration ${iteration}: server down ${Math.round(downMs)} ms after ${restartAfter}/${chunks} chunks; completed in attempt ${item.attempts}`);
      } catch (error) {
        expect.that(false, (error as Error).message);
      } finally {
        await stopWorker(worker);
        await exitOf(worker);
      }
      failures.push(...expect.failures);
    }
  } finally {
    await sql.end({ timeout: 1 });
    await cluster.dispose();
  }
  return { name: "database restart", iterations: options.iterations, failures, notes, durationMs: performance.now() - started };
}
