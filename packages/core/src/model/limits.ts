/** Bounds of the item model, shared by the schemas, the stores and the HTTP layer. */
export const LIMITS = {
  minPriority: -100,
  maxPriority: 100,
  maxPodNameLength: 256,
  maxDeploymentLength: 256,
  maxTypeLength: 64,
  maxUniqueKeyLength: 600,
  maxErrorMessageLength: 4_000,
  maxCreatedByLength: 256,
  maxAttemptsLimit: 100,
} as const;

/** Defaults of the queue and the processor, in milliseconds where they are durations. */
export const DEFAULTS = {
  leaseMs: 60_000,
  heartbeatMs: 20_000,
  maxAttempts: 5,
  backoffBaseMs: 5_000,
  backoffMaxMs: 10 * 60_000,
  backoffJitter: 0.2,
  itemTimeoutMs: 60 * 60_000,
  pollIntervalMs: 30_000,
  maxOpenItems: 1_000,
  retentionMs: 30 * 24 * 60 * 60_000,
  eventRetentionMs: 24 * 60 * 60_000,
  pageSize: 50,
  maxPageSize: 500,
  chunkSize: 10_000,
} as const;
