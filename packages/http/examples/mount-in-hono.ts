/**
 * Mounts the work-queue API inside an existing Hono service under `/workqueue`, next to the
 * service's own routes. Serve `createLogMkService().service.fetch` with any Hono host.
 */
import {
  LOG_PURGE_TYPE,
  LogPurgePayloadSchema,
  type Processor,
  createLogPurgeHandler,
  createMemoryLogTarget,
  createMemoryStore,
  createProcessor,
  createWorkQueue,
} from "@logmk/workqueue";
import { bearerTokenAuth, createWorkQueueApp } from "@logmk/workqueue-http";
import { Hono } from "hono";
import { seedDemoLogs } from "./demo-service.js";

export interface LogMkService {
  /** The existing service, now with the work queue under `/workqueue`. */
  service: Hono;
  processor: Processor;
  close(): Promise<void>;
}

export function createLogMkService(options: { apiToken: string }): LogMkService {
  const store = createMemoryStore();
  const target = createMemoryLogTarget({ transactionalStore: store });
  seedDemoLogs(target);
  const queue = createWorkQueue({ store, handlers: [{ type: LOG_PURGE_TYPE, payloadSchema: LogPurgePayloadSchema }] });
  const processor = createProcessor({ store, handlers: [createLogPurgeHandler({ target })] });

  // The service as it was: its own routes, error handling and middleware stay as they are.
  const service = new Hono();
  service.get("/api/logs/pods", async (c) => c.json((await target.listPods()).map((pod) => pod.podName)));

  // basePath makes the app's links, auth paths and OpenAPI servers agree with where it is mounted.
  const workQueue = createWorkQueueApp({
    queue,
    logTarget: target,
    processor,
    basePath: "/workqueue",
    auth: bearerTokenAuth({ token: options.apiToken }),
  });
  service.route("/", workQueue);

  return {
    service,
    processor,
    async close() {
      await processor.stop();
      await queue.close();
    },
  };
}
