/**
 * Measures the chunked purge against one plain DELETE of the same rows on a LogMk-shaped table
 * of 1M rows (400k purged), and the latency of log inserts from another connection meanwhile.
 *
 *   DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm bench:postgres-purge
 *
 * Each run builds a fresh table in its own schema and drops it afterwards. CHUNK_SIZES (comma
 * separated, default 10000,50000,100000) and ROUNDS (default 2) adjust the runs.
 */
import postgres from "postgres";
import { createPostgresLogTarget } from "@logmk/workqueue-postgres";
import type { PurgeRange } from "@logmk/workqueue";
import { createLogTable, insertLogRows, scenarioGroups } from "../support/log-table.js";
import { serverAdmin, uniqueSchemaName, type AdminConnection } from "../support/schemas.js";

const url = process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL;
if (!url) throw new Error("Set DATABASE_URL to the postgres:// URL of the server to measure.");
const chunkSizes = (process.env.CHUNK_SIZES ?? "10000,50000,100000").split(",").map(Number);
const rounds = Number(process.env.ROUNDS ?? 2);

const POD_ROWS = 500_000;
const T0 = new Date("2026-10-01T00:00:00Z");
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1_000);
const from = at(POD_ROWS * 0.1);
const to = at(POD_ROWS * 0.9);

const percentile = (values: number[], share: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * share))] ?? 0;

async function buildTable(admin: AdminConnection, schema: string): Promise<void> {
  await createLogTable(admin, schema);
  await insertLogRows(admin, schema, scenarioGroups(POD_ROWS, T0));
  await admin.exec(`ALTER TABLE "${schema}"."Log" SET (autovacuum_enabled = false)`);
  await admin.exec(`VACUUM ANALYZE "${schema}"."Log"`);
  await admin.exec("CHECKPOINT");
}

/** Inserts one log row at a time from its own connection until stopped; returns each insert's latency in ms. */
function startInserter(schema: string): { stop(): Promise<number[]> } {
  const sql = postgres(url!, { max: 1, onnotice: () => {} });
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      await sql.unsafe(`INSERT INTO "${schema}"."Log" ("Deployment", "Pod", "TimeStamp", "Line") VALUES ('web', 'web-live', now() AT TIME ZONE 'UTC', 'live line')`);
      latencies.push(performance.now() - started);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await sql.end();
      return latencies;
    },
  };
}

async function measure<T>(schema: string, work: () => Promise<T>): Promise<{ result: T; ms: number; insertP99: number }> {
  const inserter = startInserter(schema);
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  return { result, ms, insertP99: percentile(await inserter.stop(), 0.99) };
}

const admin = serverAdmin(url);
try {
  for (let round = 1; round <= rounds; round++) {
    const schema = uniqueSchemaName("bench");
    try {
      await buildTable(admin, schema);
      const idle = await measure(schema, () => new Promise((resolve) => setTimeout(resolve, 1_000)));

      const plain = await measure(schema, async () => {
        const sql = postgres(url, { max: 1, onnotice: () => {} });
        const result = await sql.unsafe(
          `DELETE FROM "${schema}"."Log" WHERE "Deployment" = 'api' AND "Pod" = 'api-1' AND "TimeStamp" >= ($1::timestamptz AT TIME ZONE 'UTC') AND "TimeStamp" < ($2::timestamptz AT TIME ZONE 'UTC')`,
          [from.toISOString(), to.toISOString()],
        );
        await sql.end();
        return result.count;
      });
      const plainRate = plain.result / (plain.ms / 1_000);
      console.log(JSON.stringify({ round, run: "plain DELETE", rows: plain.result, ms: Math.round(plain.ms), rowsPerSecond: Math.round(plainRate), insertP99Ms: +plain.insertP99.toFixed(2), idleInsertP99Ms: +idle.insertP99.toFixed(2) }));

      for (const chunkSize of chunkSizes) {
        await admin.dropSchema(schema);
        await buildTable(admin, schema);
        const target = createPostgresLogTarget({ connection: url, schema });
        const range: PurgeRange = { deployment: "api", podName: "api-1", from, to, maxId: await target.maxLogId() };
        const chunkMs: number[] = [];
        const chunked = await measure(schema, async () => {
          let cursor: unknown = null;
          let deleted = 0;
          for (;;) {
            const started = performance.now();
            const result = await target.deleteChunk({ range, cursor, limit: chunkSize, statementTimeoutMs: 5_000 });
            chunkMs.push(performance.now() - started);
            deleted += result.deleted;
            cursor = result.cursor;
            if (result.done) return deleted;
          }
        });
        await target.close?.();
        const rate = chunked.result / (chunked.ms / 1_000);
        const full = chunkMs.slice(0, -1);
        console.log(JSON.stringify({
          round,
          run: `chunks of ${chunkSize}`,
          rows: chunked.result,
          ms: Math.round(chunked.ms),
          rowsPerSecond: Math.round(rate),
          ratioToPlain: +(rate / plainRate).toFixed(2),
          chunks: chunkMs.length,
          chunkP50Ms: +percentile(chunkMs, 0.5).toFixed(1),
          chunkP99Ms: +percentile(chunkMs, 0.99).toFixed(1),
          firstFiveMs: +percentile(full.slice(0, 5), 0.5).toFixed(1),
          lastFiveMs: +percentile(full.slice(-5), 0.5).toFixed(1),
          insertP99Ms: +chunked.insertP99.toFixed(2),
        }));
      }
    } finally {
      await admin.dropSchema(schema);
    }
  }
} finally {
  await admin.close();
}
