import { DEFAULTS, LOG_PURGE_TYPE, type WorkQueue, type WorkQueueItem, toItemResponse } from "@logmk/workqueue";
import type { Hono } from "hono";
import type { AppEnv } from "../env.js";
import type { ResolvedAppOptions } from "../options.js";
import type { PodResponse } from "../schemas.js";

const podKey = (deployment: string | null, podName: string) => `${deployment ?? ""}\u0000${podName}`;

/** Lists every open purge, paging through the list so that none is missed however many there are. */
export async function openPurges(queue: WorkQueue): Promise<WorkQueueItem[]> {
  const found: WorkQueueItem[] = [];
  for (const status of ["PENDING", "IN_PROGRESS"] as const) {
    let before: number | undefined;
    for (;;) {
      const page = await queue.list({ status, type: LOG_PURGE_TYPE, before, limit: DEFAULTS.maxPageSize });
      found.push(...page);
      if (page.length < DEFAULTS.maxPageSize) break;
      before = page[page.length - 1]!.id;
    }
  }
  return found;
}

/** Lists the pods of the log table with their estimated row counts, time span and open purge. */
export async function listPodsWithOpenPurges(options: Pick<ResolvedAppOptions, "queue" | "logTarget" | "clock">): Promise<PodResponse[]> {
  const [pods, purges] = await Promise.all([options.logTarget.listPods(), openPurges(options.queue)]);
  const purgeByPod = new Map(purges.map((item) => [podKey(item.deployment, item.podName), item]));
  const now = options.clock.now();

  return pods.map((pod) => {
    const open = purgeByPod.get(podKey(pod.deployment, pod.podName));
    return {
      deployment: pod.deployment,
      podName: pod.podName,
      approximateCount: pod.approximateCount,
      oldest: pod.oldest?.toISOString() ?? null,
      newest: pod.newest?.toISOString() ?? null,
      openItem: open === undefined ? null : toItemResponse(open, now),
    };
  });
}

/** `GET /api/pods`: the pods of the log table with their estimated row counts, time span and open purge. */
export function registerPodRoutes(app: Hono<AppEnv>, options: ResolvedAppOptions): void {
  app.get("/api/pods", async (c) => c.json(await listPodsWithOpenPurges(options)));
}
