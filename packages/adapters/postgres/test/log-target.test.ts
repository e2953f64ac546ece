import { PGlite } from "@electric-sql/pglite";
import { PermanentJobError, type LogPurgeTarget, type PurgeRange } from "@logmk/workqueue";
import { claimOne, newItem } from "@logmk/workqueue/testing";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogTable, fingerprint, insertLogRows, type LogTableOptions } from "./support/log-table.js";
import { pgliteAdmin, uniqueSchemaName } from "./support/schemas.js";

const pg = new PGlite();
// Starting the WebAssembly database takes seconds, and far longer on a loaded machine: do it
// outside the tests' own time limit.
beforeAll(() => pg.waitReady, 120_000);
const admin = pgliteAdmin(pg);
const schemas: string[] = [];
const targets: LogPurgeTarget[] = [];

afterEach(async () => {
  for (const target of targets.splice(0)) await target.close?.();
  for (const schema of schemas.splice(0)) await admin.dropSchema(schema);
  await admin.exec("RESET TimeZone");
});
afterAll(async () => {
  await pg.close();
});

const T0 = new Date("2026-11-01T00:00:00Z");
const minutes = (count: number) => new Date(T0.getTime() + count * 60_000);

async function logSchema(options: LogTableOptions = {}): Promise<string> {
  const schema = uniqueSchemaName("log");
  schemas.push(schema);
  await createLogTable(admin, schema, options);
  return schema;
}

function target(schema: string, extra: Partial<Parameters<typeof createPostgresLogTarget>[0]> = {}): LogPurgeTarget {
  const created = createPostgresLogTarget({ connection: pg, schema, ...extra });
  targets.push(created);
  return created;
}

/** Deletes chunk after chunk until the target reports done; returns each chunk's deleted count. */
async function purgeAll(logTarget: LogPurgeTarget, range: PurgeRange, limit: number): Promise<number[]> {
  const deleted: number[] = [];
  let cursor: unknown = null;
  for (let chunk = 0; chunk < 10_000; chunk++) {
    const result = await logTarget.deleteChunk({ range, cursor, limit, statementTimeoutMs: 5_000 });
    deleted.push(result.deleted);
    cursor = result.cursor;
    if (result.done) return deleted;
  }
  throw new Error("The purge did not finish within 10000 chunks");
}

describe("postgres log target (PGlite)", () => {
  it("walks a range in bounded chunks", async () => {
    const schema = await logSchema();
    await insertLogRows(admin, schema, [
      { deployment: "api", pod: "api-1", count: 5_000, start: T0, stepMs: 1_000 },
      { deployment: "web", pod: "api-1", count: 1_000, start: T0, stepMs: 1_000 },
      { deployment: "api", pod: "api-2", count: 1_000, start: T0, stepMs: 1_000 },
    ]);
    const logTarget = target(schema);
    const maxId = await logTarget.maxLogId();
    const range: PurgeRange = { deployment: "api", podName: "api-1", from: minutes(10), to: minutes(70), maxId };
    const matching = `"Deployment" = 'api' AND "Pod" = 'api-1' AND "TimeStamp" >= '2026-11-01 00:10' AND "TimeStamp" < '2026-11-01 01:10'`;
    const others = await fingerprint(admin, schema, `NOT (${matching})`);
    expect((await fingerprint(admin, schema, matching)).count).toBe(3_600);

    const chunks = await purgeAll(logTarget, range, 500);

    expect(chunks.reduce((sum, count) => sum + count, 0)).toBe(3_600);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(500);
    expect(chunks.length).toBeLessThanOrEqual(9);
    expect((await fingerprint(admin, schema, matching)).count).toBe(0);
    expect(await fingerprint(admin, schema, `NOT (${matching})`)).toEqual(others);
  });

  it("deletes rows sharing one timestamp in id order", async () => {
    const schema = await logSchema();
    await insertLogRows(admin, schema, [
      { deployment: "api", pod: "api-1", count: 2_500, start: minutes(5), stepMs: 0 },
      { deployment: "api", pod: "api-1", count: 300, start: minutes(6), stepMs: 1_000 },
    ]);
    const logTarget = target(schema);
    const maxId = await logTarget.maxLogId();
    // Rows inserted after the purge was queued, at the shared timestamp: above maxId, they stay.
    await insertLogRows(admin, schema, [{ deployment: "api", pod: "api-1", count: 1_200, start: minutes(5), stepMs: 0 }]);
    const range: PurgeRange = { deployment: "api", podName: "api-1", from: null, to: minutes(60), maxId };

    const chunks = await purgeAll(logTarget, range, 1_000);

    expect(chunks.slice(0, 3)).toEqual([1_000, 1_000, 500]);
    expect(chunks.reduce((sum, count) => sum + count, 0)).toBe(2_800);
    expect(Math.max(...chunks)).toBeLessThanOrEqual(1_000);
    expect((await fingerprint(admin, schema, `"Id" <= $1`, [maxId])).count).toBe(0);
    expect((await fingerprint(admin, schema, `"Id" > $1`, [maxId])).count).toBe(1_200);
  });

  it("compares UTC bounds whatever the session TimeZone", async () => {
    const schema = await logSchema();
    const from = minutes(60);
    const to = minutes(120);
    for (const at of [from.getTime() - 1, from.getTime(), to.getTime() - 1, to.getTime()]) {
      await insertLogRows(admin, schema, [{ deployment: "api", pod: "api-1", count: 1, start: new Date(at), stepMs: 0 }]);
    }
    await admin.exec("SET TimeZone = 'Asia/Kolkata'");
    const logTarget = target(schema);

    await purgeAll(logTarget, { deployment: "api", podName: "api-1", from, to, maxId: await logTarget.maxLogId() }, 100);

    const left = await admin.exec(`SELECT to_char("TimeStamp", 'HH24:MI:SS.MS') AS at FROM "${schema}"."Log" ORDER BY "TimeStamp"`);
    expect(left.map((row) => row.at)).toEqual(["00:59:59.999", "02:00:00.000"]);
  });

  it("compares a timestamptz column directly", async () => {
    const schema = await logSchema({ timestampType: "timestamptz" });
    const from = minutes(60);
    const to = minutes(120);
    for (const at of [from.getTime() - 1, from.getTime(), to.getTime() - 1, to.getTime()]) {
      await insertLogRows(admin, schema, [{ deployment: "api", pod: "api-1", count: 1, start: new Date(at), stepMs: 0 }], { timestampType: "timestamptz" });
    }
    await admin.exec("SET TimeZone = 'America/New_York'");
    const logTarget = target(schema);

    await purgeAll(logTarget, { deployment: "api", podName: "api-1", from, to, maxId: await logTarget.maxLogId() }, 100);

    const left = await admin.exec(`SELECT to_char("TimeStamp" AT TIME ZONE 'UTC', 'HH24:MI:SS.MS') AS at FROM "${schema}"."Log" ORDER BY "TimeStamp"`);
    expect(left.map((row) => row.at)).toEqual(["00:59:59.999", "02:00:00.000"]);
    expect((await logTarget.listPods())[0]?.oldest?.toISOString()).toBe("2026-11-01T00:59:59.999Z");
  });

  it("purges a table without a deployment column", async () => {
    const schema = await logSchema({ withoutDeployment: true });
    await insertLogRows(admin, schema, [
      { deployment: "", pod: "api-1", count: 700, start: T0, stepMs: 1_000 },
      { deployment: "", pod: "api-2", count: 300, start: T0, stepMs: 1_000 },
    ], { withoutDeployment: true });
    const logTarget = target(schema, { columns: { deployment: null } });

    expect(await logTarget.findPod({ podName: "api-1" })).toEqual({ exists: true, deployments: null });
    expect(await logTarget.findPod({ podName: "nope" })).toEqual({ exists: false, deployments: null });
    await purgeAll(logTarget, { deployment: null, podName: "api-1", from: null, to: minutes(60), maxId: await logTarget.maxLogId() }, 200);

    expect((await fingerprint(admin, schema, `"Pod" = 'api-1'`)).count).toBe(0);
    expect((await fingerprint(admin, schema, `"Pod" = 'api-2'`)).count).toBe(300);
    expect((await logTarget.listPods()).map((pod) => [pod.deployment, pod.podName])).toEqual([[null, "api-2"]]);
  });

  it("lists pods and finds their deployments", async () => {
    const schema = await logSchema();
    await insertLogRows(admin, schema, [
      { deployment: "api", pod: "shared-pod", count: 400, start: T0, stepMs: 60_000 },
      { deployment: "web", pod: "shared-pod", count: 100, start: minutes(30), stepMs: 60_000 },
      { deployment: "web", pod: "web-1", count: 50, start: T0, stepMs: 1_000 },
    ]);
    await admin.exec(`ANALYZE "${schema}"."Log"`);
    const logTarget = target(schema);

    const pods = await logTarget.listPods();

    expect(pods.map((pod) => [pod.deployment, pod.podName])).toEqual([["api", "shared-pod"], ["web", "shared-pod"], ["web", "web-1"]]);
    expect(pods[0]).toMatchObject({ oldest: T0, newest: minutes(399) });
    expect(pods[1]).toMatchObject({ oldest: minutes(30), newest: minutes(129) });
    for (const pod of pods) expect(pod.approximateCount).toBeGreaterThan(0);
    expect(await logTarget.findPod({ podName: "shared-pod" })).toEqual({ exists: true, deployments: ["api", "web"] });
    expect(await logTarget.findPod({ podName: "web-1" })).toEqual({ exists: true, deployments: ["web"] });
    expect(await logTarget.findPod({ podName: "missing" })).toEqual({ exists: false, deployments: [] });
  });

  it("estimates rows from the planner", async () => {
    const schema = await logSchema();
    await insertLogRows(admin, schema, [
      { deployment: "api", pod: "api-1", count: 20_000, start: T0, stepMs: 1_000 },
      { deployment: "api", pod: "api-2", count: 20_000, start: T0, stepMs: 1_000 },
    ]);
    await admin.exec(`ANALYZE "${schema}"."Log"`);
    const logTarget = target(schema);
    const maxId = await logTarget.maxLogId();

    const half = await logTarget.estimateRows({ deployment: "api", podName: "api-1", from: null, to: minutes(20_000 / 120), maxId });
    const none = await logTarget.estimateRows({ deployment: "api", podName: "api-1", from: null, to: minutes(60), maxId: null });
    const beforeOldest = await logTarget.estimateRows({ deployment: "api", podName: "api-1", from: null, to: minutes(-60), maxId });
    const otherDeployment = await logTarget.estimateRows({ deployment: "web", podName: "api-1", from: null, to: minutes(60), maxId });

    expect(half).toBeGreaterThan(5_000);
    expect(half).toBeLessThan(20_000);
    expect(none).toBe(0);
    expect(beforeOldest).toBe(0);
    expect(otherDeployment).toBe(0);
  });

  it("refreshes estimates after a purge", async () => {
    const schema = await logSchema();
    await insertLogRows(admin, schema, [
      { deployment: "api", pod: "api-1", count: 20_000, start: T0, stepMs: 1_000 },
      { deployment: "api", pod: "api-2", count: 20_000, start: T0, stepMs: 1_000 },
    ]);
    await admin.exec(`ANALYZE "${schema}"."Log"`);
    const logTarget = target(schema);
    const maxId = await logTarget.maxLogId();
    const wholePod = { deployment: "api", podName: "api-1", from: null, to: minutes(24 * 60), maxId };
    // The first half of the pod's rows: one per second from T0.
    await purgeAll(logTarget, { ...wholePod, to: new Date(T0.getTime() + 10_000 * 1_000) }, 5_000);

    const stale = await logTarget.estimateRows(wholePod);
    const stalePods = await logTarget.listPods();
    await logTarget.refreshStatistics!();
    const fresh = await logTarget.estimateRows(wholePod);
    const freshPods = await logTarget.listPods();

    expect(stale).toBeGreaterThan(15_000);
    expect(fresh).toBeGreaterThan(7_000);
    expect(fresh).toBeLessThan(13_000);
    expect(stalePods.find((pod) => pod.podName === "api-1")!.approximateCount).toBeGreaterThan(15_000);
    expect(freshPods.find((pod) => pod.podName === "api-1")!.approximateCount).toBeLessThan(13_000);
    expect(freshPods.find((pod) => pod.podName === "api-2")!.approximateCount).toBeGreaterThan(15_000);
  });

  it("estimates a pod within its deployment", async () => {
    const schema = await logSchema();
    // Deployment "big" holds most rows, so treating deployment and pod as independent would halve "small-1".
    await insertLogRows(admin, schema, [
      { deployment: "big", pod: "big-1", count: 30_000, start: T0, stepMs: 1_000 },
      { deployment: "small", pod: "small-1", count: 8_000, start: T0, stepMs: 1_000 },
      { deployment: "small", pod: "small-2", count: 8_000, start: T0, stepMs: 1_000 },
    ]);
    await admin.exec(`ANALYZE "${schema}"."Log"`);
    const logTarget = target(schema);
    const maxId = await logTarget.maxLogId();

    const estimate = await logTarget.estimateRows({ deployment: "small", podName: "small-1", from: null, to: minutes(100_000), maxId });
    const pods = await logTarget.listPods();

    expect(estimate).toBeGreaterThan(6_000);
    expect(estimate).toBeLessThan(10_000);
    const listed = pods.find((pod) => pod.podName === "small-1")!;
    expect(listed.approximateCount).toBeGreaterThan(6_000);
    expect(listed.approximateCount).toBeLessThan(10_000);
  });

  it("reports the highest id and the database time", async () => {
    const schema = await logSchema();
    const logTarget = target(schema);
    expect(await logTarget.maxLogId()).toBeNull();

    await insertLogRows(admin, schema, [{ deployment: "api", pod: "api-1", count: 3, start: T0, stepMs: 1 }]);

    expect(await logTarget.maxLogId()).toBe(3);
    expect(Math.abs((await logTarget.now()).getTime() - (await admin.now()).getTime())).toBeLessThan(5_000);
    expect(logTarget.name).toBe(`pglite:${schema}.Log`);
  });

  it("warns once when the walk's index is missing", async () => {
    const indexed = await logSchema();
    const bare = await logSchema();
    await admin.exec(`DROP INDEX "${bare}"."IX_Log_Pod_TimeStamp"`);
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (_fields: Record<string, unknown>, message: string) => void warnings.push(message) };

    await target(indexed, { logger }).listPods();
    expect(warnings).toEqual([]);
    const bareTarget = target(bare, { logger });
    await bareTarget.listPods();
    await bareTarget.listPods();

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`${bare}.Log has no index starting with (Deployment, Pod, TimeStamp)`);
  });

  it("rejects a cursor of another target", async () => {
    const schema = await logSchema();
    const logTarget = target(schema);

    const error = await logTarget.deleteChunk({ range: { deployment: "api", podName: "p", from: null, to: T0, maxId: 1 }, cursor: { t: 1, id: 2 }, limit: 10, statementTimeoutMs: 1_000 }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PermanentJobError);
    expect((error as Error).message).toContain("checkpoint");
  });

  it("names a missing table or column", async () => {
    const schema = await logSchema();
    const missingTable = await target(schema, { table: "Logs" }).estimateRows({ deployment: "a", podName: "p", from: null, to: T0, maxId: 1 }).catch((caught: unknown) => caught);
    const missingColumn = await target(schema, { columns: { timestamp: "Timestamp" } }).estimateRows({ deployment: "a", podName: "p", from: null, to: T0, maxId: 1 }).catch((caught: unknown) => caught);

    expect((missingTable as Error).message).toContain(`${schema}.Logs was not found`);
    expect((missingColumn as Error).message).toContain("has no column Timestamp");
    expect(() => createPostgresLogTarget({ connection: pg, table: "Log; DROP TABLE x" })).toThrow(/table must start with a letter/);
    expect(() => createPostgresLogTarget({ connection: "mysql://x" })).toThrow(/connection must be a postgres:\/\/ URL/);
  });

  it("commits the chunk with the fenced progress write", async () => {
    const schema = await logSchema();
    await insertLogRows(admin, schema, [{ deployment: "api", pod: "api-1", count: 100, start: T0, stepMs: 1_000 }]);
    const store = createPostgresStore({ connection: pg, schema: `${schema}_queue` });
    schemas.push(`${schema}_queue`);
    const logTarget = target(schema, { queueStore: store });
    await store.enqueue({ item: newItem({ type: "LOG_PURGE" }), maxOpenItems: null });
    const claimed = await claimOne(store, { types: ["LOG_PURGE"] });
    const range: PurgeRange = { deployment: "api", podName: "api-1", from: null, to: minutes(60), maxId: await logTarget.maxLogId() };
    const progressFor = (fencingToken: number) => (deleted: number, cursor: unknown) => ({ id: claimed.id, fencingToken, recordsAffected: deleted, progress: 10, checkpoint: cursor });

    const stale = await logTarget.deleteChunk({ range, cursor: null, limit: 40, statementTimeoutMs: 5_000, progress: progressFor(claimed.fencingToken - 1) });
    const rowsAfterStale = (await fingerprint(admin, schema, "true")).count;
    const current = await logTarget.deleteChunk({ range, cursor: null, limit: 40, statementTimeoutMs: 5_000, progress: progressFor(claimed.fencingToken) });

    expect(stale).toMatchObject({ deleted: 0, cursor: null, done: false, progressWrite: { applied: false } });
    expect(rowsAfterStale).toBe(100);
    expect(current.deleted).toBe(40);
    expect(current.progressWrite).toMatchObject({ applied: true, item: { recordsAffected: 40, checkpoint: current.cursor } });
    expect((await fingerprint(admin, schema, "true")).count).toBe(60);
    const events = await store.readEvents({ afterId: 0, limit: 10 });
    expect(events.map((event) => event.name)).toEqual(["QueueItemAdded", "QueueItemStarted", "QueueItemProgress"]);
    await store.close();
  });

  it("rejects a queue store in another database", async () => {
    const schema = await logSchema();
    await insertLogRows(admin, schema, [{ deployment: "api", pod: "api-1", count: 10, start: T0, stepMs: 1_000 }]);
    const other = new PGlite();
    const store = createPostgresStore({ connection: other, schema: "queue" });
    await store.migrate();
    const logTarget = target(schema, { queueStore: store });
    const progress = (deleted: number) => ({ id: 1, fencingToken: 1, recordsAffected: deleted, progress: 1 });

    const error = await logTarget.deleteChunk({ range: { deployment: "api", podName: "api-1", from: null, to: minutes(60), maxId: 100 }, cursor: null, limit: 5, statementTimeoutMs: 1_000, progress }).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(PermanentJobError);
    expect((error as Error).message).toContain("give queueStore only when both share one database");
    expect((await fingerprint(admin, schema, "true")).count).toBe(10);
    await store.close();
    await other.close();
  });
});

describe("classifyError", () => {
  const logTarget = createPostgresLogTarget({ connection: pg });
  const cases: Array<[string, unknown, string | null]> = [
    ["deadlock", { code: "40P01" }, "deadlock"],
    ["serialization failure", { code: "40001" }, "deadlock"],
    ["lock timeout", { code: "55P03" }, "lock-timeout"],
    ["statement timeout", { code: "57014" }, "statement-timeout"],
    ["connection failure class 08", { code: "08006" }, "connection"],
    ["server shutdown", { code: "57P01" }, "connection"],
    ["postgres.js closed connection", { code: "CONNECTION_CLOSED" }, "connection"],
    ["socket reset", { code: "ECONNRESET" }, "connection"],
    ["wrapped in a cause", new Error("wrapper", { cause: { code: "40P01" } }), "deadlock"],
    ["unique violation", { code: "23505" }, null],
    ["plain error", new Error("boom"), null],
    ["not an object", "boom", null],
  ];

  it.each(cases)("classifies %s", (_name, error, kind) => {
    expect(logTarget.classifyError(error)).toBe(kind);
  });
});
