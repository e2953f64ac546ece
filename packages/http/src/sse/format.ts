import type { QueueEvent } from "@logmk/workqueue";
import type { OutboxEntry, ReplayTruncation } from "./outbox.js";

/** Name of the event sent instead of a replay that would exceed `maxReplayEvents`. */
export const REPLAY_TRUNCATED_EVENT = "ReplayTruncated";

/**
 * Formats a queue event as one Server-Sent Event. JSON.stringify escapes line breaks inside
 * strings, so the data is always a single `data:` line whatever the item contains.
 */
export function formatQueueEvent(event: QueueEvent): string {
  return `event: ${event.name}\nid: ${event.id}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Formats a comment line, which EventSource clients ignore but which keeps proxies from closing an idle stream. */
export function formatComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, " ")}\n\n`;
}

/**
 * Formats the event a reconnecting client gets in place of missed events that are not replayed:
 * more than `maxReplayEvents`, or events already deleted from the log. Its id moves the client's
 * `Last-Event-ID` past the gap, so the next reconnect does not hit it again.
 */
export function formatReplayTruncated(details: ReplayTruncation): string {
  return `event: ${REPLAY_TRUNCATED_EVENT}\nid: ${details.resumedAfterId}\ndata: ${JSON.stringify(details)}\n\n`;
}

export function formatEntry(entry: OutboxEntry): string {
  if (entry.kind === "event") return formatQueueEvent(entry.event);
  if (entry.kind === "truncated") return formatReplayTruncated(entry.truncation);
  return entry.text;
}

/**
 * Turns the entries of one read into the text sent to the client. The JSON stream formats each
 * entry on its own; the pages' HTML stream renders fragments and may read the store to do so.
 */
export type StreamFormatter = (entries: OutboxEntry[]) => string | Promise<string>;

/** The formatter of `GET /api/workqueue/events`: each event as one line of JSON. */
export const formatJsonEntries: StreamFormatter = (entries) => entries.map(formatEntry).join("");

/** Formats text as the `data:` lines of one message; each line break of the text starts a new `data:` line. */
export function formatDataLines(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line) => `data: ${line}\n`)
    .join("");
}
