import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { requestId } from "hono/request-id";
import { authMiddleware } from "./auth/hook.js";
import type { AppEnv } from "./env.js";
import { createErrorHandler, createNotFoundHandler } from "./error-handler.js";
import { sameOriginGuard } from "./guards/same-origin.js";
import { resolveAppOptions, type WorkQueueAppOptions } from "./options.js";
import { HttpProblem } from "./problem.js";
import { registerEventRoutes } from "./routes/events.js";
import { registerHealthRoutes } from "./routes/health.js";
import { registerItemRoutes } from "./routes/items.js";
import { registerOpenApiRoute } from "./routes/openapi.js";
import { registerPodRoutes } from "./routes/pods.js";
import { registerPurgeRoutes } from "./routes/purge.js";
import { createProblemPageRenderer, isPublicPageRoute, registerPageRoutes } from "./pages/routes.js";

/**
 * Creates the work queue's HTTP API as a Hono app that any Hono host can serve or mount: Node,
 * Deno, Bun or an existing service. It uses web-standard APIs only.
 */
export function createWorkQueueApp(options: WorkQueueAppOptions): Hono<AppEnv> {
  const resolved = resolveAppOptions(options);
  const { basePath } = resolved;
  const app = basePath === "" ? new Hono<AppEnv>() : new Hono<AppEnv>().basePath(basePath);
  const renderPage = resolved.pages ? createProblemPageRenderer(resolved, resolved.pages) : undefined;

  app.onError(createErrorHandler(resolved, renderPage));
  app.notFound(createNotFoundHandler(basePath, renderPage));

  app.use(requestId());
  app.use(async (c, next) => {
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    if (!c.res.headers.has("Cache-Control")) c.header("Cache-Control", "no-store");
  });
  app.use(sameOriginGuard(resolved.allowedOrigins));
  if (resolved.auth) app.use(authMiddleware(resolved.auth, basePath, resolved.pages ? isPublicPageRoute : undefined));
  app.use(
    bodyLimit({
      maxSize: resolved.maxBodyBytes,
      onError: () => {
        throw new HttpProblem("BODY_TOO_LARGE", `The request body is larger than ${resolved.maxBodyBytes} bytes, the limit; send a smaller body.`);
      },
    }),
  );

  // Fixed paths go before `/api/workqueue/:id`, which would otherwise match `status`, `active` and `events`.
  registerPurgeRoutes(app, resolved);
  registerEventRoutes(app, resolved);
  registerItemRoutes(app, resolved);
  registerPodRoutes(app, resolved);
  registerHealthRoutes(app, resolved);
  registerOpenApiRoute(app, resolved);
  if (resolved.pages) registerPageRoutes(app, resolved, resolved.pages);

  // Mounted in a host, the host's not-found handler responds instead of the app's. Under a base
  // path the app owns every path below it, so it responds to unknown ones itself. At the root it
  // leaves them to the host, whose own routes may come later.
  if (basePath !== "") {
    const notFound = createNotFoundHandler(basePath, renderPage);
    app.all("*", (c) => notFound(c));
  }

  resolved.logger.debug({ basePath, auth: resolved.auth !== undefined, metrics: resolved.metrics !== undefined, pages: resolved.pages !== undefined }, "Work queue HTTP app created");
  return app;
}
