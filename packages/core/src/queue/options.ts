import { z } from "zod";
import { WorkQueueError } from "../errors.js";
import { DEFAULTS, LIMITS } from "../model/limits.js";
import { parseOrThrow, rejectUnknownOptions } from "../validation.js";
import type { WorkQueueOptions } from "./queue.js";

/** Every option name of createWorkQueue. The check below fails to compile when one is missing. */
const QUEUE_OPTION_NAMES = ["store", "handlers", "maxOpenItems", "defaultMaxAttempts", "retentionMs", "eventRetentionMs", "offPeakWindow", "clock", "logger"] as const satisfies ReadonlyArray<keyof WorkQueueOptions>;
const everyQueueOption: Exclude<keyof WorkQueueOptions, (typeof QUEUE_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyQueueOption;

const positiveMs = (field: string) => z.number({ error: `${field} must be a number of milliseconds` }).int({ error: `${field} must be a whole number of milliseconds` }).positive({ error: `${field} must be greater than 0` });

const QueueLimitsSchema = z.object({
  maxOpenItems: z.number({ error: "maxOpenItems must be a number, or null for no limit" }).int({ error: "maxOpenItems must be a whole number" }).min(1, { error: "maxOpenItems must be at least 1, or null for no limit" }).nullable(),
  defaultMaxAttempts: z
    .number({ error: "defaultMaxAttempts must be a number" })
    .int({ error: "defaultMaxAttempts must be a whole number" })
    .min(1, { error: `defaultMaxAttempts must be from 1 to ${LIMITS.maxAttemptsLimit}` })
    .max(LIMITS.maxAttemptsLimit, { error: `defaultMaxAttempts must be from 1 to ${LIMITS.maxAttemptsLimit}` }),
  retentionMs: positiveMs("retentionMs"),
  eventRetentionMs: positiveMs("eventRetentionMs"),
});

/** Validates the queue options once, naming the field at fault and the fix. */
export function checkQueueOptions(options: WorkQueueOptions): void {
  if (!options || typeof options.store !== "object" || options.store === null || typeof options.store.enqueue !== "function") {
    throw new WorkQueueError("VALIDATION_FAILED", "createWorkQueue needs a store, such as createMemoryStore() or createPostgresStore({ connection }).");
  }
  rejectUnknownOptions(options, QUEUE_OPTION_NAMES, "createWorkQueue option");
  parseOrThrow(
    QueueLimitsSchema,
    {
      maxOpenItems: options.maxOpenItems === undefined ? DEFAULTS.maxOpenItems : options.maxOpenItems,
      defaultMaxAttempts: options.defaultMaxAttempts ?? DEFAULTS.maxAttempts,
      retentionMs: options.retentionMs ?? DEFAULTS.retentionMs,
      eventRetentionMs: options.eventRetentionMs ?? DEFAULTS.eventRetentionMs,
    },
    "createWorkQueue options",
  );
}
