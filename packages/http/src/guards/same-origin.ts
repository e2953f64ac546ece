import type { MiddlewareHandler } from "hono";
import { MUTATING_METHODS } from "../auth/hook.js";
import type { AppEnv } from "../env.js";
import { HttpProblem, quoteValue } from "../problem.js";

/**
 * Rejects mutating requests that a browser sends from another origin, so that a page elsewhere
 * cannot queue or cancel work with the user's cookies. Clients that are not browsers send
 * neither `Origin` nor `Sec-Fetch-Site` and pass.
 */
export function sameOriginGuard(allowedOrigins: ReadonlySet<string>): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!MUTATING_METHODS.has(c.req.method)) return next();

    if (c.req.header("Sec-Fetch-Site") === "cross-site") {
      throw new HttpProblem("FORBIDDEN", "Cross-site requests may not change the work queue; send the request from the LogMk page itself or from a client that is not a browser.");
    }

    const origin = c.req.header("Origin");
    if (origin !== undefined) {
      const own = new URL(c.req.url).origin;
      if (origin !== own && !allowedOrigins.has(origin)) {
        throw new HttpProblem("FORBIDDEN", `Requests from origin ${quoteValue(origin)} may not change the work queue; only ${own} may. If ${quoteValue(origin)} is this service's public address, add it to allowedOrigins (WORKQUEUE_ALLOWED_ORIGINS on the reference server).`);
      }
    }
    return next();
  };
}
