import { PGlite } from "@electric-sql/pglite";
import {
  LOG_PURGE_TYPE,
  LogPurgePayloadSchema,
  WorkQueueItemResponseSchema,
  createLogPurgeHandler,
  createProcessor,
  createWorkQueue,
  type Processor,
  type WorkQueue,
} from "@logmk/workqueue";
import { createPGliteExecutor, createPostgresLogTarget, createPostgresStore, type PostgresStore } from "@logmk/workqueue-postgres";
import type { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorkQueueApp, createWorkQueueMetrics, ProblemSchema, type AppEnv, type WorkQueueMetrics } from "../src/index.js";
import { ensureLogTable } from "../src/node/demo-data.js";
import { silentLogger } from "@logmk/workqueue";
import { HOSTILE_PATHS, hostileBodies } from "./hostile-cases.js";
import { SseReader } from "./sse-reader.js";

const MARKUP_POD = `<img src=x onerror=alert(1)>'; DROP TABLE "Log"; --`;
const ROWS: Array<{ deployment: string; pod: string; count: number }> = [
  { deployment: "api", pod: "api-1", count: 3_000 },
  { deployment: "api", pod: "api-2", count: 1_000 },
  { deployment: "api", pod: "shared-pod", count: 200 },
  { deployment: "web", pod: "shared-pod", count: 300 },
  { deployment: "web", pod: MARKUP_POD, count: 150 },
];

let pg: PGlite;
let store: PostgresStore;
let queue: WorkQueue;
let metrics: WorkQueueMetrics;
let app: Hono<AppEnv>;
let processor: Processor;

const send = (path: string, body: unknown, init: RequestInit = {}) =>
  Promise.resolve(app.request(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body), ...init }));
const get = (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init));

async function countRows(where: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pg.query<{ count: number }>(`SELECT count(*)::int AS count FROM public."Log" WHERE ${where}`, params);
  return rows[0]!.count;
}

async function countItems(): Promise<number> {
  const { rows } = await pg.query<{ count: number }>(`SELECT count(*)::int AS count FROM workqueue.work_queue`);
  return rows[0]!.count;
}

beforeAll(async () => {
  pg = new PGlite();
  await ensureLogTable(createPGliteExecutor(pg, { owned: false }), "public", "Log", silentLogger);
  for (const { deployment, pod, count } of ROWS) {
    // Rows one minute apart, ending an hour ago, so "day" and "week" ranges split them.
    await pg.query(
      `INSERT INTO public."Log" ("Deployment", "Pod", "TimeStamp", "LogLevel", "Line")
       SELECT $1, $2, (now() AT TIME ZONE 'UTC') - interval '1 hour' - n * interval '1 minute', 'INFO', 'line ' || n
       FROM generate_series(1, $3::int) AS n`,
      [deployment, pod, count],
    );
  }
  await pg.exec(`ANALYZE public."Log"`);

  store = createPostgresStore({ connection: pg, schema: "workqueue" });
  await store.migrate();
  const target = createPostgresLogTarget({ connection: pg, queueStore: store });
  queue = createWorkQueue({ store, handlers: [{ type: LOG_PURGE_TYPE, payloadSchema: LogPurgePayloadSchema }], maxOpenItems: 6 });
  metrics = createWorkQueueMetrics({ queue });
  processor = createProcessor({ store, handlers: [createLogPurgeHandler({ target, onChunk: metrics.observeChunk, chunkSize: 500, targetChunkMs: null })], pollIntervalMs: 60_000 });
  app = createWorkQueueApp({ queue, logTarget: target, metrics, processor });
});

afterAll(async () => {
  await processor.stop();
  metrics.close();
  await queue.close();
  await store.close();
  await pg.close();
});

describe("HTTP routes on PGlite", () => {
  it("queues, previews and rejects purges", async () => {
    const preview = await send("/api/workqueue/purge/preview", { podName: "api-1", timeRange: "day" });
    const queued = await send("/api/workqueue/purge", { podName: "api-1", timeRange: "week" });
    const duplicate = await send("/api/workqueue/purge", { podName: "api-1" });
    const ambiguous = await send("/api/workqueue/purge", { podName: "shared-pod" });
    const unknown = await send("/api/workqueue/purge", { podName: "ghost-pod" });
    const future = await send("/api/workqueue/purge", { podName: "api-2", to: new Date(Date.now() + 3_600_000).toISOString() });
    const malformed = await send("/api/workqueue/purge", "{ not json");
    const extraField = await send("/api/workqueue/purge", { podName: "api-2", where: "1=1" });
    const tooLong = await send("/api/workqueue/purge", { podName: "p".repeat(10_000) });
    const tooLarge = await send("/api/workqueue/purge", { podName: "api-2", metadata: { blob: "x".repeat(70_000) } });

    expect(preview.status).toBe(200);
    const previewBody = (await preview.json()) as { estimatedRecords: number; deployment: string };
    expect(previewBody.deployment).toBe("api");
    expect(previewBody.estimatedRecords).toBeGreaterThan(700);
    expect(previewBody.estimatedRecords).toBeLessThan(2_900);
    expect(queued.status).toBe(202);
    const item = WorkQueueItemResponseSchema.parse(await queued.json());
    expect(queued.headers.get("Location")).toBe(`/api/workqueue/${item.id}`);
    expect(item).toMatchObject({ deployment: "api", uniqueKey: "LOG_PURGE:api/api-1", timeRange: "week" });
    expect(duplicate.status).toBe(409);
    expect(ProblemSchema.parse(await duplicate.json()).item?.id).toBe(item.id);
    expect(ambiguous.status).toBe(400);
    expect((await ambiguous.json()).detail).toContain("api, web");
    expect(unknown.status).toBe(404);
    expect(future.status).toBe(400);
    expect(malformed.status).toBe(400);
    expect(extraField.status).toBe(400);
    expect(tooLong.status).toBe(400);
    expect(tooLarge.status).toBe(413);
  });

  it.each(hostileBodies("api-2"))("rejects $name and leaves the tables alone", async ({ body, status }) => {
    const rowsBefore = await countRows("true");
    const itemsBefore = await countItems();

    const purge = await send("/api/workqueue/purge", body);
    const preview = await send("/api/workqueue/purge/preview", body);

    expect(purge.status).toBe(status);
    expect(preview.status).toBe(status);
    expect(purge.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await countRows("true")).toBe(rowsBefore);
    expect(await countItems()).toBe(itemsBefore);
  });

  it.each(HOSTILE_PATHS)("rejects $method $path", async ({ path, method, status }) => {
    const response = await get(path, { method });

    expect(response.status).toBe(status);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("previews a purge without counting the log table", async () => {
    const statements: string[] = [];
    const query = pg.query.bind(pg);
    pg.query = ((text: string, ...rest: unknown[]) => {
      statements.push(text);
      return (query as (...args: unknown[]) => unknown)(text, ...rest);
    }) as typeof pg.query;
    try {
      const response = await send("/api/workqueue/purge/preview", { podName: "api-2", timeRange: "week" });
      expect(response.status).toBe(200);
    } finally {
      pg.query = query;
    }

    const logStatements = statements.filter((text) => text.includes(`"Log"`));
    expect(logStatements.some((text) => text.startsWith("EXPLAIN"))).toBe(true);
    expect(logStatements.filter((text) => /count\s*\(/i.test(text))).toEqual([]);
  });

  it("rejects a purge that is not JSON with 415", async () => {
    const response = await send("/api/workqueue/purge", "podName=api-2", { headers: { "Content-Type": "application/x-www-form-urlencoded" } });

    expect(response.status).toBe(415);
  });

  it("lists, pages and finds items", async () => {
    const markup = await send("/api/workqueue/purge", { podName: MARKUP_POD, deployment: "web", timeRange: "day" });
    const api2 = await send("/api/workqueue/purge", { podName: "api-2", schedule: "now" });
    expect(markup.status).toBe(202);
    expect(api2.status).toBe(202);

    const firstPage = await get("/api/workqueue?limit=2");
    const firstItems = (await firstPage.json()) as Array<{ id: number; podName: string }>;
    const link = firstPage.headers.get("Link");
    const secondPage = (await (await get(`/api/workqueue?limit=2&before=${firstItems.at(-1)!.id}`)).json()) as Array<{ id: number }>;
    const byPod = (await (await get(`/api/workqueue/pod/${encodeURIComponent(MARKUP_POD)}?deployment=web`)).json()) as { hasPendingOrActive: boolean; items: Array<{ podName: string }> };
    const status = (await (await get("/api/workqueue/status")).json()) as { pendingCount: number; items: unknown[] };
    const filtered = (await (await get("/api/workqueue?podName=api-2")).json()) as Array<{ podName: string }>;

    expect(firstItems.map((entry) => entry.podName)).toEqual(["api-2", MARKUP_POD]);
    expect(link).toContain(`before=${firstItems.at(-1)!.id}`);
    expect(secondPage).toHaveLength(1);
    expect(byPod.hasPendingOrActive).toBe(true);
    expect(byPod.items[0]!.podName).toBe(MARKUP_POD);
    expect(status.pendingCount).toBe(3);
    expect(status.items).toHaveLength(3);
    expect(filtered.map((entry) => entry.podName)).toEqual(["api-2"]);
    expect((await get("/api/workqueue/999999")).status).toBe(404);
    expect((await get("/api/workqueue/abc")).status).toBe(400);
    expect((await get("/api/workqueue/active")).status).toBe(200);
  });

  it("answers 429 when the queue is full", async () => {
    const filler = () => ({ type: LOG_PURGE_TYPE, podName: "filler", deployment: "api", payload: { from: null, to: new Date().toISOString(), maxId: 1 } });
    const open = ((await (await get("/api/workqueue/status")).json()) as { pendingCount: number }).pendingCount;
    const fillers = [];
    for (let index = open; index < 6; index++) fillers.push(await queue.enqueue(filler()));

    const full = await send("/api/workqueue/purge", { podName: "shared-pod", deployment: "api" });
    for (const item of fillers) await queue.cancel(item.id);
    const admitted = await send("/api/workqueue/purge", { podName: "shared-pod", deployment: "api" });

    expect(full.status).toBe(429);
    expect(full.headers.get("Retry-After")).toBe("30");
    expect(ProblemSchema.parse(await full.json()).code).toBe("QUEUE_FULL");
    expect(admitted.status).toBe(202);
  });

  it("cancels pending and running items and retries them", async () => {
    const queued = await send("/api/workqueue/purge", { podName: "shared-pod", deployment: "web" });
    const pendingId = ((await queued.json()) as { id: number }).id;
    const cancelled = await get(`/api/workqueue/${pendingId}`, { method: "DELETE" });
    const again = await get(`/api/workqueue/${pendingId}`, { method: "DELETE" });
    const retried = await send(`/api/workqueue/${pendingId}/retry`, "");
    const retryPending = await send(`/api/workqueue/${pendingId}/retry`, "");

    // A worker of the test claims the oldest item, the api-1 purge, and stops when asked to.
    const [running] = await store.claimNext({ workerId: "test-worker", types: [LOG_PURGE_TYPE], leaseMs: 60_000, limit: 1 });
    const requested = await get(`/api/workqueue/${running!.id}`, { method: "DELETE" });
    await store.cancelClaimed({ id: running!.id, fencingToken: running!.fencingToken });
    expect(running!.podName).toBe("api-1");

    expect(cancelled.status).toBe(200);
    expect((await cancelled.json()).status).toBe("CANCELLED");
    expect(again.status).toBe(409);
    expect(retried.status).toBe(202);
    expect((await retried.json()).status).toBe("PENDING");
    expect(retryPending.status).toBe(409);
    expect(requested.status).toBe(202);
    expect((await requested.json()).cancelRequestedAt).not.toBeNull();
  });

  it("replays missed events from the event table", async () => {
    const all = await get("/api/workqueue/events?lastEventId=0");
    const reader = new SseReader(all.body);
    const firstTwo = [(await reader.next())!, (await reader.next())!].filter((message) => message.event?.startsWith("QueueItem"));
    await reader.cancel();
    const afterFirst = await get("/api/workqueue/events", { headers: { "Last-Event-ID": firstTwo[0]!.id! } });
    const resumed = new SseReader(afterFirst.body);
    const next = await resumed.until((message) => message.event?.startsWith("QueueItem") === true);
    await resumed.cancel();

    expect(all.headers.get("Content-Type")).toContain("text/event-stream");
    expect(firstTwo[0]!.event).toBe("QueueItemAdded");
    expect(Number(next.at(-1)!.id)).toBeGreaterThan(Number(firstTwo[0]!.id));
  });

  it("deletes only the requested rows when the processor runs", async () => {
    const before = {
      api2: await countRows(`"Pod" = 'api-2'`),
      sharedApi: await countRows(`"Pod" = 'shared-pod' AND "Deployment" = 'api'`),
      sharedWeb: await countRows(`"Pod" = 'shared-pod' AND "Deployment" = 'web'`),
      markupOld: await countRows(`"Pod" = $1 AND "TimeStamp" < (now() AT TIME ZONE 'UTC') - interval '1 day'`, [MARKUP_POD]),
      api1: await countRows(`"Pod" = 'api-1'`),
    };

    await processor.start();
    for (let round = 0; round < 200; round++) {
      const status = (await (await get("/api/workqueue/status")).json()) as { pendingCount: number; activeCount: number };
      if (status.pendingCount === 0 && status.activeCount === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const items = (await (await get("/api/workqueue?limit=50&status=COMPLETED")).json()) as Array<{ podName: string; deployment: string; recordsAffected: number }>;
    const deletedOf = (podName: string, deployment: string) => items.filter((entry) => entry.podName === podName && entry.deployment === deployment).reduce((sum, entry) => sum + entry.recordsAffected, 0);

    expect(await countRows(`"Pod" = 'api-2'`)).toBe(0);
    expect(deletedOf("api-2", "api")).toBe(before.api2);
    expect(await countRows(`"Pod" = 'shared-pod' AND "Deployment" = 'api'`)).toBe(0);
    expect(await countRows(`"Pod" = 'shared-pod' AND "Deployment" = 'web'`)).toBe(before.sharedWeb - deletedOf("shared-pod", "web"));
    expect(await countRows(`"Pod" = $1`, [MARKUP_POD])).toBe(before.markupOld);
    // The api-1 purge was cancelled before it ran, so its rows stay.
    expect(await countRows(`"Pod" = 'api-1'`)).toBe(before.api1);
    expect(before.api1).toBe(3_000);
    expect(before.sharedApi).toBe(200);

    const pods = (await (await get("/api/pods")).json()) as Array<{ podName: string; openItem: unknown }>;
    const health = await get("/healthz");
    const prometheus = await (await get("/metrics")).text();
    const openapi = await get("/openapi.json");
    expect(pods.map((pod) => pod.podName)).toEqual(["api-1"]);
    expect(pods[0]!.openItem).toBeNull();
    expect(health.status).toBe(200);
    expect(prometheus).toContain("# TYPE");
    expect(openapi.status).toBe(200);
  });
});
