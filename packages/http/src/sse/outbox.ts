import type { QueueEvent } from "@logmk/workqueue";

/** Details of the event a client gets in place of missed events that cannot be replayed; see `formatReplayTruncated`. */
export interface ReplayTruncation {
  reason: string;
  lastEventId: number;
  resumedAfterId: number;
  maxReplayEvents: number;
}

/**
 * One message waiting to be written to a client: a queue event, a replay truncation, or
 * ready-made text such as a comment.
 */
export type OutboxEntry = { kind: "event"; event: QueueEvent } | { kind: "truncated"; truncation: ReplayTruncation } | { kind: "text"; text: string };

/**
 * Messages waiting for one Server-Sent Events client, in the order they are to be sent.
 *
 * A progress event replaces the client's unsent progress event of the same item and moves to the
 * end, so event ids stay ascending and a slow client gets at most one progress event per item
 * per read. Other events are never dropped one by one: when more than `capacity` entries wait,
 * `push` reports an overflow and the caller closes the stream, so that the client reconnects and
 * replays from the event log.
 */
export class EventOutbox {
  // A Map iterates in insertion order, so it serves as a queue with O(1) removal from the middle.
  private readonly entries = new Map<number, OutboxEntry>();
  private readonly progressKeyByItem = new Map<number, number>();
  private nextKey = 0;
  private wakeReader: (() => void) | undefined;
  private closed = false;

  constructor(private readonly capacity: number) {}

  /** Number of entries waiting. */
  get size(): number {
    return this.entries.size;
  }

  /** Adds an entry; returns false when the outbox is over capacity or closed. */
  push(entry: OutboxEntry): boolean {
    if (this.closed) return false;

    if (entry.kind === "event" && entry.event.name === "QueueItemProgress") {
      const itemId = entry.event.item.id;
      const previous = this.progressKeyByItem.get(itemId);
      if (previous !== undefined) this.entries.delete(previous);
      this.progressKeyByItem.set(itemId, this.nextKey);
    }
    this.entries.set(this.nextKey++, entry);
    this.wakeReader?.();
    return this.entries.size <= this.capacity;
  }

  /**
   * Removes and returns every waiting entry, waiting for one when there is none. Returns null
   * once the outbox is closed and empty.
   */
  async takeAll(): Promise<OutboxEntry[] | null> {
    while (this.entries.size === 0) {
      if (this.closed) return null;
      await new Promise<void>((resolve) => {
        this.wakeReader = resolve;
      });
      this.wakeReader = undefined;
    }
    const waiting = [...this.entries.values()];
    this.entries.clear();
    this.progressKeyByItem.clear();
    return waiting;
  }

  /**
   * Stops accepting entries and drops those waiting: a client that reconnects gets them again
   * from the event log. A waiting `takeAll` returns null.
   */
  close(): void {
    this.closed = true;
    this.entries.clear();
    this.progressKeyByItem.clear();
    this.wakeReader?.();
  }
}
