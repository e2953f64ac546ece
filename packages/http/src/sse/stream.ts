import { type Logger, type QueueEvent, type WorkQueue, errorMessageOf } from "@logmk/workqueue";
import { type StreamFormatter, formatComment, formatJsonEntries } from "./format.js";
import { EventOutbox } from "./outbox.js";

export interface EventStreamParams {
  queue: WorkQueue;
  /** The last event id the client saw, from `Last-Event-ID`, or null for a new client. */
  lastEventId: number | null;
  heartbeatMs: number;
  maxReplayEvents: number;
  maxBufferedEvents: number;
  /** Logger bound to the request id. */
  logger: Logger;
  /** Signals that end the stream: the request's (client gone) and the host's (shutting down). */
  signals: ReadonlyArray<AbortSignal | undefined>;
  /** Turns the waiting entries into the text sent. @default one line of JSON per event */
  format?: StreamFormatter;
}

/** Size of one read from the event log during a replay. */
const REPLAY_PAGE_SIZE = 500;

/** Reason a replay was replaced by a `ReplayTruncated` event. */
export type TruncationReason = "too-many-events" | "events-expired";

/**
 * Reads the events after `afterId` up to and including `upToId`. Returns the reason instead when
 * they cannot all be replayed: more than `max` of them, or some already deleted by the retention
 * cleanup.
 */
async function readMissedEvents(queue: WorkQueue, afterId: number, upToId: number, max: number): Promise<QueueEvent[] | TruncationReason> {
  const missed: QueueEvent[] = [];
  let cursor = afterId;
  while (cursor < upToId) {
    const page = await queue.readEvents(cursor, Math.min(REPLAY_PAGE_SIZE, max + 1 - missed.length));
    if (cursor === afterId && (await logStartsAfter(queue, afterId + 1, page[0]))) return "events-expired";
    if (page.length === 0) break;
    for (const event of page) {
      if (event.id > upToId) return missed;
      missed.push(event);
      if (missed.length > max) return "too-many-events";
    }
    cursor = page[page.length - 1]!.id;
  }
  return missed;
}

/**
 * Checks whether the event log no longer contains event `nextId`. A gap before the first event
 * read can also be an id that a rolled-back transaction left unused, so the oldest kept event
 * decides: if it is `first`, the retention cleanup deleted the events in between.
 */
async function logStartsAfter(queue: WorkQueue, nextId: number, first: QueueEvent | undefined): Promise<boolean> {
  if (first !== undefined && first.id === nextId) return false;
  const [oldest] = await queue.readEvents(0, 1);
  return oldest === undefined || oldest.id > nextId;
}

/**
 * Opens one client's event stream. It subscribes to the queue first and buffers what arrives.
 * Then it replays from the store's event log up to the position the queue had delivered once the
 * subscription was in place, and flushes the buffered events past that position. So the replay
 * and the live events meet without a gap or a duplicate.
 *
 * Resolves once the replay is queued, so that a store failure can still become an error response.
 * The stream then runs until the client disconnects, a signal aborts, or the client falls more
 * than `maxBufferedEvents` behind.
 */
export async function openEventStream(params: EventStreamParams): Promise<ReadableStream<Uint8Array>> {
  const { queue, lastEventId, logger } = params;
  const outbox = new EventOutbox(params.maxBufferedEvents);
  const early: QueueEvent[] = [];
  let live = false;
  let closed = false;
  let heartbeat: ReturnType<typeof setInterval> | undefined;

  const close = (reason: string) => {
    if (closed) return;
    closed = true;
    unsubscribe();
    if (heartbeat !== undefined) clearInterval(heartbeat);
    for (const signal of params.signals) signal?.removeEventListener("abort", onAbort);
    outbox.close();
    logger.debug({ reason }, `Event stream closed: ${reason}`);
  };
  const onAbort = () => close("request aborted");

  const deliver = (event: QueueEvent) => {
    if (closed || outbox.push({ kind: "event", event })) return;
    logger.warn({ waiting: outbox.size, maxBufferedEvents: params.maxBufferedEvents }, "Event stream client fell too far behind; closing it so that it reconnects and replays");
    close("client too slow");
  };

  const unsubscribe = queue.onAny((event) => {
    if (live) deliver(event);
    else early.push(event);
  });

  try {
    await queue.startEvents();
    const position = queue.eventPosition();
    outbox.push({ kind: "text", text: formatComment("connected") });

    // A Last-Event-ID beyond the position comes from a store that was reset: treat the client as new.
    const replaying = lastEventId !== null && lastEventId <= position;
    if (replaying && lastEventId < position) {
      const missed = await readMissedEvents(queue, lastEventId, position, params.maxReplayEvents);
      if (typeof missed === "string") {
        outbox.push({ kind: "truncated", truncation: { reason: missed, lastEventId, resumedAfterId: position, maxReplayEvents: params.maxReplayEvents } });
      } else {
        for (const event of missed) deliver(event);
      }
      logger.debug({ lastEventId, position, replayed: typeof missed === "string" ? missed : missed.length }, "Event stream replayed missed events");
    }

    live = true;
    for (const event of early) if (!replaying || event.id > position) deliver(event);
    early.length = 0;
  } catch (error) {
    logger.warn({ err: error, lastEventId }, `Opening an event stream failed: ${errorMessageOf(error)}`);
    close("opening failed");
    throw error;
  }

  // The replay may already have closed the stream, for a client too far behind: then nothing is left to start.
  if (!closed) {
    heartbeat = setInterval(() => {
      if (outbox.size === 0) outbox.push({ kind: "text", text: formatComment("heartbeat") });
    }, params.heartbeatMs);
    for (const signal of params.signals) signal?.addEventListener("abort", onAbort, { once: true });
    if (params.signals.some((signal) => signal?.aborted)) close("request aborted");
    else logger.debug({ lastEventId }, "Event stream opened");
  }

  const format = params.format ?? formatJsonEntries;
  const encoder = new TextEncoder();
  let cancelled = false;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const entries = await outbox.takeAll();
        if (cancelled) return;
        if (entries === null) {
          controller.close();
          return;
        }
        const text = await format(entries);
        if (cancelled) return;
        controller.enqueue(encoder.encode(text));
      },
      cancel() {
        cancelled = true;
        close("client disconnected");
      },
    },
    // No read-ahead: entries wait in the outbox, where progress events coalesce, until the client reads.
    { highWaterMark: 0 },
  );
}
