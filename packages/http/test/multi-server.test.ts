import { silentLogger } from "@logmk/workqueue";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTestServer, type TestServer } from "../../adapters/postgres/test/support/server.js";
import { readConfig, startReferenceServer, type RunningServer } from "../src/node/index.js";
import { SseReader, type SseMessage } from "./sse-reader.js";

const lookup = await findTestServer();
const suffix = Math.random().toString(36).slice(2, 10);
const QUEUE_SCHEMA = `wq_servers_${suffix}`;
const LOG_SCHEMA = `logs_servers_${suffix}`;
const PODS = ["checkout-7d9f8b6c5-x2k4p", "search-indexer-0", "auth-8e9f0a1b2-k7l8m", "reports-scheduler-0", "search-indexer-1", "payments-5c6d7e8f9-m4k2j"];

const describeWithServer = lookup.server ? describe : describe.skip;
if (lookup.skipReason) console.warn(`Skipping the multi-server tests: ${lookup.skipReason}`);

function serverConfig(server: TestServer) {
  const result = readConfig([], {
    DATABASE_URL: server.url,
    PORT: "0",
    WORKQUEUE_SCHEMA: QUEUE_SCHEMA,
    WORKQUEUE_LOG_TABLE: `${LOG_SCHEMA}.Log`,
    WORKQUEUE_DEMO_DATA: "on",
    WORKQUEUE_CONCURRENCY: "2",
  });
  if (result.kind !== "config") throw new Error("Expected a configuration");
  return result.config;
}

/** Reads a stream until it has seen `QueueItemCompleted` for every id. */
async function untilCompleted(reader: SseReader, ids: number[]): Promise<SseMessage[]> {
  const waiting = new Set(ids);
  return reader.until((message) => {
    if (message.event === "QueueItemCompleted") waiting.delete(JSON.parse(message.data!).item.id);
    return waiting.size === 0;
  });
}

describeWithServer(`reference servers sharing one Postgres${lookup.server ? "" : ` (skipped: ${lookup.skipReason})`}`, () => {
  let servers: RunningServer[] = [];
  let admin: postgres.Sql;

  beforeAll(async () => {
    admin = postgres(lookup.server!.url, { max: 1, onnotice: () => {} });
    const config = serverConfig(lookup.server!);
    // Both start at once: one of them fills the demo table, under its lock.
    servers = await Promise.all([startReferenceServer(config, silentLogger), startReferenceServer(config, silentLogger)]);
  }, 120_000);

  afterAll(async () => {
    for (const server of servers) await server.close();
    await admin?.unsafe(`DROP SCHEMA IF EXISTS "${QUEUE_SCHEMA}" CASCADE`);
    await admin?.unsafe(`DROP SCHEMA IF EXISTS "${LOG_SCHEMA}" CASCADE`);
    await admin?.end();
  });

  it("reports an API-only replica's processor as absent", async () => {
    const apiOnly = await startReferenceServer({ ...serverConfig(lookup.server!), processor: false }, silentLogger);
    try {
      const health = (await (await fetch(`${apiOnly.url}/healthz`)).json()) as { processor: string };
      const worker = (await (await fetch(`${servers[0]!.url}/healthz`)).json()) as { processor: string };

      expect(health.processor).toBe("absent");
      expect(worker.processor).toBe("running");
    } finally {
      await apiOnly.close();
    }
  });

  it("runs each item once and shows every event on every server", async () => {
    const [first, second] = servers as [RunningServer, RunningServer];
    const [{ total: before }] = await admin.unsafe<[{ total: number }]>(`SELECT count(*)::int AS total FROM "${LOG_SCHEMA}"."Log"`);
    const streams = await Promise.all(servers.map(async (server) => new SseReader((await fetch(`${server.url}/api/workqueue/events`)).body)));

    const ids: number[] = [];
    for (const [index, podName] of PODS.entries()) {
      const server = index % 2 === 0 ? first : second;
      const response = await fetch(`${server.url}/api/workqueue/purge`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ podName, timeRange: "month" }) });
      expect(response.status).toBe(202);
      ids.push(((await response.json()) as { id: number }).id);
    }
    const seen = await Promise.all(streams.map((stream) => untilCompleted(stream, ids)));
    await Promise.all(streams.map((stream) => stream.cancel()));

    const items = (await (await fetch(`${second.url}/api/workqueue?limit=50`)).json()) as Array<{ id: number; status: string; attempts: number; recordsAffected: number }>;
    const ours = items.filter((item) => ids.includes(item.id));
    const [{ total: after }] = await admin.unsafe<[{ total: number }]>(`SELECT count(*)::int AS total FROM "${LOG_SCHEMA}"."Log"`);
    const deleted = ours.reduce((sum, item) => sum + item.recordsAffected, 0);

    expect(before).toBe(220_000);
    expect(ours).toHaveLength(PODS.length);
    for (const item of ours) expect(item).toMatchObject({ status: "COMPLETED", attempts: 1 });
    expect(after).toBe(before - deleted);
    for (const messages of seen) {
      const started = messages.filter((message) => message.event === "QueueItemStarted").map((message) => JSON.parse(message.data!).item.id as number);
      const added = messages.filter((message) => message.event === "QueueItemAdded").map((message) => JSON.parse(message.data!).item.id as number);
      expect([...started].sort()).toEqual([...ids].sort());
      expect([...added].sort()).toEqual([...ids].sort());
      const eventIds = messages.filter((message) => message.id !== undefined).map((message) => Number(message.id));
      expect(eventIds).toEqual([...eventIds].sort((a, b) => a - b));
    }
  }, 120_000);
});
