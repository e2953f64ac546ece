import type { WorkQueueItemResponse } from "./dto.js";
import type { WorkQueueItem } from "./item.js";

function isoOrNull(value: Date | null): string | null {
  return value === null ? null : value.toISOString();
}

/** Formats a duration in milliseconds as `HH:MM:SS`; hours grow past 99 when needed. */
export function formatElapsed(milliseconds: number): string {
  const totalSeconds = Math.max(0, Math.floor(milliseconds / 1000));
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  return [hours, minutes, seconds].map((part) => String(part).padStart(2, "0")).join(":");
}

/**
 * Estimates the seconds left for a running item from the rate measured since `startedAt`.
 * Returns null when the item is not running, has no estimate or has not deleted anything yet.
 */
export function estimateSecondsRemaining(item: WorkQueueItem, now: Date): number | null {
  if (item.status !== "IN_PROGRESS" || item.startedAt === null) return null;
  // The rate counts only this attempt's rows, because startedAt is this attempt's start while
  // recordsAffected also contains the rows of earlier attempts.
  const attemptRecords = item.recordsAffected - item.recordsAtClaim;
  if (item.estimatedRecords === null || attemptRecords <= 0) return null;

  const elapsedMs = now.getTime() - item.startedAt.getTime();
  if (elapsedMs <= 0) return null;

  const remainingRecords = Math.max(0, item.estimatedRecords - item.recordsAffected);
  const recordsPerMs = attemptRecords / elapsedMs;
  return Math.ceil(remainingRecords / recordsPerMs / 1000);
}

/** Converts a stored item into its API representation, computing the derived fields at `now`. */
export function toItemResponse(item: WorkQueueItem, now: Date = new Date()): WorkQueueItemResponse {
  const end = item.completedAt ?? now;
  const elapsedTime = item.startedAt === null ? null : formatElapsed(end.getTime() - item.startedAt.getTime());
  const timeRange = typeof item.payload["timeRange"] === "string" ? item.payload["timeRange"] : null;

  return {
    id: item.id,
    type: item.type,
    status: item.status,
    podName: item.podName,
    deployment: item.deployment,
    payload: item.payload,
    metadata: item.metadata,
    priority: item.priority,
    runAt: item.runAt.toISOString(),
    schedule: item.schedule,
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
    startedAt: isoOrNull(item.startedAt),
    completedAt: isoOrNull(item.completedAt),
    errorMessage: item.errorMessage,
    recordsAffected: item.recordsAffected,
    estimatedRecords: item.estimatedRecords,
    progress: item.progress,
    attempts: item.attempts,
    maxAttempts: item.maxAttempts,
    uniqueKey: item.uniqueKey,
    lockedBy: item.lockedBy,
    leaseExpiresAt: isoOrNull(item.leaseExpiresAt),
    cancelRequestedAt: isoOrNull(item.cancelRequestedAt),
    createdBy: item.createdBy,
    checkpoint: item.checkpoint,
    stopReason: item.stopReason,
    timeRange,
    elapsedTime,
    estimatedTimeRemaining: estimateSecondsRemaining(item, now),
  };
}
