import { LOG_PURGE_TYPE, type Logger, type QueueEvent, type WorkQueue, errorMessageOf } from "@logmk/workqueue";
import { type StreamFormatter, formatDataLines } from "../sse/format.js";
import type { ReplayTruncation } from "../sse/outbox.js";
import { type Html, html, itemDomId, join } from "./html.js";
import { itemCard, progressBlock } from "./item-card.js";
import { podBadge, podState } from "./purge-page.js";
import { QUEUE_VIEWS, countBadge, countOf } from "./queue-page.js";
import { eventToast, toast } from "./toasts.js";
import type { PageUrls } from "./urls.js";

/** Page that a live stream serves; each page gets only the fragments it has targets for. */
export type LiveView = "queue" | "purge";

export interface LiveFormatterParams {
  view: LiveView;
  queue: WorkQueue;
  urls: PageUrls;
  now: () => Date;
  logger: Logger;
}

/**
 * Renders the fragments that bring the queue page up to date with one event. A progress event
 * replaces the item's progress part. Any other event inserts the card into a list that accepts
 * the item's new status (sorted by id, newest first). The first page of a status tab that does
 * not show the new status removes the card. An older page (`data-accepts=""`) replaces the card
 * where it is shown, because it inserts no cards and would otherwise lose the item.
 */
function queueFragments(event: QueueEvent, urls: PageUrls, now: Date): Html {
  const { item } = event;
  const cardId = itemDomId(item.id);
  if (event.name === "QueueItemProgress") {
    return html`<hx-partial hx-target="#${cardId}-progress" hx-swap="outerHTML">${progressBlock(item, now)}</hx-partial>`;
  }
  const card = itemCard(item, urls, now);
  return html`<hx-partial hx-target="#items[data-accepts=''] > #${cardId}" hx-swap="outerHTML">${card}</hx-partial>
<hx-partial hx-target="#items:not([data-accepts='']):not([data-accepts~=${item.status}]) > #${cardId}" hx-swap="delete"></hx-partial>
<hx-upsert hx-target="#items[data-accepts~=${item.status}]" key="data-id" sort="desc">${card}</hx-upsert>`;
}

/** Renders the fragments that bring the purge page's row of the item's pod up to date. */
function purgeFragments(event: QueueEvent, urls: PageUrls): Html {
  const { item } = event;
  if (item.type !== LOG_PURGE_TYPE) return html``;
  if (event.name === "QueueItemProgress") return podBadge(item, item, true);
  return podState(item, item, urls, true);
}

function truncationMessage(truncation: ReplayTruncation, view: LiveView, urls: PageUrls): string {
  const reload = view === "queue" ? urls.queue() : urls.purge();
  const body = toast("error", html`Some updates were missed while the connection was down. <a href="${reload}">Reload the page</a> to see the current state.`);
  return `id: ${truncation.resumedAfterId}\n${formatDataLines(body.toString())}\n`;
}

/**
 * Creates the formatter of the pages' live streams: each queue event becomes one message of
 * HTML fragments (`hx-swap-oob` elements and `<hx-partial>`/`<hx-upsert>` blocks) that htmx's SSE
 * extension swaps into the page, plus a toast. When a read contains status changes, the last
 * of them also carries the new tab counts, read once from the store for the whole read.
 */
export function createLiveFormatter(params: LiveFormatterParams): StreamFormatter {
  const { view, queue, urls, logger } = params;

  async function counts(): Promise<Html | null> {
    try {
      const { counts } = await queue.store.countByStatus();
      return join(QUEUE_VIEWS.map((queueView) => countBadge(queueView, countOf(counts, queueView), true)));
    } catch (error) {
      logger.warn({ err: error }, `Reading the item counts for the queue page failed: ${errorMessageOf(error)}`);
      return null;
    }
  }

  return async (entries) => {
    const now = params.now();
    const lastChange = entries.findLastIndex((entry) => entry.kind === "event" && entry.event.name !== "QueueItemProgress");
    const countFragments = view === "queue" && lastChange !== -1 ? await counts() : null;

    return entries
      .map((entry, index) => {
        if (entry.kind === "text") return entry.text;
        if (entry.kind === "truncated") return truncationMessage(entry.truncation, view, urls);

        const { event } = entry;
        const parts: Html[] = [view === "queue" ? queueFragments(event, urls, now) : purgeFragments(event, urls)];
        const note = eventToast(event);
        if (note !== null) parts.push(html`<hx-partial hx-target="#toasts" hx-swap="beforeend">${note}</hx-partial>`);
        if (index === lastChange && countFragments !== null) parts.push(countFragments);
        return `id: ${event.id}\n${formatDataLines(join(parts, "\n").toString())}\n`;
      })
      .join("");
  };
}
