import { EMBEDDED_ASSETS } from "./assets.generated.js";
import { type Html, html } from "./html.js";
import type { PageUrls } from "./urls.js";

/** Scripts in the order they must load: htmx, then its extensions, then the page script. */
const SCRIPTS = ["htmx.min.js", "hx-sse.min.js", "hx-upsert.min.js"] as const;

/** Whether the server needs a token for changes, and whether this browser has sent one. */
export interface TokenState {
  required: boolean;
  present: boolean;
}

export interface LayoutParams {
  urls: PageUrls;
  title: string;
  /** Navigation link marked as the current page; `other` marks none. */
  current: "queue" | "purge" | "other";
  /** Whether the header shows the token form; the login page has its own. @default true */
  tokenForm?: boolean;
  /** Path and query of this page, where the token form returns to. */
  returnTo: string;
  token: TokenState;
  /** Address of the page's live update stream; none for pages without live updates. */
  liveUrl?: string;
  reconnectMaxDelayMs: number;
  body: Html;
}

function assetUrl(urls: PageUrls, name: string): string {
  const asset = EMBEDDED_ASSETS[name];
  if (asset === undefined) throw new Error(`The asset ${name} is not embedded; run the embed-assets script`);
  return urls.asset(name, asset.hash);
}

/** Renders the header's token form, or the note that the token is saved, when the server needs a token for changes. */
function tokenArea(params: LayoutParams): Html {
  const { token, urls, returnTo } = params;
  if (!token.required || params.tokenForm === false) return html``;
  if (token.present) {
    return html`<form class="token-form" method="post" action="${urls.logout()}">
  <input type="hidden" name="return" value="${returnTo}">
  <span class="muted">API token saved in this browser.</span> <button type="submit" class="button small">Forget it</button>
</form>`;
  }
  return html`<form class="token-form" method="post" action="${urls.login()}">
  <input type="hidden" name="return" value="${returnTo}">
  <label for="header-token">API token, needed to purge, cancel and retry</label>
  <input id="header-token" name="token" type="password" autocomplete="current-password" required>
  <button type="submit" class="button small">Save token</button>
</form>`;
}

function navLink(href: string, label: string, current: boolean): Html {
  return html`<a href="${href}"${current ? html` aria-current="page"` : ""}>${label}</a>`;
}

/** Renders a whole page: head with the embedded assets, header, live region for toasts, body. */
export function layout(params: LayoutParams): Html {
  const { urls } = params;
  // htmx reads its settings from this meta tag; reconnectMaxDelay caps the wait between reconnects of the live updates.
  const htmxConfig = JSON.stringify({ includeIndicatorCSS: false, sse: { reconnectMaxDelay: params.reconnectMaxDelayMs } });
  const live = params.liveUrl === undefined
    ? ""
    : html`<div id="live" hx-sse:connect="${params.liveUrl}" hx-swap="none" hidden></div>
  <p class="live-status" id="live-status" role="status" data-state="connecting">Connecting to live updates…</p>`;

  return html`<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="htmx-config" content="${htmxConfig}">
  <title>${params.title} · LogMk work queue</title>
  <link rel="icon" href="${assetUrl(urls, "favicon.svg")}" type="image/svg+xml">
  <link rel="stylesheet" href="${assetUrl(urls, "page.css")}">
  ${SCRIPTS.map((name) => html`<script src="${assetUrl(urls, name)}"></script>\n  `)}<script src="${assetUrl(urls, "page.js")}" defer></script>
</head>
<body>
  <a class="skip-link" href="#main">Skip to content</a>
  <header class="site-header">
    <nav aria-label="Pages">
      <span class="brand">LogMk work queue</span>
      ${navLink(urls.queue(), "Queue", params.current === "queue")}
      ${navLink(urls.purge(), "Purge logs", params.current === "purge")}
    </nav>
    ${tokenArea(params)}
  </header>
  ${live}
  <main id="main" tabindex="-1">
${params.body}
  </main>
  <div class="toasts" id="toasts" aria-live="polite" aria-atomic="false"></div>
</body>
</html>`;
}
