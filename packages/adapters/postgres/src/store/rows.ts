import type { QueueEventName, RetryReason, StopReason, StoredEvent, WorkQueueItem, WorkQueueStatus, Schedule } from "@logmk/workqueue";

/**
 * A `work_queue` row as a driver returns it, or as `to_jsonb(row)` stored it in an event. Drivers
 * return timestamps as `Date` and postgres.js returns `bigint` as a string; jsonb snapshots hold
 * timestamps as ISO strings and bigints as numbers. The converters accept every form.
 */
export type ItemRow = Record<string, unknown>;

/** Converts a bigint column to a number; ids and counts stay below 2^53. */
export function toNumber(value: unknown): number {
  return typeof value === "number" ? value : Number(value);
}

function toNullableNumber(value: unknown): number | null {
  return value === null || value === undefined ? null : toNumber(value);
}

function toDate(value: unknown): Date {
  return value instanceof Date ? value : new Date(value as string);
}

function toNullableDate(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

function toNullableString(value: unknown): string | null {
  return value === null || value === undefined ? null : (value as string);
}

export function itemFromRow(row: ItemRow): WorkQueueItem {
  return {
    id: toNumber(row.id),
    type: row.type as string,
    status: row.status as WorkQueueStatus,
    podName: row.pod_name as string,
    deployment: toNullableString(row.deployment),
    payload: row.payload as Record<string, unknown>,
    metadata: (row.metadata ?? null) as Record<string, unknown> | null,
    priority: toNumber(row.priority),
    runAt: toDate(row.run_at),
    schedule: row.schedule as Schedule,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
    startedAt: toNullableDate(row.started_at),
    completedAt: toNullableDate(row.completed_at),
    errorMessage: toNullableString(row.error_message),
    recordsAffected: toNumber(row.records_affected),
    // Event snapshots written before migration 4 have no such column.
    recordsAtClaim: row.records_at_claim === undefined || row.records_at_claim === null ? 0 : toNumber(row.records_at_claim),
    estimatedRecords: toNullableNumber(row.estimated_records),
    progress: toNumber(row.progress),
    attempts: toNumber(row.attempts),
    maxAttempts: toNumber(row.max_attempts),
    uniqueKey: toNullableString(row.unique_key),
    lockedBy: toNullableString(row.locked_by),
    fencingToken: toNumber(row.fencing_token),
    leaseExpiresAt: toNullableDate(row.lease_expires_at),
    cancelRequestedAt: toNullableDate(row.cancel_requested_at),
    createdBy: toNullableString(row.created_by),
    checkpoint: row.checkpoint ?? null,
    stopReason: (row.stop_reason ?? null) as StopReason | null,
  };
}

/** Converts a `work_queue_events` row; a null reason or error message is left out, as the memory store does. */
export function eventFromRow(row: ItemRow): StoredEvent {
  const event: StoredEvent = {
    id: toNumber(row.id),
    name: row.name as QueueEventName,
    itemId: toNumber(row.item_id),
    at: toDate(row.at),
    item: itemFromRow(row.item as ItemRow),
  };
  if (row.reason !== null && row.reason !== undefined) event.reason = row.reason as RetryReason;
  if (row.error_message !== null && row.error_message !== undefined) event.errorMessage = row.error_message as string;
  return event;
}

/** Serialises a JSON value for a `$n::text::jsonb` parameter; null stays SQL NULL. */
export function jsonParam(value: unknown): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}
