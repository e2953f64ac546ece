import type { QueueEvent } from "@logmk/workqueue";
import { type Html, formatCount, html, time } from "./html.js";
import { describeItem } from "./item-card.js";

type ToastKind = "info" | "success" | "error";

/** Renders one toast. Errors get `role="alert"`; the rest are announced politely by the live region. */
export function toast(kind: ToastKind, message: Html | string): Html {
  const role = kind === "error" ? "alert" : "status";
  return html`<div class="toast toast-${kind}" role="${role}"><p>${message}</p><button type="button" class="toast-close" aria-label="Dismiss">×</button></div>`;
}

function retriedMessage(event: QueueEvent, subject: string): Html {
  const error = event.errorMessage ? html` Error: ${event.errorMessage}` : "";
  switch (event.reason) {
    case "manual":
      return html`${subject} was queued again by a retry.`;
    case "backoff":
      return html`${subject} failed and runs again at ${time(event.item.runAt)}.${error}`;
    case "lease-expired":
      return html`${subject} lost its worker and was queued again.`;
    case "window-closed":
      return html`${subject} paused because the off-peak window closed; it continues at ${time(event.item.runAt)}.`;
    default:
      return html`${subject} went back to the queue because its worker shut down.`;
  }
}

/** Renders the toast of a queue event, or nothing for progress events. */
export function eventToast(event: QueueEvent): Html | null {
  const { item } = event;
  const subject = `Item #${item.id}, the ${describeItem(item)},`;
  switch (event.name) {
    case "QueueItemAdded": {
      const when = item.schedule === "off-peak" ? html` It waits for the off-peak window, starting ${time(item.runAt)}.` : "";
      return toast("info", html`${subject} was queued.${when}`);
    }
    case "QueueItemStarted":
      return toast("info", html`${subject} started.`);
    case "QueueItemCompleted":
      return toast("success", html`${subject} completed: ${formatCount(item.recordsAffected)} rows deleted.`);
    case "QueueItemFailed":
      return toast("error", html`${subject} failed: ${item.errorMessage ?? "no error message"}`);
    case "QueueItemCancelled":
      return toast("info", html`${subject} was cancelled after ${formatCount(item.recordsAffected)} deleted rows.`);
    case "QueueItemRetried":
      return toast(event.reason === "backoff" ? "error" : "info", retriedMessage(event, subject));
    case "QueueItemProgress":
      return null;
  }
}
