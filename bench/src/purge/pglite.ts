import { PGlite } from "@electric-sql/pglite";
import { createLogPurgeHandler, createLogPurgeService, createProcessor, createWorkQueue, type ChunkObservation } from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import { createReport, type Report } from "../support/report.js";
import { formatCount, percentile, round } from "../support/stats.js";
import { PURGED_POD, logRowsSql, logTableSql, matchingCountSql, plainDeleteSql, type LogTableShape } from "./log-table.js";

export interface PGlitePurgeOptions extends LogTableShape {}

async function buildOnPGlite(pg: PGlite, schema: string, shape: LogTableShape): Promise<void> {
  for (const statement of logTableSql(schema)) await pg.exec(statement);
  for (const statement of logRowsSql(schema, shape)) await pg.query(statement.text, statement.params);
}

async function nowOf(pg: PGlite): Promise<string> {
  const { rows } = await pg.query<{ now: Date }>("SELECT now() AS now");
  return rows[0]!.now.toISOString();
}

/** Chunked purge through the queue on the embedded PGlite, against one plain DELETE on a copy in the same instance. */
export async function runPGlitePurgeBenchmark(options: PGlitePurgeOptions): Promise<Report> {
  const pg = new PGlite();
  try {
    await buildOnPGlite(pg, "log_plain", options);
    await buildOnPGlite(pg, "log_chunked", options);

    // Warm PGlite's WebAssembly code on rows of another pod in both copies, so that neither timed run pays for it.
    for (const schema of ["log_plain", "log_chunked"]) await pg.query(`DELETE FROM "${schema}"."Log" WHERE "Deployment" = 'deploy-1' AND "Pod" = 'pod-1'`);

    const to = await nowOf(pg);
    const [{ max_id: maxId }] = (await pg.query<{ max_id: number }>(`SELECT max("Id")::integer AS max_id FROM "log_plain"."Log"`)).rows as [{ max_id: number }];
    const plainStarted = performance.now();
    const plain = await pg.query(plainDeleteSql("log_plain"), [PURGED_POD.deployment, PURGED_POD.podName, to, maxId]);
    const plainMs = performance.now() - plainStarted;

    const store = createPostgresStore({ connection: pg, schema: "queue" });
    const target = createPostgresLogTarget({ connection: pg, schema: "log_chunked", queueStore: store });
    const chunks: ChunkObservation[] = [];
    let finished: () => void = () => {};
    const handlerReturned = new Promise<void>((resolve) => (finished = resolve));
    const handler = createLogPurgeHandler({ target, onChunk: (observation) => chunks.push(observation) });
    await store.migrate();
    const queue = createWorkQueue({ store, handlers: [handler] });
    const item = await createLogPurgeService({ queue, target }).enqueue({ ...PURGED_POD, to });
    const processor = createProcessor({ store, handlers: [{ ...handler, run: (context) => handler.run(context).finally(finished) }] });
    const chunkedStarted = performance.now();
    await processor.start();
    await handlerReturned;
    const chunkedMs = performance.now() - chunkedStarted;
    await processor.stop();
    const done = await store.getItem({ id: item.id });
    const left = (await pg.query<{ count: number }>(matchingCountSql("log_chunked"), [PURGED_POD.deployment, PURGED_POD.podName, to, item.payload.maxId])).rows[0]!.count;

    const plainRate = (plain.affectedRows ?? 0) / (plainMs / 1_000);
    const chunkedRate = (done?.recordsAffected ?? 0) / (chunkedMs / 1_000);
    const chunkMs = chunks.map((chunk) => chunk.durationMs);
    console.log(JSON.stringify({ benchmark: "pglite", plainRowsPerSecond: Math.round(plainRate), chunkedRowsPerSecond: Math.round(chunkedRate), chunks: chunks.length, status: done?.status }));

    const report = createReport(`Purge on PGlite (embedded): ${formatCount(options.podRows)} of ${formatCount(options.rows)} rows`);
    report.table(
      ["Plain DELETE rows/s", "Chunked rows/s", "Chunked vs plain", "Chunks", "Chunk p50 / p99 ms", "Rows deleted (plain / chunked / left)", "Item status"],
      [[formatCount(plainRate), formatCount(chunkedRate), `${round(chunkedRate / plainRate)}x`, chunks.length, `${round(percentile(chunkMs, 0.5), 1)} / ${round(percentile(chunkMs, 0.99), 1)}`, `${formatCount(plain.affectedRows ?? 0)} / ${formatCount(done?.recordsAffected ?? 0)} / ${Number(left)}`, done?.status ?? "missing"]],
    );
    report.note("One PGlite instance in this process holds both copies and the queue; PGlite has one connection, so the chunks' transactions hold off every other statement while they run. One round: PGlite runs in this process, so there is no other load to interleave with.");
    await target.close();
    await store.close();
    return report;
  } finally {
    await pg.close();
  }
}
