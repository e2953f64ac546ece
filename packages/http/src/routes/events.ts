import { childLogger } from "@logmk/workqueue";
import type { Context, Hono } from "hono";
import type { AppEnv } from "../env.js";
import { parseInteger } from "../input.js";
import type { ResolvedAppOptions } from "../options.js";
import { openEventStream } from "../sse/stream.js";

/** Response headers of every Server-Sent Events stream of the app. */
export const SSE_HEADERS = {
  "Content-Type": "text/event-stream; charset=utf-8",
  "Cache-Control": "no-cache, no-transform",
  // Tells nginx not to buffer the stream.
  "X-Accel-Buffering": "no",
};

/** Reads the id of the last event the client saw, or null for a new client. */
export function readLastEventId(c: Context<AppEnv>): number | null {
  // EventSource sends the header on its own reconnects, so it wins over a query parameter that a page set once.
  const raw = c.req.header("Last-Event-ID") ?? c.req.query("lastEventId");
  return raw === undefined || raw.trim() === "" ? null : parseInteger("lastEventId", raw.trim(), { min: 0, max: Number.MAX_SAFE_INTEGER });
}

/** `GET /api/workqueue/events`: the queue's events as Server-Sent Events, with replay after a reconnect. */
export function registerEventRoutes(app: Hono<AppEnv>, options: ResolvedAppOptions): void {
  const headers = SSE_HEADERS;

  app.get("/api/workqueue/events", async (c) => {
    const lastEventId = readLastEventId(c);

    // Hono runs this handler for HEAD and drops the body without cancelling it, which would leave the subscription behind.
    if (c.req.method === "HEAD") return c.body(null, 200, headers);

    const stream = await openEventStream({
      queue: options.queue,
      lastEventId,
      ...options.events,
      logger: childLogger(options.logger, { requestId: c.get("requestId") }),
      signals: [c.req.raw.signal, options.signal],
    });
    return c.body(stream, 200, headers);
  });
}
