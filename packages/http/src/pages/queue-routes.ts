import { WORK_QUEUE_STATUSES, type WorkQueueStatus, childLogger, toItemResponse } from "@logmk/workqueue";
import type { Context, Hono } from "hono";
import type { AppEnv } from "../env.js";
import { parseInteger, parseItemId } from "../input.js";
import { HttpProblem, quoteValue } from "../problem.js";
import { SSE_HEADERS, readLastEventId } from "../routes/events.js";
import { openEventStream } from "../sse/stream.js";
import { itemCard } from "./item-card.js";
import { layout } from "./layout.js";
import { type LiveView, createLiveFormatter } from "./live-stream.js";
import type { PageContext } from "./page-context.js";
import { type QueuePanelParams, queueBody, queuePanel } from "./queue-page.js";
import { htmlResponse, pathAndQuery, tokenState } from "./respond.js";
import type { QueueView } from "./urls.js";

function parseView(raw: string | undefined): QueueView {
  if (raw === undefined || raw === "" || raw === "ALL") return "ALL";
  if ((WORK_QUEUE_STATUSES as readonly string[]).includes(raw)) return raw as WorkQueueStatus;
  const issue = { path: "status", message: `must be one of ${WORK_QUEUE_STATUSES.join(", ")}` };
  throw new HttpProblem("VALIDATION_FAILED", `Invalid status ${quoteValue(raw)}: status ${issue.message}, or absent for every item.`, { issues: [issue] });
}

/** Reads one page of the list and the counts of every status. */
async function loadPanel(c: Context<AppEnv>, context: PageContext): Promise<QueuePanelParams> {
  const { options, pages, urls } = context;
  const view = parseView(c.req.query("status"));
  const rawBefore = c.req.query("before");
  const before = rawBefore === undefined || rawBefore === "" ? undefined : parseInteger("before", rawBefore, { min: 1, max: Number.MAX_SAFE_INTEGER });

  const [items, stats] = await Promise.all([
    options.queue.list({ status: view === "ALL" ? undefined : view, before, limit: pages.pageSize }),
    options.queue.store.countByStatus(),
  ]);
  const now = options.clock.now();
  return { urls, view, before, items: items.map((item) => toItemResponse(item, now)), counts: stats.counts, pageSize: pages.pageSize, now };
}

/**
 * Registers the live update stream of a page: queue events rendered as HTML fragments, with the
 * same replay, heartbeat and progress coalescing as `GET /api/workqueue/events`.
 */
export function registerLiveStream(app: Hono<AppEnv>, context: PageContext, view: LiveView): void {
  const { options, urls } = context;
  app.get(`/${view}/events`, async (c) => {
    const lastEventId = readLastEventId(c);
    if (c.req.method === "HEAD") return c.body(null, 200, SSE_HEADERS);

    const logger = childLogger(options.logger, { requestId: c.get("requestId"), page: view });
    const stream = await openEventStream({
      queue: options.queue,
      lastEventId,
      ...options.events,
      logger,
      signals: [c.req.raw.signal, options.signal],
      format: createLiveFormatter({ view, queue: options.queue, urls, now: () => options.clock.now(), logger }),
    });
    return c.body(stream, 200, SSE_HEADERS);
  });
}

/** `/queue` and its fragments: the list, the live stream, cancel and retry. */
export function registerQueueRoutes(app: Hono<AppEnv>, context: PageContext): void {
  const { options, pages, urls } = context;
  const { queue, clock } = options;

  app.get("/queue", async (c) => {
    // The position is read before the list, so the stream replays whatever changes after it.
    await queue.startEvents();
    const position = queue.eventPosition();
    const panel = await loadPanel(c, context);
    const token = tokenState(c, options, pages.tokenCookie);
    const page = layout({
      urls,
      title: "Queue",
      current: "queue",
      returnTo: pathAndQuery(c),
      token,
      liveUrl: urls.queueEvents(position),
      reconnectMaxDelayMs: pages.reconnectMaxDelayMs,
      body: queueBody(panel),
    });
    return htmlResponse(c, page);
  });

  app.get("/queue/list", async (c) => htmlResponse(c, queuePanel(await loadPanel(c, context))));

  registerLiveStream(app, context, "queue");

  app.post("/queue/items/:id/cancel", async (c) => {
    const result = await queue.cancel(parseItemId(c));
    return htmlResponse(c, itemCard(toItemResponse(result.item, clock.now()), urls, clock.now()));
  });

  app.post("/queue/items/:id/retry", async (c) => {
    const item = await queue.retry(parseItemId(c));
    return htmlResponse(c, itemCard(toItemResponse(item, clock.now()), urls, clock.now()));
  });
}
