import { errorMessageOf } from "@logmk/workqueue";
import type { Hono } from "hono";
import type { AppEnv } from "../env.js";
import { PROMETHEUS_CONTENT_TYPE } from "../metrics/prometheus.js";
import type { ResolvedAppOptions } from "../options.js";
import type { HealthResponse } from "../schemas.js";

/** Resolves when `promise` does, or rejects once `ms` have passed. */
async function withTimeout<T>(promise: Promise<T>, ms: number, operation: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${operation} timed out after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `GET /healthz` and `GET /metrics`. */
export function registerHealthRoutes(app: Hono<AppEnv>, options: ResolvedAppOptions): void {
  const { queue, processor, metrics, logger } = options;

  app.get("/healthz", async (c) => {
    let store: HealthResponse["store"] = "ok";
    try {
      await withTimeout(queue.store.ping(), options.healthTimeoutMs, "The store ping");
    } catch (error) {
      store = "unreachable";
      logger.warn({ err: error, requestId: c.get("requestId"), store: queue.store.kind }, `Health check found the store unreachable: ${errorMessageOf(error)}`);
    }
    const processorState: HealthResponse["processor"] = processor === undefined ? "absent" : processor.isRunning() ? "running" : "stopped";

    const healthy = store === "ok" && processorState !== "stopped";
    const body: HealthResponse = { status: healthy ? "ok" : "unavailable", store, processor: processorState };
    return c.json(body, healthy ? 200 : 503);
  });

  if (metrics) {
    app.get("/metrics", async (c) => c.body(await metrics.render(), 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE }));
  }
}
