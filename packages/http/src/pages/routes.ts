import type { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env.js";
import type { ProblemPageRenderer } from "../error-handler.js";
import type { PageOptions, ResolvedAppOptions } from "../options.js";
import { registerAssetRoute } from "./assets.js";
import { html } from "./html.js";
import { layout } from "./layout.js";
import { type LoginContext, registerLoginRoutes, renderLoginPage } from "./login.js";
import type { PageContext } from "./page-context.js";
import { registerPurgeRoutes } from "./purge-routes.js";
import { registerQueueRoutes } from "./queue-routes.js";
import { htmlResponse, isHtmxRequest, pathAndQuery, tokenState } from "./respond.js";
import { createPageUrls } from "./urls.js";

/**
 * Routes that need no token whatever the auth hook's `protect` setting: the login form itself,
 * forgetting the token, the redirect of `/` and the static assets.
 */
export function isPublicPageRoute(method: string, routePath: string): boolean {
  if (method === "POST") return routePath === "/login" || routePath === "/logout";
  if (method !== "GET" && method !== "HEAD") return false;
  return routePath === "/" || routePath === "/login" || routePath.startsWith("/assets/");
}

function loginContext(options: ResolvedAppOptions, pages: Required<PageOptions>): LoginContext {
  return { options, urls: createPageUrls(options.basePath), cookieName: pages.tokenCookie, reconnectMaxDelayMs: pages.reconnectMaxDelayMs };
}

/** Registers the HTML pages: `/` (a redirect), `/queue`, `/purge`, `/login`, `/logout` and `/assets/`. */
export function registerPageRoutes(app: Hono<AppEnv>, options: ResolvedAppOptions, pages: Required<PageOptions>): void {
  const urls = createPageUrls(options.basePath);
  const context: PageContext = { options, pages, urls };

  app.get("/", (c) => c.redirect(urls.queue(), 302));
  registerAssetRoute(app);
  registerLoginRoutes(app, loginContext(options, pages));
  registerQueueRoutes(app, context);
  registerPurgeRoutes(app, context);
}

/**
 * Renders errors of browser navigations as pages: a 401 as the token form, anything else as a
 * short page with the problem's detail. htmx requests and API routes keep their problem JSON,
 * which the page script shows as a toast.
 */
export function createProblemPageRenderer(options: ResolvedAppOptions, pages: Required<PageOptions>): ProblemPageRenderer {
  const urls = createPageUrls(options.basePath);
  const login = loginContext(options, pages);

  return (c, problem) => {
    const accept = c.req.header("Accept") ?? "";
    const routePath = c.req.path.slice(options.basePath.length) || "/";
    if (isHtmxRequest(c) || !accept.includes("text/html") || routePath.startsWith("/api/")) return undefined;

    if (problem.status === 401) {
      return renderLoginPage(c, login, pathAndQuery(c), 401, { reason: "This page needs the API token." });
    }
    const body = html`<h1>${problem.status === 404 ? "Page not found" : "The page could not be shown"}</h1>
<p class="form-error">${problem.message}</p>
<p><a href="${urls.queue()}">Go to the queue</a> · <a href="${urls.purge()}">Go to the purge screen</a></p>`;
    const page = layout({ urls, title: "Error", current: "other", returnTo: urls.queue(), token: tokenState(c, options, pages.tokenCookie), reconnectMaxDelayMs: pages.reconnectMaxDelayMs, body });
    return htmlResponse(c, page, problem.status as ContentfulStatusCode, problem.headers);
  };
}
