import { type Clock, systemClock } from "../clock.js";
import { errorMessageOf } from "../errors.js";
import { type Logger, silentLogger } from "../logger.js";
import { toItemResponse } from "../model/response.js";
import type { StoreNotice, Unsubscribe, WorkQueueStore } from "../store/port.js";
import { createQueueEventEmitter, type QueueEventEmitter } from "./emitter.js";
import type { QueueEvent, StoredEvent } from "./names.js";

export interface EventFeedOptions {
  store: WorkQueueStore;
  /** @default a new emitter */
  emitter?: QueueEventEmitter;
  /** @default the system clock */
  clock?: Clock;
  /** @default silent */
  logger?: Logger;
  /**
   * How often to read new events when the store has no push channel, and as a backstop when it has.
   * @default 1000 ms without `store.subscribe`, 5000 ms with it
   */
  pollIntervalMs?: number;
  /**
   * How long a missing event id is waited for before it is skipped. Ids are assigned when a
   * transaction inserts an event but become visible when it commits, so a later id can be seen
   * first. A rolled-back transaction leaves a gap forever.
   * @default 2000 ms
   */
  gapWaitMs?: number;
  /** @default 500 */
  batchSize?: number;
}

/** Tails the store's event log and emits each event once, in id order, to in-process listeners. */
export interface EventFeed {
  readonly emitter: QueueEventEmitter;
  /** Starts tailing from the newest recorded event. Safe to call twice. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Id of the last event emitted; replay from the store up to here, then follow the emitter. */
  position(): number;
  /** Reads new events now instead of waiting for a notice or the poll timer. */
  poll(): Promise<void>;
}

export function toQueueEvent(event: StoredEvent): QueueEvent {
  const queueEvent: QueueEvent = { id: event.id, name: event.name, at: event.at.toISOString(), item: toItemResponse(event.item, event.at) };
  if (event.reason !== undefined) queueEvent.reason = event.reason;
  if (event.errorMessage !== undefined) queueEvent.errorMessage = event.errorMessage;
  return queueEvent;
}

export function createEventFeed(options: EventFeedOptions): EventFeed {
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const emitter = options.emitter ?? createQueueEventEmitter(logger);
  const pollIntervalMs = options.pollIntervalMs ?? (store.subscribe ? 5_000 : 1_000);
  const gapWaitMs = options.gapWaitMs ?? 2_000;
  const batchSize = options.batchSize ?? 500;

  let cursor = 0;
  let running = false;
  let unsubscribe: Unsubscribe | undefined;
  let cancelTimer: (() => void) | undefined;
  let reading: Promise<void> | undefined;
  let readAgain = false;
  // First time the id after `cursor` was found missing while later ids were visible.
  let gapSeenAt: { id: number; at: number } | undefined;

  function schedule(ms: number): void {
    cancelTimer?.();
    if (!running) return;
    cancelTimer = clock.setTimer(() => void poll(), ms);
  }

  /** Emits the events that follow `cursor` without a gap, or across a gap older than `gapWaitMs`. */
  function deliver(events: StoredEvent[]): boolean {
    let waitingForGap = false;
    for (const event of events) {
      if (event.id <= cursor) continue;
      if (event.id !== cursor + 1) {
        const missing = cursor + 1;
        const nowMs = clock.now().getTime();
        if (gapSeenAt?.id !== missing) gapSeenAt = { id: missing, at: nowMs };
        if (nowMs - gapSeenAt.at < gapWaitMs) {
          waitingForGap = true;
          break;
        }
        logger.debug({ fromId: missing, toId: event.id - 1 }, "Skipping event ids that never became visible");
      }
      cursor = event.id;
      gapSeenAt = undefined;
      emitter.emit(toQueueEvent(event));
    }
    return waitingForGap;
  }

  async function readOnce(): Promise<void> {
    for (;;) {
      const events = await store.readEvents({ afterId: cursor, limit: batchSize });
      const waitingForGap = deliver(events);
      if (waitingForGap) {
        schedule(Math.min(100, gapWaitMs));
        return;
      }
      if (events.length < batchSize) return;
    }
  }

  function poll(): Promise<void> {
    if (!running) return Promise.resolve();
    if (reading) {
      readAgain = true;
      return reading;
    }
    reading = (async () => {
      do {
        readAgain = false;
        try {
          await readOnce();
        } catch (error) {
          logger.warn({ err: error, afterEventId: cursor }, `Reading queue events failed, retrying in ${pollIntervalMs} ms: ${errorMessageOf(error)}`);
        }
      } while (readAgain && running);
      reading = undefined;
      if (running && !gapSeenAt) schedule(pollIntervalMs);
    })();
    return reading;
  }

  const onNotice = (notice: StoreNotice) => {
    if (notice.kind === "events") void poll();
  };

  return {
    emitter,
    async start() {
      if (running) return;
      running = true;
      cursor = await store.lastEventId();
      if (store.subscribe) unsubscribe = await store.subscribe(onNotice);
      logger.debug({ afterEventId: cursor }, "Queue event feed started");
      await poll();
    },
    async stop() {
      if (!running) return;
      running = false;
      cancelTimer?.();
      await unsubscribe?.();
      unsubscribe = undefined;
      await reading;
      logger.debug({ afterEventId: cursor }, "Queue event feed stopped");
    },
    position: () => cursor,
    poll,
  };
}
