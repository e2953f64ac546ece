import {
  PermanentJobError,
  type Logger,
  type MemoryLogTarget,
  type Processor,
  type QueueEvent,
  type QueueEventName,
  type WorkQueue,
  type WorkQueueHandler,
  type WorkQueueStore,
  createLogPurgeHandler,
  createMemoryLogTarget,
  createMemoryStore,
  createProcessor,
  createWorkQueue,
  defineHandler,
} from "@logmk/workqueue";
import type { Hono } from "hono";
import { z } from "zod";
import { type AppEnv, type WorkQueueAppOptions, type WorkQueueMetrics, createWorkQueueApp, createWorkQueueMetrics } from "../src/index.js";

const HOUR = 60 * 60_000;

/** Pods of the generated log table: rows spread over the 48 hours before one hour ago. */
export const PODS = {
  api: { deployment: "api", podName: "api-7d9f8-abcde", count: 1_000 },
  apiOther: { deployment: "api", podName: "api-7d9f8-fghij", count: 400 },
  worker: { deployment: "worker", podName: "worker-5c6b7-xyz12", count: 300 },
  // The same pod name in two deployments, so a request without a deployment is ambiguous.
  sharedInApi: { deployment: "api", podName: "shared-pod", count: 50 },
  sharedInWorker: { deployment: "worker", podName: "shared-pod", count: 70 },
  // Markup and quotes are ordinary characters of a pod name.
  markup: { deployment: "api", podName: `<script>alert("x")</script>'; DROP TABLE "Log"; --`, count: 120 },
} as const;

export const TOTAL_ROWS = Object.values(PODS).reduce((sum, pod) => sum + pod.count, 0);

export interface LogRecord {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

/** Creates a logger that keeps every line, for asserting on what was logged. */
export function createRecordingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const log = (level: LogRecord["level"]) => (fields: Record<string, unknown>, message: string) => {
    records.push({ level, fields, message });
  };
  return { records, debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

export interface FixtureOptions {
  /** App options besides queue and logTarget. */
  app?: Partial<WorkQueueAppOptions>;
  /** Wraps the queue before the app gets it, such as to count listeners. */
  wrapQueue?: (queue: WorkQueue) => WorkQueue;
  /** Wraps the store before the queue gets it, such as to make it fail. */
  wrapStore?: (store: WorkQueueStore) => WorkQueueStore;
  maxOpenItems?: number | null;
  /** Handlers besides the purge handler. */
  handlers?: WorkQueueHandler<any>[];
  /** Leaves the log table empty. */
  emptyTarget?: boolean;
}

export interface AppFixture {
  store: WorkQueueStore;
  target: MemoryLogTarget;
  queue: WorkQueue;
  metrics: WorkQueueMetrics;
  app: Hono<AppEnv>;
  handlers: WorkQueueHandler<any>[];
  /** GET, or any request with `init`. */
  request(path: string, init?: RequestInit): Promise<Response>;
  /** A JSON request with the body serialised, POST by default. */
  send(path: string, body: unknown, init?: RequestInit): Promise<Response>;
  /** Starts a processor for the fixture's handlers, stopped by `close`. */
  startProcessor(): Promise<Processor>;
  /** Resolves with the first event that matches, from listeners registered now. */
  nextEvent(predicate: (event: QueueEvent) => boolean): Promise<QueueEvent>;
  close(): Promise<void>;
}

export function createAppFixture(options: FixtureOptions = {}): AppFixture {
  const rawStore = createMemoryStore();
  const store = options.wrapStore ? options.wrapStore(rawStore) : rawStore;
  const target = createMemoryLogTarget({ transactionalStore: store });
  if (!options.emptyTarget) {
    const now = Date.now();
    for (const pod of Object.values(PODS)) {
      target.generate({ ...pod, from: new Date(now - 49 * HOUR), to: new Date(now - HOUR) });
    }
  }

  const baseQueue = createWorkQueue({ store, handlers: [createLogPurgeHandler({ target }), ...(options.handlers ?? [])], maxOpenItems: options.maxOpenItems });
  const queue = options.wrapQueue ? options.wrapQueue(baseQueue) : baseQueue;
  const metrics = createWorkQueueMetrics({ queue });
  const handlers = [createLogPurgeHandler({ target, chunkSize: 100, minChunkSize: 1, targetChunkMs: null, onChunk: metrics.observeChunk }), ...(options.handlers ?? [])];
  const app = createWorkQueueApp({ queue, logTarget: target, metrics, ...options.app });
  const processors: Processor[] = [];
  const stopListening: Array<() => void> = [];

  const request = (path: string, init?: RequestInit) => Promise.resolve(app.request(path, init));

  return {
    store,
    target,
    queue,
    metrics,
    app,
    handlers,
    request,
    send(path, body, init = {}) {
      const headers = new Headers(init.headers);
      if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
      return request(path, { method: "POST", ...init, headers, body: typeof body === "string" ? body : JSON.stringify(body) });
    },
    async startProcessor() {
      const processor = createProcessor({ store, handlers, pollIntervalMs: 60_000, stopTimeoutMs: 5_000 });
      processors.push(processor);
      await processor.start();
      return processor;
    },
    nextEvent(predicate) {
      return new Promise((resolve) => {
        const stop = queue.onAny((event) => {
          if (!predicate(event)) return;
          stop();
          resolve(event);
        });
        stopListening.push(stop);
      });
    },
    async close() {
      for (const stop of stopListening) stop();
      for (const processor of processors) await processor.stop();
      metrics.close();
      await queue.close();
    },
  };
}

/** Waits for the event that ends an item: completed, failed or cancelled. */
export function finished(fixture: AppFixture, itemId: number): Promise<QueueEvent> {
  const endings: QueueEventName[] = ["QueueItemCompleted", "QueueItemFailed", "QueueItemCancelled"];
  return fixture.nextEvent((event) => event.item.id === itemId && endings.includes(event.name));
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

/** Counts the queue listeners that `onAny` added and that were not removed again. */
export function countListeners(queue: WorkQueue): { queue: WorkQueue; active(): number } {
  let active = 0;
  const counted: WorkQueue = Object.create(queue);
  counted.onAny = (listener) => {
    active++;
    const stop = queue.onAny(listener);
    let stopped = false;
    return () => {
      if (stopped) return;
      stopped = true;
      active--;
      stop();
    };
  };
  return { queue: counted, active: () => active };
}

/** A handler of FAILING_JOB items that always fails for good, so that its items end FAILED. */
export function failingJobHandler() {
  return defineHandler({
    type: "FAILING_JOB",
    payloadSchema: z.object({}).strict(),
    run: async () => {
      throw new PermanentJobError("the export target rejected the write");
    },
  });
}
