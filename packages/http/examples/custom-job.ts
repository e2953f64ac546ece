/**
 * A job type of its own next to LOG_PURGE: POD_LOG_STATS records a pod's row count and time span.
 * Its items share the queue with purges, so the work-queue API lists, streams, cancels and retries
 * them too. The host adds one route that queues them and one that reads the results.
 */
import {
  LOG_PURGE_TYPE,
  LogPurgePayloadSchema,
  type LogPurgeTarget,
  PermanentJobError,
  type Processor,
  type WorkQueue,
  createLogPurgeHandler,
  createMemoryLogTarget,
  createMemoryStore,
  createProcessor,
  createWorkQueue,
  defineHandler,
  toItemResponse,
} from "@logmk/workqueue";
import { HttpProblem, createWorkQueueApp } from "@logmk/workqueue-http";
import type { Hono } from "hono";
import { z } from "zod";
import { seedDemoLogs } from "./demo-service.js";

export const POD_LOG_STATS_TYPE = "POD_LOG_STATS";

export interface PodLogStats {
  deployment: string | null;
  podName: string;
  rows: number;
  oldest: string | null;
  newest: string | null;
  computedAt: string;
}

const statsKey = (deployment: string | null, podName: string) => `${deployment ?? ""}/${podName}`;

/** The handler of POD_LOG_STATS items: it reads the pod's summary and stores it in `results`. */
export function createPodLogStatsHandler(target: LogPurgeTarget, results: Map<string, PodLogStats>) {
  return defineHandler({
    type: POD_LOG_STATS_TYPE,
    // No options yet; strict, so that a client sending unknown fields learns at enqueue.
    payloadSchema: z.object({}).strict(),
    async run({ item, signal, reportProgress, logger }) {
      const pods = await target.listPods();
      // A cancel or shutdown aborts the signal; stopping between steps is this handler's job.
      if (signal.aborted) throw signal.reason;

      const pod = pods.find((candidate) => candidate.podName === item.podName && candidate.deployment === item.deployment);
      if (!pod) throw new PermanentJobError(`No logs of pod "${item.podName}" in deployment "${item.deployment}".`);
      await reportProgress({ recordsAffected: 0, progress: 50 });

      results.set(statsKey(pod.deployment, pod.podName), {
        deployment: pod.deployment,
        podName: pod.podName,
        rows: pod.approximateCount,
        oldest: pod.oldest?.toISOString() ?? null,
        newest: pod.newest?.toISOString() ?? null,
        computedAt: new Date().toISOString(),
      });
      logger.info({ rows: pod.approximateCount }, `Recorded log stats of pod ${pod.podName}`);
      return { recordsAffected: pod.approximateCount };
    },
  });
}

export interface CustomJobService {
  app: Hono<any>;
  queue: WorkQueue;
  processor: Processor;
  close(): Promise<void>;
}

export function createCustomJobService(): CustomJobService {
  const store = createMemoryStore();
  const target = createMemoryLogTarget({ transactionalStore: store });
  seedDemoLogs(target);
  const results = new Map<string, PodLogStats>();
  const statsHandler = createPodLogStatsHandler(target, results);

  const queue = createWorkQueue({ store, handlers: [{ type: LOG_PURGE_TYPE, payloadSchema: LogPurgePayloadSchema }, statsHandler] });
  const processor = createProcessor({ store, handlers: [createLogPurgeHandler({ target }), statsHandler] });
  const app = createWorkQueueApp({ queue, logTarget: target, processor });

  // Routes added to the app get its auth, same-origin check and problem+json errors.
  app.post("/api/pod-stats/:deployment/:podName", async (c) => {
    const { deployment, podName } = c.req.param();
    const item = await queue.enqueue({ type: POD_LOG_STATS_TYPE, podName, deployment, uniqueKey: `${POD_LOG_STATS_TYPE}:${statsKey(deployment, podName)}` });
    return c.json(toItemResponse(item), 202, { Location: `/api/workqueue/${item.id}` });
  });
  app.get("/api/pod-stats/:deployment/:podName", (c) => {
    const { deployment, podName } = c.req.param();
    const stats = results.get(statsKey(deployment, podName));
    if (!stats) throw new HttpProblem("NOT_FOUND", `No stats of pod "${podName}" in deployment "${deployment}" yet; queue them with POST first.`);
    return c.json(stats);
  });

  return {
    app,
    queue,
    processor,
    async close() {
      await processor.stop();
      await queue.close();
    },
  };
}
