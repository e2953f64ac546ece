import type { SqlRow, SqlStatement } from "@logmk/workqueue-mssql";
import { itemRow } from "./rows.js";

const at = new Date("2026-11-30T10:05:00.000Z");

/** Renders an item snapshot as FOR JSON writes it into WorkQueueEvents.Item: numbers for bigint, UTC text without a zone. */
export function itemSnapshot(overrides: SqlRow = {}): string {
  const row = itemRow(overrides);
  const json: SqlRow = {};
  for (const [column, value] of Object.entries(row)) {
    if (value instanceof Date) json[column] = value.toISOString().replace("Z", "");
    else if (typeof value === "string" && /^\d+$/.test(value)) json[column] = Number(value);
    else json[column] = value;
  }
  return JSON.stringify(json);
}

/**
 * Returns result sets shaped like SQL Server's reply to each statement the adapter sends, so that
 * the store and target code after the query runs too. `overrides` replaces the reply by name.
 */
export function respondLikeServer(overrides: Record<string, SqlRow[][]> = {}) {
  return (statement: SqlStatement): SqlRow[][] | undefined => {
    const override = overrides[statement.name];
    if (override) return override;

    switch (statement.name) {
      case "itemInsert":
        return [[{ Outcome: "APPLIED", ...itemRow({ Status: "PENDING", Attempts: 0, FencingToken: "0", LockedBy: null, LeaseExpiresAt: null, StartedAt: null }) }]];
      case "itemRetry":
        return [[{ Outcome: "APPLIED", PreviousErrorMessage: "disk full", ...itemRow({ Status: "PENDING", Attempts: 0 }) }]];
      case "itemsClaim":
      case "itemGet":
      case "itemsList":
      case "itemsOpenByPod":
        return [[itemRow()]];
      case "itemsRecoverExpired":
        return [[itemRow({ Status: "PENDING", LockedBy: null, LeaseExpiresAt: null, StopReason: "lease-lost" })]];
      case "itemHeartbeat":
      case "itemProgress":
      case "itemComplete":
      case "itemFail":
      case "itemCancelClaimed":
      case "itemRelease":
      case "itemCancelRequest":
      case "itemCancelPending":
        return [[{ Applied: 1, ...itemRow() }]];
      case "itemsCountByStatus":
        return [[{ Status: "PENDING", Count: "2" }, { Status: "IN_PROGRESS", Count: "1" }], [{ OldestEligibleRunAt: at }], [{ Now: at }]];
      case "itemsDeleteFinished":
      case "eventsDeleteBefore":
        return [[{ Deleted: 0 }]];
      case "eventsRead":
        return [[{ Id: "11", Name: "QueueItemRetried", ItemId: "7", At: at, Item: itemSnapshot({ Status: "PENDING" }), Reason: "backoff", ErrorMessage: "flaky" }]];
      case "eventsLastId":
        return [[{ LastId: "10" }]];
      case "eventsChangeMarker":
        return [[{ LastId: null, LastWorkId: null }]];
      case "databaseNow":
        return [[{ Now: at }]];
      case "migrationsApplied":
        return [[]];
      case "logDeleteChunk":
        return [[{ Deleted: 10, Scanned: 10, EndTime: "2026-11-29T08:00:00.1234567", EndId: "612" }]];
      case "logMaxId":
        return [[{ MaxId: "1000" }]];
      case "logPodDeployments":
        return [[{ Deployment: "api" }]];
      case "logPodExists":
        return [[{ Found: 1 }]];
      case "logPodStatistics":
        return [[{ PodRows: 1000, Counted: false, Oldest: new Date("2026-11-01T00:00:00Z"), Newest: new Date("2026-11-30T00:00:00Z") }]];
      case "logPods":
        return [[{ Deployment: "api", Pod: "api-7d9f8-abcde", Rows: 1234.4, Oldest: new Date("2026-11-01T00:00:00Z"), Newest: at }]];
      default:
        return undefined;
    }
  };
}
