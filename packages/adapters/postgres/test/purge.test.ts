import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogPurgeHandler, createLogPurgeService, createProcessor, createWorkQueue, type LogPurgeTarget } from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import { createLogTable, insertLogRows } from "./support/log-table.js";
import { runPurgeScenario, type PurgeScenarioResult } from "./support/purge-scenario.js";
import { pgliteAdmin, serverAdmin, uniqueSchemaName, waitMs, type AdminConnection } from "./support/schemas.js";
import { findTestServer } from "./support/server.js";

const lookup = await findTestServer();
const pg = new PGlite();
// Starting the WebAssembly database takes seconds, and far longer on a loaded machine: do it
// outside the tests' own time limit.
beforeAll(() => pg.waitReady, 120_000);
const admin: AdminConnection | undefined = lookup.server ? serverAdmin(lookup.server.url) : undefined;
const pgAdmin = pgliteAdmin(pg);
const schemas: Array<[AdminConnection, string]> = [];
const clients: postgres.Sql[] = [];

afterEach(async () => {
  for (const [connection, schema] of schemas.splice(0)) await connection.dropSchema(schema);
  for (const client of clients.splice(0)) await client.end({ timeout: 1 });
});
afterAll(async () => {
  await admin?.close();
  await lookup.server?.stop();
  await pg.close();
});

function schemaPair(connection: AdminConnection): { logSchema: string; queueSchema: string } {
  const logSchema = uniqueSchemaName("purge_log");
  const queueSchema = uniqueSchemaName("purge_queue");
  schemas.push([connection, logSchema], [connection, queueSchema]);
  return { logSchema, queueSchema };
}

function expectExactPurge(result: PurgeScenarioResult): void {
  expect(result.item.status).toBe("COMPLETED");
  expect(result.item.attempts).toBe(2);
  expect(result.item.recordsAffected).toBe(result.matchingAtEnqueue);
  expect(result.matchingLeft).toBe(0);
  expect(result.othersAfter).toEqual(result.othersBefore);
  expect(result.lateRows.after).toBe(result.lateRows.before);
  expect(result.resumedFrom).not.toBeNull();
}

describe("log purge through the processor (PGlite)", () => {
  it("resumes after a lost lease with an exact count", { timeout: 120_000 }, async () => {
    await pgAdmin.exec("SET TimeZone = 'Australia/Adelaide'");
    try {
      const result = await runPurgeScenario({
        admin: pgAdmin,
        storeConnection: () => pg,
        targetConnection: () => pg,
        ...schemaPair(pgAdmin),
        podRows: 10_000,
        chunkSize: 500,
        crashAfterChunk: 4,
        timeoutMs: 60_000,
      });

      expectExactPurge(result);
      expect(result.matchingAtEnqueue).toBe(8_000);
    } finally {
      await pgAdmin.exec("RESET TimeZone");
    }
  });
});

describe("log purge with a lost commit reply (PGlite)", () => {
  it("counts a chunk whose commit reply was lost once", { timeout: 60_000 }, async () => {
    const { logSchema, queueSchema } = schemaPair(pgAdmin);
    await createLogTable(pgAdmin, logSchema);
    await insertLogRows(pgAdmin, logSchema, [{ deployment: "api", pod: "api-1", count: 5_000, start: new Date("2026-01-01T00:00:00Z"), stepMs: 1_000 }]);
    const store = createPostgresStore({ connection: pg, schema: queueSchema });
    await store.migrate();
    const target = createPostgresLogTarget({ connection: pg, schema: logSchema, queueStore: store });
    let chunkCalls = 0;
    const replyLost: LogPurgeTarget = {
      ...target,
      async deleteChunk(params) {
        const result = await target.deleteChunk(params);
        // The chunk and its progress committed, but the client sees the connection drop.
        if (++chunkCalls === 2) throw Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
        return result;
      },
    };
    const handler = createLogPurgeHandler({ target: replyLost, chunkSize: 1_000, targetChunkMs: null, chunkRetry: { baseDelayMs: 1 } });
    const queue = createWorkQueue({ store, handlers: [handler] });
    const item = await createLogPurgeService({ queue, target }).enqueue({ podName: "api-1", deployment: "api" });
    const processor = createProcessor({ store, handlers: [handler], pollIntervalMs: 100 });

    await processor.start();
    const finished = async () => ["COMPLETED", "FAILED", "CANCELLED"].includes((await store.getItem({ id: item.id }))?.status ?? "");
    for (let wait = 0; wait < 300 && !(await finished()); wait++) await waitMs(100);
    await processor.stop();
    await queue.close();
    await target.close();
    await store.close();

    const final = await pgAdmin.exec(`SELECT status, records_affected, attempts FROM "${queueSchema}".work_queue WHERE id = $1`, [item.id]);
    const left = await pgAdmin.exec(`SELECT count(*)::int AS count FROM "${logSchema}"."Log"`);
    expect(chunkCalls).toBeGreaterThan(2);
    expect(final[0]).toMatchObject({ status: "COMPLETED", attempts: 1 });
    expect(left[0]!.count).toBe(0);
    expect(Number(final[0]!.records_affected)).toBe(5_000);
  });
});

describe.skipIf(!lookup.server)(`log purge through the processor (server${lookup.skipReason ? `; skipped: ${lookup.skipReason}` : ""})`, () => {
  it("finds the walk's index without a warning", async () => {
    const { logSchema } = schemaPair(admin!);
    await createLogTable(admin!, logSchema);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };
    const target = createPostgresLogTarget({ connection: lookup.server!.url, schema: logSchema, logger });
    try {
      await target.estimateRows({ deployment: "api", podName: "api-1", from: null, to: new Date(), maxId: 1 });
    } finally {
      await target.close();
    }

    expect(warnings).toEqual([]);
  });

  it("purges 400k of 1M rows with flat chunk times", { timeout: 240_000 }, async () => {
    const url = lookup.server!.url;
    // The purge's connection runs in a non-UTC session: bounds must still compare in UTC.
    const targetClient = () => {
      const client = postgres(url, { max: 2, connection: { TimeZone: "America/Sao_Paulo" }, onnotice: () => {} });
      clients.push(client);
      return client;
    };

    const result = await runPurgeScenario({
      admin: admin!,
      storeConnection: () => url,
      targetConnection: targetClient,
      ...schemaPair(admin!),
      podRows: 500_000,
      chunkSize: 10_000,
      crashAfterChunk: 3,
      timeoutMs: 180_000,
    });

    expectExactPurge(result);
    expect(result.matchingAtEnqueue).toBe(400_000);

    const full = result.chunks.filter((chunk) => chunk.deleted >= 9_000).map((chunk) => chunk.durationMs);
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    const firstChunks = median(full.slice(0, 5));
    const lastChunks = median(full.slice(-5));
    console.info(`purge chunks: ${full.length} full chunks, first median ${firstChunks} ms, last median ${lastChunks} ms`);
    expect(full.length).toBeGreaterThan(25);
    // Rereading the deleted entries would make the last chunks several times slower than the first.
    expect(lastChunks).toBeLessThan(firstChunks * 2 + 30);
  });
});
