import { z } from "zod";

/** Lifecycle state of a work-queue item. */
export const WorkQueueStatusSchema = z.enum(["PENDING", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED"]);
export type WorkQueueStatus = z.infer<typeof WorkQueueStatusSchema>;

export const WORK_QUEUE_STATUSES: readonly WorkQueueStatus[] = WorkQueueStatusSchema.options;

/** Open items are PENDING or IN_PROGRESS: uniqueness and the queue size limit count them. */
export const OPEN_STATUSES: readonly WorkQueueStatus[] = ["PENDING", "IN_PROGRESS"];

/** Finished items are COMPLETED, FAILED or CANCELLED: retention cleanup deletes them. */
export const FINISHED_STATUSES: readonly WorkQueueStatus[] = ["COMPLETED", "FAILED", "CANCELLED"];

export function isOpenStatus(status: WorkQueueStatus): boolean {
  return status === "PENDING" || status === "IN_PROGRESS";
}

export function isFinishedStatus(status: WorkQueueStatus): boolean {
  return !isOpenStatus(status);
}

/**
 * Reason an item stopped running. Finished items carry `completed`, `cancelled`, `failed`,
 * `lease-lost` or `timed-out`; an item released back to PENDING carries `window-closed` or
 * `shutdown`.
 */
export const StopReasonSchema = z.enum([
  "completed",
  "cancelled",
  "failed",
  "lease-lost",
  "timed-out",
  "window-closed",
  "shutdown",
]);
export type StopReason = z.infer<typeof StopReasonSchema>;

/** When an item may run: as soon as possible, or only inside the configured off-peak window. */
export const ScheduleSchema = z.enum(["now", "off-peak"]);
export type Schedule = z.infer<typeof ScheduleSchema>;
