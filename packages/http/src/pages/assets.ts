import type { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { HttpProblem, quoteValue } from "../problem.js";
import { EMBEDDED_ASSETS } from "./assets.generated.js";

/** `Cache-Control` of a request for the current version: the URL changes with the content, so it may be kept for a year. */
const IMMUTABLE = "public, max-age=31536000, immutable";

/** `GET /assets/{name}`: the embedded htmx files and the pages' script and style sheet. */
export function registerAssetRoute(app: Hono<AppEnv>): void {
  app.get("/assets/:name", (c) => {
    const name = c.req.param("name");
    const asset = Object.hasOwn(EMBEDDED_ASSETS, name) ? EMBEDDED_ASSETS[name] : undefined;
    if (asset === undefined) {
      throw new HttpProblem("ROUTE_NOT_FOUND", `No asset is named ${quoteValue(name)}; the pages link to their assets themselves.`);
    }

    const etag = `"${asset.hash}"`;
    // A request without the current version (an old page, or a hand-typed URL) must revalidate.
    const cacheControl = c.req.query("v") === asset.hash ? IMMUTABLE : "no-cache";
    const headers = { "Content-Type": asset.contentType, ETag: etag, "Cache-Control": cacheControl };
    const match = c.req.header("If-None-Match");
    if (match !== undefined && match.split(",").some((tag) => tag.trim().replace(/^W\//, "") === etag)) {
      return c.body(null, 304, headers);
    }
    return c.body(asset.body, 200, headers);
  });
}
