import type { Context, Hono } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AuthHook } from "../auth/hook.js";
import type { AppEnv } from "../env.js";
import type { ResolvedAppOptions } from "../options.js";
import { type Html, html } from "./html.js";
import { layout } from "./layout.js";
import { htmlResponse, tokenState } from "./respond.js";
import type { PageUrls } from "./urls.js";

export interface LoginContext {
  options: ResolvedAppOptions;
  urls: PageUrls;
  cookieName: string;
  reconnectMaxDelayMs: number;
}

/**
 * Checks a token by asking the auth hook whether it would let a purge through with it, so that a
 * wrong token is reported at once instead of at the first purge.
 */
async function tokenAccepted(auth: AuthHook, requestUrl: string, basePath: string, token: string): Promise<boolean> {
  const routePath = "/api/workqueue/purge";
  const request = new Request(new URL(`${basePath}${routePath}`, requestUrl), { method: "POST", headers: { Authorization: `Bearer ${token}` } });
  return (await auth({ request, method: "POST", routePath, mutating: true })) === true;
}

/** The page to return to after the form: a path of this app, never another site. */
export function safeReturnPath(value: unknown, urls: PageUrls): string {
  const fallback = urls.queue();
  if (typeof value !== "string" || !value.startsWith(`${urls.basePath}/`)) return fallback;
  if (value.startsWith("//") || value.includes("\\") || /[\u0000-\u001f]/.test(value)) return fallback;
  return value;
}

/** Renders the login form, with an error when the last token was wrong. */
export function loginBody(urls: PageUrls, returnTo: string, options: { required: boolean; error?: string; reason?: string }): Html {
  if (!options.required) {
    return html`<h1>API token</h1><p>This server needs no API token: every page and action is open.</p><p><a href="${returnTo}">Continue</a></p>`;
  }
  const error = options.error === undefined ? "" : html`<p class="form-error" id="token-error" role="alert">${options.error}</p>`;
  const reason = options.reason === undefined ? "" : html`<p>${options.reason}</p>`;
  return html`<h1>API token</h1>
${reason}<p>Purging, cancelling and retrying need the server's API token. It is kept in this browser in a cookie that scripts cannot read, and sent with each change.</p>
<form class="login-form" method="post" action="${urls.login()}">
  <input type="hidden" name="return" value="${returnTo}">
  <label for="token">API token</label>
  <input id="token" name="token" type="password" autocomplete="current-password" required autofocus${options.error === undefined ? "" : html` aria-invalid="true" aria-describedby="token-error"`}>
  ${error}
  <button type="submit" class="button primary">Save token</button>
</form>`;
}

export function renderLoginPage(c: Context<AppEnv>, context: LoginContext, returnTo: string, status: 200 | 400 | 401, extra: { error?: string; reason?: string } = {}): Response {
  const token = tokenState(c, context.options, context.cookieName);
  const body = loginBody(context.urls, returnTo, { required: token.required, ...extra });
  return htmlResponse(c, layout({ urls: context.urls, title: "API token", current: "other", tokenForm: false, returnTo, token, reconnectMaxDelayMs: context.reconnectMaxDelayMs, body }), status);
}

/**
 * Whether the browser reached the app over TLS, so that the token cookie must be `Secure`. Behind
 * a proxy that ends TLS the request URL is http:, but the browser's `Origin` and the proxy's
 * `X-Forwarded-Proto` still name https. Trusting either is safe: `Secure` only narrows where the
 * browser sends the cookie.
 */
function browserUsesTls(c: Context<AppEnv>): boolean {
  if (new URL(c.req.url).protocol === "https:") return true;
  if (c.req.header("Origin")?.startsWith("https://")) return true;
  return c.req.header("X-Forwarded-Proto")?.split(",")[0]?.trim().toLowerCase() === "https";
}

/** `GET /login`, `POST /login` and `POST /logout`: keep the API token in an HttpOnly cookie or forget it. */
export function registerLoginRoutes(app: Hono<AppEnv>, context: LoginContext): void {
  const { options, urls, cookieName } = context;
  const cookiePath = options.basePath === "" ? "/" : options.basePath;

  app.get("/login", (c) => renderLoginPage(c, context, safeReturnPath(c.req.query("return"), urls), 200));

  app.post("/login", async (c) => {
    const form = await c.req.parseBody();
    const returnTo = safeReturnPath(form["return"], urls);
    if (options.auth === undefined) return c.redirect(returnTo, 303);

    const token = typeof form["token"] === "string" ? form["token"].trim() : "";
    if (token === "") return renderLoginPage(c, context, returnTo, 400, { error: "Enter the API token." });
    // NOTE: wrong tokens are not rate-limited here; a proxy in front of the app has to limit guessing.
    if (/\s/.test(token) || !(await tokenAccepted(options.auth, c.req.url, options.basePath, token))) {
      options.logger.info({ requestId: c.get("requestId") }, "The login form received a wrong API token");
      return renderLoginPage(c, context, returnTo, 401, { error: "That token is not valid. Check it with whoever runs this server and enter it again." });
    }

    setCookie(c, cookieName, token, { httpOnly: true, sameSite: "Strict", path: cookiePath, secure: browserUsesTls(c) });
    return c.redirect(returnTo, 303);
  });

  app.post("/logout", async (c) => {
    const form = await c.req.parseBody();
    deleteCookie(c, cookieName, { path: cookiePath, httpOnly: true, sameSite: "Strict", secure: browserUsesTls(c) });
    return c.redirect(safeReturnPath(form["return"], urls), 303);
  });
}
