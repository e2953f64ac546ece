import {
  DeploymentSchema,
  PodNameSchema,
  QUEUE_EVENT_NAMES,
  TimeRangePresetSchema,
  WorkQueueItemResponseSchema,
  WorkQueueStatusSchema,
} from "@logmk/workqueue";
import { z } from "zod";

/**
 * Schemas of the responses that the core does not define. The routes build their bodies with
 * these types, the tests validate responses against them, and the OpenAPI document is generated
 * from them together with the core's schemas.
 */

/** Body of `POST /api/workqueue/purge/preview`: what a purge request resolves to. */
export const PurgePreviewResponseSchema = z.object({
  podName: z.string(),
  deployment: z.string().nullable(),
  from: z.string().nullable().describe("Inclusive lower bound (ISO 8601, UTC); null means from the oldest log"),
  to: z.string().describe("Exclusive upper bound (ISO 8601, UTC)"),
  timeRange: TimeRangePresetSchema.nullable(),
  maxId: z.number().int().nullable().describe("Highest log id now; rows inserted later are never deleted"),
  estimatedRecords: z.number().int().describe("Estimate of the rows the purge would delete, not an exact count"),
});
export type PurgePreviewResponse = z.infer<typeof PurgePreviewResponseSchema>;

/** Body of `GET /api/workqueue/pod/{podName}`. */
export const PodItemsResponseSchema = z.object({
  hasPendingOrActive: z.boolean(),
  items: z.array(WorkQueueItemResponseSchema).describe("Open items of the pod, oldest first"),
});
export type PodItemsResponse = z.infer<typeof PodItemsResponseSchema>;

/** One entry of `GET /api/pods`. */
export const PodResponseSchema = z.object({
  deployment: z.string().nullable(),
  podName: z.string(),
  approximateCount: z.number().int().describe("Estimate of the pod's log rows, not an exact count"),
  oldest: z.string().nullable(),
  newest: z.string().nullable(),
  openItem: WorkQueueItemResponseSchema.nullable().describe("The pod's open LOG_PURGE item, or null"),
});
export type PodResponse = z.infer<typeof PodResponseSchema>;

/** Body of `GET /healthz`. */
export const HealthResponseSchema = z.object({
  status: z.enum(["ok", "unavailable"]),
  store: z.enum(["ok", "unreachable"]),
  processor: z.enum(["running", "stopped", "absent"]),
});
export type HealthResponse = z.infer<typeof HealthResponseSchema>;

/** Data of each Server-Sent Event: the event as queue listeners receive it. */
export const QueueEventSchema = z.object({
  id: z.number().int(),
  name: z.enum(QUEUE_EVENT_NAMES),
  at: z.string(),
  item: WorkQueueItemResponseSchema,
  reason: z.enum(["backoff", "lease-expired", "manual", "window-closed", "shutdown"]).optional(),
  errorMessage: z.string().nullable().optional(),
});

/** Body of every error response (`application/problem+json`). */
export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string().describe("Stable error code, such as VALIDATION_FAILED or CONFLICT"),
  requestId: z.string().optional(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  item: WorkQueueItemResponseSchema.optional().describe("On a 409: the open item in the way, or the item in the wrong state"),
});

/** Query of `GET /api/workqueue`; the numbers arrive as strings and are parsed by the route. */
export const ListQuerySchema = z.object({
  status: z
    .enum(WorkQueueStatusSchema.options, { error: (issue) => `must be one of ${WorkQueueStatusSchema.options.join(", ")} in upper case, not ${JSON.stringify(issue.input)}` })
    .optional(),
  type: z.string().max(64, { error: "type must be at most 64 characters" }).optional(),
  podName: PodNameSchema.optional(),
  deployment: DeploymentSchema.optional(),
  before: z.string().optional().describe("Item id: only items with a smaller id (the next page)"),
  limit: z.string().optional().describe("Page size from 1 to 500, default 50"),
});
