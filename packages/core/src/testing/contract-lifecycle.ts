import { expect, it } from "vitest";
import { isWorkQueueError } from "../errors.js";
import type { StoreContractFixture, StoreContractOptions } from "./fixture.js";
import { claimOne, newItem } from "./fixture.js";

/** Progress, completion, failure, cancel, release, retry, recovery, uniqueness and the size limit. */
export function registerLifecycleTests(fixture: () => StoreContractFixture, options: Required<Pick<StoreContractOptions, "leaseMs">>): void {
  it("stores a new item with its fields", async () => {
    const { store } = fixture();
    const payload = { from: null, to: "2026-11-30T00:00:00.000Z", nested: { list: [1, "two", null] }, markup: "<b>\"x\"</b> 'y' ✓" };

    const queued = await store.enqueue({
      item: newItem({ podName: "<script>alert(1)</script>", deployment: null, payload, metadata: { screen: "purge" }, priority: 7, uniqueKey: "k-1", estimatedRecords: 1234, createdBy: "alice", maxAttempts: 4 }),
      maxOpenItems: null,
    });
    const stored = await store.getItem({ id: queued.id });

    expect(stored).toEqual(queued);
    expect(stored).toMatchObject({ status: "PENDING", podName: "<script>alert(1)</script>", deployment: null, payload, metadata: { screen: "purge" }, priority: 7, uniqueKey: "k-1", estimatedRecords: 1234, createdBy: "alice", maxAttempts: 4 });
    expect(stored).toMatchObject({ attempts: 0, progress: 0, recordsAffected: 0, lockedBy: null, leaseExpiresAt: null, startedAt: null, completedAt: null, checkpoint: null, stopReason: null, schedule: "now" });
    expect(await store.getItem({ id: queued.id + 1000 })).toBeNull();
  });

  it("records progress and checkpoint", async () => {
    const { store } = fixture();
    await store.enqueue({ item: newItem({ estimatedRecords: 100 }), maxOpenItems: null });
    const claimed = await claimOne(store);
    const checkpoint = { t: 1_764_460_800_000, id: 42, label: "ünïcode" };

    const result = await store.reportProgress({ id: claimed.id, fencingToken: claimed.fencingToken, recordsAffected: 40, progress: 40, estimatedRecords: 120, checkpoint, leaseMs: 60_000 });

    expect(result.applied).toBe(true);
    expect(result.item).toMatchObject({ recordsAffected: 40, progress: 40, estimatedRecords: 120, checkpoint, status: "IN_PROGRESS" });
    const kept = await store.reportProgress({ id: claimed.id, fencingToken: claimed.fencingToken, recordsAffected: 50, progress: 41.5 });
    expect(kept.item).toMatchObject({ recordsAffected: 50, progress: 41.5, estimatedRecords: 120, checkpoint });
  });

  it("keeps the count at each claim", async () => {
    const { store } = fixture();
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const first = await claimOne(store);
    await store.reportProgress({ id: first.id, fencingToken: first.fencingToken, recordsAffected: 400, progress: 40 });
    await store.releaseItem({ id: first.id, fencingToken: first.fencingToken, reason: "shutdown", runAt: null });

    const second = await claimOne(store);

    expect(first.recordsAtClaim).toBe(0);
    expect(second.id).toBe(first.id);
    expect(second.recordsAtClaim).toBe(400);
    expect((await store.getItem({ id: first.id }))?.recordsAtClaim).toBe(400);
  });

  it("adds recordsAdded to the stored count", async () => {
    const { store } = fixture();
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const claimed = await claimOne(store);
    const fence = { id: claimed.id, fencingToken: claimed.fencingToken };
    await store.reportProgress({ ...fence, recordsAffected: 1_000, progress: 10, checkpoint: { at: 1 } });

    // A write that believes the total is 1,000 after a commit it did not see the reply of.
    const added = await store.reportProgress({ ...fence, recordsAffected: 1_000, recordsAdded: 400, progress: 14, checkpoint: { at: 2 } });

    expect(added.item).toMatchObject({ recordsAffected: 1_400, progress: 14, checkpoint: { at: 2 } });
  });

  it("completes an item", async () => {
    const { store } = fixture();
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const claimed = await claimOne(store);

    const result = await store.completeItem({ id: claimed.id, fencingToken: claimed.fencingToken, recordsAffected: 77 });

    expect(result.applied).toBe(true);
    expect(result.item).toMatchObject({ status: "COMPLETED", progress: 100, recordsAffected: 77, stopReason: "completed", lockedBy: null, leaseExpiresAt: null });
    expect(result.item?.completedAt).not.toBeNull();
    expect((await store.completeItem({ id: claimed.id, fencingToken: claimed.fencingToken })).applied).toBe(false);
  });

  it("completes several items in one call", async () => {
    const { store } = fixture();
    if (!store.completeItems) return;
    for (let index = 0; index < 3; index++) await store.enqueue({ item: newItem({ podName: `pod-${index}` }), maxOpenItems: null });
    const claimed = await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 3 });
    const stale = { id: claimed[1]!.id, fencingToken: claimed[1]!.fencingToken + 5 };

    const results = await store.completeItems({ items: [{ id: claimed[2]!.id, fencingToken: claimed[2]!.fencingToken, recordsAffected: 2 }, stale, { id: claimed[0]!.id, fencingToken: claimed[0]!.fencingToken }] });

    expect(results.map((result) => result.applied)).toEqual([true, false, true]);
    expect(results[0]!.item).toMatchObject({ id: claimed[2]!.id, status: "COMPLETED", recordsAffected: 2, progress: 100 });
    expect(results[1]!.item).toMatchObject({ id: claimed[1]!.id, status: "IN_PROGRESS" });
    expect(results[2]!.item).toMatchObject({ id: claimed[0]!.id, status: "COMPLETED" });
    const events = await store.readEvents({ afterId: 0, limit: 100 });
    expect(events.filter((event) => event.name === "QueueItemCompleted").map((event) => event.itemId).sort()).toEqual([claimed[0]!.id, claimed[2]!.id].sort());
  });

  it("retries a failed attempt after the delay", async () => {
    const { store, now, advance } = fixture();
    await store.enqueue({ item: newItem({ maxAttempts: 2 }), maxOpenItems: null });
    const claimed = await claimOne(store);
    const before = await now();

    const failed = await store.failItem({ id: claimed.id, fencingToken: claimed.fencingToken, errorMessage: "connection reset", retryDelayMs: 500, stopReason: "failed" });

    expect(failed).toMatchObject({ applied: true, outcome: "retried" });
    expect(failed.item).toMatchObject({ status: "PENDING", errorMessage: "connection reset", lockedBy: null, attempts: 1 });
    expect(failed.item!.runAt.getTime()).toBeGreaterThanOrEqual(before.getTime() + 400);
    expect(await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 1 })).toEqual([]);

    await advance(700);
    const second = await claimOne(store);
    const final = await store.failItem({ id: second.id, fencingToken: second.fencingToken, errorMessage: "still broken", retryDelayMs: 500, stopReason: "failed" });

    expect(second.attempts).toBe(2);
    expect(final).toMatchObject({ applied: true, outcome: "failed" });
    expect(final.item).toMatchObject({ status: "FAILED", errorMessage: "still broken", stopReason: "failed" });
    expect(final.item?.completedAt).not.toBeNull();
  });

  it("fails at once without a retry delay", async () => {
    const { store } = fixture();
    await store.enqueue({ item: newItem({ maxAttempts: 5 }), maxOpenItems: null });
    const claimed = await claimOne(store);

    const result = await store.failItem({ id: claimed.id, fencingToken: claimed.fencingToken, errorMessage: "timed out", retryDelayMs: null, stopReason: "timed-out" });

    expect(result.outcome).toBe("failed");
    expect(result.item).toMatchObject({ status: "FAILED", stopReason: "timed-out" });
  });

  it("cancels pending items only", async () => {
    const { store } = fixture();
    const pending = await store.enqueue({ item: newItem({ podName: "a" }), maxOpenItems: null });
    await store.enqueue({ item: newItem({ podName: "b" }), maxOpenItems: null });
    const [running] = await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 1 });
    expect(running?.id).toBe(pending.id);
    const other = (await store.listItems({ status: "PENDING", limit: 10 }))[0]!;

    const onRunning = await store.cancelPending({ id: running!.id });
    const onPending = await store.cancelPending({ id: other.id });
    const missing = await store.cancelPending({ id: other.id + 1000 });

    expect(onRunning.applied).toBe(false);
    expect(onRunning.item?.status).toBe("IN_PROGRESS");
    expect(onPending.applied).toBe(true);
    expect(onPending.item).toMatchObject({ status: "CANCELLED", stopReason: "cancelled" });
    expect(missing).toEqual({ applied: false, item: null });
    expect((await store.cancelPending({ id: other.id })).applied).toBe(false);
  });

  it("asks a running item to stop, then ends it cancelled", async () => {
    const { store } = fixture();
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const claimed = await claimOne(store);
    await store.reportProgress({ id: claimed.id, fencingToken: claimed.fencingToken, recordsAffected: 10, progress: 10 });

    const requested = await store.requestCancel({ id: claimed.id });
    const beat = await store.heartbeat({ id: claimed.id, fencingToken: claimed.fencingToken, leaseMs: 60_000 });
    const ended = await store.cancelClaimed({ id: claimed.id, fencingToken: claimed.fencingToken });

    expect(requested.applied).toBe(true);
    expect(requested.item?.cancelRequestedAt).not.toBeNull();
    expect(requested.item?.status).toBe("IN_PROGRESS");
    expect(beat.item?.cancelRequestedAt).not.toBeNull();
    expect(ended.item).toMatchObject({ status: "CANCELLED", recordsAffected: 10, stopReason: "cancelled", lockedBy: null });
    expect((await store.requestCancel({ id: claimed.id })).applied).toBe(false);
  });

  it("never leaves a cancelled item running when cancel races claim", async () => {
    const { store } = fixture();
    for (let round = 0; round < 30; round++) {
      const queued = await store.enqueue({ item: newItem({ podName: `race-${round}` }), maxOpenItems: null });
      const [claimed, cancelled] = await Promise.all([
        store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 1 }),
        store.cancelPending({ id: queued.id }),
      ]);
      const final = await store.getItem({ id: queued.id });

      if (cancelled.applied) {
        expect(claimed).toEqual([]);
        expect(final?.status).toBe("CANCELLED");
      } else {
        expect(claimed.map((item) => item.id)).toEqual([queued.id]);
        expect(final?.status).toBe("IN_PROGRESS");
        await store.completeItem({ id: queued.id, fencingToken: claimed[0]!.fencingToken });
      }
    }
  });

  it("releases a claimed item without using the attempt", async () => {
    const { store, now } = fixture();
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const claimed = await claimOne(store);
    const next = new Date((await now()).getTime() + 3_600_000);

    const released = await store.releaseItem({ id: claimed.id, fencingToken: claimed.fencingToken, reason: "window-closed", runAt: next });

    expect(released.applied).toBe(true);
    expect(released.item).toMatchObject({ status: "PENDING", attempts: 0, stopReason: "window-closed", lockedBy: null });
    expect(released.item?.runAt.getTime()).toBe(next.getTime());
  });

  it("retries a failed item by request, keeping its progress", async () => {
    const { store } = fixture();
    await store.enqueue({ item: newItem({ maxAttempts: 1 }), maxOpenItems: null });
    const claimed = await claimOne(store);
    await store.reportProgress({ id: claimed.id, fencingToken: claimed.fencingToken, recordsAffected: 30, progress: 30, checkpoint: { at: 30 } });
    await store.failItem({ id: claimed.id, fencingToken: claimed.fencingToken, errorMessage: "disk full", retryDelayMs: 0, stopReason: "failed" });

    const retried = await store.retryItem({ id: claimed.id, maxOpenItems: null });

    expect(retried.applied).toBe(true);
    expect(retried.previousErrorMessage).toBe("disk full");
    expect(retried.item).toMatchObject({ status: "PENDING", attempts: 0, errorMessage: null, recordsAffected: 30, checkpoint: { at: 30 }, completedAt: null, stopReason: null });
    const again = await claimOne(store);
    expect(again.id).toBe(claimed.id);
    expect((await store.retryItem({ id: again.id, maxOpenItems: null })).applied).toBe(false);
    expect((await store.retryItem({ id: again.id + 1000, maxOpenItems: null })).item).toBeNull();
  });

  it("retries an off-peak item at the window", async () => {
    const { store, now } = fixture();
    const offPeak = await store.enqueue({ item: newItem({ schedule: "off-peak", podName: "off-peak" }), maxOpenItems: null });
    const immediate = await store.enqueue({ item: newItem({ podName: "now" }), maxOpenItems: null });
    await store.cancelPending({ id: offPeak.id });
    await store.cancelPending({ id: immediate.id });
    const windowStart = new Date((await now()).getTime() + 3_600_000);

    const retriedOffPeak = await store.retryItem({ id: offPeak.id, maxOpenItems: null, offPeakRunAt: windowStart });
    const retriedNow = await store.retryItem({ id: immediate.id, maxOpenItems: null, offPeakRunAt: windowStart });

    expect(retriedOffPeak.item?.status).toBe("PENDING");
    expect(retriedOffPeak.item?.runAt.getTime()).toBe(windowStart.getTime());
    expect(retriedNow.item?.status).toBe("PENDING");
    expect(retriedNow.item!.runAt.getTime()).toBeLessThan(windowStart.getTime());
    const claimed = await store.claimNext({ workerId: "worker-a", types: ["TEST_JOB"], leaseMs: 60_000, limit: 10 });
    expect(claimed.map((item) => item.id)).toEqual([immediate.id]);
  });

  it("rejects a retry while another item holds the unique key", async () => {
    const { store } = fixture();
    const first = await store.enqueue({ item: newItem({ uniqueKey: "LOG_PURGE:api/pod-1" }), maxOpenItems: null });
    await store.cancelPending({ id: first.id });
    const second = await store.enqueue({ item: newItem({ uniqueKey: "LOG_PURGE:api/pod-1" }), maxOpenItems: null });

    const error = await store.retryItem({ id: first.id, maxOpenItems: null }).catch((caught: unknown) => caught);

    expect(isWorkQueueError(error, "CONFLICT")).toBe(true);
    expect((error as { item?: { id: number } }).item?.id).toBe(second.id);
    expect((await store.getItem({ id: first.id }))?.status).toBe("CANCELLED");
  });

  it("recovers expired leases by outcome", async () => {
    const { store, advance } = fixture();
    await store.enqueue({ item: newItem({ podName: "retry", maxAttempts: 3 }), maxOpenItems: null });
    await store.enqueue({ item: newItem({ podName: "last", maxAttempts: 1 }), maxOpenItems: null });
    await store.enqueue({ item: newItem({ podName: "cancel", maxAttempts: 3 }), maxOpenItems: null });
    const claimed = await store.claimNext({ workerId: "crashed", types: ["TEST_JOB"], leaseMs: options.leaseMs, limit: 3 });
    const byPod = new Map(claimed.map((item) => [item.podName, item]));
    await store.requestCancel({ id: byPod.get("cancel")!.id });

    expect(await store.recoverExpiredLeases({ retryDelayMs: 0, limit: 10 })).toEqual([]);
    await advance(options.leaseMs + 300);
    const recovered = await store.recoverExpiredLeases({ retryDelayMs: 0, limit: 10 });

    const outcomes = Object.fromEntries(recovered.map((entry) => [entry.item.podName, entry.outcome]));
    expect(outcomes).toEqual({ retry: "retried", last: "failed", cancel: "cancelled" });
    const byId = new Map(recovered.map((entry) => [entry.item.podName, entry.item]));
    expect(byId.get("retry")).toMatchObject({ status: "PENDING", lockedBy: null, attempts: 1 });
    expect(byId.get("last")).toMatchObject({ status: "FAILED", stopReason: "lease-lost" });
    expect(byId.get("cancel")).toMatchObject({ status: "CANCELLED", stopReason: "cancelled" });
    expect(await store.recoverExpiredLeases({ retryDelayMs: 0, limit: 10 })).toEqual([]);
  });

  it("keeps one open item per unique key", async () => {
    const { store } = fixture();
    const first = await store.enqueue({ item: newItem({ uniqueKey: "LOG_PURGE:api/pod-1" }), maxOpenItems: null });

    const duplicate = await store.enqueue({ item: newItem({ uniqueKey: "LOG_PURGE:api/pod-1" }), maxOpenItems: null }).catch((caught: unknown) => caught);
    const otherKey = await store.enqueue({ item: newItem({ uniqueKey: "LOG_PURGE:web/pod-1" }), maxOpenItems: null });

    expect(isWorkQueueError(duplicate, "CONFLICT")).toBe(true);
    expect((duplicate as { item?: { id: number } }).item?.id).toBe(first.id);
    expect(otherKey.id).not.toBe(first.id);

    const claimed = await claimOne(store);
    await store.completeItem({ id: claimed.id, fencingToken: claimed.fencingToken });
    const afterFinish = await store.enqueue({ item: newItem({ uniqueKey: "LOG_PURGE:api/pod-1" }), maxOpenItems: null });
    expect(afterFinish.status).toBe("PENDING");
  });

  it("admits one of many racing enqueues with one key", async () => {
    const { store } = fixture();

    const results = await Promise.allSettled(Array.from({ length: 12 }, () => store.enqueue({ item: newItem({ uniqueKey: "race-key" }), maxOpenItems: null })));

    const admitted = results.filter((result) => result.status === "fulfilled");
    const rejected = results.filter((result): result is PromiseRejectedResult => result.status === "rejected");
    expect(admitted).toHaveLength(1);
    expect(rejected).toHaveLength(11);
    for (const result of rejected) expect(isWorkQueueError(result.reason, "CONFLICT")).toBe(true);
    expect(await store.listItems({ limit: 50 })).toHaveLength(1);
  });

  it("rejects enqueue when the queue is full", async () => {
    const { store } = fixture();
    for (let index = 0; index < 3; index++) await store.enqueue({ item: newItem({ podName: `pod-${index}` }), maxOpenItems: 3 });

    const full = await store.enqueue({ item: newItem({ podName: "one-too-many" }), maxOpenItems: 3 }).catch((caught: unknown) => caught);
    expect(isWorkQueueError(full, "QUEUE_FULL")).toBe(true);

    const claimed = await claimOne(store);
    await store.completeItem({ id: claimed.id, fencingToken: claimed.fencingToken });
    const admitted = await store.enqueue({ item: newItem({ podName: "after-finish" }), maxOpenItems: 3 });
    expect(admitted.status).toBe("PENDING");
  });
}
