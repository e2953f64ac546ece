import { expect, it } from "vitest";
import { isWorkQueueError } from "../errors.js";
import type { StoreNotice } from "../store/port.js";
import type { StoreContractFixture } from "./fixture.js";
import { claimOne, newItem } from "./fixture.js";

/** Listing, pagination, counts, retention, the event log and notices. */
export function registerQueryTests(fixture: () => StoreContractFixture): void {
  it("admits exactly the limit under racing enqueues", async () => {
    const { store } = fixture();

    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, index) => store.enqueue({ item: newItem({ podName: `pod-${index}` }), maxOpenItems: 5 })));

    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(5);
    for (const result of rejected) expect(isWorkQueueError(result.reason, "QUEUE_FULL")).toBe(true);
  });

  it("lists newest first with filters and keyset pages", async () => {
    const { store } = fixture();
    const ids: number[] = [];
    for (let index = 0; index < 7; index++) {
      const item = await store.enqueue({ item: newItem({ podName: index % 2 === 0 ? "even" : "odd", deployment: index < 4 ? "api" : "web", type: index === 6 ? "OTHER_JOB" : "TEST_JOB" }), maxOpenItems: null });
      ids.push(item.id);
    }
    const claimed = await claimOne(store);

    const firstPage = await store.listItems({ limit: 3 });
    const secondPage = await store.listItems({ limit: 3, before: firstPage.at(-1)!.id });
    const lastPage = await store.listItems({ limit: 3, before: secondPage.at(-1)!.id });

    expect(firstPage.map((item) => item.id)).toEqual([ids[6], ids[5], ids[4]]);
    expect(secondPage.map((item) => item.id)).toEqual([ids[3], ids[2], ids[1]]);
    expect(lastPage.map((item) => item.id)).toEqual([ids[0]]);
    expect((await store.listItems({ limit: 10, podName: "even" })).map((item) => item.id)).toEqual([ids[6], ids[4], ids[2], ids[0]]);
    expect((await store.listItems({ limit: 10, podName: "even", deployment: "web" })).map((item) => item.id)).toEqual([ids[6], ids[4]]);
    expect((await store.listItems({ limit: 10, type: "OTHER_JOB" })).map((item) => item.id)).toEqual([ids[6]]);
    expect((await store.listItems({ limit: 10, status: "IN_PROGRESS" })).map((item) => item.id)).toEqual([claimed.id]);
  });

  it("finds the open items of a pod", async () => {
    const { store } = fixture();
    const apiItem = await store.enqueue({ item: newItem({ podName: "shared", deployment: "api" }), maxOpenItems: null });
    const webItem = await store.enqueue({ item: newItem({ podName: "shared", deployment: "web" }), maxOpenItems: null });
    const finished = await store.enqueue({ item: newItem({ podName: "shared", deployment: "api" }), maxOpenItems: null });
    await store.cancelPending({ id: finished.id });

    const all = await store.findOpenByPod({ podName: "shared" });
    const onlyWeb = await store.findOpenByPod({ podName: "shared", deployment: "web" });

    expect(all.map((item) => item.id)).toEqual([apiItem.id, webItem.id]);
    expect(onlyWeb.map((item) => item.id)).toEqual([webItem.id]);
    expect(await store.findOpenByPod({ podName: "unknown" })).toEqual([]);
  });

  it("counts items by status", async () => {
    const { store, now } = fixture();
    const future = new Date((await now()).getTime() + 3_600_000);
    await store.enqueue({ item: newItem({ podName: "a" }), maxOpenItems: null });
    await store.enqueue({ item: newItem({ podName: "b" }), maxOpenItems: null });
    await store.enqueue({ item: newItem({ podName: "later", runAt: future }), maxOpenItems: null });
    const claimed = await claimOne(store);
    await store.completeItem({ id: claimed.id, fencingToken: claimed.fencingToken });
    const running = await claimOne(store);

    const stats = await store.countByStatus();

    expect(stats.counts).toEqual({ PENDING: 1, IN_PROGRESS: 1, COMPLETED: 1, FAILED: 0, CANCELLED: 0 });
    expect(stats.oldestEligibleRunAt).toBeNull();
    expect(running.podName).toBe("b");
    await store.releaseItem({ id: running.id, fencingToken: running.fencingToken, reason: "shutdown", runAt: null });
    const afterRelease = await store.countByStatus();
    expect(afterRelease.oldestEligibleRunAt).not.toBeNull();
    expect(afterRelease.now.getTime()).toBeGreaterThanOrEqual(afterRelease.oldestEligibleRunAt!.getTime());
  });

  it("deletes only finished items older than the cutoff", async () => {
    const { store, now, advance } = fixture();
    const open = await store.enqueue({ item: newItem({ podName: "open" }), maxOpenItems: null });
    const finishedIds: number[] = [];
    for (let index = 0; index < 5; index++) {
      const item = await store.enqueue({ item: newItem({ podName: `old-${index}` }), maxOpenItems: null });
      await store.cancelPending({ id: item.id });
      finishedIds.push(item.id);
    }
    await advance(300);
    const cutoff = await now();
    await advance(300);
    const recent = await store.enqueue({ item: newItem({ podName: "recent" }), maxOpenItems: null });
    await store.cancelPending({ id: recent.id });

    const deleted = await store.deleteFinishedBefore({ before: cutoff, batchSize: 2 });

    expect(deleted).toBe(5);
    for (const id of finishedIds) expect(await store.getItem({ id })).toBeNull();
    expect((await store.getItem({ id: open.id }))?.status).toBe("PENDING");
    expect((await store.getItem({ id: recent.id }))?.status).toBe("CANCELLED");
  });

  it("records an event for every change", async () => {
    const { store } = fixture();
    const startId = await store.lastEventId();
    const first = await store.enqueue({ item: newItem({ podName: "one", maxAttempts: 2 }), maxOpenItems: null });
    const claimed = await claimOne(store);
    await store.reportProgress({ id: claimed.id, fencingToken: claimed.fencingToken, recordsAffected: 1, progress: 50 });
    await store.failItem({ id: claimed.id, fencingToken: claimed.fencingToken, errorMessage: "flaky", retryDelayMs: 0, stopReason: "failed" });
    const second = await claimOne(store);
    await store.completeItem({ id: second.id, fencingToken: second.fencingToken });
    const other = await store.enqueue({ item: newItem({ podName: "two" }), maxOpenItems: null });
    await store.cancelPending({ id: other.id });
    await store.retryItem({ id: other.id, maxOpenItems: null });

    const events = await store.readEvents({ afterId: startId, limit: 100 });

    expect(events.map((event) => event.name)).toEqual([
      "QueueItemAdded",
      "QueueItemStarted",
      "QueueItemProgress",
      "QueueItemRetried",
      "QueueItemStarted",
      "QueueItemCompleted",
      "QueueItemAdded",
      "QueueItemCancelled",
      "QueueItemRetried",
    ]);
    const ids = events.map((event) => event.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
    expect(events[0]).toMatchObject({ itemId: first.id, item: { status: "PENDING", podName: "one" } });
    expect(events[3]).toMatchObject({ reason: "backoff", errorMessage: "flaky", item: { status: "PENDING" } });
    expect(events[5]!.item.status).toBe("COMPLETED");
    expect(events[8]).toMatchObject({ itemId: other.id, reason: "manual", item: { status: "PENDING" } });
    expect(await store.lastEventId()).toBe(ids.at(-1));

    const tail = await store.readEvents({ afterId: ids[6]!, limit: 1 });
    expect(tail.map((event) => event.id)).toEqual([ids[7]]);
  });

  it("deletes events older than the cutoff", async () => {
    const { store, now, advance } = fixture();
    await store.enqueue({ item: newItem({ podName: "old" }), maxOpenItems: null });
    await advance(300);
    const cutoff = await now();
    await advance(300);
    const recent = await store.enqueue({ item: newItem({ podName: "new" }), maxOpenItems: null });

    const deleted = await store.deleteEventsBefore({ before: cutoff });
    const left = await store.readEvents({ afterId: 0, limit: 100 });

    expect(deleted).toBe(1);
    expect(left.map((event) => event.itemId)).toEqual([recent.id]);
  });

  it("notifies subscribers of new work and events", async () => {
    const { store } = fixture();
    if (!store.subscribe) return;
    const notices: StoreNotice[] = [];
    let resolveBoth: () => void = () => {};
    const both = new Promise<void>((resolve) => (resolveBoth = resolve));
    const unsubscribe = await store.subscribe((notice) => {
      notices.push(notice);
      if (notices.some((entry) => entry.kind === "work-available") && notices.some((entry) => entry.kind === "events")) resolveBoth();
    });

    await store.enqueue({ item: newItem(), maxOpenItems: null });
    await both;
    await unsubscribe();

    expect(notices.map((notice) => notice.kind)).toContain("work-available");
    expect(notices.map((notice) => notice.kind)).toContain("events");
  });

  it("answers a ping", async () => {
    const { store } = fixture();
    await expect(store.ping()).resolves.toBeUndefined();
  });
}
