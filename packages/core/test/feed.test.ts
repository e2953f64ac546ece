import { describe, expect, it } from "vitest";
import { createEventFeed, createManualClock, createMemoryStore, type QueueEvent, type StoredEvent, type WorkQueueStore } from "@logmk/workqueue";
import { newItem } from "@logmk/workqueue/testing";
import { settle } from "./support.js";

describe("event feed", () => {
  it("emits new events once, in id order, from the current end", async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    const before = await store.enqueue({ item: newItem(), maxOpenItems: null });
    const feed = createEventFeed({ store, clock });
    const seen: QueueEvent[] = [];
    feed.emitter.onAny((event) => seen.push(event));

    await feed.start();
    const after = await store.enqueue({ item: newItem({ podName: "second" }), maxOpenItems: null });
    await store.cancelPending({ id: after.id });
    await settle(clock, () => seen.length === 2);
    await feed.poll();
    await feed.stop();

    expect(seen.map((event) => [event.name, event.item.id])).toEqual([
      ["QueueItemAdded", after.id],
      ["QueueItemCancelled", after.id],
    ]);
    expect(seen.every((event) => event.item.id !== before.id)).toBe(true);
    expect(feed.position()).toBe(seen.at(-1)!.id);
  });

  it("waits for a missing id, then skips it", async () => {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const [template] = await store.readEvents({ afterId: 0, limit: 1 });
    // Event 3 is visible before event 2, as when the transaction holding 2 commits later.
    const visible: StoredEvent[] = [];
    const gappy: WorkQueueStore = { ...store, subscribe: undefined, lastEventId: async () => 1, readEvents: async ({ afterId }) => visible.filter((event) => event.id > afterId).sort((a, b) => a.id - b.id) };
    const feed = createEventFeed({ store: gappy, clock, gapWaitMs: 2_000, pollIntervalMs: 500 });
    const seen: number[] = [];
    feed.emitter.onAny((event) => seen.push(event.id));
    await feed.start();

    visible.push({ ...template!, id: 3 });
    await clock.advance(600);
    expect(seen).toEqual([]);
    visible.push({ ...template!, id: 2 });
    await clock.advance(200);
    expect(seen).toEqual([2, 3]);

    visible.push({ ...template!, id: 5 });
    await clock.advance(1_000);
    expect(seen).toEqual([2, 3]);
    await clock.advance(1_500);
    expect(seen).toEqual([2, 3, 5]);
    await feed.stop();
  });
});
