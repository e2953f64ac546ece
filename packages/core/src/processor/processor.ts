import { errorMessageOf } from "../errors.js";
import { childLogger } from "../logger.js";
import type { Unsubscribe } from "../store/port.js";
import { startItemRun, type ItemRun } from "./item-run.js";
import { resolveProcessorOptions, type ProcessorOptions } from "./options.js";

export interface ProcessorStopOptions {
  /** How long to wait for running handlers, in milliseconds. @default the `stopTimeoutMs` option */
  timeoutMs?: number;
}

/** Claims items of the registered types and runs them. */
export interface Processor extends AsyncDisposable {
  readonly workerId: string;
  /** Starts claiming. Safe to call twice. */
  start(): Promise<void>;
  /**
   * Stops claiming, signals running handlers to stop at their next safe point, and waits for them
   * within the timeout. Released items go back to PENDING without using up the attempt. Safe to
   * call twice.
   */
  stop(options?: ProcessorStopOptions): Promise<void>;
  /** Claims now instead of waiting for a notice or the poll timer. */
  wake(): void;
  /** Whether the processor is started and not stopping. */
  isRunning(): boolean;
  /** Ids of the items running now. */
  runningItemIds(): number[];
}

export function createProcessor(options: ProcessorOptions): Processor {
  const resolved = resolveProcessorOptions(options);
  const { store, clock, workerId } = resolved;
  const logger = childLogger(resolved.logger, { workerId });
  const types = [...resolved.handlers.keys()];
  const runs = new Map<number, ItemRun>();

  let running = false;
  let stopping: Promise<void> | undefined;
  let unsubscribe: Unsubscribe | undefined;
  let cancelPoll: (() => void) | undefined;
  let cancelRecovery: (() => void) | undefined;
  let filling: Promise<void> | undefined;
  let fillAgain = false;
  let claimFailures = 0;
  let wakeAt: { at: number; cancel: () => void } | undefined;

  function schedulePoll(ms: number): void {
    cancelPoll?.();
    if (running) cancelPoll = clock.setTimer(() => void fill(), ms);
  }

  /** Claims items until every slot is busy or nothing is eligible. */
  async function fillSlots(): Promise<void> {
    while (running && runs.size < resolved.concurrency) {
      let claimed;
      try {
        claimed = await store.claimNext({ workerId, types, leaseMs: resolved.leaseMs, limit: resolved.concurrency - runs.size });
        claimFailures = 0;
      } catch (error) {
        claimFailures++;
        const retryInMs = Math.min(resolved.pollIntervalMs, 250 * 2 ** Math.min(claimFailures, 8));
        logger.error({ err: error, retryInMs }, `Claiming items failed, retrying in ${retryInMs} ms: ${errorMessageOf(error)}`);
        schedulePoll(retryInMs);
        return;
      }
      if (claimed.length === 0) break;

      for (const item of claimed) {
        if (!running) {
          // Stop raced this claim: give the item straight back without using up the attempt.
          await store.releaseItem({ id: item.id, fencingToken: item.fencingToken, reason: "shutdown", runAt: null }).catch((error) => {
            logger.error({ err: error, itemId: item.id }, `Releasing item ${item.id} claimed during stop failed; lease recovery will return it: ${errorMessageOf(error)}`);
          });
          continue;
        }
        const run = startItemRun(item, { ...resolved, logger });
        runs.set(item.id, run);
        void run.done.then((nextRunAt) => {
          runs.delete(item.id);
          if (nextRunAt) wakeUpAt(nextRunAt);
          void fill();
        });
      }
    }
    schedulePoll(resolved.pollIntervalMs);
  }

  /** Claims again when an item this processor put back becomes eligible, instead of waiting for the poll. */
  function wakeUpAt(runAt: Date): void {
    const at = runAt.getTime();
    if (!running || (wakeAt && wakeAt.at <= at)) return;
    wakeAt?.cancel();
    const cancel = clock.setTimer(() => {
      wakeAt = undefined;
      void fill();
    }, at - clock.now().getTime());
    wakeAt = { at, cancel };
  }

  function fill(): Promise<void> {
    if (!running) return Promise.resolve();
    if (filling) {
      fillAgain = true;
      return filling;
    }
    filling = (async () => {
      do {
        fillAgain = false;
        await fillSlots();
      } while (fillAgain && running);
      filling = undefined;
    })();
    return filling;
  }

  async function recover(): Promise<void> {
    try {
      const recovered = await store.recoverExpiredLeases({ retryDelayMs: 0, limit: 100 });
      for (const { item, outcome } of recovered) {
        const fields = { itemId: item.id, itemType: item.type, attempt: item.attempts, outcome };
        if (outcome === "failed") logger.error(fields, `Item ${item.id} failed: its lease expired on the last attempt`);
        else logger.warn(fields, `Recovered item ${item.id} whose lease expired: ${outcome}`);
      }
      if (recovered.some((entry) => entry.outcome === "retried")) void fill();
    } catch (error) {
      logger.error({ err: error }, `Recovering expired leases failed: ${errorMessageOf(error)}`);
    }
    if (running) cancelRecovery = clock.setTimer(() => void recover(), resolved.recoverIntervalMs);
  }

  async function stopNow(stopOptions: ProcessorStopOptions): Promise<void> {
    const timeoutMs = stopOptions.timeoutMs ?? resolved.stopTimeoutMs;
    running = false;
    cancelPoll?.();
    cancelRecovery?.();
    wakeAt?.cancel();
    wakeAt = undefined;
    await unsubscribe?.().catch((error) => logger.warn({ err: error }, `Unsubscribing from store notices failed: ${errorMessageOf(error)}`));
    unsubscribe = undefined;
    await filling;

    const active = [...runs.values()];
    logger.info({ running: active.map((run) => run.item.id), timeoutMs }, `Processor stopping with ${active.length} running items`);
    for (const run of active) run.stop("shutdown", "the processor is stopping");

    let timedOut = false;
    await new Promise<void>((resolve) => {
      const cancelTimer = clock.setTimer(() => {
        timedOut = true;
        resolve();
      }, timeoutMs);
      void Promise.all(active.map((run) => run.done)).then(() => {
        cancelTimer();
        resolve();
      });
    });
    if (timedOut) {
      const left = [...runs.keys()];
      logger.warn({ itemIds: left }, `Processor stopped with ${left.length} handlers still running after ${timeoutMs} ms; their leases will expire and recovery will return the items`);
    } else {
      logger.info({}, "Processor stopped");
    }
  }

  const processor: Processor = {
    workerId,
    async start() {
      if (running) return;
      if (stopping) await stopping;
      stopping = undefined;
      running = true;
      logger.info({ types, concurrency: resolved.concurrency, leaseMs: resolved.leaseMs, pollIntervalMs: resolved.pollIntervalMs }, "Processor started");
      if (store.subscribe) {
        try {
          unsubscribe = await store.subscribe((notice) => {
            if (notice.kind === "work-available") void fill();
          });
        } catch (error) {
          logger.error({ err: error, pollIntervalMs: resolved.pollIntervalMs }, `Subscribing to store notices failed; new work is found by polling only: ${errorMessageOf(error)}`);
        }
      }
      await recover();
      void fill();
    },
    stop(stopOptions = {}) {
      if (!stopping) stopping = running ? stopNow(stopOptions) : Promise.resolve();
      return stopping;
    },
    wake() {
      void fill();
    },
    isRunning: () => running,
    runningItemIds: () => [...runs.keys()],
    [Symbol.asyncDispose]() {
      return processor.stop();
    },
  };

  return processor;
}
