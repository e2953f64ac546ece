import type { WorkQueueItemResponse } from "@logmk/workqueue";
import type { PodResponse } from "../schemas.js";
import { type Html, formatCount, html, podDomId, time } from "./html.js";
import { STATUS_LABELS } from "./item-card.js";
import type { PageUrls } from "./urls.js";

type PodKey = Pick<PodResponse, "deployment" | "podName">;

/**
 * Renders the badge of a pod's purge. Progress events replace only the badge, so that the link next to
 * it keeps its focus while a purge runs.
 */
export function podBadge(pod: PodKey, item: WorkQueueItemResponse | null, outOfBand = false): Html {
  const id = `${podDomId(pod.deployment, pod.podName)}-badge`;
  const oob = outOfBand ? html` hx-swap-oob="true"` : "";
  // An empty badge keeps its id for live updates; the style sheet hides it.
  if (item === null) return html`<span class="badge badge-none" id="${id}"${oob}></span>`;
  const percent = item.status === "IN_PROGRESS" ? ` ${Math.min(99, Math.floor(item.progress))} %` : "";
  const label = item.status === "PENDING" && item.schedule === "off-peak" ? "Pending, off-peak" : STATUS_LABELS[item.status];
  return html`<span class="badge badge-${item.status.toLowerCase()}" id="${id}"${oob}>${label}${percent}</span>`;
}

/**
 * Renders the purge cell of a pod: its badge, the purge button (disabled while a purge is open) and a
 * link to the open item. Status changes replace the whole cell.
 */
export function podState(pod: PodKey, item: WorkQueueItemResponse | null, urls: PageUrls, outOfBand = false): Html {
  const domId = podDomId(pod.deployment, pod.podName);
  const open = item !== null && (item.status === "PENDING" || item.status === "IN_PROGRESS");
  // The first render shows only an open purge; a live update also shows how the last one ended.
  const badgeItem = open || (item !== null && outOfBand) ? item : null;
  const link = open ? html` <a class="view-link" id="${domId}-view" href="${urls.queueItem(item.id)}">View in queue</a>` : "";
  const button = open
    ? html`<button type="button" class="button" id="${domId}-purge" disabled aria-describedby="${domId}-badge">Purge…</button>`
    : html`<button type="button" class="button" id="${domId}-purge" hx-get="${urls.purgeForm(pod.deployment, pod.podName)}" hx-target="#purge-dialog-body" aria-haspopup="dialog" aria-label="Purge logs of pod ${pod.podName}">Purge…</button>`;

  return html`<div class="pod-state" id="${domId}-state"${outOfBand ? html` hx-swap-oob="true"` : ""}>${podBadge(pod, badgeItem)} ${button}${link}</div>`;
}

function podRow(pod: PodResponse, urls: PageUrls): Html {
  const deployment = pod.deployment === null ? html`<span class="muted">-</span>` : html`<span class="name">${pod.deployment}</span>`;
  return html`<tr id="${podDomId(pod.deployment, pod.podName)}">
  <td data-label="Deployment">${deployment}</td>
  <th scope="row" data-label="Pod"><span class="name">${pod.podName}</span></th>
  <td data-label="Log lines (estimate)" class="number">about ${formatCount(pod.approximateCount)}</td>
  <td data-label="Oldest log">${time(pod.oldest)}</td>
  <td data-label="Newest log">${time(pod.newest)}</td>
  <td data-label="Purge">${podState(pod, pod.openItem, urls)}</td>
</tr>`;
}

export function purgeBody(pods: PodResponse[], urls: PageUrls): Html {
  const rows = pods.length === 0 ? html`<tr><td colspan="6">The log table has no logs.</td></tr>` : pods.map((pod) => podRow(pod, urls));
  return html`<h1>Purge logs</h1>
<p class="lead">Every pod of the log table. A purge is queued and runs in short chunks; its badge follows it live. Counts are estimates from the database statistics; times are in your time zone.</p>
<div class="table-wrap">
<table class="pods">
  <caption>Pods with logs</caption>
  <thead><tr><th scope="col">Deployment</th><th scope="col">Pod</th><th scope="col">Log lines (estimate)</th><th scope="col">Oldest log</th><th scope="col">Newest log</th><th scope="col">Purge</th></tr></thead>
  <tbody>
${rows}
  </tbody>
</table>
</div>
<dialog class="purge-dialog" id="purge-dialog" aria-labelledby="purge-dialog-title">
  <div id="purge-dialog-body"></div>
</dialog>`;
}
