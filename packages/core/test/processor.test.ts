import { describe, expect, it } from "vitest";
import { ItemStopError, type Logger, PermanentJobError, type QueueEvent, type WorkQueueStore } from "@logmk/workqueue";
import { createHarness, createTestHandler, deferred, partitionableStore, settle, startProcessor } from "./support.js";

describe("processor", () => {
  it("runs a backlog of 1,000 items by priority, then FIFO", async () => {
    const harness = createHarness();
    const expected: Array<{ id: number; priority: number }> = [];
    let seed = 7;
    for (let index = 0; index < 1_000; index++) {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      const priority = (seed % 7) - 3;
      const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: `pod-${index}`, payload: { label: String(index) }, priority });
      expected.push({ id: item.id, priority });
    }
    expected.sort((a, b) => b.priority - a.priority || a.id - b.id);
    const order: number[] = [];
    const processor = startProcessor(harness, { handlers: [createTestHandler(async ({ item }) => void order.push(item.id))] });

    await processor.start();
    await settle(harness.clock, () => order.length === 1_000, 20_000);
    await processor.stop();

    expect(order).toEqual(expected.map((entry) => entry.id));
    expect((await harness.store.countByStatus()).counts.COMPLETED).toBe(1_000);
  });

  it("wakes up on enqueue without waiting for the poll", async () => {
    const harness = createHarness();
    const ran = deferred<number>();
    const processor = startProcessor(harness, { handlers: [createTestHandler(async ({ item }) => ran.resolve(item.id))] });
    await processor.start();

    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });

    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "COMPLETED");
    expect(await ran.promise).toBe(item.id);
    await processor.stop();
  });

  it("runs up to the concurrency at once", async () => {
    const harness = createHarness();
    const gate = deferred();
    let running = 0;
    let peak = 0;
    const processor = startProcessor(harness, {
      concurrency: 3,
      handlers: [
        createTestHandler(async () => {
          running++;
          peak = Math.max(peak, running);
          await gate.promise;
          running--;
        }),
      ],
    });
    for (let index = 0; index < 5; index++) await harness.queue.enqueue({ type: "TEST_JOB", podName: `p${index}`, payload: { label: "x" } });

    await processor.start();
    await settle(harness.clock, () => running === 3);
    expect(processor.runningItemIds()).toHaveLength(3);
    gate.resolve();
    await settle(harness.clock, async () => (await harness.store.countByStatus()).counts.COMPLETED === 5);
    await processor.stop();

    expect(peak).toBe(3);
  });

  it("retries with backoff, then ends FAILED", async () => {
    const harness = createHarness();
    const events: QueueEvent[] = [];
    await harness.queue.startEvents();
    harness.queue.onAny((event) => events.push(event));
    let calls = 0;
    const processor = startProcessor(harness, {
      backoff: { baseMs: 1_000, maxMs: 60_000, jitter: 0.2 },
      handlers: [
        createTestHandler(async () => {
          calls++;
          throw new Error(`database unavailable (call ${calls})`);
        }),
      ],
    });
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" }, maxAttempts: 3 });

    await processor.start();
    await settle(harness.clock, () => calls === 1);
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "PENDING");
    await harness.clock.advance(999);
    expect(calls).toBe(1);
    await harness.clock.advance(1);
    await settle(harness.clock, () => calls === 2);
    await harness.clock.advance(2_000);
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "FAILED");
    await processor.stop();
    await harness.queue.close();

    const final = await harness.store.getItem({ id: item.id });
    expect(calls).toBe(3);
    expect(final).toMatchObject({ status: "FAILED", attempts: 3, errorMessage: "database unavailable (call 3)", stopReason: "failed" });
    const retried = events.filter((event) => event.name === "QueueItemRetried");
    expect(retried.map((event) => [event.reason, event.errorMessage])).toEqual([
      ["backoff", "database unavailable (call 1)"],
      ["backoff", "database unavailable (call 2)"],
    ]);
    expect(events.filter((event) => event.name === "QueueItemFailed")).toHaveLength(1);
    expect(harness.logger.lines.some((line) => line.level === "warn" && line.fields.itemId === item.id && line.message.includes("retrying in 1000 ms"))).toBe(true);
  });

  it("fails a permanent error without retrying", async () => {
    const harness = createHarness();
    const processor = startProcessor(harness, { handlers: [createTestHandler(async () => Promise.reject(new PermanentJobError("bad input")))] });
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" }, maxAttempts: 5 });

    await processor.start();
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "FAILED");
    await processor.stop();

    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ attempts: 1, errorMessage: "bad input" });
  });

  it("aborts a handler that lost its lease", async () => {
    const harness = createHarness();
    // Worker A loses its connection to the store after the claim, as in a network partition.
    const partition = partitionableStore(harness.store);
    const abortKind = deferred<string>();
    const processorA = startProcessor(harness, {
      store: partition.store,
      workerId: "worker-a",
      leaseMs: 3_000,
      recoverIntervalMs: 60_000,
      handlers: [
        createTestHandler(async ({ signal }) => {
          await new Promise((_, reject) =>
            signal.addEventListener("abort", () => {
              abortKind.resolve((signal.reason as ItemStopError).kind);
              reject(signal.reason);
            }),
          );
        }),
      ],
    });
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });
    await processorA.start();
    await settle(harness.clock, () => processorA.runningItemIds().length === 1);
    partition.cut();

    const completedBy = deferred<string>();
    const processorB = startProcessor(harness, {
      workerId: "worker-b",
      leaseMs: 3_000,
      recoverIntervalMs: 1_000,
      handlers: [createTestHandler(async ({ workerId }) => completedBy.resolve(workerId))],
    });
    await processorB.start();
    await harness.clock.advance(3_500);
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "COMPLETED");

    expect(await abortKind.promise).toBe("lease-lost");
    expect(await completedBy.promise).toBe("worker-b");
    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ attempts: 2, lockedBy: null });
    expect(harness.logger.lines.some((line) => line.fields.stopKind === "lease-lost" && line.fields.itemId === item.id)).toBe(true);
    await processorA.stop();
    await processorB.stop();
  });

  it("recovers an item after a worker crash", async () => {
    const harness = createHarness();
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });
    // A worker claims the item and dies without a trace.
    await harness.store.claimNext({ workerId: "crashed-worker", types: ["TEST_JOB"], leaseMs: 60_000, limit: 1 });
    const ranOn = deferred<number>();
    const processor = startProcessor(harness, { recoverIntervalMs: 10_000, handlers: [createTestHandler(async ({ item: running }) => ranOn.resolve(running.attempts))] });

    await processor.start();
    await harness.clock.advance(59_000);
    expect((await harness.store.getItem({ id: item.id }))?.status).toBe("IN_PROGRESS");
    await harness.clock.advance(11_000);
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "COMPLETED");
    await processor.stop();

    expect(await ranOn.promise).toBe(2);
    const events = await harness.store.readEvents({ afterId: 0, limit: 50 });
    expect(events.filter((event) => event.name === "QueueItemRetried").map((event) => event.reason)).toEqual(["lease-expired"]);
  });

  it("cancels a pending item before it runs", async () => {
    const harness = createHarness();
    let calls = 0;
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });

    const result = await harness.queue.cancel(item.id);
    const processor = startProcessor(harness, { handlers: [createTestHandler(async () => void calls++)] });
    await processor.start();
    await harness.clock.flush();
    await processor.stop();

    expect(result.outcome).toBe("cancelled");
    expect(result.item).toMatchObject({ status: "CANCELLED", stopReason: "cancelled" });
    expect(calls).toBe(0);
  });

  it("cancels a running item at its next progress write", async () => {
    const harness = createHarness();
    const chunkDone = [deferred(), deferred(), deferred()];
    const reachedChunk = [deferred(), deferred(), deferred()];
    const processor = startProcessor(harness, {
      handlers: [
        createTestHandler(async ({ signal, reportProgress }) => {
          for (let chunk = 0; chunk < 3; chunk++) {
            if (signal.aborted) throw signal.reason;
            reachedChunk[chunk]!.resolve();
            await chunkDone[chunk]!.promise;
            await reportProgress({ recordsAffected: (chunk + 1) * 100, progress: (chunk + 1) * 30 });
          }
        }),
      ],
    });
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });
    await processor.start();
    await reachedChunk[0]!.promise;

    chunkDone[0]!.resolve();
    await reachedChunk[1]!.promise;
    const requested = await harness.queue.cancel(item.id);
    chunkDone[1]!.resolve();
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "CANCELLED");
    await processor.stop();

    expect(requested.outcome).toBe("cancel-requested");
    expect(requested.item.cancelRequestedAt).not.toBeNull();
    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ status: "CANCELLED", recordsAffected: 200, stopReason: "cancelled" });
    await expect(harness.queue.cancel(item.id)).rejects.toMatchObject({ code: "INVALID_STATE" });
  });

  it("times out a long attempt", async () => {
    const harness = createHarness();
    const processor = startProcessor(harness, {
      itemTimeoutMs: 5_000,
      handlers: [
        createTestHandler(async ({ signal }) => {
          await new Promise((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
        }),
      ],
    });
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" }, maxAttempts: 1 });

    await processor.start();
    await settle(harness.clock, () => processor.runningItemIds().length === 1);
    await harness.clock.advance(4_999);
    expect((await harness.store.getItem({ id: item.id }))?.status).toBe("IN_PROGRESS");
    await harness.clock.advance(1);
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "FAILED");
    await processor.stop();

    const final = await harness.store.getItem({ id: item.id });
    expect(final?.stopReason).toBe("timed-out");
    expect(final?.errorMessage).toContain("Timed out");
  });

  it("keeps running when an event listener throws", async () => {
    const harness = createHarness();
    await harness.queue.startEvents();
    const seen: string[] = [];
    harness.queue.on("QueueItemStarted", () => {
      throw new Error("listener bug");
    });
    harness.queue.on("QueueItemCompleted", (event) => seen.push(`completed ${event.item.id}`));
    const processor = startProcessor(harness, { handlers: [createTestHandler(async () => {})] });
    const first = await harness.queue.enqueue({ type: "TEST_JOB", podName: "a", payload: { label: "x" } });
    const second = await harness.queue.enqueue({ type: "TEST_JOB", podName: "b", payload: { label: "x" } });

    await processor.start();
    await settle(harness.clock, () => seen.length === 2);
    await processor.stop();
    await harness.queue.close();

    expect(seen).toEqual([`completed ${first.id}`, `completed ${second.id}`]);
    const errors = harness.logger.lines.filter((line) => line.level === "error" && line.message.includes("listener failed"));
    expect(errors).toHaveLength(2);
    expect(errors[0]?.fields.itemId).toBe(first.id);
  });

  it("lets the running chunk finish on stop, then releases the item", async () => {
    const harness = createHarness();
    const inChunk = deferred();
    const chunkGate = deferred();
    let chunksDone = 0;
    const processor = startProcessor(harness, {
      handlers: [
        createTestHandler(async ({ signal, reportProgress }) => {
          for (;;) {
            if (signal.aborted) throw signal.reason;
            inChunk.resolve();
            await chunkGate.promise;
            chunksDone++;
            await reportProgress({ recordsAffected: chunksDone, progress: 1 });
          }
        }),
      ],
    });
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });
    await processor.start();
    await inChunk.promise;

    const stopped = processor.stop();
    let stopSettled = false;
    void stopped.then(() => (stopSettled = true));
    await harness.clock.flush();
    expect(stopSettled).toBe(false);
    chunkGate.resolve();
    await stopped;

    expect(chunksDone).toBe(1);
    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ status: "PENDING", attempts: 0, recordsAffected: 1, stopReason: "shutdown" });
    expect(processor.isRunning()).toBe(false);
    await processor.stop();
  });

  it("bounds stop when a handler ignores its signal", async () => {
    const harness = createHarness();
    const processor = startProcessor(harness, { stopTimeoutMs: 2_000, handlers: [createTestHandler(() => new Promise(() => {}))] });
    await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });
    await processor.start();
    await settle(harness.clock, () => processor.runningItemIds().length === 1);

    const stopped = processor.stop();
    await harness.clock.advance(2_000);
    await stopped;

    expect(harness.logger.lines.some((line) => line.level === "warn" && line.message.includes("still running after 2000 ms"))).toBe(true);
  });

  it("writes a late handler's result once after stop", async () => {
    const harness = createHarness();
    const release = deferred<void>();
    let completeCalls = 0;
    let heartbeats = 0;
    const closedStore: WorkQueueStore = {
      ...harness.store,
      completeItem: async () => {
        completeCalls++;
        throw new Error("the store is closed");
      },
      completeItems: undefined,
      heartbeat: async (params) => {
        heartbeats++;
        return harness.store.heartbeat(params);
      },
    };
    const processor = startProcessor(harness, { store: closedStore, stopTimeoutMs: 2_000, heartbeatMs: 10_000, leaseMs: 60_000, handlers: [createTestHandler(() => release.promise)] });
    await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });
    await processor.start();
    await settle(harness.clock, () => processor.runningItemIds().length === 1);

    const stopped = processor.stop();
    await harness.clock.advance(2_000);
    await stopped;
    const heartbeatsAtStop = heartbeats;
    release.resolve();
    await settle(harness.clock, () => harness.logger.lines.some((line) => line.message.includes("giving up")));
    await harness.clock.advance(60_000);

    expect(completeCalls).toBe(1);
    expect(heartbeats).toBe(heartbeatsAtStop);
    expect(processor.runningItemIds()).toEqual([]);
  });

  it("retries a transient store error when completing", async () => {
    const harness = createHarness();
    let failures = 2;
    const flaky: WorkQueueStore = {
      ...harness.store,
      completeItem: (params) => (failures-- > 0 ? Promise.reject(new Error("connection reset")) : harness.store.completeItem(params)),
      completeItems: undefined,
    };
    const processor = startProcessor(harness, { store: flaky, handlers: [createTestHandler(async () => {})] });
    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });

    await processor.start();
    await settle(harness.clock, () => failures === 1);
    await harness.clock.advance(200);
    await settle(harness.clock, () => failures === 0);
    await harness.clock.advance(400);
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "COMPLETED");
    await processor.stop();

    expect(harness.logger.lines.filter((line) => line.message.startsWith("Store write failed, retrying"))).toHaveLength(2);
  });

  it("is safe to start and stop twice", async () => {
    const harness = createHarness();
    const processor = startProcessor(harness, { handlers: [createTestHandler(async () => {})] });

    await Promise.all([processor.start(), processor.start()]);
    expect(processor.isRunning()).toBe(true);
    await Promise.all([processor.stop(), processor.stop()]);
    expect(processor.isRunning()).toBe(false);
    await processor.start();
    expect(processor.isRunning()).toBe(true);
    await processor[Symbol.asyncDispose]();
    expect(processor.isRunning()).toBe(false);
  });

  it("binds each log field once per line", async () => {
    const harness = createHarness();
    // Records the bindings of every child chain, as pino writes them: a key bound twice appears twice.
    const chains: string[][] = [];
    const lines: Array<{ message: string; keys: string[] }> = [];
    const chainLogger = (bound: string[]): Logger => {
      const write = (fields: Record<string, unknown>, message: string) => lines.push({ message, keys: [...bound, ...Object.keys(fields)] });
      return {
        debug: write,
        info: write,
        warn: write,
        error: write,
        child: (bindings) => {
          const next = [...bound, ...Object.keys(bindings)];
          chains.push(next);
          return chainLogger(next);
        },
      };
    };
    const processor = startProcessor(harness, { logger: chainLogger([]), workerId: "worker-logs", handlers: [createTestHandler(async () => {})] });
    await processor.start();

    const item = await harness.queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" } });
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "COMPLETED");
    await processor.stop();

    const completed = lines.find((line) => line.message === `Item ${item.id} completed`);
    expect(completed?.keys).toEqual(expect.arrayContaining(["workerId", "itemId"]));
    for (const chain of chains) expect(new Set(chain).size).toBe(chain.length);
  });

  it("rejects invalid options with the field name", () => {
    const harness = createHarness();
    expect(() => startProcessor(harness, { handlers: [createTestHandler(async () => {})], concurrency: 0 })).toThrow(/concurrency must be at least 1/);
    expect(() => startProcessor(harness, { handlers: [createTestHandler(async () => {})], leaseMs: 1_000, heartbeatMs: 1_000 })).toThrow(/heartbeatMs \(1000\) must be shorter than leaseMs/);
    expect(() => startProcessor(harness, { handlers: [] })).toThrow(/at least one handler/);
    expect(() => startProcessor(harness, { handlers: [createTestHandler(async () => {}), createTestHandler(async () => {})] })).toThrow(/Two handlers are registered for type "TEST_JOB"/);
  });

  it("rejects a misspelt option with a suggestion", () => {
    const harness = createHarness();
    const misspelt = { handlers: [createTestHandler(async () => {})], concurency: 3 } as Parameters<typeof startProcessor>[1];

    expect(() => startProcessor(harness, misspelt)).toThrow(/Unknown createProcessor option: "concurency" \(did you mean "concurrency"\?\)/);
    const backoff = { handlers: [createTestHandler(async () => {})], backoff: { initialMs: 1_000 } } as Parameters<typeof startProcessor>[1];
    expect(() => startProcessor(harness, backoff)).toThrow(/Unknown backoff option: "initialMs". Remove it, or use one of baseMs, maxMs, jitter./);
  });
});
