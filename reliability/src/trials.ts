import { runConcurrentWritersTrial } from "./concurrent-writers.js";
import { runCrashTrial } from "./crash.js";
import { runDatabaseRestartTrial } from "./db-restart.js";
import { runManyProcessesTrial } from "./many-processes.js";
import { findPostgresBinaries } from "./private-cluster.js";
import type { TrialResult } from "./trial.js";

/** Sizes of one run of every trial. */
export interface TrialSizes {
  url: string;
  crashIterations: number;
  crashRows: number;
  jobs: number;
  restartIterations: number;
  restartRows: number;
  writerIterations: number;
  writerRows: number;
  verbose: boolean;
}

/** Named trials, each run by `pnpm reliability <name>` and by the test file. */
export const TRIALS = {
  crash: (sizes: TrialSizes) =>
    runCrashTrial({ url: sizes.url, iterations: sizes.crashIterations, rows: sizes.crashRows, podRows: Math.round(sizes.crashRows / 2), chunkSize: Math.max(100, Math.round(sizes.crashRows / 40)), leaseMs: 1_500, verbose: sizes.verbose }),
  "many-processes": (sizes: TrialSizes) => runManyProcessesTrial({ url: sizes.url, iterations: 1, jobs: sizes.jobs, processes: 4, concurrency: 4, localQueueSize: 20, verbose: sizes.verbose }),
  "database-restart": async (sizes: TrialSizes): Promise<TrialResult | string> => {
    const found = await findPostgresBinaries();
    if (found.binaries === undefined) return found.skipReason;
    return runDatabaseRestartTrial({ binaries: found.binaries, iterations: sizes.restartIterations, rows: sizes.restartRows, podRows: Math.round(sizes.restartRows / 2), chunkSize: Math.max(100, Math.round(sizes.restartRows / 200)), downMs: 1_000, verbose: sizes.verbose });
  },
  "concurrent-writers": (sizes: TrialSizes) => runConcurrentWritersTrial({ url: sizes.url, iterations: sizes.writerIterations, rows: sizes.writerRows, podRows: Math.round(sizes.writerRows / 2), chunkSize: Math.max(100, Math.round(sizes.writerRows / 100)), writers: 8, rowsPerInsert: 5 }),
} satisfies Record<string, (sizes: TrialSizes) => Promise<TrialResult | string>>;

export type TrialName = keyof typeof TRIALS;
