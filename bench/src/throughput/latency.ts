import { setTimeout as sleep } from "node:timers/promises";
import { createReport, type Report } from "../support/report.js";
import { median, percentile, round } from "../support/stats.js";
import type { ContenderSettings } from "./contender.js";
import { latencyLineup } from "./lineup.js";

export interface LatencyOptions extends ContenderSettings {
  /** Jobs timed per contender and round. */
  samples: number;
  /** Jobs timed per round for a polling contender, which takes up to a poll interval per job. */
  pollingSamples: number;
  rounds: number;
  /** Idle time between two jobs, in milliseconds. */
  gapMs: number;
}

/** Untimed jobs before the timed ones, so that connections are open and code is compiled. */
const WARMUP_JOBS = 5;

/**
 * Times enqueue to handler start with idle workers: one job at a time, queued through the
 * library's ordinary call, from before that call until its handler begins.
 */
export async function runLatencyBenchmark(options: LatencyOptions): Promise<Report> {
  const lineup = latencyLineup();
  const samples = new Map<string, { peer: boolean; perRound: number[][] }>();

  for (let roundIndex = 0; roundIndex < options.rounds; roundIndex++) {
    const order = lineup.map((_, index) => lineup[(index + roundIndex) % lineup.length]!);
    for (const entry of order) {
      const contender = await entry.factory(options);
      try {
        let started: (() => void) | undefined;
        await contender.startWorkers(() => started?.());
        const count = entry.polling ? options.pollingSamples : options.samples;
        const latencies: number[] = [];
        for (let index = 0; index < WARMUP_JOBS + count; index++) {
          await sleep(options.gapMs);
          const handlerStarted = new Promise<void>((resolve) => (started = resolve));
          const before = performance.now();
          await contender.enqueueOne();
          await handlerStarted;
          if (index >= WARMUP_JOBS) latencies.push(performance.now() - before);
        }
        await contender.stopWorkers();
        console.log(JSON.stringify({ benchmark: "latency", round: roundIndex + 1, contender: contender.name, p50Ms: round2(percentile(latencies, 0.5)), p99Ms: round2(percentile(latencies, 0.99)) }));
        const entrySamples = samples.get(contender.name) ?? { peer: entry.peer, perRound: [] };
        entrySamples.perRound.push(latencies);
        samples.set(contender.name, entrySamples);
      } finally {
        await contender.dispose();
      }
    }
  }

  const report = createReport(`Enqueue to handler start, idle workers: ${options.samples} jobs per round (${options.pollingSamples} when polling), ${options.rounds} rounds`);
  report.table(
    ["Contender", "p50 ms (median of rounds)", "p99 ms (median of rounds)", "p50 / p99 per round"],
    [...samples].map(([name, entry]) => [
      name,
      round(median(entry.perRound.map((latencies) => percentile(latencies, 0.5)))),
      round(median(entry.perRound.map((latencies) => percentile(latencies, 0.99)))),
      entry.perRound.map((latencies) => `${round2(percentile(latencies, 0.5))} / ${round2(percentile(latencies, 0.99))}`).join(", "),
    ]),
  );
  report.note(`Each job is queued ${options.gapMs} ms after the previous one started, so the workers are idle; the enqueue call's own time is included.`);
  report.note("The LogMk queue enqueues with createWorkQueue({ maxOpenItems: null }), one statement; its default limit of 1,000 open items makes each enqueue a transaction that takes an advisory lock and counts the open items first.");
  return report;
}

function round2(value: number): number {
  return round(value, 2);
}
