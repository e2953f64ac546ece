import { WORK_QUEUE_STATUSES, type WorkQueueItemResponse, type WorkQueueStatus } from "@logmk/workqueue";
import { type Html, formatCount, html } from "./html.js";
import { STATUS_LABELS, itemCard } from "./item-card.js";
import type { PageUrls, QueueView } from "./urls.js";

export type StatusCounts = Record<WorkQueueStatus, number>;

/** The tabs in the order they are shown: every item first, then the open ones, then the finished ones. */
export const QUEUE_VIEWS: readonly QueueView[] = ["ALL", "PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED"];

export function viewLabel(view: QueueView): string {
  return view === "ALL" ? "All" : STATUS_LABELS[view];
}

export function countOf(counts: StatusCounts, view: QueueView): number {
  return view === "ALL" ? WORK_QUEUE_STATUSES.reduce((sum, status) => sum + counts[status], 0) : counts[view];
}

/** Renders the count next to a tab; live updates replace it by its id. */
export function countBadge(view: QueueView, count: number, outOfBand = false): Html {
  return html`<span class="count" id="count-${view}"${outOfBand ? html` hx-swap-oob="true"` : ""}>${formatCount(count)}</span>`;
}

/**
 * Statuses whose new items live updates insert into the list: all of them on the first page of
 * "All", the tab's own on the first page of a status tab, none on older pages.
 */
function acceptedStatuses(view: QueueView, before: number | undefined): string {
  if (before !== undefined) return "";
  return view === "ALL" ? WORK_QUEUE_STATUSES.join(" ") : view;
}

export interface QueuePanelParams {
  urls: PageUrls;
  view: QueueView;
  before: number | undefined;
  items: WorkQueueItemResponse[];
  counts: StatusCounts;
  pageSize: number;
  now: Date;
}

function tabs(params: QueuePanelParams): Html {
  const links = QUEUE_VIEWS.map((view) => {
    const current = view === params.view;
    return html`<a href="${params.urls.queue(view)}"${current ? html` aria-current="page"` : ""}>${viewLabel(view)} ${countBadge(view, countOf(params.counts, view))}</a>`;
  });
  return html`<nav class="tabs" aria-label="Item status">${links}</nav>`;
}

function pagination(params: QueuePanelParams): Html {
  const { urls, view, before, items, pageSize } = params;
  const links: Html[] = [];
  if (before !== undefined) links.push(html`<a href="${urls.queue(view)}">Newest items</a>`);
  const last = items.at(-1);
  if (items.length === pageSize && last !== undefined) links.push(html`<a href="${urls.queue(view, last.id)}" rel="next">Older items</a>`);
  return links.length === 0 ? html`` : html`<nav class="pagination" aria-label="Pages of items">${links}</nav>`;
}

/** Renders the tabs, the refresh button and one page of items; the refresh button reloads exactly this part. */
export function queuePanel(params: QueuePanelParams): Html {
  const { urls, view, before, items, now } = params;
  const heading = before === undefined ? `${viewLabel(view)} items, newest first` : `${viewLabel(view)} items before #${before}, newest first`;
  const empty = before === undefined ? "No items." : "No older items.";

  return html`<section class="queue-panel" id="queue-panel" aria-labelledby="queue-heading">
${tabs(params)}
<div class="list-head">
  <h2 id="queue-heading">${heading}</h2>
  <button type="button" class="button small" id="refresh" hx-get="${urls.queueList(view, before)}" hx-target="#queue-panel" hx-swap="outerHTML">Refresh</button>
</div>
<ol class="items" id="items" data-accepts="${acceptedStatuses(view, before)}">
  <li class="empty">${empty}</li>
  ${items.map((item) => itemCard(item, urls, now))}
</ol>
${pagination(params)}
</section>`;
}

export function queueBody(params: QueuePanelParams): Html {
  return html`<h1>Work queue</h1>
<p class="lead">Queued, running and finished items. Running purges update live; times are in your time zone.</p>
${queuePanel(params)}`;
}
