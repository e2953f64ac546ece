import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { afterEach, describe, expect, it } from "vitest";
import { startCli, type CliServer } from "./node/cli-process.js";
import { SseReader } from "./sse-reader.js";

const folders: string[] = [];
const servers: CliServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.stop("SIGKILL");
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function dataFolder(): Promise<string> {
  const folder = await mkdtemp(path.join(tmpdir(), "logmk-server-"));
  folders.push(folder);
  return folder;
}

async function start(env: Record<string, string>): Promise<CliServer> {
  const server = await startCli(env);
  servers.push(server);
  return server;
}

/** Counts log rows in the embedded database of a stopped server. */
async function countRows(folder: string, where: string, params: unknown[]): Promise<number> {
  const pg = await PGlite.create(folder);
  try {
    const { rows } = await pg.query<{ count: number }>(`SELECT count(*)::int AS count FROM public."Log" WHERE ${where}`, params);
    return rows[0]!.count;
  } finally {
    await pg.close();
  }
}

async function readItem(folder: string, id: number): Promise<Record<string, unknown>> {
  const pg = await PGlite.create(folder);
  try {
    const { rows } = await pg.query<Record<string, unknown>>(`SELECT status, attempts, records_affected, stop_reason FROM workqueue.work_queue WHERE id = $1`, [id]);
    return rows[0]!;
  } finally {
    await pg.close();
  }
}

describe("reference server", () => {
  it("starts on an empty folder, purges over HTTP and reports it through SSE", async () => {
    const folder = await dataFolder();
    const server = await start({ WORKQUEUE_DATA_DIR: folder, WORKQUEUE_ALLOWED_ORIGINS: "https://logs.example.test" });

    const health = await fetch(`${server.url}/healthz`);
    const fromProxy = await fetch(`${server.url}/api/workqueue/purge/preview`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "https://logs.example.test" },
      body: JSON.stringify({ podName: "search-indexer-0" }),
    });
    const fromElsewhere = await fetch(`${server.url}/api/workqueue/purge/preview`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Origin: "https://other.example.test" },
      body: JSON.stringify({ podName: "search-indexer-0" }),
    });
    const pods = (await (await fetch(`${server.url}/api/pods`)).json()) as Array<{ podName: string; deployment: string }>;
    const events = await fetch(`${server.url}/api/workqueue/events`);
    const reader = new SseReader(events.body);
    const queued = await fetch(`${server.url}/api/workqueue/purge`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ podName: "search-indexer-0", timeRange: "week" }),
    });
    const item = (await queued.json()) as { id: number; deployment: string; payload: { from: string; to: string } };
    const seen = await reader.until((message) => message.event === "QueueItemCompleted" && JSON.parse(message.data!).item.id === item.id);
    await reader.cancel();
    const completed = JSON.parse(seen.at(-1)!.data!).item as { recordsAffected: number; progress: number };
    const exitCode = await server.stop("SIGTERM");

    expect(health.status).toBe(200);
    expect(fromProxy.status).toBe(200);
    expect(fromElsewhere.status).toBe(403);
    expect(pods).toHaveLength(12);
    expect(queued.status).toBe(202);
    expect(queued.headers.get("Location")).toBe(`/api/workqueue/${item.id}`);
    expect(item.deployment).toBe("search");
    expect(seen.map((message) => message.event)).toEqual(expect.arrayContaining(["QueueItemAdded", "QueueItemStarted", "QueueItemCompleted"]));
    expect(completed.progress).toBe(100);
    expect(completed.recordsAffected).toBeGreaterThan(1_000);
    expect(exitCode).toBe(0);

    const inRange = await countRows(folder, `"Pod" = $1 AND "TimeStamp" >= ($2::timestamptz AT TIME ZONE 'UTC') AND "TimeStamp" < ($3::timestamptz AT TIME ZONE 'UTC')`, ["search-indexer-0", item.payload.from, item.payload.to]);
    const podLeft = await countRows(folder, `"Pod" = $1`, ["search-indexer-0"]);
    const total = await countRows(folder, "true", []);
    expect(inRange).toBe(0);
    expect(podLeft).toBe(18_000 - completed.recordsAffected);
    expect(total).toBe(220_000 - completed.recordsAffected);
  });

  it("finishes the running chunk on SIGTERM and resumes after a restart", async () => {
    const folder = await dataFolder();
    const slow = { WORKQUEUE_DATA_DIR: folder, WORKQUEUE_CHUNK_SIZE: "20", WORKQUEUE_CHUNK_TARGET_MS: "0" };
    const first = await start(slow);
    const events = await fetch(`${first.url}/api/workqueue/events`);
    const reader = new SseReader(events.body);
    const queued = await fetch(`${first.url}/api/workqueue/purge`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ podName: "checkout-7d9f8b6c5-x2k4p" }) });
    const item = (await queued.json()) as { id: number };
    await reader.until((message) => message.event === "QueueItemProgress");
    await reader.cancel();

    const stoppedAt = Date.now();
    const exitCode = await first.stop("SIGTERM");
    const stopMs = Date.now() - stoppedAt;
    const released = await readItem(folder, item.id);

    expect(exitCode).toBe(0);
    expect(stopMs).toBeLessThan(10_000);
    expect(released).toMatchObject({ status: "PENDING", attempts: 0, stop_reason: "shutdown" });
    expect(Number(released.records_affected)).toBeGreaterThan(0);
    expect(Number(released.records_affected)).toBeLessThan(40_000);
    expect(await countRows(folder, `"Pod" = $1`, ["checkout-7d9f8b6c5-x2k4p"])).toBe(40_000 - Number(released.records_affected));

    const second = await start({ WORKQUEUE_DATA_DIR: folder, WORKQUEUE_CHUNK_SIZE: "5000" });
    for (let attempt = 0; attempt < 100; attempt++) {
      const current = (await (await fetch(`${second.url}/api/workqueue/${item.id}`)).json()) as { status: string };
      if (current.status === "COMPLETED") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const final = (await (await fetch(`${second.url}/api/workqueue/${item.id}`)).json()) as { status: string; recordsAffected: number; attempts: number };
    expect(await second.stop("SIGTERM")).toBe(0);

    expect(final).toMatchObject({ status: "COMPLETED", recordsAffected: 40_000, attempts: 1 });
    expect(await countRows(folder, `"Pod" = $1`, ["checkout-7d9f8b6c5-x2k4p"])).toBe(0);
  });

  it("rejects a bad setting with the fix and exit status 2", async () => {
    const { spawnSync } = await import("node:child_process");
    const { fileURLToPath } = await import("node:url");
    const cli = fileURLToPath(new URL("../src/node/cli.ts", import.meta.url));
    const root = fileURLToPath(new URL("../../../", import.meta.url));
    const run = (env: Record<string, string>, args: string[] = []) =>
      spawnSync(process.execPath, ["--conditions=@logmk/source", "--import", "tsx", cli, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8", timeout: 30_000 });

    const badPort = run({ PORT: "eighty" });
    const badUrl = run({ DATABASE_URL: "mysql://localhost/logs" });
    const help = run({}, ["--help"]);
    const unknownFlag = run({}, ["--prot", "1"]);
    const badOrigin = run({ WORKQUEUE_ALLOWED_ORIGINS: "https://logs.example.test/queue" });

    expect(badPort.status).toBe(2);
    expect(badPort.stderr).toContain("PORT must be a number");
    expect(badUrl.status).toBe(2);
    expect(badUrl.stderr).toContain("DATABASE_URL must be a postgres:// URL");
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("WORKQUEUE_DATA_DIR");
    expect(help.stdout).toContain("--database-url");
    expect(unknownFlag.status).toBe(2);
    expect(unknownFlag.stderr).toContain("--help");
    expect(badOrigin.status).toBe(2);
    expect(badOrigin.stderr).toContain(`WORKQUEUE_ALLOWED_ORIGINS contains "https://logs.example.test/queue", which is not an origin`);
  });
});
