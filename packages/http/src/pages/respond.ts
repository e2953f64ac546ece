import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../env.js";
import type { ResolvedAppOptions } from "../options.js";
import type { Html } from "./html.js";
import type { TokenState } from "./layout.js";

/**
 * Content-Security-Policy of every page and fragment: scripts and styles only from the app's own
 * files, so injected markup could run nothing even if it slipped past the escaping.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** Sends markup with the page security headers. */
export function htmlResponse(c: Context<AppEnv>, body: Html | string, status: ContentfulStatusCode = 200, headers: Record<string, string> = {}): Response {
  const response = c.html(body.toString(), status);
  response.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
  response.headers.set("Referrer-Policy", "same-origin");
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/** Returns whether a request comes from htmx (a fragment for a page already shown) rather than a browser navigation. */
export function isHtmxRequest(c: Context<AppEnv>): boolean {
  return c.req.header("HX-Request") === "true";
}

/** Returns whether the server needs a token for changes and whether this browser sent the token cookie. */
export function tokenState(c: Context<AppEnv>, options: ResolvedAppOptions, cookieName: string): TokenState {
  return { required: options.auth !== undefined, present: options.auth !== undefined && (getCookie(c, cookieName) ?? "") !== "" };
}

/** Path and query of the request, for forms that return to the page they were sent from. */
export function pathAndQuery(c: Context<AppEnv>): string {
  const url = new URL(c.req.url);
  return `${url.pathname}${url.search}`;
}
