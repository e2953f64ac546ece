import {
  createLogPurgeHandler,
  createLogPurgeService,
  createManualClock,
  createMemoryLogTarget,
  createMemoryStore,
  createProcessor,
  createWorkQueue,
  LogPurgePayloadSchema,
  type LogPurgeHandlerOptions,
  type MemoryLogTargetOptions,
  type ProcessorOptions,
  type WorkQueueStore,
} from "@logmk/workqueue";
import { createRecordingLogger } from "./support.js";

export const DAY = 24 * 3_600_000;

/** A memory store, queue, log target and purge service on one manual clock. */
export function createPurgeHarness(targetOptions: Omit<MemoryLogTargetOptions, "clock"> & { transactional?: boolean } = {}) {
  const clock = createManualClock("2026-12-01T00:00:00Z");
  const store = createMemoryStore({ clock });
  const logger = createRecordingLogger();
  const { transactional = true, ...rest } = targetOptions;
  const target = createMemoryLogTarget({ clock, ...(transactional ? { transactionalStore: store } : {}), ...rest });
  const queue = createWorkQueue({ store, handlers: [{ type: "LOG_PURGE", payloadSchema: LogPurgePayloadSchema }], clock, logger });
  const service = createLogPurgeService({ queue, target, logger });

  const processor = (options: Partial<ProcessorOptions> & { purge?: Partial<LogPurgeHandlerOptions>; store?: WorkQueueStore } = {}) => {
    const { purge, ...processorOptions } = options;
    return createProcessor({
      store,
      clock,
      logger,
      random: () => 0.5,
      handlers: [createLogPurgeHandler({ target, clock, ...purge })],
      ...processorOptions,
    });
  };

  return { clock, store, logger, target, queue, service, processor };
}
