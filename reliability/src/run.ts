/**
 * Runs the reliability trials against a real Postgres server and prints what each checked.
 *
 *   pnpm reliability [all|crash|many-processes|database-restart|concurrent-writers ...] [--option=value ...]
 *
 * DATABASE_URL (or TEST_DATABASE_URL) names the server, default postgres://postgres@127.0.0.1:5432/test;
 * the database-restart trial starts a private cluster of its own instead. Exits with code 1 when
 * any expectation broke. `--help` lists the options.
 */
import { databaseUrl, formatHelp, parseOptions } from "@logmk/bench/support";
import { TRIALS, type TrialName } from "./trials.js";

const DEFAULTS = {
  help: false,
  verbose: false,
  "crash-iterations": 20,
  "crash-rows": 40_000,
  jobs: 10_000,
  "restart-iterations": 3,
  "restart-rows": 200_000,
  "writer-iterations": 3,
  "writer-rows": 200_000,
};

/** What each option sets, for `--help`. */
const HELP: Record<keyof typeof DEFAULTS, string> = {
  help: "print this help",
  verbose: "print the workers' warnings and errors",
  "crash-iterations": "workers killed and restarted, 1 to 100",
  "crash-rows": "rows of each crash trial's log table, half of them the purged pod's",
  jobs: "jobs of the many-processes trial",
  "restart-iterations": "database restarts, each during its own purge",
  "restart-rows": "rows of each restart trial's log table",
  "writer-iterations": "purges run while eight writers insert",
  "writer-rows": "rows of each writer trial's log table",
};

const argv = process.argv.slice(2);
const names = argv.filter((argument) => !argument.startsWith("--"));
const options = parseOptions(argv.filter((argument) => argument.startsWith("--")), DEFAULTS);
const known = Object.keys(TRIALS) as TrialName[];

if (options.help) {
  console.log(formatHelp(`pnpm reliability [all|${known.join("|")} ...] [options]`, DEFAULTS, HELP));
  process.exit(0);
}
for (const name of names) {
  if (name !== "all" && !known.includes(name as TrialName)) throw new Error(`Unknown trial "${name}"; choose from all, ${known.join(", ")}.`);
}
if (options["crash-iterations"] < 1 || options["crash-iterations"] > 100) throw new Error("--crash-iterations must be from 1 to 100.");

const selected = names.length === 0 || names.includes("all") ? known : (names as TrialName[]);
const sizes = {
  url: databaseUrl(),
  crashIterations: options["crash-iterations"],
  crashRows: options["crash-rows"],
  jobs: options.jobs,
  restartIterations: options["restart-iterations"],
  restartRows: options["restart-rows"],
  writerIterations: options["writer-iterations"],
  writerRows: options["writer-rows"],
  verbose: options.verbose,
};

let failed = false;
for (const name of selected) {
  const result = await TRIALS[name](sizes);
  if (typeof result === "string") {
    console.log(`${name}: skipped, ${result}`);
    continue;
  }
  const verdict = result.failures.length === 0 ? "passed" : `FAILED (${result.failures.length} broken expectations)`;
  console.log(`${result.name}: ${verdict}, ${result.iterations} iterations in ${(result.durationMs / 1_000).toFixed(1)} s`);
  for (const note of result.notes) console.log(`  ${note}`);
  for (const failure of result.failures) console.log(`  broken: ${failure}`);
  failed ||= result.failures.length > 0;
}
process.exit(failed ? 1 : 0);
