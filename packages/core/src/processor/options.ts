import { z } from "zod";
import { type Clock, systemClock } from "../clock.js";
import { WorkQueueError } from "../errors.js";
import { type Logger, silentLogger } from "../logger.js";
import { DEFAULTS } from "../model/limits.js";
import { toOffPeakWindow, type OffPeakWindow, type OffPeakWindowOptions } from "../schedule/window.js";
import type { WorkQueueStore } from "../store/port.js";
import { rejectUnknownOptions } from "../validation.js";
import { BackoffOptionsSchema, type BackoffOptions, type ResolvedBackoff } from "./backoff.js";
import type { WorkQueueHandler } from "./handler.js";

export interface ProcessorOptions {
  store: WorkQueueStore;
  /** One handler per item type; the processor claims only these types. */
  handlers: ReadonlyArray<WorkQueueHandler<any>>;
  /** Identifies this worker in `lockedBy` and in logs. @default `worker-` and a random id */
  workerId?: string;
  /** Items run at once. @default 1 */
  concurrency?: number;
  /** Lease length in milliseconds; a worker that stops heartbeating loses the item after it. @default 60000 */
  leaseMs?: number;
  /** Heartbeat interval in milliseconds. @default a third of `leaseMs` */
  heartbeatMs?: number;
  /** Backstop polling interval in milliseconds, besides wake-ups from the store. @default 30000 */
  pollIntervalMs?: number;
  /** Time limit of one attempt in milliseconds. @default 3600000 (1 hour) */
  itemTimeoutMs?: number;
  /** How often expired leases are recovered, in milliseconds. @default half of `leaseMs` */
  recoverIntervalMs?: number;
  /** How long `stop()` waits for running handlers to stop, in milliseconds. @default 30000 */
  stopTimeoutMs?: number;
  /**
   * Items claimed ahead of free slots and held locally, so that short jobs do not wait for a claim
   * round trip. Held items are leased: keep this small when jobs are long. @default 0
   */
  localQueueSize?: number;
  /**
   * How long completions are collected before they are written together, in milliseconds, when the
   * store supports `completeItems`. @default 0 (the completions of one event-loop turn)
   */
  completionBatchMs?: number;
  /** Retry delays after a failed attempt. @default 5 s doubling to 10 minutes, ±20 % */
  backoff?: BackoffOptions;
  /** Window in which items queued with `schedule: "off-peak"` may run. */
  offPeakWindow?: OffPeakWindowOptions | OffPeakWindow;
  /** @default the system clock */
  clock?: Clock;
  /** @default silent */
  logger?: Logger;
  /** Random source for backoff jitter, in [0, 1). @default Math.random */
  random?: () => number;
}

const durationMs = (field: string) =>
  z.number({ error: `${field} must be a number of milliseconds` }).int({ error: `${field} must be a whole number of milliseconds` }).positive({ error: `${field} must be greater than 0` });

const NumericOptionsSchema = z.object({
  concurrency: z.number().int({ error: "concurrency must be a whole number" }).min(1, { error: "concurrency must be at least 1" }).max(1_000, { error: "concurrency must be at most 1000" }),
  leaseMs: durationMs("leaseMs").min(100, { error: "leaseMs must be at least 100" }),
  heartbeatMs: durationMs("heartbeatMs"),
  pollIntervalMs: durationMs("pollIntervalMs"),
  itemTimeoutMs: durationMs("itemTimeoutMs"),
  recoverIntervalMs: durationMs("recoverIntervalMs"),
  stopTimeoutMs: z.number().int().nonnegative({ error: "stopTimeoutMs must be 0 or more" }),
  localQueueSize: z.number().int().nonnegative({ error: "localQueueSize must be 0 or more" }).max(10_000, { error: "localQueueSize must be at most 10000" }),
  completionBatchMs: z.number().nonnegative({ error: "completionBatchMs must be 0 or more" }).max(1_000, { error: "completionBatchMs must be at most 1000" }),
});

export interface ResolvedProcessorOptions {
  store: WorkQueueStore;
  handlers: ReadonlyMap<string, WorkQueueHandler<any>>;
  workerId: string;
  concurrency: number;
  leaseMs: number;
  heartbeatMs: number;
  pollIntervalMs: number;
  itemTimeoutMs: number;
  recoverIntervalMs: number;
  stopTimeoutMs: number;
  localQueueSize: number;
  completionBatchMs: number;
  backoff: ResolvedBackoff;
  offPeakWindow: OffPeakWindow | undefined;
  clock: Clock;
  logger: Logger;
  random: () => number;
}

function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.join(".")}: ${issue.message}` : issue.message)).join("; ");
}

/** Every option name of createProcessor. The check below fails to compile when one is missing. */
const PROCESSOR_OPTION_NAMES = [
  "store",
  "handlers",
  "workerId",
  "concurrency",
  "leaseMs",
  "heartbeatMs",
  "pollIntervalMs",
  "itemTimeoutMs",
  "recoverIntervalMs",
  "stopTimeoutMs",
  "localQueueSize",
  "completionBatchMs",
  "backoff",
  "offPeakWindow",
  "clock",
  "logger",
  "random",
] as const satisfies ReadonlyArray<keyof ProcessorOptions>;
const everyProcessorOption: Exclude<keyof ProcessorOptions, (typeof PROCESSOR_OPTION_NAMES)[number]> extends never ? true : never = true;
void everyProcessorOption;

/** Validates the processor options once and fills in the defaults. */
export function resolveProcessorOptions(options: ProcessorOptions): ResolvedProcessorOptions {
  if (!options || typeof options.store !== "object" || options.store === null) {
    throw new WorkQueueError("VALIDATION_FAILED", "createProcessor needs a store, such as createMemoryStore() or a Postgres store.");
  }
  rejectUnknownOptions(options, PROCESSOR_OPTION_NAMES, "createProcessor option");
  if (!Array.isArray(options.handlers) || options.handlers.length === 0) {
    throw new WorkQueueError("VALIDATION_FAILED", "createProcessor needs at least one handler in handlers, such as createLogPurgeHandler({ target }).");
  }

  const handlers = new Map<string, WorkQueueHandler<any>>();
  for (const handler of options.handlers) {
    if (handlers.has(handler.type)) {
      throw new WorkQueueError("VALIDATION_FAILED", `Two handlers are registered for type "${handler.type}"; register one handler per type.`);
    }
    handlers.set(handler.type, handler);
  }

  const leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
  const numeric = NumericOptionsSchema.safeParse({
    concurrency: options.concurrency ?? 1,
    leaseMs,
    heartbeatMs: options.heartbeatMs ?? Math.max(1, Math.floor(leaseMs / 3)),
    pollIntervalMs: options.pollIntervalMs ?? DEFAULTS.pollIntervalMs,
    itemTimeoutMs: options.itemTimeoutMs ?? DEFAULTS.itemTimeoutMs,
    recoverIntervalMs: options.recoverIntervalMs ?? Math.max(1, Math.floor(leaseMs / 2)),
    stopTimeoutMs: options.stopTimeoutMs ?? 30_000,
    localQueueSize: options.localQueueSize ?? 0,
    completionBatchMs: options.completionBatchMs ?? 0,
  });
  if (!numeric.success) {
    throw new WorkQueueError("VALIDATION_FAILED", `Invalid processor options: ${describeIssues(numeric.error)}.`);
  }
  if (numeric.data.heartbeatMs >= numeric.data.leaseMs) {
    throw new WorkQueueError("VALIDATION_FAILED", `heartbeatMs (${numeric.data.heartbeatMs}) must be shorter than leaseMs (${numeric.data.leaseMs}), or the lease expires between heartbeats; about a third of it is usual.`);
  }

  if (typeof options.backoff === "object" && options.backoff !== null) rejectUnknownOptions(options.backoff, ["baseMs", "maxMs", "jitter"], "backoff option");
  const backoff = BackoffOptionsSchema.safeParse(options.backoff ?? {});
  if (!backoff.success) {
    throw new WorkQueueError("VALIDATION_FAILED", `Invalid backoff options: ${describeIssues(backoff.error)}.`);
  }

  const offPeakWindow = toOffPeakWindow(options.offPeakWindow);

  return {
    store: options.store,
    handlers,
    workerId: options.workerId ?? `worker-${globalThis.crypto.randomUUID().slice(0, 8)}`,
    ...numeric.data,
    backoff: backoff.data,
    offPeakWindow,
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    random: options.random ?? Math.random,
  };
}
