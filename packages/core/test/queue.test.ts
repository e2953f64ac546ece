import { describe, expect, it } from "vitest";
import { toItemResponse, formatElapsed, createChunkSizer, createMemoryStore, createWorkQueue, isWorkQueueError } from "@logmk/workqueue";
import { createHarness, createTestHandler, settle, startProcessor, TestPayloadSchema } from "./support.js";

describe("work queue", () => {
  it("validates the payload with the type's schema", async () => {
    const { queue } = createHarness();

    await expect(queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: 5 } })).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("payload for type TEST_JOB: label") });
    await expect(queue.enqueue({ type: "NOPE", podName: "p" })).rejects.toMatchObject({ message: expect.stringContaining('No handler is registered for type "NOPE"; registered types: TEST_JOB') });
    await expect(queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" }, priority: 101 })).rejects.toMatchObject({ message: expect.stringContaining("priority must be between -100 and 100") });
  });

  it("reports 404 and invalid state with the id", async () => {
    const { queue } = createHarness();
    const item = await queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });

    await expect(queue.get(999)).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("id 999") });
    await expect(queue.cancel(999)).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(queue.retry(item.id)).rejects.toMatchObject({ code: "INVALID_STATE", message: expect.stringContaining(`Item ${item.id} is PENDING and cannot be retried`) });
    await expect(queue.retry(999)).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("validates list options", async () => {
    const { queue } = createHarness();

    await expect(queue.list({ limit: 501 })).rejects.toMatchObject({ message: expect.stringContaining("limit must be at most 500") });
    await expect(queue.list({ status: "DONE" as never })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    expect(await queue.list()).toEqual([]);
  });

  it("summarises the queue status", async () => {
    const harness = createHarness();
    const { queue, clock } = harness;
    await queue.enqueue({ type: "TEST_JOB", podName: "a", payload: { label: "x" } });
    await clock.advance(90_000);
    const second = await queue.enqueue({ type: "TEST_JOB", podName: "b", payload: { label: "x" } });
    await queue.cancel(second.id);

    const status = await queue.status();

    expect(status).toMatchObject({ pendingCount: 1, activeCount: 0, completedCount: 0, failedCount: 0, cancelledCount: 1, oldestPendingAgeSeconds: 90 });
    expect(status.items.map((item) => item.podName)).toEqual(["a"]);
  });

  it("deletes finished items after the retention", async () => {
    const harness = createHarness();
    const processor = startProcessor(harness, { handlers: [createTestHandler(async () => {})] });
    const old = await harness.queue.enqueue({ type: "TEST_JOB", podName: "old", payload: { label: "x" } });
    await processor.start();
    await settle(harness.clock, async () => (await harness.store.getItem({ id: old.id }))?.status === "COMPLETED");
    await processor.stop();
    await harness.clock.advance(31 * 24 * 3_600_000);
    const open = await harness.queue.enqueue({ type: "TEST_JOB", podName: "open", payload: { label: "x" } });

    const result = await harness.queue.cleanup();

    expect(result.deletedItems).toBe(1);
    expect(result.deletedEvents).toBe(3);
    expect(await harness.store.getItem({ id: old.id })).toBeNull();
    expect(await harness.store.getItem({ id: open.id })).not.toBeNull();
  });

  it("raises a conflict carrying the open item", async () => {
    const { queue } = createHarness();
    const first = await queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" }, uniqueKey: "only-one" });

    const error = await queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "y" }, uniqueKey: "only-one" }).catch((caught: unknown) => caught);

    expect(isWorkQueueError(error, "CONFLICT")).toBe(true);
    expect((error as { item: { id: number } }).item.id).toBe(first.id);
  });
});

describe("work queue options", () => {
  const handlers = [{ type: "TEST_JOB", payloadSchema: TestPayloadSchema }];
  const cases: Array<{ name: string; options: Record<string, unknown>; message: RegExp }> = [
    { name: "negative maxOpenItems", options: { maxOpenItems: -1 }, message: /maxOpenItems must be at least 1, or null for no limit/ },
    { name: "zero defaultMaxAttempts", options: { defaultMaxAttempts: 0 }, message: /defaultMaxAttempts must be from 1 to 100/ },
    { name: "fractional retentionMs", options: { retentionMs: 1.5 }, message: /retentionMs must be a whole number of milliseconds/ },
    { name: "misspelt option", options: { maxOpenItem: 10 }, message: /Unknown createWorkQueue option: "maxOpenItem" \(did you mean "maxOpenItems"\?\)/ },
  ];

  it.each(cases)("rejects $name", ({ options, message }) => {
    const store = createMemoryStore();

    expect(() => createWorkQueue({ store, handlers, ...options } as Parameters<typeof createWorkQueue>[0])).toThrow(message);
  });

  it("rejects a missing store", () => {
    expect(() => createWorkQueue({ handlers } as unknown as Parameters<typeof createWorkQueue>[0])).toThrow(/createWorkQueue needs a store/);
  });
});

describe("item response", () => {
  it("formats elapsed time and estimates the time left", async () => {
    const { queue, store, clock } = createHarness();
    const queued = await queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x", }, estimatedRecords: 1_000 });
    const [claimed] = await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 600_000, limit: 1 });
    await clock.advance(100_000);
    const running = await store.reportProgress({ id: queued.id, fencingToken: claimed!.fencingToken, recordsAffected: 250, progress: 25 });

    const response = toItemResponse(running.item!, clock.now());

    expect(response.elapsedTime).toBe("00:01:40");
    expect(response.estimatedTimeRemaining).toBe(300);
    expect(response.startedAt).toBe("2026-03-01T12:00:00.000Z");
    expect(toItemResponse(queued, clock.now())).toMatchObject({ elapsedTime: null, estimatedTimeRemaining: null, timeRange: null });
    expect(formatElapsed(100 * 3_600_000 + 61_000)).toBe("100:01:01");
  });

  it("measures the time left on the resumed attempt only", async () => {
    const { queue, store, clock } = createHarness();
    const queued = await queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" }, estimatedRecords: 1_000 });
    const [first] = await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 600_000, limit: 1 });
    await clock.advance(400_000);
    await store.reportProgress({ id: queued.id, fencingToken: first!.fencingToken, recordsAffected: 600, progress: 60 });
    await store.releaseItem({ id: queued.id, fencingToken: first!.fencingToken, reason: "shutdown", runAt: null });

    const [second] = await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 600_000, limit: 1 });
    await clock.advance(10_000);
    const resumed = await store.reportProgress({ id: queued.id, fencingToken: second!.fencingToken, recordsAffected: 700, progress: 70 });

    // 100 rows in 10 s on this attempt leaves 300 rows for 30 s, where all 700 rows would read 5 s.
    expect(toItemResponse(resumed.item!, clock.now()).estimatedTimeRemaining).toBe(30);
    expect(toItemResponse(second!, clock.now()).estimatedTimeRemaining).toBeNull();
  });
});

describe("chunk sizer", () => {
  it("moves toward the target duration within bounds", () => {
    const sizer = createChunkSizer({ initial: 10_000, min: 1_000, max: 40_000, targetMs: 100 });

    sizer.observe(10_000, 25);
    expect(sizer.current()).toBe(20_000);
    sizer.observe(20_000, 25);
    expect(sizer.current()).toBe(40_000);
    sizer.observe(40_000, 10);
    expect(sizer.current()).toBe(40_000);
    sizer.observe(40_000, 400);
    expect(sizer.current()).toBe(20_000);
    sizer.observe(5, 1);
    expect(sizer.current()).toBe(20_000);
    sizer.shrink();
    sizer.shrink();
    sizer.shrink();
    sizer.shrink();
    sizer.shrink();
    expect(sizer.current()).toBe(1_000);
  });
});
