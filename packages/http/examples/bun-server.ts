/**
 * Serves the work-queue API with Bun.serve on 127.0.0.1, with a memory store and demo logs.
 * Run from packages/http (PORT defaults to 8080; 0 picks a free port):
 *
 *   PORT=8080 node_modules/.bin/bun --conditions=@logmk/source examples/bun-server.ts
 *
 * `--conditions=@logmk/source` loads the workspace packages from their TypeScript sources.
 */
import { createDemoService, parsePort, stderrLogger } from "./demo-service.js";

/** The part of Bun's global API this server uses, typed here so the file type-checks under Node's types. */
interface BunApi {
  env: Record<string, string | undefined>;
  serve(options: {
    hostname: string;
    port: number;
    idleTimeout?: number;
    fetch(request: Request): Response | Promise<Response>;
  }): { hostname: string; port: number; stop(closeActiveConnections?: boolean): Promise<void> };
}

const bun = (globalThis as unknown as { Bun: BunApi }).Bun;
const demo = createDemoService({ logger: stderrLogger });
await demo.start();

const server = bun.serve({
  hostname: "127.0.0.1",
  port: parsePort(bun.env["PORT"]),
  // Bun closes a connection after 10 s without traffic by default; the event stream's heartbeat
  // comes every 15 s, so allow a minute.
  idleTimeout: 60,
  fetch: demo.app.fetch,
});
console.log(`Listening on http://${server.hostname}:${server.port}`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await demo.stop();
  await server.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
