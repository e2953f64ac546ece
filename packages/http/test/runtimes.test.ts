import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { WorkQueueItemResponseSchema } from "@logmk/workqueue";
import { afterEach, describe, expect, it } from "vitest";
import { DEMO_PODS } from "../examples/demo-service.js";
import { SseReader } from "./sse-reader.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));
const require = createRequire(import.meta.url);

interface Runtime {
  name: "Deno" | "Bun";
  /** The runtime's own executable: the pnpm shims start it as a child, and a signal sent to a shim would not reach it. */
  binary: string;
  args: string[];
  install: string;
}

const RUNTIMES: Runtime[] = [
  {
    name: "Deno",
    binary: "deno/deno",
    args: ["run", "--no-lock", "--sloppy-imports", "--conditions=@logmk/source", "--allow-net=127.0.0.1", "--allow-env=PORT", "examples/deno-server.ts"],
    install: "the deno dev dependency of packages/http with its install script (deno is in onlyBuiltDependencies; run pnpm install)",
  },
  {
    name: "Bun",
    binary: "bun/bin/bun.exe",
    args: ["--conditions=@logmk/source", "examples/bun-server.ts"],
    install: "the bun dev dependency of packages/http with its install script (bun is in onlyBuiltDependencies; run pnpm install)",
  },
];

/** Finds the runtime's executable and checks that it runs, or returns the reason it cannot for the skip message. */
function locate(runtime: Runtime): { path: string; version: string } | { missing: string } {
  let path: string;
  try {
    path = join(dirname(dirname(require.resolve(`${runtime.binary.split("/")[0]}/package.json`))), runtime.binary);
  } catch {
    return { missing: `${runtime.name} is not installed; it needs ${runtime.install}` };
  }
  if (!existsSync(path)) return { missing: `${path} does not exist; ${runtime.name} needs ${runtime.install}` };

  const probe = spawnSync(path, ["--version"], { encoding: "utf8", timeout: 30_000 });
  if (probe.status !== 0) {
    const output = `${probe.stdout ?? ""}${probe.stderr ?? ""}`.trim().split("\n")[0] ?? "";
    return { missing: `${path} --version failed (${probe.error?.message ?? output}); ${runtime.name} needs ${runtime.install}` };
  }
  return { path, version: probe.stdout.trim().split("\n")[0]! };
}

const childEnv = {
  ...process.env,
  // Port 0: the operating system picks a free loopback port, and the server prints it.
  PORT: "0",
  // Keep the runtimes off the network: no update check, no telemetry.
  DENO_NO_UPDATE_CHECK: "1",
  DENO_NO_PROMPT: "1",
  DO_NOT_TRACK: "1",
  NO_COLOR: "1",
};

interface RunningServer {
  child: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<number | null>;
}

function startServer(path: string, runtime: Runtime): Promise<RunningServer> {
  const child = spawn(path, runtime.args, { cwd: packageDir, env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  const output = () => `stdout:\n${stdout}\nstderr:\n${stderr.slice(-4_000)}`;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runtime.name} did not print its address within 45 s.\n${output()}`)), 45_000);
    child.stderr!.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout!.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /Listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ child, url: match[1]!, output, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${runtime.name} exited with code ${code} before listening.\n${output()}`));
    });
  });
}

async function stopServer(server: RunningServer): Promise<number | null> {
  if (server.child.exitCode !== null) return server.child.exitCode;
  server.child.kill("SIGTERM");
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 10_000));
  const result = await Promise.race([server.exited, timeout]);
  if (result !== "timeout") return result;
  server.child.kill("SIGKILL");
  await server.exited;
  throw new Error(`The server did not stop within 10 s of SIGTERM.\n${server.output()}`);
}

for (const runtime of RUNTIMES) {
  const located = locate(runtime);
  const title = "path" in located ? `${runtime.name} server example (${located.version})` : `${runtime.name} server example (skipped: ${located.missing})`;

  describe.skipIf(!("path" in located))(title, () => {
    let server: RunningServer | undefined;
    afterEach(async () => {
      if (server && server.child.exitCode === null) await stopServer(server).catch(() => {});
      server = undefined;
    });

    it("serves health, the pages and a purge", { timeout: 90_000 }, async () => {
      server = await startServer((located as { path: string }).path, runtime);
      const { url } = server;

      const health = await fetch(`${url}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: "ok", store: "ok", processor: "running" });

      const page = await fetch(`${url}/queue`);
      expect(page.status).toBe(200);
      expect(page.headers.get("Content-Security-Policy")).toContain("script-src 'self'");
      expect(await page.text()).toContain('hx-sse:connect="/queue/events?lastEventId=');
      const htmx = await fetch(`${url}/assets/htmx.min.js`);
      expect(htmx.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
      expect((await htmx.text()).length).toBeGreaterThan(10_000);

      const events = await fetch(`${url}/api/workqueue/events`);
      expect(events.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
      const reader = new SseReader(events.body);
      expect(await reader.next()).toEqual({ comment: "connected" });

      const pod = DEMO_PODS[2];
      const queued = await fetch(`${url}/api/workqueue/purge`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ podName: pod.podName }) });
      expect(queued.status).toBe(202);
      const item = WorkQueueItemResponseSchema.parse(await queued.json());
      const location = queued.headers.get("Location");
      expect(location).toBe(`/api/workqueue/${item.id}`);

      const messages = await reader.until((message) => message.event === "QueueItemCompleted" && JSON.parse(message.data!).item.id === item.id);
      expect(messages.map((message) => message.event)).toContain("QueueItemStarted");
      await reader.cancel();

      const done = WorkQueueItemResponseSchema.parse(await (await fetch(`${url}${location}`)).json());
      expect(done.status).toBe("COMPLETED");
      expect(done.recordsAffected).toBe(pod.count);

      expect(await stopServer(server)).toBe(0);
    });
  });
}
