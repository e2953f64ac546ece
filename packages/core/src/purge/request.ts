import { z } from "zod";
import { DeploymentSchema, JsonObjectSchema, PodNameSchema, PrioritySchema } from "../model/fields.js";
import { LIMITS } from "../model/limits.js";
import { ScheduleSchema } from "../model/status.js";
import { LOG_PURGE_TYPE, TimeRangePresetSchema } from "./payload.js";

const InstantSchema = z.iso.datetime({ offset: true, error: "must be an ISO 8601 instant with a time zone, such as 2026-11-30T00:00:00Z" });

/**
 * Body of `POST /api/workqueue/purge`. Besides the range as `from`/`to` it accepts LogMk's
 * `timeRange` presets, `type` and `metadata`, so that LogMk's existing client works unchanged.
 */
export const PurgeRequestSchema = z
  .object({
    podName: PodNameSchema,
    deployment: DeploymentSchema.nullable().optional(),
    from: InstantSchema.nullable().optional(),
    to: InstantSchema.nullable().optional(),
    timeRange: TimeRangePresetSchema.nullable().optional(),
    priority: PrioritySchema.optional(),
    schedule: ScheduleSchema.optional(),
    type: z.literal(LOG_PURGE_TYPE, { error: `type must be ${LOG_PURGE_TYPE} when given` }).optional(),
    metadata: JsonObjectSchema.nullable().optional(),
    displayedEstimate: z.number().int().nonnegative().nullable().optional(),
    maxAttempts: z.number().int().min(1).max(LIMITS.maxAttemptsLimit).optional(),
    createdBy: z.string().max(LIMITS.maxCreatedByLength).nullable().optional(),
  })
  .strict()
  .superRefine((request, context) => {
    if (request.timeRange != null && (request.from != null || request.to != null)) {
      context.addIssue({ code: "custom", path: ["timeRange"], message: "give either timeRange or from/to, not both" });
    }
    if (request.from != null && request.to != null && Date.parse(request.from) >= Date.parse(request.to)) {
      context.addIssue({ code: "custom", path: ["from"], message: `from (${request.from}) must be before to (${request.to})` });
    }
  });

export type PurgeRequest = z.input<typeof PurgeRequestSchema>;

/** Resolved form of a purge request, before anything is queued. */
export interface PurgePreview {
  podName: string;
  deployment: string | null;
  /** ISO 8601 instant, or null for no lower bound. */
  from: string | null;
  to: string;
  timeRange: z.infer<typeof TimeRangePresetSchema> | null;
  maxId: number | null;
  /** Planner estimate of the rows the purge deletes. */
  estimatedRecords: number;
}
