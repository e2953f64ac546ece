import { errorMessageOf } from "../errors.js";
import { childLogger } from "../logger.js";
import type { Unsubscribe } from "../store/port.js";
import type { WorkQueueItem } from "../model/item.js";
import { createCompletionBatcher } from "./completion-batcher.js";
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

interface HeldItem {
  item: WorkQueueItem;
  claimedAt: number;
}

export function createProcessor(options: ProcessorOptions): Processor {
  const resolved = resolveProcessorOptions(options);
  const { store, clock, workerId } = resolved;
  const logger = childLogger(resolved.logger, { workerId });
  const types = [...resolved.handlers.keys()];
  // Every started item until its final write settles; `busy` holds those that still take a concurrency slot.
  const runs = new Map<number, ItemRun>();
  const busy = new Set<ItemRun>();
  // Claimed items waiting for a free slot; see the localQueueSize option.
  const held: HeldItem[] = [];
  const completions = createCompletionBatcher(store, clock, { delayMs: resolved.completionBatchMs, maxBatch: 500 });

  let running = false;
  let stopping: Promise<void> | undefined;
  let unsubscribe: Unsubscribe | undefined;
  let cancelPoll: (() => void) | undefined;
  let cancelRecovery: (() => void) | undefined;
  let filling: Promise<void> | undefined;
  let fillAgain = false;
  let claimFailures = 0;
  // Set when a claim found fewer eligible items than it asked for; only a notice, the poll or a wake-up clears it.
  let drained = false;
  let wakeAt: { at: number; cancel: () => void } | undefined;

  function schedulePoll(ms: number): void {
    cancelPoll?.();
    if (running) cancelPoll = clock.setTimer(() => void fill(true), ms);
  }

  /** Gives a claimed item back without using up its attempt, after stop raced the claim. */
  async function releaseUnstarted(item: WorkQueueItem): Promise<void> {
    await store.releaseItem({ id: item.id, fencingToken: item.fencingToken, reason: "shutdown", runAt: null }).catch((error) => {
      logger.error({ err: error, itemId: item.id }, `Releasing unstarted item ${item.id} failed; lease recovery will return it: ${errorMessageOf(error)}`);
    });
  }

  /** Starts a claimed item, or drops it when it sat in the local queue so long that its lease may be gone. */
  async function startRun(held: HeldItem): Promise<void> {
    const { item } = held;
    if (clock.now().getTime() - held.claimedAt > resolved.heartbeatMs) {
      const beat = await store.heartbeat({ id: item.id, fencingToken: item.fencingToken, leaseMs: resolved.leaseMs }).catch(() => undefined);
      if (!beat?.applied) {
        logger.warn({ itemId: item.id }, `Dropping item ${item.id}: its lease lapsed while it waited in the local queue`);
        return;
      }
    }
    const run = startItemRun(item, { ...resolved, logger }, { complete: (params) => completions.complete(params) });
    runs.set(item.id, run);
    busy.add(run);
    void run.slotFreed.then(() => {
      busy.delete(run);
      void fill();
    });
    void run.done.then((nextRunAt) => {
      if (runs.get(item.id) === run) runs.delete(item.id);
      if (nextRunAt) wakeUpAt(nextRunAt);
      void fill();
    });
  }

  /** Number of items to claim now: enough to fill free slots and the local queue. */
  function claimLimit(): number {
    const room = resolved.concurrency + resolved.localQueueSize - busy.size - held.length;
    if (room <= 0) return 0;
    if (held.length === 0 && busy.size < resolved.concurrency) return room;
    // Refill the local queue once half of it is free, not after every item, to keep claims batched.
    return resolved.localQueueSize > 0 && room >= Math.ceil(resolved.localQueueSize / 2) ? room : 0;
  }

  /** Starts held items in free slots and claims more until nothing is eligible or there is no room. */
  async function fillSlots(): Promise<void> {
    while (running) {
      while (running && busy.size < resolved.concurrency && held.length > 0) await startRun(held.shift()!);

      const limit = drained ? 0 : claimLimit();
      if (!running || limit === 0) break;
      let claimed: WorkQueueItem[];
      try {
        claimed = await store.claimNext({ workerId, types, leaseMs: resolved.leaseMs, limit });
        claimFailures = 0;
      } catch (error) {
        claimFailures++;
        const retryInMs = Math.min(resolved.pollIntervalMs, 250 * 2 ** Math.min(claimFailures, 8));
        logger.error({ err: error, retryInMs }, `Claiming items failed, retrying in ${retryInMs} ms: ${errorMessageOf(error)}`);
        schedulePoll(retryInMs);
        return;
      }
      if (claimed.length < limit) drained = true;
      if (claimed.length === 0) break;

      const claimedAt = clock.now().getTime();
      for (const item of claimed) {
        if (running) held.push({ item, claimedAt });
        else await releaseUnstarted(item);
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
      void fill(true);
    }, at - clock.now().getTime());
    wakeAt = { at, cancel };
  }

  /** Starts held items and claims more; `lookForWork` also claims after an earlier claim came back short. */
  function fill(lookForWork = false): Promise<void> {
    if (lookForWork) drained = false;
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
      if (recovered.some((entry) => entry.outcome === "retried")) void fill(true);
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

    const unstarted = held.splice(0);
    await Promise.all(unstarted.map(({ item }) => releaseUnstarted(item)));

    const active = [...runs.values()];
    logger.info({ running: active.map((run) => run.item.id), timeoutMs }, `Processor stopping with ${active.length} running ${active.length === 1 ? "item" : "items"}`);
    // A run whose handler already returned only waits for its completion write: there is nothing to stop.
    for (const run of active) if (busy.has(run)) run.stop("shutdown", "the processor is stopping");

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
      for (const run of runs.values()) run.abandon();
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
            if (notice.kind === "work-available") void fill(true);
          });
        } catch (error) {
          logger.error({ err: error, pollIntervalMs: resolved.pollIntervalMs }, `Subscribing to store notices failed; new work is found by polling only: ${errorMessageOf(error)}`);
        }
      }
      await recover();
      void fill(true);
    },
    stop(stopOptions = {}) {
      if (!stopping) stopping = running ? stopNow(stopOptions) : Promise.resolve();
      return stopping;
    },
    wake() {
      void fill(true);
    },
    isRunning: () => running,
    runningItemIds: () => [...runs.keys()],
    [Symbol.asyncDispose]() {
      return processor.stop();
    },
  };

  return processor;
}
