import { z } from "zod";
import {
  DeploymentSchema,
  ItemTypeSchema,
  JsonObjectSchema,
  MaxAttemptsSchema,
  PodNameSchema,
  PrioritySchema,
} from "./fields.js";
import { LIMITS } from "./limits.js";
import { WorkQueueItemSchema } from "./item.js";
import { ScheduleSchema } from "./status.js";

const IsoInstantSchema = z.iso.datetime({ offset: true });

/** Request to queue an item of any registered type. */
export const CreateWorkQueueItemRequestSchema = z
  .object({
    type: ItemTypeSchema,
    podName: PodNameSchema,
    deployment: DeploymentSchema.nullable().optional(),
    payload: JsonObjectSchema.default({}),
    metadata: JsonObjectSchema.nullable().optional(),
    priority: PrioritySchema.default(0),
    /** Earliest start; absent means now. */
    runAt: z.union([IsoInstantSchema, z.date()]).optional(),
    schedule: ScheduleSchema.default("now"),
    maxAttempts: MaxAttemptsSchema.optional(),
    uniqueKey: z.string().min(1).max(LIMITS.maxUniqueKeyLength).nullable().optional(),
    estimatedRecords: z.number().int().nonnegative().nullable().optional(),
    createdBy: z.string().max(LIMITS.maxCreatedByLength).nullable().optional(),
  })
  .strict();

export type CreateWorkQueueItemRequest = z.input<typeof CreateWorkQueueItemRequestSchema>;
export type ParsedCreateWorkQueueItemRequest = z.output<typeof CreateWorkQueueItemRequestSchema>;

/**
 * A work-queue item as the API returns it: the stored fields without the fencing token, instants
 * as ISO 8601 strings in UTC, and three derived fields.
 */
export const WorkQueueItemResponseSchema = WorkQueueItemSchema.omit({ fencingToken: true, recordsAtClaim: true }).extend({
  runAt: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
  leaseExpiresAt: z.string().nullable(),
  cancelRequestedAt: z.string().nullable(),
  /** Preset the purge range came from (`all`, `hour`, `day`, `week`, `month`), or null. */
  timeRange: z.string().nullable().describe("Preset the purge range came from (all, hour, day, week, month), or null"),
  /** `HH:MM:SS` since `startedAt`, up to `completedAt` once the item finished. */
  elapsedTime: z.string().nullable().describe("HH:MM:SS since startedAt, up to completedAt once the item finished; null before it started"),
  /** Seconds left at the measured rate, or null when unknown. */
  estimatedTimeRemaining: z.number().int().nullable().describe("Whole seconds left at the rate measured so far, or null when unknown"),
});

export type WorkQueueItemResponse = z.infer<typeof WorkQueueItemResponseSchema>;

/** Queue overview: open items, counts per status and the age of the oldest pending item. */
export const WorkQueueStatusResponseSchema = z.object({
  items: z.array(WorkQueueItemResponseSchema),
  pendingCount: z.number().int(),
  activeCount: z.number().int(),
  completedCount: z.number().int(),
  failedCount: z.number().int(),
  cancelledCount: z.number().int(),
  oldestPendingAgeSeconds: z.number().nullable(),
});

export type WorkQueueStatusResponse = z.infer<typeof WorkQueueStatusResponseSchema>;
