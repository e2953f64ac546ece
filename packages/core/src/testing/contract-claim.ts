import { expect, it } from "vitest";
import type { StoreContractFixture, StoreContractOptions } from "./fixture.js";
import { claimOne, newItem } from "./fixture.js";

/** Claim order, eligibility, atomicity under racing claimers, and fencing. */
export function registerClaimTests(fixture: () => StoreContractFixture, options: Required<Pick<StoreContractOptions, "leaseMs" | "concurrentClaimers" | "concurrentItems">>): void {
  it("claims by priority, then runAt, then id", async () => {
    const { store, now } = fixture();
    const base = (await now()).getTime();
    const low = await store.enqueue({ item: newItem({ priority: -5, podName: "low" }), maxOpenItems: null });
    const firstHigh = await store.enqueue({ item: newItem({ priority: 10, podName: "high-1" }), maxOpenItems: null });
    const secondHigh = await store.enqueue({ item: newItem({ priority: 10, podName: "high-2" }), maxOpenItems: null });
    const earlierRunAt = await store.enqueue({ item: newItem({ priority: 10, podName: "high-early", runAt: new Date(base - 60_000) }), maxOpenItems: null });
    const normal = await store.enqueue({ item: newItem({ podName: "normal" }), maxOpenItems: null });

    const order: number[] = [];
    for (let index = 0; index < 5; index++) order.push((await claimOne(store)).id);

    expect(order).toEqual([earlierRunAt.id, firstHigh.id, secondHigh.id, normal.id, low.id]);
  });

  it("skips items not yet due, of other types or not pending", async () => {
    const { store, now, advance } = fixture();
    const future = new Date((await now()).getTime() + 400);
    const later = await store.enqueue({ item: newItem({ runAt: future }), maxOpenItems: null });
    await store.enqueue({ item: newItem({ type: "OTHER_JOB" }), maxOpenItems: null });

    expect(await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 10 })).toEqual([]);

    await advance(600);
    const claimed = await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 10 });
    expect(claimed.map((item) => item.id)).toEqual([later.id]);
    expect(await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 10 })).toEqual([]);
  });

  it("marks a claimed item with a new lease", async () => {
    const { store, now } = fixture();
    const queued = await store.enqueue({ item: newItem(), maxOpenItems: null });
    const before = await now();
    const claimed = await claimOne(store, { workerId: "worker-x", leaseMs: 30_000 });

    expect(claimed.id).toBe(queued.id);
    expect(claimed.status).toBe("IN_PROGRESS");
    expect(claimed.attempts).toBe(1);
    expect(claimed.lockedBy).toBe("worker-x");
    expect(claimed.fencingToken).toBeGreaterThan(queued.fencingToken);
    expect(claimed.startedAt).not.toBeNull();
    const leaseLeft = claimed.leaseExpiresAt!.getTime() - before.getTime();
    expect(leaseLeft).toBeGreaterThanOrEqual(29_000);
    expect(leaseLeft).toBeLessThanOrEqual(31_000);
  });

  it("claims at most the limit", async () => {
    const { store } = fixture();
    for (let index = 0; index < 5; index++) await store.enqueue({ item: newItem({ podName: `pod-${index}` }), maxOpenItems: null });

    const claimed = await store.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 3 });

    expect(claimed).toHaveLength(3);
    expect(new Set(claimed.map((item) => item.id)).size).toBe(3);
  });

  it("claims each item once under racing claimers", async () => {
    const { store } = fixture();
    for (let index = 0; index < options.concurrentItems; index++) {
      await store.enqueue({ item: newItem({ podName: `pod-${index}` }), maxOpenItems: null });
    }

    const claimedBy = new Map<number, string>();
    const duplicates: number[] = [];
    const claimer = async (workerId: string) => {
      for (;;) {
        const batch = await store.claimNext({ workerId, types: ["TEST_JOB"], leaseMs: 60_000, limit: 3 });
        if (batch.length === 0) return;
        for (const item of batch) {
          if (claimedBy.has(item.id)) duplicates.push(item.id);
          claimedBy.set(item.id, workerId);
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrentClaimers }, (_, index) => claimer(`worker-${index}`)));

    expect(duplicates).toEqual([]);
    expect(claimedBy.size).toBe(options.concurrentItems);
  });

  it("rejects writes with a stale fencing token", async () => {
    const { store } = fixture();
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const claimed = await claimOne(store);
    const stale = { id: claimed.id, fencingToken: claimed.fencingToken - 1 };

    const heartbeat = await store.heartbeat({ ...stale, leaseMs: 60_000 });
    const progress = await store.reportProgress({ ...stale, recordsAffected: 5, progress: 50 });
    const completed = await store.completeItem(stale);
    const failed = await store.failItem({ ...stale, errorMessage: "boom", retryDelayMs: 0, stopReason: "failed" });
    const cancelled = await store.cancelClaimed(stale);
    const released = await store.releaseItem({ ...stale, reason: "shutdown", runAt: null });

    for (const result of [heartbeat, progress, completed, failed, cancelled, released]) expect(result.applied).toBe(false);
    expect(failed.outcome).toBeNull();
    const current = await store.getItem({ id: claimed.id });
    expect(current?.status).toBe("IN_PROGRESS");
    expect(current?.recordsAffected).toBe(0);
    expect(heartbeat.item?.fencingToken).toBe(claimed.fencingToken);
  });

  it("fences out a worker whose lease was recovered", async () => {
    const { store, advance } = fixture();
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const first = await claimOne(store, { workerId: "worker-a", leaseMs: options.leaseMs });

    await advance(options.leaseMs + 300);
    const recovered = await store.recoverExpiredLeases({ retryDelayMs: 0, limit: 10 });
    expect(recovered.map((entry) => [entry.item.id, entry.outcome])).toEqual([[first.id, "retried"]]);
    const second = await claimOne(store, { workerId: "worker-b" });

    const lateProgress = await store.reportProgress({ id: first.id, fencingToken: first.fencingToken, recordsAffected: 99, progress: 10 });
    const lateComplete = await store.completeItem({ id: first.id, fencingToken: first.fencingToken });

    expect(second.id).toBe(first.id);
    expect(second.attempts).toBe(2);
    expect(lateProgress.applied).toBe(false);
    expect(lateComplete.applied).toBe(false);
    expect(lateComplete.item?.lockedBy).toBe("worker-b");
    expect((await store.completeItem({ id: second.id, fencingToken: second.fencingToken })).applied).toBe(true);
  });

  it("extends the lease on heartbeat", async () => {
    const { store, advance } = fixture();
    await store.enqueue({ item: newItem(), maxOpenItems: null });
    const claimed = await claimOne(store, { leaseMs: options.leaseMs });

    await advance(options.leaseMs / 2);
    const beat = await store.heartbeat({ id: claimed.id, fencingToken: claimed.fencingToken, leaseMs: options.leaseMs });
    await advance(options.leaseMs / 2 + 100);
    const recovered = await store.recoverExpiredLeases({ retryDelayMs: 0, limit: 10 });

    expect(beat.applied).toBe(true);
    expect(beat.item!.leaseExpiresAt!.getTime()).toBeGreaterThan(claimed.leaseExpiresAt!.getTime());
    expect(recovered).toEqual([]);
  });
}
