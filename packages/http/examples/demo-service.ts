/**
 * The work queue with a memory store, a memory log table filled with demo logs, a processor and
 * the HTTP app: what the Deno and Bun servers serve. Nothing is durable: it all lives in memory.
 */
import {
  LOG_PURGE_TYPE,
  LogPurgePayloadSchema,
  type Logger,
  type MemoryLogTarget,
  createLogPurgeHandler,
  createMemoryLogTarget,
  createMemoryStore,
  createProcessor,
  createWorkQueue,
  silentLogger,
} from "@logmk/workqueue";
import { createWorkQueueApp, createWorkQueueMetrics } from "@logmk/workqueue-http";
import type { Hono } from "hono";

const HOUR = 60 * 60_000;

/** Pods of the demo log table: rows spread over the two days before one hour ago. */
export const DEMO_PODS = [
  { deployment: "api", podName: "api-7d9f8-abcde", count: 5_000 },
  { deployment: "api", podName: "api-7d9f8-fghij", count: 2_000 },
  { deployment: "worker", podName: "worker-5c6b7-xyz12", count: 3_000 },
] as const;

export function seedDemoLogs(target: MemoryLogTarget, now = Date.now()): void {
  for (const pod of DEMO_PODS) target.generate({ ...pod, from: new Date(now - 49 * HOUR), to: new Date(now - HOUR) });
}

/** A logger that writes JSON lines to stderr, keeping stdout for the "Listening on" line. */
export const stderrLogger: Logger = {
  debug: () => {},
  info: (fields, message) => console.error(JSON.stringify({ level: "info", message, ...fields })),
  warn: (fields, message) => console.error(JSON.stringify({ level: "warn", message, ...fields })),
  error: (fields, message) => console.error(JSON.stringify({ level: "error", message, ...fields, err: String(fields["err"] ?? "") })),
};

export interface DemoService {
  app: Hono<any>;
  /** Starts the processor. */
  start(): Promise<void>;
  /** Ends the open event streams, stops the processor and the queue's event feed. */
  stop(): Promise<void>;
}

export function createDemoService(options: { logger?: Logger } = {}): DemoService {
  const logger = options.logger ?? silentLogger;
  const store = createMemoryStore();
  const target = createMemoryLogTarget({ transactionalStore: store });
  seedDemoLogs(target);

  // The queue needs only the type and payload schema to validate enqueues; the processor runs the handler.
  const queue = createWorkQueue({ store, handlers: [{ type: LOG_PURGE_TYPE, payloadSchema: LogPurgePayloadSchema }], logger });
  const metrics = createWorkQueueMetrics({ queue });
  const processor = createProcessor({ store, handlers: [createLogPurgeHandler({ target, onChunk: metrics.observeChunk })], logger });
  const shutdown = new AbortController();
  const app = createWorkQueueApp({ queue, logTarget: target, processor, metrics, logger, signal: shutdown.signal });

  return {
    app,
    start: () => processor.start(),
    async stop() {
      shutdown.abort();
      await processor.stop();
      metrics.close();
      await queue.close();
    },
  };
}

/** Reads the port from the environment: a whole number from 0 (any free port) to 65535, 8080 when unset. */
export function parsePort(value: string | undefined): number {
  const port = Number(value ?? "8080");
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a whole number from 0 to 65535, not ${JSON.stringify(value)}; 0 picks a free port.`);
  }
  return port;
}
