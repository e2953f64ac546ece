import type { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { createOpenApiDocument } from "../openapi/document.js";
import type { ResolvedAppOptions } from "../options.js";

/** `GET /openapi.json`: the document is generated on the first request and kept. */
export function registerOpenApiRoute(app: Hono<AppEnv>, options: ResolvedAppOptions): void {
  let document: Record<string, unknown> | undefined;
  app.get("/openapi.json", (c) => {
    document ??= createOpenApiDocument(options.basePath);
    return c.json(document);
  });
}
