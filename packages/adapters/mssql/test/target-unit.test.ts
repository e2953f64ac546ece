import { PermanentJobError } from "@logmk/workqueue";
import { createMssqlLogTarget } from "@logmk/workqueue-mssql";
import { describe, expect, it } from "vitest";
import { chunkOutcome, parseCursor } from "../src/target/cursor.js";
import { rangeFraction } from "../src/target/target.js";
import { CURSOR, RANGE } from "./support/exercise.js";
import { createRecordingExecutor } from "./support/recording-executor.js";
import { respondLikeServer } from "./support/responses.js";
import { itemRow } from "./support/rows.js";

describe("rangeFraction", () => {
  const oldest = new Date("2026-11-01T00:00:00Z");
  const newest = new Date("2026-11-11T00:00:00Z");

  it("covers the whole pod without bounds inside its span", () => {
    expect(rangeFraction({ from: null, to: new Date("2026-12-01T00:00:00Z") }, oldest, newest)).toBe(1);
  });

  it("takes the overlapping share", () => {
    expect(rangeFraction({ from: new Date("2026-11-03T00:00:00Z"), to: new Date("2026-11-08T00:00:00Z") }, oldest, newest)).toBeCloseTo(0.5);
    expect(rangeFraction({ from: null, to: new Date("2026-11-02T00:00:00Z") }, oldest, newest)).toBeCloseTo(0.1);
  });

  it("is zero outside the pod's span", () => {
    expect(rangeFraction({ from: new Date("2026-12-01T00:00:00Z"), to: new Date("2026-12-02T00:00:00Z") }, oldest, newest)).toBe(0);
    expect(rangeFraction({ from: null, to: oldest }, oldest, newest)).toBe(0);
  });

  it("handles a pod with one timestamp", () => {
    expect(rangeFraction({ from: null, to: newest }, oldest, oldest)).toBe(1);
    expect(rangeFraction({ from: null, to: oldest }, oldest, oldest)).toBe(0);
  });
});

describe("cursor", () => {
  it("reads the target's own cursor", () => {
    expect(parseCursor(CURSOR)).toEqual(CURSOR);
    expect(parseCursor({ timestamp: "2026-11-29T08:00:00", id: 1 })).toEqual({ timestamp: "2026-11-29T08:00:00", id: 1 });
    expect(parseCursor(null)).toBeNull();
  });

  it("rejects another target's cursor as permanent", () => {
    for (const value of [{ t: 1_764_460_800_000, id: 42 }, { timestamp: "2026-11-29 08:00", id: 1 }, { timestamp: CURSOR.timestamp, id: "512" }, "abc"]) {
      expect(() => parseCursor(value), JSON.stringify(value)).toThrow(PermanentJobError);
    }
  });

  it("is done when the probe found fewer keys than the limit", () => {
    expect(chunkOutcome({ Deleted: 10, Scanned: 10, EndTime: "2026-11-29T09:00:00.0000000", EndId: "700" }, CURSOR, 10)).toEqual({ deleted: 10, cursor: { timestamp: "2026-11-29T09:00:00.0000000", id: 700 }, done: false });
    expect(chunkOutcome({ Deleted: 3, Scanned: 4, EndTime: "2026-11-29T09:00:00.0000000", EndId: "700" }, CURSOR, 10).done).toBe(true);
    expect(chunkOutcome({ Deleted: 0, Scanned: 0, EndTime: null, EndId: null }, CURSOR, 10)).toEqual({ deleted: 0, cursor: CURSOR, done: true });
  });
});

describe("log target", () => {
  it("rolls the chunk back when the progress write does not apply", async () => {
    const lost = { Applied: 0, ...itemRow({ LockedBy: "worker-b", FencingToken: "4" }) };
    const executor = createRecordingExecutor(respondLikeServer({ itemProgress: [[lost]] }));
    const target = createMssqlLogTarget({ executor, queueSchema: "dbo" });

    const result = await target.deleteChunk({
      range: RANGE,
      cursor: CURSOR,
      limit: 100,
      statementTimeoutMs: 5_000,
      progress: (deleted, cursor) => ({ id: 7, fencingToken: 3, recordsAffected: deleted, progress: 1, checkpoint: cursor }),
    });

    expect(result).toMatchObject({ deleted: 0, cursor: CURSOR, done: false });
    expect(result.progressWrite?.applied).toBe(false);
    expect(result.progressWrite?.item?.lockedBy).toBe("worker-b");
    expect(executor.transactions.map((transaction) => transaction.outcome)).toEqual(["rolled back"]);
  });

  it("writes progress after the chunk without a queue schema", async () => {
    const executor = createRecordingExecutor(respondLikeServer());
    const target = createMssqlLogTarget({ executor });

    const result = await target.deleteChunk({ range: RANGE, cursor: null, limit: 100, statementTimeoutMs: 5_000, progress: () => ({ id: 7, fencingToken: 3, recordsAffected: 0, progress: 0 }) });

    expect(result.progressWrite).toBeUndefined();
    expect(executor.named("itemProgress")).toEqual([]);
    expect(executor.transactions).toEqual([]);
  });

  it("deletes nothing when the table was empty at enqueue", async () => {
    const executor = createRecordingExecutor(respondLikeServer());
    const target = createMssqlLogTarget({ executor });

    expect(await target.deleteChunk({ range: { ...RANGE, maxId: null }, cursor: null, limit: 100, statementTimeoutMs: 5_000 })).toEqual({ deleted: 0, cursor: null, done: true });
    expect(await target.estimateRows({ ...RANGE, maxId: null })).toBe(0);
    expect(executor.statements).toEqual([]);
  });

  it("estimates from the pod's rows and the range's share", async () => {
    const executor = createRecordingExecutor(
      respondLikeServer({ logPodStatistics: [[{ PodRows: 1000, Counted: false, Oldest: new Date("2026-11-01T00:00:00Z"), Newest: new Date("2026-11-11T00:00:00Z") }]] }),
    );
    const target = createMssqlLogTarget({ executor });

    expect(await target.estimateRows({ ...RANGE, from: new Date("2026-11-06T00:00:00Z") })).toBe(500);
  });

  it("estimates zero for a pod without logs", async () => {
    const executor = createRecordingExecutor(respondLikeServer({ logPodStatistics: [[{ PodRows: null, Counted: false, Oldest: null, Newest: null }]] }));

    expect(await createMssqlLogTarget({ executor }).estimateRows(RANGE)).toBe(0);
  });

  it("lists pods with rounded estimates", async () => {
    const executor = createRecordingExecutor(respondLikeServer());

    const pods = await createMssqlLogTarget({ executor }).listPods();

    expect(pods).toEqual([{ deployment: "api", podName: "api-7d9f8-abcde", approximateCount: 1234, oldest: new Date("2026-11-01T00:00:00Z"), newest: new Date("2026-11-30T10:05:00.000Z") }]);
  });

  it("finds a pod's deployments", async () => {
    const withDeployments = createMssqlLogTarget({ executor: createRecordingExecutor(respondLikeServer({ logPodDeployments: [[{ Deployment: "api" }, { Deployment: "web" }]] })) });
    const missing = createMssqlLogTarget({ executor: createRecordingExecutor(respondLikeServer({ logPodDeployments: [[]] })) });
    const withoutColumn = createMssqlLogTarget({ executor: createRecordingExecutor(respondLikeServer()), table: { deployment: null } });

    expect(await withDeployments.findPod({ podName: "p" })).toEqual({ exists: true, deployments: ["api", "web"] });
    expect(await missing.findPod({ podName: "p" })).toEqual({ exists: false, deployments: [] });
    expect(await withoutColumn.findPod({ podName: "p" })).toEqual({ exists: true, deployments: null });
  });

  it("reads the highest id, or null for an empty table", async () => {
    const empty = createMssqlLogTarget({ executor: createRecordingExecutor(respondLikeServer({ logMaxId: [[{ MaxId: null }]] })) });
    const filled = createMssqlLogTarget({ executor: createRecordingExecutor(respondLikeServer()) });

    expect(await empty.maxLogId()).toBeNull();
    expect(await filled.maxLogId()).toBe(1000);
  });
});
