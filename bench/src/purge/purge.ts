import path from "node:path";
import { fileURLToPath } from "node:url";
import { childOutput, lastJsonLine, nextMessage, sampleResidentMemory, startChild } from "../support/child.js";
import { dropSchema, openSql, uniqueSchema, type Sql } from "../support/database.js";
import { createReport, type Report } from "../support/report.js";
import { formatCount, median, percentile, round } from "../support/stats.js";
import { buildLogTable, databaseNow } from "./build.js";
import { PURGED_POD, matchingCountSql } from "./log-table.js";
import type { PurgeChildInput, PurgeChildOutput } from "./purge-child.js";

export interface PurgeBenchmarkOptions {
  url: string;
  rows: number;
  podRows: number;
  rounds: number;
  /** Inserts of the writer process: one every this many milliseconds. @default 2 */
  insertIntervalMs?: number;
  /** Writer-only time before each purge, in milliseconds. @default 2000 */
  idleMs?: number;
}

const scriptFolder = path.dirname(fileURLToPath(import.meta.url));

interface PurgeRun {
  mode: PurgeChildInput["mode"];
  output: PurgeChildOutput;
  rowsPerSecond: number;
  /** RSS samples of the purging process, in MiB. */
  rss: number[];
  idleInserts: number[];
  purgeInserts: number[];
  /** Matching rows left after the purge: 0 when it was complete. */
  left: number;
  /** Checkpoints the server started during the purge, timed or requested. */
  checkpoints: number;
}

/** Checkpoints the server has started so far; a checkpoint in a purge explains a slow chunk. */
async function checkpointCount(sql: Sql): Promise<number> {
  const [row] = await sql`SELECT (checkpoints_timed + checkpoints_req)::integer AS count FROM pg_stat_bgwriter`;
  return Number(row!.count);
}

/** Runs one purge in a child process while a writer process inserts logs into the same table. */
async function measurePurge(sql: Sql, options: PurgeBenchmarkOptions, mode: PurgeChildInput["mode"], logSchema: string): Promise<PurgeRun> {
  const queueSchema = `${logSchema}_queue`;
  const inserter = startChild(path.join(scriptFolder, "inserter-child.ts"), { url: options.url, logSchema, intervalMs: options.insertIntervalMs ?? 2 });
  await nextMessage<{ ready?: boolean }>(inserter, (message) => message.ready === true);
  try {
    inserter.send({ phase: "idle" });
    await new Promise((resolve) => setTimeout(resolve, options.idleMs ?? 2_000));
    const to = await databaseNow(sql);
    inserter.send({ phase: "purge" });

    const checkpointsBefore = await checkpointCount(sql);
    const child = startChild(path.join(scriptFolder, "purge-child.ts"), { mode, url: options.url, logSchema, queueSchema, to } satisfies PurgeChildInput);
    const memory = sampleResidentMemory(child.pid!);
    const output = lastJsonLine<PurgeChildOutput>(await childOutput(child));
    const rss = memory.stop();
    const checkpoints = (await checkpointCount(sql)) - checkpointsBefore;

    const latencies = nextMessage<{ latencies?: Record<string, number[]> }>(inserter, (message) => message.latencies !== undefined);
    inserter.send({ stop: true });
    const { latencies: byPhase = {} } = await latencies;
    const [row] = await sql.unsafe(matchingCountSql(logSchema), [PURGED_POD.deployment, PURGED_POD.podName, to, output.maxId]);
    return { mode, output, rowsPerSecond: output.deleted / (output.ms / 1_000), rss, idleInserts: byPhase.idle ?? [], purgeInserts: byPhase.purge ?? [], left: Number(row!.count), checkpoints };
  } finally {
    inserter.kill();
    await dropSchema(sql, queueSchema);
  }
}

function describeRun(roundNumber: number, run: PurgeRun): Record<string, unknown> {
  const chunkMs = run.output.chunks.map((chunk) => chunk.durationMs);
  return {
    benchmark: "purge",
    round: roundNumber,
    mode: run.mode,
    deleted: run.output.deleted,
    left: run.left,
    ms: Math.round(run.output.ms),
    startupMs: Math.round(run.output.startupMs),
    rowsPerSecond: Math.round(run.rowsPerSecond),
    chunks: chunkMs.length,
    chunkP50Ms: round(percentile(chunkMs, 0.5), 1),
    chunkP99Ms: round(percentile(chunkMs, 0.99), 1),
    slowestChunk: slowestChunk(run),
    checkpoints: run.checkpoints,
    maxRssMiB: round(run.output.maxRssMiB, 1),
    insertIdleP99Ms: round(percentile(run.idleInserts, 0.99)),
    insertPurgeP99Ms: round(percentile(run.purgeInserts, 0.99)),
  };
}

/** The slowest chunk: its duration, rows and place among the chunks, such as `441 ms, 100,000 rows, chunk 12 of 56`. */
function slowestChunk(run: PurgeRun): string {
  const chunks = run.output.chunks;
  if (chunks.length === 0) return "-";
  const index = chunks.reduce((slowest, chunk, at) => (chunk.durationMs > chunks[slowest]!.durationMs ? at : slowest), 0);
  return `${Math.round(chunks[index]!.durationMs)} ms, ${formatCount(chunks[index]!.deleted)} rows, chunk ${index + 1} of ${chunks.length}`;
}

/**
 * Median time per 10,000 rows of the first (or last) five chunks: whether the walk slows down as
 * it goes. Per row, because the chunk size grows toward the target duration meanwhile.
 */
function edgeChunksMsPer10k(run: PurgeRun, edge: "first" | "last"): number {
  const perRows = run.output.chunks.filter((chunk) => chunk.deleted > 0).map((chunk) => (chunk.durationMs / chunk.deleted) * 10_000);
  return median(edge === "first" ? perRows.slice(0, 5) : perRows.slice(-5));
}

/**
 * Chunked purge of one pod against one plain DELETE of the same rows on an identical copy of the
 * table, with log inserts from another process during each, interleaved over rounds.
 */
export async function runPurgeBenchmark(options: PurgeBenchmarkOptions): Promise<Report> {
  const sql = openSql(options.url);
  const runs: { plain: PurgeRun; chunked: PurgeRun }[] = [];
  try {
    for (let roundNumber = 1; roundNumber <= options.rounds; roundNumber++) {
      const plainSchema = uniqueSchema("purge_plain");
      const chunkedSchema = uniqueSchema("purge_chunked");
      try {
        await buildLogTable(sql, plainSchema, options);
        await buildLogTable(sql, chunkedSchema, options);
        // Alternate which runs first, so that neither always meets a warmer cache.
        const order: PurgeChildInput["mode"][] = roundNumber % 2 === 1 ? ["plain", "chunked"] : ["chunked", "plain"];
        const byMode: Partial<Record<PurgeChildInput["mode"], PurgeRun>> = {};
        for (const mode of order) {
          const run = await measurePurge(sql, options, mode, mode === "plain" ? plainSchema : chunkedSchema);
          console.log(JSON.stringify(describeRun(roundNumber, run)));
          byMode[mode] = run;
        }
        runs.push({ plain: byMode.plain!, chunked: byMode.chunked! });
      } finally {
        await dropSchema(sql, plainSchema);
        await dropSchema(sql, chunkedSchema);
      }
    }
  } finally {
    await sql.end();
  }
  return purgeReport(options, runs);
}

function purgeReport(options: PurgeBenchmarkOptions, runs: { plain: PurgeRun; chunked: PurgeRun }[]): Report {
  const report = createReport(`Purge of ${formatCount(options.podRows)} of ${formatCount(options.rows)} rows (one pod), ${options.rounds} rounds`);
  const chunkTimes = (run: PurgeRun) => run.output.chunks.map((chunk) => chunk.durationMs);
  report.table(
    ["Round", "Plain DELETE rows/s", "Chunked rows/s", "Chunked vs plain", "Chunks", "Chunk p50 / p99 ms", "Slowest chunk", "Checkpoints during the purge (plain / chunked)", "First 5 / last 5 chunks, ms per 10k rows", "Rows deleted (plain / chunked / left)", "Peak RSS MiB (sampled / maxRSS)"],
    runs.map(({ plain, chunked }, index) => [
      index + 1,
      formatCount(plain.rowsPerSecond),
      formatCount(chunked.rowsPerSecond),
      `${round(chunked.rowsPerSecond / plain.rowsPerSecond)}x`,
      chunked.output.chunks.length,
      `${round(percentile(chunkTimes(chunked), 0.5), 1)} / ${round(percentile(chunkTimes(chunked), 0.99), 1)}`,
      slowestChunk(chunked),
      `${plain.checkpoints} / ${chunked.checkpoints}`,
      `${round(edgeChunksMsPer10k(chunked, "first"), 1)} / ${round(edgeChunksMsPer10k(chunked, "last"), 1)}`,
      `${formatCount(plain.output.deleted)} / ${formatCount(chunked.output.deleted)} / ${plain.left + chunked.left}`,
      `${round(Math.max(0, ...chunked.rss), 1)} / ${round(chunked.output.maxRssMiB, 1)}`,
    ]),
  );
  report.table(
    ["Writer inserts during", "p50 ms", "p99 ms, idle before", "p99 ms, during", "p99 during / idle"],
    (["plain", "chunked"] as const).map((mode) => {
      const idleP99 = median(runs.map((run) => percentile(run[mode].idleInserts, 0.99)));
      const duringP99 = median(runs.map((run) => percentile(run[mode].purgeInserts, 0.99)));
      const duringP50 = median(runs.map((run) => percentile(run[mode].purgeInserts, 0.5)));
      return [mode === "plain" ? "the plain DELETE" : "the chunked purge", round(duringP50), round(idleP99), round(duringP99), `${round(duringP99 / idleP99)}x`];
    }),
  );
  const ratios = runs.map((run) => run.chunked.rowsPerSecond / run.plain.rowsPerSecond);
  report.note(`Chunked purge vs plain DELETE, median of rounds: ${round(median(ratios))}x. The chunked purge runs through the queue (createLogPurgeService, createProcessor, createLogPurgeHandler with its defaults, createPostgresLogTarget with queueStore), each chunk committing with its fenced progress write; it is timed from the start of the purge handler until it returned. Before that, the processor's start (LISTEN, lease recovery, the claim) took ${round(median(runs.map((run) => run.chunked.output.startupMs)), 1)} ms (median).`);
  report.note(`Each purge runs in a child process whose resident memory is sampled every 100 ms. A writer process inserts one log row of another pod every ${options.insertIntervalMs ?? 2} ms into the same table, for ${(options.idleMs ?? 2_000) / 1_000} s before each purge (idle) and during it; latencies are medians of rounds.`);
  return report;
}
