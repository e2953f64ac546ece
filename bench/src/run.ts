/**
 * Runs the benchmarks against a real Postgres server and prints their figures as Markdown.
 *
 *   pnpm bench [all|drain|latency|purge|enqueue|pglite ...] [--option=value ...] [--record]
 *
 * DATABASE_URL (or TEST_DATABASE_URL) names the server, default postgres://postgres@127.0.0.1:5432/test.
 * Every run works in schemas of its own and drops them. `--record` appends the figures, with the
 * date, the machine and this command, to docs/benchmarks.md. `--help` lists the options.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { runDrainBenchmark } from "./throughput/drain.js";
import { runLatencyBenchmark } from "./throughput/latency.js";
import { runPurgeBenchmark } from "./purge/purge.js";
import { runEnqueueBenchmark } from "./purge/enqueue.js";
import { runPGlitePurgeBenchmark } from "./purge/pglite.js";
import { formatHelp, parseOptions } from "./support/args.js";
import { databaseUrl, openSql } from "./support/database.js";
import { describeMachine, machineLine } from "./support/machine.js";
import { recordReports, type Report } from "./support/report.js";

const DEFAULTS = {
  record: false,
  help: false,
  concurrency: 4,
  jobs: 20_000,
  "drain-rounds": 3,
  "time-limit": 30,
  samples: 200,
  "polling-samples": 20,
  "latency-rounds": 3,
  "gap-ms": 20,
  rows: 1_000_000,
  "pod-rows": 400_000,
  "purge-rounds": 3,
  "enqueue-requests": 50,
  "pglite-rows": 200_000,
};

/** What each option sets, and its unit, for `--help`. */
const HELP: Record<keyof typeof DEFAULTS, string> = {
  record: "append the figures to docs/benchmarks.md",
  help: "print this help",
  concurrency: "jobs each contender runs at once (drain and latency)",
  jobs: "no-op jobs per drain",
  "drain-rounds": "rounds of the drain, every contender once per round",
  "time-limit": "longest drain, in seconds; a slower contender is rated on the jobs done by then",
  samples: "jobs timed per contender and round (latency)",
  "polling-samples": "jobs timed per round for a polling contender (latency)",
  "latency-rounds": "rounds of the latency benchmark",
  "gap-ms": "idle time between two timed jobs, in milliseconds (latency)",
  rows: "rows of the log table (purge and enqueue)",
  "pod-rows": "rows of the purged pod among them",
  "purge-rounds": "rounds of the purge, each on fresh tables",
  "enqueue-requests": "POST /api/workqueue/purge requests timed",
  "pglite-rows": "rows of the PGlite log table, 40 % of them purged",
};

const BENCHMARKS = ["drain", "latency", "purge", "enqueue", "pglite"] as const;
type Benchmark = (typeof BENCHMARKS)[number];

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const argv = process.argv.slice(2);
const names = argv.filter((argument) => !argument.startsWith("--"));
const options = parseOptions(argv.filter((argument) => argument.startsWith("--")), DEFAULTS);

if (options.help) {
  console.log(formatHelp(`pnpm bench [all|${BENCHMARKS.join("|")} ...] [options]`, DEFAULTS, HELP));
  process.exit(0);
}
for (const name of names) {
  if (name !== "all" && !BENCHMARKS.includes(name as Benchmark)) throw new Error(`Unknown benchmark "${name}"; choose from all, ${BENCHMARKS.join(", ")}.`);
}
const selected: Benchmark[] = names.length === 0 || names.includes("all") ? [...BENCHMARKS] : (names as Benchmark[]);

const url = databaseUrl();
const sql = openSql(url, 1);
const machine = await describeMachine(sql);
await sql.end();
console.log(`Machine: ${machineLine(machine)}`);

const settings = { url, concurrency: options.concurrency };
const reports: Report[] = [];
for (const benchmark of selected) {
  let report: Report;
  switch (benchmark) {
    case "drain":
      report = await runDrainBenchmark({ ...settings, jobs: options.jobs, rounds: options["drain-rounds"], timeLimitSeconds: options["time-limit"] });
      break;
    case "latency":
      report = await runLatencyBenchmark({ ...settings, samples: options.samples, pollingSamples: options["polling-samples"], rounds: options["latency-rounds"], gapMs: options["gap-ms"] });
      break;
    case "purge":
      report = await runPurgeBenchmark({ url, rows: options.rows, podRows: options["pod-rows"], rounds: options["purge-rounds"] });
      break;
    case "enqueue":
      report = await runEnqueueBenchmark({ url, rows: options.rows, podRows: options["pod-rows"], requests: options["enqueue-requests"] });
      break;
    case "pglite":
      report = await runPGlitePurgeBenchmark({ rows: options["pglite-rows"], podRows: Math.round(options["pglite-rows"] * 0.4) });
      break;
  }
  console.log(`\n${report.markdown()}\n`);
  reports.push(report);
}

if (options.record) {
  const command = `pnpm bench ${argv.filter((argument) => argument !== "--record").join(" ")}`.trim();
  await recordReports(path.join(repositoryRoot, "docs/benchmarks.md"), reports, machine, command);
  console.log("Appended the figures to docs/benchmarks.md");
}
