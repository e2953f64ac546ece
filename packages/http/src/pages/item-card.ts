import { LOG_PURGE_TYPE, type WorkQueueItemResponse, type WorkQueueStatus } from "@logmk/workqueue";
import { type Html, formatCount, html, itemDomId, time } from "./html.js";
import type { PageUrls } from "./urls.js";

/** Label of each status, as the tabs and badges show it. */
export const STATUS_LABELS: Record<WorkQueueStatus, string> = {
  PENDING: "Pending",
  IN_PROGRESS: "Running",
  COMPLETED: "Completed",
  FAILED: "Failed",
  CANCELLED: "Cancelled",
};

const STOP_REASON_LABELS: Record<string, string> = {
  completed: "completed",
  cancelled: "cancelled",
  failed: "failed",
  "lease-lost": "its worker stopped answering",
  "timed-out": "timed out",
  "window-closed": "the off-peak window closed",
  shutdown: "the worker shut down",
};

/** Describes what an item does, such as `purge of pod "api-0" in deployment "api"`, as plain text. */
export function describeItem(item: Pick<WorkQueueItemResponse, "type" | "podName" | "deployment">): string {
  const where = item.deployment === null ? `pod "${item.podName}"` : `pod "${item.podName}" in deployment "${item.deployment}"`;
  return item.type === LOG_PURGE_TYPE ? `purge of ${where}` : `${item.type} for ${where}`;
}

export function statusBadge(status: WorkQueueStatus): Html {
  return html`<span class="badge badge-${status.toLowerCase()}">${STATUS_LABELS[status]}</span>`;
}

/** Percent shown next to the progress bar: whole percent, never 100 before the item completed. */
function percentOf(item: WorkQueueItemResponse): number {
  return item.status === "COMPLETED" ? 100 : Math.min(99, Math.floor(item.progress));
}

function rowsText(item: WorkQueueItemResponse): string {
  if (item.status === "COMPLETED") return `${formatCount(item.recordsAffected)} rows deleted`;
  if (item.estimatedRecords === null) return `${formatCount(item.recordsAffected)} rows deleted`;
  return `${formatCount(item.recordsAffected)} of about ${formatCount(item.estimatedRecords)} rows deleted`;
}

/** When a pending item runs: now, at a retry time, or in the off-peak window. */
function pendingText(item: WorkQueueItemResponse, now: Date): Html {
  const runAt = new Date(item.runAt);
  const estimate = item.estimatedRecords === null ? "" : ` About ${formatCount(item.estimatedRecords)} rows to delete.`;
  const done = item.recordsAffected > 0 ? ` ${formatCount(item.recordsAffected)} rows deleted so far.` : "";
  if (runAt.getTime() <= now.getTime()) return html`<p>Waiting for a worker.${estimate}${done}</p>`;
  if (item.schedule === "off-peak") return html`<p>Waits for the off-peak window: starts at ${time(runAt)}.${estimate}${done}</p>`;
  return html`<p>Runs again at ${time(runAt)}.${estimate}${done}</p>`;
}

/**
 * Renders the progress part of a card. Progress events replace only this part, so that the
 * card's buttons keep their focus while a purge runs.
 */
export function progressBlock(item: WorkQueueItemResponse, now: Date): Html {
  const id = `${itemDomId(item.id)}-progress`;
  if (item.status === "PENDING") return html`<div class="progress-block" id="${id}">${pendingText(item, now)}</div>`;

  const percent = percentOf(item);
  const facts: Html[] = [html`<span>${rowsText(item)}</span>`];
  if (item.elapsedTime !== null) facts.push(html`<span>${item.status === "IN_PROGRESS" ? "Elapsed" : "Took"} ${item.elapsedTime}</span>`);
  if (item.status === "IN_PROGRESS") {
    const eta = item.estimatedTimeRemaining === null ? null : new Date(now.getTime() + item.estimatedTimeRemaining * 1000);
    facts.push(eta === null ? html`<span>Estimated completion: not known yet</span>` : html`<span>Estimated completion ${time(eta)}</span>`);
  }
  const cancelNote = item.status === "IN_PROGRESS" && item.cancelRequestedAt !== null ? html`<p class="note">Cancel requested: the purge stops after the chunk in flight.</p>` : "";

  return html`<div class="progress-block" id="${id}">
  <div class="progress-line"><progress max="100" value="${String(percent)}" aria-label="Progress of item ${item.id}"></progress><span class="percent">${percent} %</span></div>
  <p class="facts">${facts.map((fact, index) => (index === 0 ? fact : html` · ${fact}`))}</p>${cancelNote}
</div>`;
}

function rangeText(item: WorkQueueItemResponse): Html {
  if (item.type !== LOG_PURGE_TYPE) return html``;
  const from = typeof item.payload["from"] === "string" ? item.payload["from"] : null;
  const to = typeof item.payload["to"] === "string" ? item.payload["to"] : null;
  if (to === null) return html``;
  const range = from === null ? html`all logs before ${time(to)}` : html`logs from ${time(from)} to ${time(to)}`;
  return html`<div><dt>Range</dt><dd>${range}</dd></div>`;
}

/**
 * Returns the question of the browser's confirm() before cancelling. Its buttons are OK and Cancel,
 * so the question calls the action "Stop", which OK confirms and Cancel declines.
 */
function cancelQuestion(item: WorkQueueItemResponse): string {
  const deletedRowsNote = item.type === LOG_PURGE_TYPE ? " Rows deleted so far stay deleted." : "";
  return `Stop item ${item.id}, the ${describeItem(item)}?${deletedRowsNote}`;
}

/** Returns the question of the browser's confirm() before a retry, which runs the item again. */
function retryQuestion(item: WorkQueueItemResponse): string {
  const subject = `The ${describeItem(item)}`;
  const effect = item.type === LOG_PURGE_TYPE ? `${subject} continues deleting where it stopped.` : `${subject} runs again.`;
  return `Retry item ${item.id}? ${effect}`;
}

function actions(item: WorkQueueItemResponse, urls: PageUrls): Html {
  const card = `#${itemDomId(item.id)}`;
  // Both questions start with fixed words: htmx runs an hx-confirm value that starts with "js:" as code.
  if (item.status === "PENDING" || item.status === "IN_PROGRESS") {
    const disabled = item.cancelRequestedAt !== null;
    return html`<div class="actions"><button type="button" class="button danger" id="${itemDomId(item.id)}-cancel" hx-post="${urls.cancel(item.id)}" hx-target="${card}" hx-swap="outerHTML" hx-confirm="${cancelQuestion(item)}"${disabled ? html` disabled` : ""}>Cancel</button></div>`;
  }
  if (item.status === "FAILED" || item.status === "CANCELLED") {
    return html`<div class="actions"><button type="button" class="button" id="${itemDomId(item.id)}-retry" hx-post="${urls.retry(item.id)}" hx-target="${card}" hx-swap="outerHTML" hx-confirm="${retryQuestion(item)}">Retry</button></div>`;
  }
  return html``;
}

function errorDetails(item: WorkQueueItemResponse): Html {
  if (item.errorMessage === null) return html``;
  const reason = item.stopReason !== null && item.status !== "PENDING" ? html`<p>Stopped because it ${STOP_REASON_LABELS[item.stopReason] ?? item.stopReason}.</p>` : "";
  return html`<details class="error-details"><summary>Error details</summary>${reason}<pre>${item.errorMessage}</pre></details>`;
}

/** Renders an item as a list entry of the queue page. */
export function itemCard(item: WorkQueueItemResponse, urls: PageUrls, now: Date): Html {
  const domId = itemDomId(item.id);
  const deployment = item.deployment === null ? "" : html` <span class="muted">in deployment</span> <span class="name">${item.deployment}</span>`;
  const titleStart = item.type === LOG_PURGE_TYPE ? html`Purge of pod` : html`${item.type} for pod`;
  const finished = item.completedAt === null ? "" : html`<div><dt>Finished</dt><dd>${time(item.completedAt)}</dd></div>`;
  const started = item.startedAt === null ? "" : html`<div><dt>Started</dt><dd>${time(item.startedAt)}</dd></div>`;

  return html`<li class="item item-${item.status.toLowerCase()}" id="${domId}" data-id="${String(item.id)}">
<div class="item-head">
  <h3 class="item-title"><span class="item-number">#${item.id}</span> ${titleStart} <span class="name">${item.podName}</span>${deployment}</h3>
  ${statusBadge(item.status)}
</div>
<dl class="item-facts">
  ${rangeText(item)}
  <div><dt>Queued</dt><dd>${time(item.createdAt)}</dd></div>
  ${started}${finished}
  <div><dt>Attempts</dt><dd>${item.attempts} of ${item.maxAttempts}</dd></div>
</dl>
${progressBlock(item, now)}
${errorDetails(item)}
${actions(item, urls)}
</li>`;
}
