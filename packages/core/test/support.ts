import { z } from "zod";
import {
  createManualClock,
  createMemoryStore,
  createProcessor,
  createWorkQueue,
  defineHandler,
  type HandlerContext,
  type Logger,
  type ManualClock,
  type ProcessorOptions,
  type WorkQueueStore,
} from "@logmk/workqueue";

export interface Deferred<T = void> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export interface LogLine {
  level: "debug" | "info" | "warn" | "error";
  fields: Record<string, unknown>;
  message: string;
}

/** A logger that keeps every line, for asserting on what was logged. */
export function createRecordingLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine["level"]) => (fields: Record<string, unknown>, message: string) => {
    lines.push({ level, fields, message });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

export const TestPayloadSchema = z.object({ label: z.string() }).strict();

export type TestHandlerRun = (context: HandlerContext<z.output<typeof TestPayloadSchema>>) => Promise<unknown>;

/** A TEST_JOB handler whose behaviour each test sets through `run`. */
export function createTestHandler(run: TestHandlerRun, overrides: { timeoutMs?: number } = {}) {
  return defineHandler({
    type: "TEST_JOB",
    payloadSchema: TestPayloadSchema,
    run: async (context) => {
      await run(context);
    },
    ...overrides,
  });
}

export interface Harness {
  clock: ManualClock;
  store: WorkQueueStore;
  logger: ReturnType<typeof createRecordingLogger>;
  queue: ReturnType<typeof createWorkQueue>;
}

/** A memory store, a queue and a manual clock, for processor tests. */
export function createHarness(): Harness {
  const clock = createManualClock("2026-03-01T12:00:00Z");
  const store = createMemoryStore({ clock });
  const logger = createRecordingLogger();
  const queue = createWorkQueue({ store, handlers: [{ type: "TEST_JOB", payloadSchema: TestPayloadSchema }], clock, logger });
  return { clock, store, logger, queue };
}

export function startProcessor(harness: Harness, options: Partial<ProcessorOptions> & Pick<ProcessorOptions, "handlers">) {
  return createProcessor({
    store: harness.store,
    clock: harness.clock,
    logger: harness.logger,
    random: () => 0.5,
    ...options,
  });
}

/**
 * Lets promise callbacks and zero-delay runtime timers run until `condition` holds, without moving
 * the manual clock; fails after `timeoutMs` of real time.
 */
export async function settle(clock: ManualClock, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await clock.flush();
  }
  throw new Error(`Condition not met within ${timeoutMs} ms`);
}

/**
 * Wraps a store so that every call fails with a connection error once `cut()` was called, as for
 * a worker cut off from the database by a network partition. Subscriptions stay as they are.
 */
export function partitionableStore(store: WorkQueueStore): { store: WorkQueueStore; cut(): void } {
  let partitioned = false;
  const wrapped = new Proxy(store, {
    get: (target, property, receiver) => {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || property === "subscribe") return value;
      return (...args: unknown[]) => (partitioned ? Promise.reject(new Error("connection refused")) : value.apply(target, args));
    },
  });
  return { store: wrapped, cut: () => (partitioned = true) };
}
