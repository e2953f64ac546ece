import { WorkQueueError } from "../errors.js";
import type { Logger } from "../logger.js";
import { silentLogger } from "../logger.js";
import type { WorkQueueItem } from "../model/item.js";
import type { WorkQueue } from "../queue/queue.js";
import { parseOrThrow } from "../validation.js";
import { LOG_PURGE_TYPE, TIME_RANGE_PRESET_MS, purgeUniqueKey, type LogPurgePayload } from "./payload.js";
import { PurgeRequestSchema, type PurgePreview, type PurgeRequest } from "./request.js";
import type { LogPurgeTarget } from "./target.js";

/**
 * Clock skew tolerated between the caller and the database: a `to` up to this far ahead of the
 * database's time is taken as "now" instead of being rejected as a future instant.
 */
const FUTURE_TOLERANCE_MS = 5_000;

export interface LogPurgeServiceOptions {
  queue: WorkQueue;
  target: LogPurgeTarget;
  logger?: Logger;
}

/** Resolves purge requests against the log table and queues them. */
export interface LogPurgeService {
  /** Resolves the deployment, range and estimate without queueing anything. */
  preview(request: PurgeRequest): Promise<PurgePreview>;
  /** Queues the purge; fails with CONFLICT when the pod already has an open purge. */
  enqueue(request: PurgeRequest): Promise<WorkQueueItem>;
}

export function createLogPurgeService(options: LogPurgeServiceOptions): LogPurgeService {
  const { queue, target } = options;
  const logger = options.logger ?? silentLogger;

  async function resolveDeployment(podName: string, deployment: string | null | undefined): Promise<string | null> {
    const pod = await target.findPod({ podName });
    if (!pod.exists) {
      throw new WorkQueueError("NOT_FOUND", `No logs of pod "${podName}" were found; check the pod name with GET /api/pods.`, { details: { podName } });
    }
    // A log table without a deployment column ignores the deployment.
    if (pod.deployments === null) return null;

    if (deployment != null) {
      if (!pod.deployments.includes(deployment)) {
        const known = pod.deployments.length > 0 ? ` It has logs in: ${pod.deployments.join(", ")}.` : "";
        throw new WorkQueueError("NOT_FOUND", `No logs of pod "${podName}" in deployment "${deployment}".${known}`, { details: { podName, deployment, deployments: pod.deployments } });
      }
      return deployment;
    }
    if (pod.deployments.length === 1) return pod.deployments[0]!;
    throw new WorkQueueError("VALIDATION_FAILED", `Pod "${podName}" has logs in several deployments (${pod.deployments.join(", ")}); give deployment to choose one.`, {
      issues: [{ path: "deployment", message: `required: pod is in ${pod.deployments.join(", ")}` }],
      details: { podName, deployments: pod.deployments },
    });
  }

  async function preview(input: PurgeRequest): Promise<PurgePreview> {
    const request = parseOrThrow(PurgeRequestSchema, input, "purge request");
    const deployment = await resolveDeployment(request.podName, request.deployment);

    const [now, maxId] = await Promise.all([target.now(), target.maxLogId()]);
    let to = request.to == null ? now : new Date(request.to);
    if (to.getTime() > now.getTime() + FUTURE_TOLERANCE_MS) {
      throw new WorkQueueError("VALIDATION_FAILED", `to (${to.toISOString()}) is in the future; the database time is ${now.toISOString()}. Leave to out to purge up to now.`, { issues: [{ path: "to", message: "must not be in the future" }] });
    }
    if (to > now) to = now;

    let from = request.from == null ? null : new Date(request.from);
    const timeRange = request.timeRange ?? null;
    if (timeRange !== null && timeRange !== "all") from = new Date(now.getTime() - TIME_RANGE_PRESET_MS[timeRange]);
    if (from !== null && from >= to) {
      throw new WorkQueueError("VALIDATION_FAILED", `from (${from.toISOString()}) must be before to (${to.toISOString()}).`, { issues: [{ path: "from", message: "must be before to" }] });
    }

    const estimatedRecords = await target.estimateRows({ deployment, podName: request.podName, from, to, maxId });
    return { podName: request.podName, deployment, from: from?.toISOString() ?? null, to: to.toISOString(), timeRange, maxId, estimatedRecords };
  }

  return {
    preview,
    async enqueue(input) {
      const request = parseOrThrow(PurgeRequestSchema, input, "purge request");
      const resolved = await preview(request);
      const payload: LogPurgePayload = {
        from: resolved.from,
        to: resolved.to,
        maxId: resolved.maxId,
        timeRange: resolved.timeRange,
        displayedEstimate: request.displayedEstimate ?? null,
      };
      const item = await queue.enqueue({
        type: LOG_PURGE_TYPE,
        podName: resolved.podName,
        deployment: resolved.deployment,
        payload,
        metadata: request.metadata ?? null,
        priority: request.priority ?? 0,
        schedule: request.schedule ?? "now",
        maxAttempts: request.maxAttempts,
        uniqueKey: purgeUniqueKey(resolved.deployment, resolved.podName),
        estimatedRecords: resolved.estimatedRecords,
        createdBy: request.createdBy ?? null,
      });
      logger.info({ itemId: item.id, podName: item.podName, deployment: item.deployment, from: resolved.from, to: resolved.to, estimatedRecords: resolved.estimatedRecords }, `Queued log purge ${item.id}`);
      return item;
    },
  };
}
