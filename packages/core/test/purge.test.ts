import { describe, expect, it } from "vitest";
import { MemoryTargetError, type QueueEvent, type WorkQueueStore } from "@logmk/workqueue";
import { createPurgeHarness, DAY } from "./purge-support.js";
import { deferred, partitionableStore, settle, type Deferred } from "./support.js";

const completed = (harness: ReturnType<typeof createPurgeHarness>, id: number) => async () => (await harness.store.getItem({ id }))?.status === "COMPLETED";

describe("chunked log purge", () => {
  it("deletes exactly the requested rows among millions", async () => {
    const harness = createPurgeHarness();
    const now = harness.clock.now();
    const { target } = harness;
    target.generate({ deployment: "api", podName: "api-1", count: 2_000_000, from: new Date(now.getTime() - 40 * DAY), to: now });
    target.generate({ deployment: "api", podName: "api-2", count: 100_000, from: new Date(now.getTime() - 40 * DAY), to: now });
    target.generate({ deployment: "web", podName: "api-1", count: 50_000, from: new Date(now.getTime() - 40 * DAY), to: now });
    const from = new Date(now.getTime() - 30 * DAY);
    const to = new Date(now.getTime() - 10 * DAY);
    const matching = target.countRows({ deployment: "api", podName: "api-1", from, to });
    const podTotal = target.countRows({ deployment: "api", podName: "api-1" });

    const item = await harness.service.enqueue({ podName: "api-1", deployment: "api", from: from.toISOString(), to: to.toISOString() });
    // Rows written after the purge was queued, inside its time range, must survive.
    target.insert({ id: 5_000_001, deployment: "api", podName: "api-1", timestamp: new Date(now.getTime() - 20 * DAY) });
    target.insert({ id: 5_000_002, deployment: "api", podName: "api-1", timestamp: new Date(now.getTime() - 25 * DAY) });
    const processor = harness.processor();
    await processor.start();
    await settle(harness.clock, completed(harness, item.id), 20_000);
    await processor.stop();

    const final = await harness.store.getItem({ id: item.id });
    expect(final).toMatchObject({ status: "COMPLETED", progress: 100, recordsAffected: matching });
    expect(target.countRows({ deployment: "api", podName: "api-1", from, to })).toBe(2);
    expect(target.countRows({ deployment: "api", podName: "api-1" })).toBe(podTotal - matching + 2);
    expect(target.countRows({ deployment: "api", podName: "api-2" })).toBe(100_000);
    expect(target.countRows({ deployment: "web", podName: "api-1" })).toBe(50_000);
    expect(target.chunkCount()).toBeGreaterThan(10);
  });

  it("re-bases a low estimate and reaches 100 only at the end", async () => {
    const harness = createPurgeHarness();
    const now = harness.clock.now();
    harness.target.generate({ deployment: "api", podName: "p", count: 60_000, from: new Date(now.getTime() - DAY), to: now });
    const events: QueueEvent[] = [];
    await harness.queue.startEvents();
    harness.queue.onAny((event) => events.push(event));
    const preview = await harness.service.preview({ podName: "p" });
    // Queue the purge as if the planner had guessed a tenth of the rows.
    const item = await harness.queue.enqueue({
      type: "LOG_PURGE",
      podName: "p",
      deployment: "api",
      payload: { from: preview.from, to: preview.to, maxId: preview.maxId },
      estimatedRecords: 6_000,
    });
    const processor = harness.processor({ purge: { chunkSize: 5_000, targetChunkMs: null } });

    await processor.start();
    await settle(harness.clock, completed(harness, item.id), 20_000);
    await processor.stop();
    await harness.clock.flush();
    await harness.queue.close();

    const progress = events.filter((event) => event.name === "QueueItemProgress").map((event) => event.item);
    expect(progress.length).toBe(12);
    for (const snapshot of progress.slice(0, -1)) {
      expect(snapshot.progress).toBeLessThan(100);
      expect(snapshot.estimatedRecords!).toBeGreaterThan(snapshot.recordsAffected);
    }
    expect(progress.at(-1)).toMatchObject({ progress: 99, recordsAffected: 60_000, estimatedRecords: 60_000 });
    const done = events.find((event) => event.name === "QueueItemCompleted");
    expect(done?.item).toMatchObject({ progress: 100, recordsAffected: 60_000 });
  });

  it("refreshes target statistics once at the end", async () => {
    const harness = createPurgeHarness();
    const now = harness.clock.now();
    harness.target.generate({ deployment: "api", podName: "p", count: 12_000, from: new Date(now.getTime() - DAY), to: now });
    harness.target.generate({ deployment: "api", podName: "failing", count: 3_000, from: new Date(now.getTime() - DAY), to: now });
    const refreshes: number[] = [];
    harness.target.refreshStatistics = async () => {
      refreshes.push(harness.target.countRows({ podName: "p" }));
      if (refreshes.length === 2) throw new Error("permission denied for table Log");
    };
    const first = await harness.service.enqueue({ podName: "p" });
    const second = await harness.service.enqueue({ podName: "failing" });
    const processor = harness.processor({ concurrency: 1, purge: { chunkSize: 5_000, targetChunkMs: null } });

    await processor.start();
    await settle(harness.clock, completed(harness, first.id), 20_000);
    await settle(harness.clock, completed(harness, second.id), 20_000);
    await processor.stop();
    await settle(harness.clock, () => refreshes.length === 2);

    expect(refreshes).toEqual([0, 0]);
    expect((await harness.store.getItem({ id: second.id }))?.recordsAffected).toBe(3_000);
    expect(harness.logger.lines.some((line) => line.level === "warn" && line.message.includes(`Refreshing the log table statistics after item ${second.id} failed`))).toBe(true);
  });

  it("resumes after a crash with an exact count", async () => {
    const harness = createPurgeHarness({
      beforeChunk: async ({ chunk }) => {
        if (chunk === 6 && !crashed) {
          crashed = true;
          partition.cut();
          // The worker freezes here and never comes back.
          await new Promise(() => {});
        }
      },
    });
    let crashed = false;
    const now = harness.clock.now();
    harness.target.generate({ deployment: "api", podName: "p", count: 100_000, from: new Date(now.getTime() - DAY), to: now });
    harness.target.generate({ deployment: "api", podName: "other", count: 1_000, from: new Date(now.getTime() - DAY), to: now });
    const item = await harness.service.enqueue({ podName: "p" });
    const partition = partitionableStore(harness.store);

    const workerA = harness.processor({ store: partition.store, workerId: "a", leaseMs: 3_000, recoverIntervalMs: 600_000, purge: { chunkSize: 10_000, targetChunkMs: null } });
    await workerA.start();
    await settle(harness.clock, () => crashed, 20_000);
    const atCrash = await harness.store.getItem({ id: item.id });
    expect(atCrash?.recordsAffected).toBe(50_000);

    const workerB = harness.processor({ workerId: "b", leaseMs: 3_000, recoverIntervalMs: 1_000, purge: { chunkSize: 10_000, targetChunkMs: null } });
    await workerB.start();
    await harness.clock.advance(4_000);
    await settle(harness.clock, completed(harness, item.id), 20_000);
    await workerB.stop();

    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ recordsAffected: 100_000, attempts: 2, lockedBy: null });
    expect(harness.target.countRows({ podName: "p" })).toBe(0);
    expect(harness.target.countRows({ podName: "other" })).toBe(1_000);
    const stoppingA = workerA.stop({ timeoutMs: 1_000 });
    await harness.clock.advance(1_000);
    await stoppingA;
  });

  it("rolls back a chunk whose lease was lost", async () => {
    const gate = deferred();
    let hold = true;
    const harness = createPurgeHarness({
      beforeChunk: async ({ chunk }) => {
        if (chunk === 3 && hold) {
          hold = false;
          holding.resolve();
          await gate.promise;
        }
      },
    });
    const holding = deferred();
    const now = harness.clock.now();
    harness.target.generate({ deployment: "api", podName: "p", count: 50_000, from: new Date(now.getTime() - DAY), to: now });
    const item = await harness.service.enqueue({ podName: "p" });
    let heartbeatsFail = false;
    const storeOfA: WorkQueueStore = { ...harness.store, heartbeat: (params) => (heartbeatsFail ? Promise.reject(new Error("timeout")) : harness.store.heartbeat(params)) };

    const workerA = harness.processor({ store: storeOfA, workerId: "a", leaseMs: 3_000, recoverIntervalMs: 600_000, purge: { chunkSize: 10_000, targetChunkMs: null } });
    await workerA.start();
    await holding.promise;
    heartbeatsFail = true;
    // Worker B recovers the expired lease; its claim fences out A.
    await harness.clock.advance(3_500);
    const recovered = await harness.store.recoverExpiredLeases({ retryDelayMs: 0, limit: 10 });
    expect(recovered.map((entry) => entry.outcome)).toEqual(["retried"]);
    const [claimedByB] = await harness.store.claimNext({ workerId: "b", types: ["LOG_PURGE"], leaseMs: 60_000, limit: 1 });
    gate.resolve();
    await settle(harness.clock, () => workerA.runningItemIds().length === 0, 20_000);
    await workerA.stop();

    // A's third chunk ran against the store after B's claim: its delete must have been undone.
    expect(harness.target.countRows({ podName: "p" })).toBe(30_000);
    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ recordsAffected: 20_000, lockedBy: "b", fencingToken: claimedByB!.fencingToken });
  });

  it("stops at a chunk boundary on cancel and keeps the count", async () => {
    const chunkStarted: Deferred[] = Array.from({ length: 20 }, () => deferred());
    const release: Deferred[] = Array.from({ length: 20 }, () => deferred());
    const harness = createPurgeHarness({
      beforeChunk: async ({ chunk }) => {
        chunkStarted[chunk]!.resolve();
        await release[chunk]!.promise;
      },
    });
    const now = harness.clock.now();
    harness.target.generate({ deployment: "api", podName: "p", count: 100_000, from: new Date(now.getTime() - DAY), to: now });
    const item = await harness.service.enqueue({ podName: "p" });
    const processor = harness.processor({ purge: { chunkSize: 10_000, targetChunkMs: null } });
    await processor.start();

    for (const chunk of [1, 2, 3]) {
      await chunkStarted[chunk]!.promise;
      release[chunk]!.resolve();
    }
    await chunkStarted[4]!.promise;
    const cancel = await harness.queue.cancel(item.id);
    release[4]!.resolve();
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "CANCELLED", 20_000);
    await processor.stop();

    expect(cancel.outcome).toBe("cancel-requested");
    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ status: "CANCELLED", recordsAffected: 40_000 });
    expect(harness.target.countRows({ podName: "p" })).toBe(60_000);
    expect(harness.target.chunkCount()).toBe(4);
  });

  it("retries transient chunk errors and shrinks after a timeout", async () => {
    const failures: Array<MemoryTargetError | undefined> = [undefined, new MemoryTargetError("deadlock"), new MemoryTargetError("lock-timeout"), new MemoryTargetError("statement-timeout")];
    const limits: number[] = [];
    let call = 0;
    const harness = createPurgeHarness({
      beforeChunk: ({ limit }) => {
        limits.push(limit);
        const failure = failures[call++];
        if (failure) throw failure;
      },
    });
    const now = harness.clock.now();
    harness.target.generate({ deployment: "api", podName: "p", count: 30_000, from: new Date(now.getTime() - DAY), to: now });
    const item = await harness.service.enqueue({ podName: "p" });
    const processor = harness.processor({ purge: { chunkSize: 8_000, targetChunkMs: null } });

    await processor.start();
    for (let round = 0; round < 10; round++) await harness.clock.advance(1_000);
    await settle(harness.clock, completed(harness, item.id), 20_000);
    await processor.stop();

    expect(limits.slice(0, 5)).toEqual([8_000, 8_000, 8_000, 8_000, 4_000]);
    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ recordsAffected: 30_000, attempts: 1 });
    const warnings = harness.logger.lines.filter((line) => line.level === "warn" && line.fields.errorKind !== undefined);
    expect(warnings.map((line) => line.fields.errorKind)).toEqual(["deadlock", "lock-timeout", "statement-timeout"]);
    expect(warnings.every((line) => line.fields.itemId === item.id)).toBe(true);
  });

  it("fails the attempt on a non-transient error and resumes on retry", async () => {
    let broken = true;
    const harness = createPurgeHarness({
      beforeChunk: ({ chunk }) => {
        if (chunk === 3 && broken) {
          broken = false;
          throw new Error("permission denied for table Log");
        }
      },
    });
    const now = harness.clock.now();
    harness.target.generate({ deployment: "api", podName: "p", count: 50_000, from: new Date(now.getTime() - DAY), to: now });
    const item = await harness.service.enqueue({ podName: "p" });
    const processor = harness.processor({ backoff: { baseMs: 1_000 }, purge: { chunkSize: 10_000, targetChunkMs: null } });

    await processor.start();
    await settle(harness.clock, async () => (await harness.store.getItem({ id: item.id }))?.status === "PENDING" && harness.target.chunkCount() >= 2, 20_000);
    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ errorMessage: "permission denied for table Log", recordsAffected: 20_000 });
    await harness.clock.advance(1_500);
    await settle(harness.clock, completed(harness, item.id), 20_000);
    await processor.stop();

    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ recordsAffected: 50_000, attempts: 2 });
  });

  it("counts after each chunk when the target cannot commit progress with the delete", async () => {
    const harness = createPurgeHarness({ transactional: false });
    const now = harness.clock.now();
    harness.target.generate({ deployment: "api", podName: "p", count: 25_000, from: new Date(now.getTime() - DAY), to: now });
    const item = await harness.service.enqueue({ podName: "p" });
    const processor = harness.processor({ purge: { chunkSize: 10_000, targetChunkMs: null } });

    await processor.start();
    await settle(harness.clock, completed(harness, item.id), 20_000);
    await processor.stop();

    expect(await harness.store.getItem({ id: item.id })).toMatchObject({ recordsAffected: 25_000, progress: 100 });
  });
});
