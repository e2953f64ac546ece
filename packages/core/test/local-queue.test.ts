import { describe, expect, it } from "vitest";
import type { WorkQueueStore } from "@logmk/workqueue";
import { createHarness, createTestHandler, deferred, settle, startProcessor } from "./support.js";

/** Wraps a store to count claim and completion round trips. */
function countingStore(store: WorkQueueStore) {
  const counts = { claims: 0, claimed: 0, completeBatches: 0, singleCompletes: 0 };
  const wrapped: WorkQueueStore = {
    ...store,
    claimNext: async (params) => {
      counts.claims++;
      const items = await store.claimNext(params);
      counts.claimed += items.length;
      return items;
    },
    completeItem: (params) => {
      counts.singleCompletes++;
      return store.completeItem(params);
    },
    completeItems: (params) => {
      counts.completeBatches++;
      return store.completeItems!(params);
    },
  };
  return { wrapped, counts };
}

describe("processor local queue and batching", () => {
  it("claims ahead and completes in batches", async () => {
    const harness = createHarness();
    const { wrapped, counts } = countingStore(harness.store);
    for (let index = 0; index < 200; index++) await harness.queue.enqueue({ type: "TEST_JOB", podName: `p${index}`, payload: { label: "x" } });
    const order: number[] = [];
    const processor = startProcessor(harness, { store: wrapped, concurrency: 4, localQueueSize: 46, handlers: [createTestHandler(async ({ item }) => void order.push(item.id))] });

    await processor.start();
    await settle(harness.clock, async () => (await harness.store.countByStatus()).counts.COMPLETED === 200, 20_000);
    await processor.stop();

    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(counts.claimed).toBe(200);
    expect(counts.claims).toBeLessThanOrEqual(20);
    expect(counts.singleCompletes).toBe(0);
    expect(counts.completeBatches).toBeLessThan(100);
  });

  it("frees a slot before the completion write returns", async () => {
    const harness = createHarness();
    const completionWritten = deferred();
    let completeCalls = 0;
    const gatedStore: WorkQueueStore = {
      ...harness.store,
      completeItems: async (params) => {
        completeCalls++;
        await completionWritten.promise;
        return harness.store.completeItems!(params);
      },
    };
    for (let index = 0; index < 2; index++) await harness.queue.enqueue({ type: "TEST_JOB", podName: `p${index}`, payload: { label: "x" } });
    const started: number[] = [];
    const processor = startProcessor(harness, { store: gatedStore, concurrency: 1, handlers: [createTestHandler(async ({ item }) => void started.push(item.id))] });

    await processor.start();
    // With one slot, the second item can only start while the first one's completion is still unwritten.
    await settle(harness.clock, () => started.length === 2);
    expect(completeCalls).toBeGreaterThanOrEqual(1);
    expect((await harness.store.countByStatus()).counts.COMPLETED).toBe(0);

    const stopped = processor.stop();
    completionWritten.resolve();
    await stopped;
    const stats = await harness.store.countByStatus();
    expect(stats.counts.COMPLETED).toBe(2);
    expect(stats.counts.IN_PROGRESS).toBe(0);
  });

  it("gives held items back on stop without using an attempt", async () => {
    const harness = createHarness();
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    for (let index = 0; index < 10; index++) await harness.queue.enqueue({ type: "TEST_JOB", podName: `p${index}`, payload: { label: "x" } });
    const processor = startProcessor(harness, { concurrency: 2, localQueueSize: 6, handlers: [createTestHandler(() => gate)] });

    await processor.start();
    await settle(harness.clock, async () => (await harness.store.countByStatus()).counts.IN_PROGRESS === 8);
    const stopped = processor.stop();
    release();
    await stopped;

    const stats = await harness.store.countByStatus();
    expect(stats.counts).toMatchObject({ COMPLETED: 2, PENDING: 8, IN_PROGRESS: 0 });
    const pending = await harness.store.listItems({ status: "PENDING", limit: 10 });
    expect(pending.every((item) => item.attempts === 0)).toBe(true);
  });
});
