import { z } from "zod";

/** Presets of the purge request, as LogMk's web client sends them. */
export const TimeRangePresetSchema = z.enum(["all", "hour", "day", "week", "month"]);
export type TimeRangePreset = z.infer<typeof TimeRangePresetSchema>;

export const TIME_RANGE_PRESET_MS: Record<Exclude<TimeRangePreset, "all">, number> = {
  hour: 60 * 60_000,
  day: 24 * 60 * 60_000,
  week: 7 * 24 * 60 * 60_000,
  month: 30 * 24 * 60 * 60_000,
};

/** Payload of a LOG_PURGE item: the range, frozen when the purge was queued. */
export const LogPurgePayloadSchema = z
  .object({
    /** Inclusive lower bound (ISO 8601, UTC), or null for no lower bound. */
    from: z.iso.datetime({ offset: true }).nullable(),
    /** Exclusive upper bound (ISO 8601, UTC). */
    to: z.iso.datetime({ offset: true }),
    /** Highest log id when the purge was queued, or null when the table was empty. */
    maxId: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER).nullable(),
    timeRange: TimeRangePresetSchema.nullable().default(null),
    /** Estimate the person saw before confirming. */
    displayedEstimate: z.number().int().nonnegative().nullable().default(null),
  })
  .strict();

export type LogPurgePayload = z.output<typeof LogPurgePayloadSchema>;

export const LOG_PURGE_TYPE = "LOG_PURGE";

/** Unique key of a purge: one open purge per pod, whatever its range. */
export function purgeUniqueKey(deployment: string | null, podName: string): string {
  return `${LOG_PURGE_TYPE}:${deployment ?? ""}/${podName}`;
}
