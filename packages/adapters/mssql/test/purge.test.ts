import {
  type ChunkResult,
  type DeleteChunkParams,
  type HandlerContext,
  type LogPurgePayload,
  type LogPurgeTarget,
  LOG_PURGE_TYPE,
  createLogPurgeHandler,
  purgeUniqueKey,
  silentLogger,
} from "@logmk/workqueue";
import { newItem } from "@logmk/workqueue/testing";
import { type MssqlLogTarget, type MssqlWorkQueueStore, createMssqlLogTarget, createMssqlStore } from "@logmk/workqueue-mssql";
import sql from "mssql";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { dropSchema, findSqlServer, runSql, uniqueSchema } from "./support/server.js";

const server = await findSqlServer();
server.reportSkip("the SQL Server purge suite");
const suite = server.skipReason === undefined ? describe : describe.skip;
const title = server.skipReason === undefined ? "purge on SQL Server" : `purge on SQL Server (skipped: ${server.skipReason})`;

const DAY = 24 * 60 * 60_000;
const START = new Date("2026-11-01T00:00:00.000Z");
const FROM = new Date(START.getTime() + 2 * DAY);
const TO = new Date(START.getTime() + 4 * DAY);

let pool: sql.ConnectionPool | undefined;

afterAll(async () => {
  await pool?.close();
  await server.stop();
});

/** Inserts `count` rows of one pod, `stepMs` apart from `start`, in one set-based statement. */
async function insertRows(schema: string, rows: { deployment: string; pod: string; count: number; start: Date; stepMs: number }): Promise<void> {
  await runSql(
    pool!,
    `INSERT INTO [${schema}].[Log] ([Deployment], [Pod], [TimeStamp], [Message])
SELECT @Deployment, @Pod, DATEADD(millisecond, n.[Number] * @StepMs, @Start), N'line'
FROM (SELECT TOP (@Count) ROW_NUMBER() OVER (ORDER BY (SELECT NULL)) - 1 AS [Number] FROM sys.all_objects AS a CROSS JOIN sys.all_objects AS b) AS n;`,
    {
      Deployment: { type: sql.NVarChar(256), value: rows.deployment },
      Pod: { type: sql.NVarChar(256), value: rows.pod },
      Count: { type: sql.Int, value: rows.count },
      StepMs: { type: sql.Int, value: rows.stepMs },
      Start: { type: sql.DateTime2(7), value: rows.start },
    },
  );
}

async function count(schema: string, where: string, parameters: Parameters<typeof runSql>[2] = {}): Promise<number> {
  const [row] = await runSql(pool!, `SELECT COUNT_BIG(*) AS [Rows] FROM [${schema}].[Log] WHERE ${where};`, parameters);
  return Number(row!["Rows"]);
}

const inRange = "[Deployment] = N'api' AND [Pod] = N'pod-a' AND [TimeStamp] >= @From AND [TimeStamp] < @To";
const rangeParameters = { From: { type: sql.DateTime2(7), value: FROM }, To: { type: sql.DateTime2(7), value: TO } };

/** Runs the purge handler on a claimed item, as the processor would, and returns its result. */
async function runPurge(store: MssqlWorkQueueStore, target: LogPurgeTarget, payload: LogPurgePayload): Promise<{ recordsAffected?: number }> {
  await store.enqueue({ item: newItem({ type: LOG_PURGE_TYPE, podName: "pod-a", deployment: "api", payload, uniqueKey: purgeUniqueKey("api", "pod-a") }), maxOpenItems: null });
  const [item] = await store.claimNext({ workerId: "purge-test", types: [LOG_PURGE_TYPE], leaseMs: 60_000, limit: 1 });
  const handler = createLogPurgeHandler({ target, chunkSize: 500, minChunkSize: 100, targetChunkMs: null });

  const context: HandlerContext<LogPurgePayload> = {
    item: item!,
    payload,
    signal: new AbortController().signal,
    leaseMs: 60_000,
    logger: silentLogger,
    workerId: "purge-test",
    async reportProgress(update) {
      const result = await store.reportProgress({ id: item!.id, fencingToken: item!.fencingToken, leaseMs: 60_000, ...update });
      return { applied: result.applied, cancelRequested: result.item?.cancelRequestedAt != null };
    },
    acceptFencedResult: (result) => ({ applied: result.applied, cancelRequested: result.item?.cancelRequestedAt != null }),
  };
  const result = (await handler.run(context)) ?? {};
  await store.completeItem({ id: item!.id, fencingToken: item!.fencingToken, ...result });
  return result;
}

suite(title, () => {
  let schema: string;
  let store: MssqlWorkQueueStore;
  let targets: MssqlLogTarget[];
  let maxId: number;

  beforeEach(async () => {
    const connectionString = await server.connectionString();
    pool ??= await new sql.ConnectionPool(connectionString).connect();
    schema = uniqueSchema("lp");
    store = createMssqlStore({ connectionString, schema });
    await store.migrate();
    await runSql(
      pool,
      `CREATE TABLE [${schema}].[Log] ([Id] bigint IDENTITY(1, 1) NOT NULL PRIMARY KEY CLUSTERED, [Deployment] nvarchar(256) NOT NULL, [Pod] nvarchar(256) NOT NULL, [TimeStamp] datetime2(7) NOT NULL, [Message] nvarchar(200) NULL);
CREATE INDEX [IX_Log_Deployment_Pod_TimeStamp] ON [${schema}].[Log] ([Deployment], [Pod], [TimeStamp]);`,
    );

    // pod-a of api: 6,000 rows over six days, 600 of them sharing one TimeStamp inside the range.
    await insertRows(schema, { deployment: "api", pod: "pod-a", count: 5_400, start: START, stepMs: 96_000 });
    await insertRows(schema, { deployment: "api", pod: "pod-a", count: 600, start: new Date(FROM.getTime() + 7 * 60 * 60_000), stepMs: 0 });
    // The same pod name in another deployment, and another pod of api, over the same days.
    await insertRows(schema, { deployment: "web", pod: "pod-a", count: 1_500, start: START, stepMs: 345_600 });
    await insertRows(schema, { deployment: "api", pod: "pod-b", count: 1_500, start: START, stepMs: 345_600 });
    const [row] = await runSql(pool, `SELECT MAX([Id]) AS [MaxId] FROM [${schema}].[Log];`);
    maxId = Number(row!["MaxId"]);
    targets = [];
  });

  afterEach(async () => {
    for (const target of targets) await target.close();
    await store.close();
    await dropSchema(pool!, schema, ["Log", "WorkQueueEvents", "WorkQueue", "WorkQueueMigrations"]);
  });

  function target(options: Partial<Parameters<typeof createMssqlLogTarget>[0]> = {}): Promise<MssqlLogTarget> {
    return server.connectionString().then((connectionString) => {
      const created = createMssqlLogTarget({ connectionString, table: { schema }, ...options });
      targets.push(created);
      return created;
    });
  }

  for (const mode of ["with the progress write in the chunk's transaction", "with progress written after each chunk"] as const) {
    it(`deletes exactly the range ${mode}`, async () => {
      const logTarget = await target(mode.startsWith("with the") ? { queueSchema: schema } : {});
      const outside = {
        before: await count(schema, "[Deployment] = N'api' AND [Pod] = N'pod-a' AND [TimeStamp] < @From", rangeParameters),
        after: await count(schema, "[Deployment] = N'api' AND [Pod] = N'pod-a' AND [TimeStamp] >= @To", rangeParameters),
        web: await count(schema, "[Deployment] = N'web'"),
        podB: await count(schema, "[Pod] = N'pod-b'"),
      };
      const matching = await count(schema, inRange, rangeParameters);

      const result = await runPurge(store, logTarget, { from: FROM.toISOString(), to: TO.toISOString(), maxId, timeRange: null, displayedEstimate: null });

      expect(matching).toBeGreaterThan(1_000);
      expect(result.recordsAffected).toBe(matching);
      expect(await count(schema, inRange, rangeParameters)).toBe(0);
      expect(await count(schema, "[Deployment] = N'api' AND [Pod] = N'pod-a' AND [TimeStamp] < @From", rangeParameters)).toBe(outside.before);
      expect(await count(schema, "[Deployment] = N'api' AND [Pod] = N'pod-a' AND [TimeStamp] >= @To", rangeParameters)).toBe(outside.after);
      expect(await count(schema, "[Deployment] = N'web'")).toBe(outside.web);
      expect(await count(schema, "[Pod] = N'pod-b'")).toBe(outside.podB);
    });
  }

  it("keeps rows inserted while the purge runs", async () => {
    const logTarget = await target({ queueSchema: schema });
    let inserted = false;
    // Inserts new rows into the range after the first chunk, as LogMk keeps logging during a purge.
    const busyTarget: LogPurgeTarget = {
      ...logTarget,
      async deleteChunk(params: DeleteChunkParams): Promise<ChunkResult> {
        const result = await logTarget.deleteChunk(params);
        if (!inserted) {
          inserted = true;
          await insertRows(schema, { deployment: "api", pod: "pod-a", count: 250, start: new Date(FROM.getTime() + DAY), stepMs: 1_000 });
        }
        return result;
      },
    };

    await runPurge(store, busyTarget, { from: FROM.toISOString(), to: TO.toISOString(), maxId, timeRange: null, displayedEstimate: null });

    expect(inserted).toBe(true);
    expect(await count(schema, `${inRange} AND [Id] > @MaxId`, { ...rangeParameters, MaxId: { type: sql.BigInt, value: maxId } })).toBe(250);
    expect(await count(schema, `${inRange} AND [Id] <= @MaxId`, { ...rangeParameters, MaxId: { type: sql.BigInt, value: maxId } })).toBe(0);
  });

  it("purges from the oldest log without a lower bound", async () => {
    const logTarget = await target();
    const kept = await count(schema, "[Deployment] = N'api' AND [Pod] = N'pod-a' AND [TimeStamp] >= @To", rangeParameters);

    await runPurge(store, logTarget, { from: null, to: TO.toISOString(), maxId, timeRange: null, displayedEstimate: null });

    expect(await count(schema, "[Deployment] = N'api' AND [Pod] = N'pod-a'")).toBe(kept);
    expect(await count(schema, "[Deployment] = N'web' AND [Pod] = N'pod-a'")).toBe(1_500);
  });

  it("rolls a chunk back when the lease was lost", async () => {
    const logTarget = await target({ queueSchema: schema });
    const before = await count(schema, inRange, rangeParameters);

    const result = await logTarget.deleteChunk({
      range: { deployment: "api", podName: "pod-a", from: FROM, to: TO, maxId },
      cursor: null,
      limit: 1_000,
      statementTimeoutMs: 10_000,
      progress: (deleted, cursor) => ({ id: 999_999, fencingToken: 1, recordsAffected: deleted, progress: 1, checkpoint: cursor }),
    });

    expect(result.deleted).toBe(0);
    expect(result.progressWrite?.applied).toBe(false);
    expect(await count(schema, inRange, rangeParameters)).toBe(before);
  });

  it("reports a lock wait as a lock timeout", async () => {
    const logTarget = await target({ lockTimeoutMs: 500 });
    const holder = new sql.Transaction(pool!);
    await holder.begin();
    try {
      await holder.request().query(`UPDATE [${schema}].[Log] SET [Message] = N'held' WHERE [Deployment] = N'api' AND [Pod] = N'pod-a' AND [TimeStamp] >= '2026-11-03T00:00:00';`);

      const error = await logTarget
        .deleteChunk({ range: { deployment: "api", podName: "pod-a", from: FROM, to: TO, maxId }, cursor: null, limit: 1_000, statementTimeoutMs: 10_000 })
        .then(() => null, (caught: unknown) => caught);

      expect(logTarget.classifyError(error)).toBe("lock-timeout");
    } finally {
      await holder.rollback();
    }
  });

  it("finds, lists and estimates pods from the index", async () => {
    const logTarget = await target();

    const found = await logTarget.findPod({ podName: "pod-a" });
    const missing = await logTarget.findPod({ podName: "pod-z" });
    const pods = await logTarget.listPods();
    const estimate = await logTarget.estimateRows({ deployment: "api", podName: "pod-b", from: null, to: new Date(START.getTime() + 7 * DAY), maxId });

    expect(found).toEqual({ exists: true, deployments: ["api", "web"] });
    expect(missing).toEqual({ exists: false, deployments: [] });
    expect(pods.map((pod) => [pod.deployment, pod.podName])).toEqual([
      ["api", "pod-a"],
      ["api", "pod-b"],
      ["web", "pod-a"],
    ]);
    expect(pods[0]!.oldest).toEqual(START);
    expect(pods.every((pod) => pod.approximateCount > 0)).toBe(true);
    expect(estimate).toBeGreaterThan(300);
    expect(estimate).toBeLessThan(6_000);
    expect(await logTarget.maxLogId()).toBe(maxId);
    expect(Math.abs((await logTarget.now()).getTime() - Date.now())).toBeLessThan(60_000);
  });
});
