import { createReport, type Report } from "../support/report.js";
import { formatCount, median, round } from "../support/stats.js";
import type { ContenderSettings } from "./contender.js";
import { drainLineup, type LineupEntry } from "./lineup.js";

export interface DrainOptions extends ContenderSettings {
  jobs: number;
  rounds: number;
  /** A drain that takes longer is stopped and its rate taken from the jobs done by then, in seconds. */
  timeLimitSeconds: number;
}

interface DrainRun {
  jobsPerSecond: number;
  handled: number;
  completed: number;
  capped: boolean;
}

/** Enqueues `jobs` no-op jobs in bulk (not timed), then times the workers from start until every job's handler ran. */
async function drainOnce(entry: LineupEntry, options: DrainOptions): Promise<{ name: string; run: DrainRun }> {
  const contender = await entry.factory(options);
  try {
    await contender.enqueueBulk(options.jobs);
    let handled = 0;
    let finish: () => void = () => {};
    const allHandled = new Promise<void>((resolve) => (finish = resolve));
    const started = performance.now();
    await contender.startWorkers(() => {
      handled++;
      if (handled === options.jobs) finish();
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const capped = await Promise.race([allHandled.then(() => false), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), options.timeLimitSeconds * 1_000)))]);
    clearTimeout(timer);
    const seconds = (performance.now() - started) / 1_000;
    const handledInTime = handled;
    await contender.stopWorkers();
    const completed = await contender.countCompleted();
    return { name: contender.name, run: { jobsPerSecond: handledInTime / seconds, handled: handledInTime, completed, capped } };
  } finally {
    await contender.dispose();
  }
}

/** No-op job drain of every contender, interleaved over rounds, with medians and ratios to the best peer. */
export async function runDrainBenchmark(options: DrainOptions): Promise<Report> {
  const lineup = drainLineup();
  const runs = new Map<string, { peer: boolean; runs: DrainRun[] }>();
  for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
    // Rotate the order each round, so that no contender always runs first or on a warmer server.
    const order = lineup.map((_, index) => lineup[(index + roundIndex) % lineup.length]!);
    for (const entry of order) {
      const { name, run } = await drainOnce(entry, options);
      console.log(JSON.stringify({ benchmark: "drain", round: roundIndex + 1, contender: name, jobsPerSecond: Math.round(run.jobsPerSecond), handled: run.handled, completed: run.completed, capped: run.capped }));
      const entryRuns = runs.get(name) ?? { peer: entry.peer, runs: [] };
      entryRuns.runs.push(run);
      runs.set(name, entryRuns);
    }
  }

  const medians = [...runs].map(([name, entry]) => ({ name, peer: entry.peer, runs: entry.runs, median: median(entry.runs.map((run) => run.jobsPerSecond)) }));
  const bestPeer = Math.max(...medians.filter((entry) => entry.peer).map((entry) => entry.median));
  const report = createReport(`No-op job drain: ${formatCount(options.jobs)} jobs, concurrency ${options.concurrency}, ${options.rounds} rounds`);
  report.table(
    ["Contender", "Jobs/s (median)", "Jobs/s per round", "vs best peer", "Completed in the database"],
    medians.map((entry) => [
      entry.name,
      formatCount(entry.median),
      entry.runs.map((run) => `${formatCount(run.jobsPerSecond)}${run.capped ? "*" : ""}`).join(", "),
      `${round(entry.median / bestPeer)}x`,
      entry.runs.map((run) => run.completed).join(", "),
    ]),
  );
  report.note(`Timed from the workers' start until the handler of the last job ran; the jobs were queued in bulk before. A rate marked * hit the ${options.timeLimitSeconds} s limit and counts the jobs handled by then.`);
  return report;
}
