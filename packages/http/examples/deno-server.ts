/**
 * Serves the work-queue API with Deno.serve on 127.0.0.1, with a memory store and demo logs.
 * Run from packages/http (PORT defaults to 8080; 0 picks a free port):
 *
 *   PORT=8080 node_modules/.bin/deno run --sloppy-imports --conditions=@logmk/source \
 *     --allow-net=127.0.0.1 --allow-env=PORT examples/deno-server.ts
 *
 * `--conditions=@logmk/source` loads the workspace packages from their TypeScript sources, and
 * `--sloppy-imports` lets those sources import `./file.js` for `./file.ts` as TypeScript does.
 */
import { createDemoService, parsePort, stderrLogger } from "./demo-service.js";

/** The part of Deno's global API this server uses, typed here so the file type-checks under Node's types. */
interface DenoApi {
  env: { get(name: string): string | undefined };
  serve(
    options: { hostname: string; port: number; onListen?(address: { hostname: string; port: number }): void },
    handler: (request: Request) => Response | Promise<Response>,
  ): { finished: Promise<void>; shutdown(): Promise<void> };
  addSignalListener(signal: "SIGINT" | "SIGTERM", handler: () => void): void;
  exit(code?: number): never;
}

const deno = (globalThis as unknown as { Deno: DenoApi }).Deno;
const demo = createDemoService({ logger: stderrLogger });
await demo.start();

const server = deno.serve(
  {
    hostname: "127.0.0.1",
    port: parsePort(deno.env.get("PORT")),
    onListen: ({ hostname, port }) => console.log(`Listening on http://${hostname}:${port}`),
  },
  demo.app.fetch,
);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  // Ending the event streams first lets shutdown() finish, since it waits for open responses.
  await demo.stop();
  await server.shutdown();
  deno.exit(0);
};
deno.addSignalListener("SIGINT", stop);
deno.addSignalListener("SIGTERM", stop);
