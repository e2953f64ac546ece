import { DEFAULTS, DeploymentSchema, PodNameSchema, toItemResponse, type WorkQueueItem } from "@logmk/workqueue";
import type { Context, Hono } from "hono";
import type { AppEnv } from "../env.js";
import { parseInput, parseInteger, parseItemId } from "../input.js";
import type { ResolvedAppOptions } from "../options.js";
import { ListQuerySchema, type PodItemsResponse } from "../schemas.js";

/** Builds the `Link` header of the next page: the same filters, with `before` set to the last id of this page. */
function nextPageLink(c: Context<AppEnv>, filters: Record<string, string | undefined>, limit: number, lastId: number): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (value !== undefined) query.set(name, value);
  query.set("limit", String(limit));
  query.set("before", String(lastId));
  return `<${c.req.path}?${query.toString()}>; rel="next"`;
}

/** Registers the item routes under `/api/workqueue`: list, active, status, per pod, one item, cancel and retry. */
export function registerItemRoutes(app: Hono<AppEnv>, options: ResolvedAppOptions): void {
  const { queue, clock } = options;
  const respond = (items: WorkQueueItem[]) => {
    const now = clock.now();
    return items.map((item) => toItemResponse(item, now));
  };

  app.get("/api/workqueue", async (c) => {
    const query = parseInput(ListQuerySchema, c.req.query(), "list query");
    const limit = query.limit === undefined ? DEFAULTS.pageSize : parseInteger("limit", query.limit, { min: 1, max: DEFAULTS.maxPageSize });
    const before = query.before === undefined ? undefined : parseInteger("before", query.before, { min: 1, max: Number.MAX_SAFE_INTEGER });
    const filters = { status: query.status, type: query.type, podName: query.podName, deployment: query.deployment };

    const items = await queue.list({ ...filters, before, limit });
    const last = items.at(-1);
    if (items.length === limit && last) c.header("Link", nextPageLink(c, filters, limit, last.id));
    return c.json(respond(items));
  });

  app.get("/api/workqueue/active", async (c) => c.json(respond(await queue.active())));

  app.get("/api/workqueue/status", async (c) => c.json(await queue.status()));

  app.get("/api/workqueue/pod/:podName", async (c) => {
    const podName = parseInput(PodNameSchema, c.req.param("podName"), "pod name in the path");
    const rawDeployment = c.req.query("deployment");
    const deployment = rawDeployment === undefined ? undefined : parseInput(DeploymentSchema, rawDeployment, "deployment query parameter");

    const items = await queue.openByPod(podName, deployment);
    const body: PodItemsResponse = { hasPendingOrActive: items.length > 0, items: respond(items) };
    return c.json(body);
  });

  app.get("/api/workqueue/:id", async (c) => {
    const item = await queue.get(parseItemId(c));
    return c.json(toItemResponse(item, clock.now()));
  });

  app.delete("/api/workqueue/:id", async (c) => {
    const result = await queue.cancel(parseItemId(c));
    // 200: the pending item is CANCELLED now. 202: the running item stops at its next progress write.
    return c.json(toItemResponse(result.item, clock.now()), result.outcome === "cancelled" ? 200 : 202);
  });

  app.post("/api/workqueue/:id/retry", async (c) => {
    const item = await queue.retry(parseItemId(c));
    return c.json(toItemResponse(item, clock.now()), 202);
  });
}
