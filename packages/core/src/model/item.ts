import { z } from "zod";
import { ItemIdSchema, JsonObjectSchema, PrioritySchema } from "./fields.js";
import { ScheduleSchema, StopReasonSchema, WorkQueueStatusSchema } from "./status.js";

/**
 * A work-queue item as the stores keep it. Instants are `Date` objects in UTC.
 * The HTTP representation is {@link WorkQueueItemResponseSchema} in `dto.ts`.
 */
export const WorkQueueItemSchema = z.object({
  id: ItemIdSchema,
  type: z.string(),
  status: WorkQueueStatusSchema,
  podName: z.string(),
  deployment: z.string().nullable(),
  /** Type-specific input, validated by the handler's schema at enqueue. */
  payload: JsonObjectSchema,
  /** Free-form JSON that the caller stores with the item, such as the requesting screen. */
  metadata: JsonObjectSchema.nullable(),
  /** Higher runs first, from -100 to 100. */
  priority: PrioritySchema,
  /** The item is not claimed before this instant. */
  runAt: z.date(),
  schedule: ScheduleSchema,
  createdAt: z.date(),
  updatedAt: z.date(),
  startedAt: z.date().nullable(),
  completedAt: z.date().nullable(),
  errorMessage: z.string().nullable(),
  recordsAffected: z.number().int().nonnegative(),
  /** `recordsAffected` when the current attempt was claimed, so that its rate counts this attempt's rows only. */
  recordsAtClaim: z.number().int().nonnegative().default(0),
  estimatedRecords: z.number().int().nonnegative().nullable(),
  /** Percent done, 0 to 100; exactly 100 only once the item completed. */
  progress: z.number().min(0).max(100),
  /** Claims so far; a claim counts even when the worker crashes afterwards. */
  attempts: z.number().int().nonnegative(),
  maxAttempts: z.number().int().positive(),
  /** At most one open (PENDING or IN_PROGRESS) item has a given key. */
  uniqueKey: z.string().nullable(),
  /** Worker that holds the lease, while IN_PROGRESS. */
  lockedBy: z.string().nullable(),
  /** Fencing token of the current lease: every write by a worker must present it. */
  fencingToken: z.number().int().nonnegative(),
  leaseExpiresAt: z.date().nullable(),
  cancelRequestedAt: z.date().nullable(),
  createdBy: z.string().nullable(),
  /** Handler-owned resume point, written together with progress (a keyset cursor for purges). */
  checkpoint: z.unknown().nullable(),
  stopReason: StopReasonSchema.nullable(),
});

export type WorkQueueItem = z.infer<typeof WorkQueueItemSchema>;
