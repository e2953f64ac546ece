import type { SqlRow } from "@logmk/workqueue-mssql";

/** A row of the items table as tedious returns it: `bigint` as text, `datetime2` as Date. */
export function itemRow(overrides: SqlRow = {}): SqlRow {
  return {
    Id: "7",
    Type: "LOG_PURGE",
    Status: "IN_PROGRESS",
    PodName: "api-7d9f8-abcde",
    Deployment: "api",
    Payload: JSON.stringify({ from: null, to: "2026-11-30T00:00:00.000Z", maxId: 900 }),
    Metadata: null,
    Priority: 0,
    RunAt: new Date("2026-11-30T10:00:00.000Z"),
    Schedule: "now",
    CreatedAt: new Date("2026-11-30T10:00:00.000Z"),
    UpdatedAt: new Date("2026-11-30T10:05:00.000Z"),
    StartedAt: new Date("2026-11-30T10:01:00.000Z"),
    CompletedAt: null,
    ErrorMessage: null,
    RecordsAffected: "400",
    EstimatedRecords: "1000",
    Progress: 40,
    Attempts: 1,
    MaxAttempts: 5,
    UniqueKey: "LOG_PURGE:api/api-7d9f8-abcde",
    LockedBy: "worker-1",
    FencingToken: "3",
    LeaseExpiresAt: new Date("2026-11-30T10:06:00.000Z"),
    CancelRequestedAt: null,
    CreatedBy: "alice",
    Checkpoint: JSON.stringify({ timestamp: "2026-11-29T08:00:00.1234567", id: 512 }),
    StopReason: null,
    ...overrides,
  };
}
