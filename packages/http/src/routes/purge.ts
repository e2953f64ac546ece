import { PurgeRequestSchema, toItemResponse } from "@logmk/workqueue";
import type { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { readJsonBody } from "../input.js";
import type { ResolvedAppOptions } from "../options.js";
import type { PurgePreviewResponse } from "../schemas.js";

/** `POST /api/workqueue/purge` and its dry run, `POST /api/workqueue/purge/preview`. */
export function registerPurgeRoutes(app: Hono<AppEnv>, options: ResolvedAppOptions): void {
  const { purgeService, clock } = options;

  app.post("/api/workqueue/purge/preview", async (c) => {
    const request = await readJsonBody(c, PurgeRequestSchema, "purge request");
    const preview: PurgePreviewResponse = await purgeService.preview(request);
    return c.json(preview);
  });

  app.post("/api/workqueue/purge", async (c) => {
    const request = await readJsonBody(c, PurgeRequestSchema, "purge request");
    const item = await purgeService.enqueue(request);

    // Built from the request path rather than basePath, so it stays right when a host mounts the app under its own prefix.
    const collection = c.req.path.slice(0, -"/purge".length);
    c.header("Location", `${collection}/${item.id}`);
    return c.json(toItemResponse(item, clock.now()), 202);
  });
}
