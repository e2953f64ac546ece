import { WorkQueueItemSchema, isWorkQueueError } from "@logmk/workqueue";
import { describe, expect, it } from "vitest";
import { eventFromRow, itemFromRow, itemOrNullFromRow } from "../src/store/row.js";
import { itemSnapshot } from "./support/responses.js";
import { itemRow } from "./support/rows.js";

describe("itemFromRow", () => {
  it("maps a row as tedious returns it", () => {
    const item = itemFromRow(itemRow());

    expect(WorkQueueItemSchema.parse(item)).toEqual(item);
    expect(item).toMatchObject({ id: 7, recordsAffected: 400, estimatedRecords: 1000, fencingToken: 3, attempts: 1, priority: 0, status: "IN_PROGRESS", deployment: "api" });
    expect(item.payload).toEqual({ from: null, to: "2026-11-30T00:00:00.000Z", maxId: 900 });
    expect(item.checkpoint).toEqual({ timestamp: "2026-11-29T08:00:00.1234567", id: 512 });
    expect(item.runAt).toEqual(new Date("2026-11-30T10:00:00.000Z"));
    expect(item.completedAt).toBeNull();
  });

  it("maps an event snapshot written by FOR JSON", () => {
    const fromSnapshot = itemFromRow(JSON.parse(itemSnapshot()));

    expect(fromSnapshot).toEqual(itemFromRow(itemRow()));
  });

  it("reads UTC whatever the process time zone", () => {
    const snapshot = JSON.parse(itemSnapshot({ RunAt: new Date("2026-03-29T01:30:00.123Z") }));

    expect(snapshot.RunAt).toBe("2026-03-29T01:30:00.123");
    expect(itemFromRow(snapshot).runAt.toISOString()).toBe("2026-03-29T01:30:00.123Z");
  });

  it("keeps scalar and null checkpoints", () => {
    expect(itemFromRow(itemRow({ Checkpoint: "42" })).checkpoint).toBe(42);
    expect(itemFromRow(itemRow({ Checkpoint: "\"after\"" })).checkpoint).toBe("after");
    expect(itemFromRow(itemRow({ Checkpoint: null })).checkpoint).toBeNull();
  });

  it("returns null for the empty side of an outer join", () => {
    const empty = Object.fromEntries(Object.keys(itemRow()).map((column) => [column, null]));

    expect(itemOrNullFromRow({ Applied: 0, ...empty })).toBeNull();
    expect(itemOrNullFromRow(undefined)).toBeNull();
  });

  it("rejects values the model does not allow", () => {
    const cases = [itemRow({ Status: "RUNNING" }), itemRow({ Id: "9007199254740993" }), itemRow({ Payload: "not json" }), itemRow({ Payload: "[1,2]" }), itemRow({ RunAt: "yesterday" }), itemRow({ StopReason: "bored" })];
    for (const row of cases) {
      const error = (() => {
        try {
          itemFromRow(row);
        } catch (caught) {
          return caught;
        }
      })();
      expect(isWorkQueueError(error, "STORE_FAILED"), JSON.stringify(row)).toBe(true);
    }
  });
});

describe("eventFromRow", () => {
  const at = new Date("2026-11-30T10:05:00.000Z");

  it("maps a retry with its reason and error", () => {
    const event = eventFromRow({ Id: "11", Name: "QueueItemRetried", ItemId: "7", At: at, Item: itemSnapshot({ Status: "PENDING" }), Reason: "backoff", ErrorMessage: "flaky" });

    expect(event).toMatchObject({ id: 11, name: "QueueItemRetried", itemId: 7, at, reason: "backoff", errorMessage: "flaky" });
    expect(event.item.status).toBe("PENDING");
  });

  it("leaves reason out of other events", () => {
    const event = eventFromRow({ Id: "12", Name: "QueueItemCompleted", ItemId: "7", At: at, Item: itemSnapshot({ Status: "COMPLETED" }), Reason: null, ErrorMessage: null });

    expect("reason" in event).toBe(false);
    expect("errorMessage" in event).toBe(false);
  });

  it("rejects an unknown event name", () => {
    expect(() => eventFromRow({ Id: "13", Name: "QueueItemExploded", ItemId: "7", At: at, Item: itemSnapshot(), Reason: null, ErrorMessage: null })).toThrow(/unexpected value/);
  });
});
