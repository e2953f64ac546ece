import { isWorkQueueError } from "@logmk/workqueue";
import { newItem } from "@logmk/workqueue/testing";
import { createMssqlStore } from "@logmk/workqueue-mssql";
import { describe, expect, it } from "vitest";
import { createRecordingExecutor } from "./support/recording-executor.js";
import { respondLikeServer } from "./support/responses.js";
import { itemRow } from "./support/rows.js";

const emptyItem = Object.fromEntries(Object.keys(itemRow()).map((column) => [column, null]));

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("store outcomes", () => {
  it("turns a duplicate key into CONFLICT with the open item", async () => {
    const executor = createRecordingExecutor(respondLikeServer({ itemInsert: [[{ Outcome: "CONFLICT", ...itemRow({ Id: "3", Status: "PENDING" }) }]] }));
    const store = createMssqlStore({ executor });

    const error = await caught(store.enqueue({ item: newItem({ uniqueKey: "LOG_PURGE:api/pod-1" }), maxOpenItems: null }));

    expect(isWorkQueueError(error, "CONFLICT")).toBe(true);
    expect((error as { item?: { id: number } }).item?.id).toBe(3);
    expect((error as Error).message).toContain("item 3");
  });

  it("tries again when the holder of the key finished meanwhile", async () => {
    let calls = 0;
    const executor = createRecordingExecutor((statement) => {
      if (statement.name !== "itemInsert") return undefined;
      calls++;
      return calls === 1 ? [[{ Outcome: "CONFLICT", ...emptyItem }]] : respondLikeServer()(statement);
    });
    const store = createMssqlStore({ executor });

    const item = await store.enqueue({ item: newItem({ uniqueKey: "k" }), maxOpenItems: null });

    expect(item.status).toBe("PENDING");
    expect(executor.named("itemInsert")).toHaveLength(2);
  });

  it("gives up after repeated vanishing conflicts", async () => {
    const executor = createRecordingExecutor(respondLikeServer({ itemInsert: [[{ Outcome: "CONFLICT", ...emptyItem }]] }));
    const store = createMssqlStore({ executor });

    const error = await caught(store.enqueue({ item: newItem({ uniqueKey: "k" }), maxOpenItems: null }));

    expect(isWorkQueueError(error, "STORE_FAILED")).toBe(true);
    expect(executor.named("itemInsert")).toHaveLength(3);
  });

  it("fails on a batch without an outcome", async () => {
    const executor = createRecordingExecutor(respondLikeServer({ itemInsert: [[]] }));

    const error = await caught(createMssqlStore({ executor }).enqueue({ item: newItem(), maxOpenItems: null }));

    expect(isWorkQueueError(error, "STORE_FAILED")).toBe(true);
    expect((error as Error).message).toContain("check that migrate() has run on schema dbo");
    expect(executor.named("itemInsert")).toHaveLength(1);
  });

  it("reports a full queue", async () => {
    const executor = createRecordingExecutor(respondLikeServer({ itemInsert: [[{ Outcome: "QUEUE_FULL" }]], itemRetry: [[{ Outcome: "QUEUE_FULL" }]] }));
    const store = createMssqlStore({ executor });

    const onEnqueue = await caught(store.enqueue({ item: newItem(), maxOpenItems: 5 }));
    const onRetry = await caught(store.retryItem({ id: 7, maxOpenItems: 5 }));

    expect(isWorkQueueError(onEnqueue, "QUEUE_FULL")).toBe(true);
    expect(isWorkQueueError(onRetry, "QUEUE_FULL")).toBe(true);
    expect((onEnqueue as { details: Record<string, unknown> }).details).toEqual({ maxOpenItems: 5 });
  });

  it("reports a write that lost its lease with the current item", async () => {
    const executor = createRecordingExecutor(respondLikeServer({ itemComplete: [[{ Applied: 0, ...itemRow({ LockedBy: "worker-b", FencingToken: "4" }) }]], itemFail: [[{ Applied: 0, ...emptyItem }]] }));
    const store = createMssqlStore({ executor });

    const completed = await store.completeItem({ id: 7, fencingToken: 3 });
    const failed = await store.failItem({ id: 7, fencingToken: 3, errorMessage: "x", retryDelayMs: null, stopReason: "failed" });

    expect(completed.applied).toBe(false);
    expect(completed.item).toMatchObject({ lockedBy: "worker-b", fencingToken: 4 });
    expect(failed).toEqual({ applied: false, item: null, outcome: null });
  });

  it("tells a retry from a final failure", async () => {
    const retried = createRecordingExecutor(respondLikeServer({ itemFail: [[{ Applied: 1, ...itemRow({ Status: "PENDING" }) }]] }));
    const failed = createRecordingExecutor(respondLikeServer({ itemFail: [[{ Applied: 1, ...itemRow({ Status: "FAILED" }) }]] }));
    const params = { id: 7, fencingToken: 3, errorMessage: "x", retryDelayMs: 1_000, stopReason: "failed" as const };

    expect((await createMssqlStore({ executor: retried }).failItem(params)).outcome).toBe("retried");
    expect((await createMssqlStore({ executor: failed }).failItem(params)).outcome).toBe("failed");
  });

  it("maps recovered items to their outcome", async () => {
    const executor = createRecordingExecutor(respondLikeServer({ itemsRecoverExpired: [[itemRow({ Id: "1", Status: "PENDING" }), itemRow({ Id: "2", Status: "FAILED" }), itemRow({ Id: "3", Status: "CANCELLED" })]] }));

    const recovered = await createMssqlStore({ executor }).recoverExpiredLeases({ retryDelayMs: 0, limit: 10 });

    expect(recovered.map((entry) => [entry.item.id, entry.outcome])).toEqual([[1, "retried"], [2, "failed"], [3, "cancelled"]]);
  });

  it("restores the claim order of OUTPUT rows", async () => {
    const rows = [itemRow({ Id: "5", Priority: 0 }), itemRow({ Id: "9", Priority: 10 }), itemRow({ Id: "2", Priority: 0 })];
    const executor = createRecordingExecutor(respondLikeServer({ itemsClaim: [rows] }));

    const claimed = await createMssqlStore({ executor }).claimNext({ workerId: "w", types: ["LOG_PURGE"], leaseMs: 1_000, limit: 3 });

    expect(claimed.map((item) => item.id)).toEqual([9, 2, 5]);
  });

  it("claims nothing without types", async () => {
    const executor = createRecordingExecutor(respondLikeServer());

    expect(await createMssqlStore({ executor }).claimNext({ workerId: "w", types: [], leaseMs: 1_000, limit: 3 })).toEqual([]);
    expect(executor.statements).toEqual([]);
  });

  it("deletes in batches until one comes back short", async () => {
    const deleted = [500, 500, 120];
    const executor = createRecordingExecutor((statement) => (statement.name === "itemsDeleteFinished" ? [[{ Deleted: deleted.shift() }]] : undefined));

    const total = await createMssqlStore({ executor }).deleteFinishedBefore({ before: new Date(), batchSize: 500 });

    expect(total).toBe(1_120);
    expect(executor.named("itemsDeleteFinished")).toHaveLength(3);
  });

  it("counts by status on the database clock", async () => {
    const executor = createRecordingExecutor(respondLikeServer());

    const stats = await createMssqlStore({ executor }).countByStatus();

    expect(stats.counts).toEqual({ PENDING: 2, IN_PROGRESS: 1, COMPLETED: 0, FAILED: 0, CANCELLED: 0 });
    expect(stats.oldestEligibleRunAt).toEqual(new Date("2026-11-30T10:05:00.000Z"));
    expect(stats.now).toEqual(new Date("2026-11-30T10:05:00.000Z"));
  });

  it("wraps driver errors as STORE_FAILED with the cause", async () => {
    const failure = Object.assign(new Error("Invalid object name 'dbo.WorkQueue'."), { number: 208 });
    const store = createMssqlStore({
      executor: {
        query: async () => {
          throw failure;
        },
        transaction: async (work) => work(undefined as never),
      },
    });

    const error = await caught(store.getItem({ id: 1 }));

    expect(isWorkQueueError(error, "STORE_FAILED")).toBe(true);
    expect((error as Error).message).toBe("SQL Server store: getItem failed: Invalid object name 'dbo.WorkQueue'.");
    expect((error as Error).cause).toBe(failure);
  });
});
