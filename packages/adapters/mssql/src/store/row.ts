import {
  type FencedResult,
  type QueueEventName,
  QUEUE_EVENT_NAMES,
  type RetryReason,
  type StoredEvent,
  type WorkQueueItem,
  ScheduleSchema,
  StopReasonSchema,
  WorkQueueError,
  WorkQueueStatusSchema,
} from "@logmk/workqueue";
import type { SqlRow } from "../executor.js";

/** Columns of the items table in model order; every statement that returns items selects these. */
export const ITEM_COLUMNS = [
  "Id",
  "Type",
  "Status",
  "PodName",
  "Deployment",
  "Payload",
  "Metadata",
  "Priority",
  "RunAt",
  "Schedule",
  "CreatedAt",
  "UpdatedAt",
  "StartedAt",
  "CompletedAt",
  "ErrorMessage",
  "RecordsAffected",
  "RecordsAtClaim",
  "EstimatedRecords",
  "Progress",
  "Attempts",
  "MaxAttempts",
  "UniqueKey",
  "LockedBy",
  "FencingToken",
  "LeaseExpiresAt",
  "CancelRequestedAt",
  "CreatedBy",
  "Checkpoint",
  "StopReason",
] as const;

/** `alias.[Column], ...` for a select list. */
export function itemColumnList(alias: string): string {
  return ITEM_COLUMNS.map((column) => `${alias}.[${column}]`).join(", ");
}

function invalid(column: string, value: unknown): WorkQueueError {
  return new WorkQueueError("STORE_FAILED", `SQL Server store: column ${column} holds an unexpected value ${JSON.stringify(value)}; the WorkQueue table may have been changed outside this adapter.`);
}

/** Reads a `bigint` or `int`: tedious returns `bigint` as a string, FOR JSON as a number. */
function integer(row: SqlRow, column: string): number {
  const value = row[column];
  const number = typeof value === "string" ? Number(value) : value;
  if (typeof number !== "number" || !Number.isSafeInteger(number)) throw invalid(column, value);
  return number;
}

function integerOrNull(row: SqlRow, column: string): number | null {
  return row[column] === null || row[column] === undefined ? null : integer(row, column);
}

/**
 * Reads a `datetime2` holding UTC: a Date from tedious (with `useUTC`), or from FOR JSON a string
 * such as `2026-11-30T12:00:00.123` without a zone designator.
 */
function instantOrNull(row: SqlRow, column: string): Date | null {
  const value = row[column];
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  if (typeof value === "string") {
    const date = new Date(/(Z|[+-]\d\d:\d\d)$/.test(value) ? value : `${value}Z`);
    if (!Number.isNaN(date.getTime())) return date;
  }
  throw invalid(column, value);
}

function instant(row: SqlRow, column: string): Date {
  const value = instantOrNull(row, column);
  if (value === null) throw invalid(column, null);
  return value;
}

function text(row: SqlRow, column: string): string {
  const value = row[column];
  if (typeof value !== "string") throw invalid(column, value);
  return value;
}

function textOrNull(row: SqlRow, column: string): string | null {
  return row[column] === null || row[column] === undefined ? null : text(row, column);
}

function json(row: SqlRow, column: string): unknown {
  const value = textOrNull(row, column);
  if (value === null) return null;
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new WorkQueueError("STORE_FAILED", `SQL Server store: column ${column} does not hold valid JSON.`, { cause: error });
  }
}

function jsonObject(row: SqlRow, column: string): Record<string, unknown> | null {
  const value = json(row, column);
  if (value === null) return null;
  if (typeof value !== "object" || Array.isArray(value)) throw invalid(column, value);
  return value as Record<string, unknown>;
}

function parsed<T>(schema: { safeParse(value: unknown): { success: true; data: T } | { success: false } }, row: SqlRow, column: string): T {
  const result = schema.safeParse(row[column]);
  if (!result.success) throw invalid(column, row[column]);
  return result.data;
}

/** Maps a row of the items table, or an item snapshot of the event log, to the model. */
export function itemFromRow(row: SqlRow): WorkQueueItem {
  const stopReason = row["StopReason"] === null || row["StopReason"] === undefined ? null : parsed(StopReasonSchema, row, "StopReason");
  const progress = row["Progress"];
  if (typeof progress !== "number") throw invalid("Progress", progress);

  return {
    id: integer(row, "Id"),
    type: text(row, "Type"),
    status: parsed(WorkQueueStatusSchema, row, "Status"),
    podName: text(row, "PodName"),
    deployment: textOrNull(row, "Deployment"),
    payload: jsonObject(row, "Payload") ?? {},
    metadata: jsonObject(row, "Metadata"),
    priority: integer(row, "Priority"),
    runAt: instant(row, "RunAt"),
    schedule: parsed(ScheduleSchema, row, "Schedule"),
    createdAt: instant(row, "CreatedAt"),
    updatedAt: instant(row, "UpdatedAt"),
    startedAt: instantOrNull(row, "StartedAt"),
    completedAt: instantOrNull(row, "CompletedAt"),
    errorMessage: textOrNull(row, "ErrorMessage"),
    recordsAffected: integer(row, "RecordsAffected"),
    // Event snapshots written before migration 3 have no such column.
    recordsAtClaim: row["RecordsAtClaim"] === undefined || row["RecordsAtClaim"] === null ? 0 : integer(row, "RecordsAtClaim"),
    estimatedRecords: integerOrNull(row, "EstimatedRecords"),
    progress,
    attempts: integer(row, "Attempts"),
    maxAttempts: integer(row, "MaxAttempts"),
    uniqueKey: textOrNull(row, "UniqueKey"),
    lockedBy: textOrNull(row, "LockedBy"),
    fencingToken: integer(row, "FencingToken"),
    leaseExpiresAt: instantOrNull(row, "LeaseExpiresAt"),
    cancelRequestedAt: instantOrNull(row, "CancelRequestedAt"),
    createdBy: textOrNull(row, "CreatedBy"),
    checkpoint: json(row, "Checkpoint"),
    stopReason,
  };
}

/** Maps a row that may be all nulls (an outer join that found no item) to an item or null. */
export function itemOrNullFromRow(row: SqlRow | undefined): WorkQueueItem | null {
  if (row === undefined || row["Id"] === null || row["Id"] === undefined) return null;
  return itemFromRow(row);
}

/** Reads the result of a write to one item: whether it applied, and the item as it is now. */
export function fencedResultFromRow(row: SqlRow | undefined): FencedResult {
  return { applied: row?.["Applied"] === 1, item: itemOrNullFromRow(row) };
}

/** Maps a row of the event log. `Reason` and `ErrorMessage` are set for `QueueItemRetried` only. */
export function eventFromRow(row: SqlRow): StoredEvent {
  const name = text(row, "Name");
  if (!(QUEUE_EVENT_NAMES as readonly string[]).includes(name)) throw invalid("Name", name);

  let snapshot: unknown;
  try {
    snapshot = JSON.parse(text(row, "Item"));
  } catch (error) {
    throw new WorkQueueError("STORE_FAILED", "SQL Server store: column Item of WorkQueueEvents does not hold valid JSON.", { cause: error });
  }

  const event: StoredEvent = {
    id: integer(row, "Id"),
    name: name as QueueEventName,
    itemId: integer(row, "ItemId"),
    at: instant(row, "At"),
    item: itemFromRow(snapshot as SqlRow),
  };
  if (name === "QueueItemRetried") {
    event.reason = text(row, "Reason") as RetryReason;
    event.errorMessage = textOrNull(row, "ErrorMessage");
  }
  return event;
}
